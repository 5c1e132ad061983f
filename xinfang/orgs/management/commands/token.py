"""``xinfang token create USERNAME`` / ``revoke PREFIX`` / ``list [USERNAME]``: bearer tokens for
/api/v1. The work and the messages are in xinfang.api.tokens."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.api import tokens


class Command(BaseCommand):
    help = "Create, revoke or list API tokens (Authorization: Bearer <token>)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="create|revoke|list")
        create = actions.add_parser("create", help="Create a token for a user and print it (last word).")
        create.add_argument("username")
        create.add_argument("--name", default="", help="what the token is for, e.g. the client system")
        create.add_argument(
            "--days", type=int, default=None, help="days until it expires (XINFANG_TOKEN_DAYS, 90)"
        )
        create.add_argument("--read-only", action="store_true", help="a token that may only read (GET)")
        revoke = actions.add_parser("revoke", help="Revoke the token starting with PREFIX.")
        revoke.add_argument("prefix")
        listing = actions.add_parser(
            "list", help="List tokens (prefix, user, last use), never their secrets."
        )
        listing.add_argument("username", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "create":
                lines = tokens.create(
                    username=options["username"],
                    name=options["name"],
                    days=options["days"],
                    read_only=options["read_only"],
                ).lines()
            elif options["action"] == "revoke":
                lines = [tokens.revoke(prefix=options["prefix"])]
            else:
                lines = tokens.listing(username=options["username"])
        except tokens.TokenCommandError as exc:
            raise CommandError(str(exc)) from exc
        for line in lines:
            self.stdout.write(line)
