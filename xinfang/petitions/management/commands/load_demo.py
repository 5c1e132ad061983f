"""``python manage.py load_demo`` (``xinfang demo``): the fictional 清河县 with a user for every role and
about two thousand petitions. Idempotent: a second run creates nothing. Every run prints the logins.

Operator output, not part of the web UI, so it is not translated (no catalogue entries)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinfang.demo import world


class Command(BaseCommand):
    help = "Load the demo county 清河县 (fictional, region codes 99…), its users and petitions, once."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--petitions",
            type=int,
            default=world.DEFAULT_PETITIONS,
            help="petitions to register (default 2000)",
        )
        parser.add_argument("--seed", type=int, default=world.DEFAULT_SEED, help="random seed of the texts")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["petitions"] < 0:
            raise CommandError("--petitions must not be negative")
        result = world.load_demo(petitions=options["petitions"], seed=options["seed"])
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data loaded: 清河县 (江城市, fictional), {result.petitions} petitions "
                    f"in {result.seconds:.1f} s."
                )
            )
            if result.handled is not None:
                statuses = ", ".join(f"{k} {v}" for k, v in sorted(result.handled.by_status.items()))
                self.stdout.write(
                    f"Handled along the 条例's paths: {result.handled.steps} steps ({statuses})."
                )
        else:
            self.stdout.write("Demo data already present (清河县信访局 exists); nothing changed.")
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {world.PASSWORD}):")
        width = max(len(login.username) for login, _ in result.logins)
        for login, unit_name in result.logins:
            extra = "  [/admin/]" if login.superuser else ""
            self.stdout.write(
                f"  {login.username:<{width}}  {login.role:<10}  {unit_name}  {login.full_name}{extra}"
            )
        self.stdout.write(
            "Second factor: off here; with XINFANG_SECURE=1 (or XINFANG_OTP=1) leader, supervisor and admin "
            "set up an authenticator app (TOTP) at their first login and give its six-digit code at each login. "
            f"Login lockout: {settings.AXES_FAILURE_LIMIT} wrong passwords lock the name and the computer "
            "(python manage.py axes_reset_username NAME lifts it)."
            if not settings.XINFANG_OTP_REQUIRED
            else "Second factor: on. leader, supervisor and admin set up an authenticator app (TOTP) at their first "
            "login (the page shows a QR code and the key) and give its six-digit code at each login."
        )
