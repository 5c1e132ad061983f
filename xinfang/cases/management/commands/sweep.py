"""``xinfang sweep``: raise 临期/超期 warnings, open automatic 督办, close expired review windows, and
bring the statistics rollups up to date (so that the dashboard's readers find nothing to refresh)."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.stats.rollups import refresh as refresh_rollups
from xinfang.workflow.sweep import sweep


class Command(BaseCommand):
    help = "Sweep deadlines: warnings, automatic supervision and closing (idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--today", help="Sweep as of this date (YYYY-MM-DD); default: today in Asia/Shanghai."
        )
        parser.add_argument("--loop", type=int, default=0, help="Repeat every N seconds (0: run once).")

    def handle(self, *args: Any, **options: Any) -> None:
        today = None
        if options["today"]:
            try:
                today = date.fromisoformat(options["today"])
            except ValueError as exc:
                raise CommandError("--today: use YYYY-MM-DD") from exc
        while True:
            started = time.monotonic()
            result = sweep(today=today)
            rollups = refresh_rollups()
            self.stdout.write(
                json.dumps(
                    {
                        **result.as_dict(),
                        "rollup_days": rollups.get("days", 0),
                        "seconds": round(time.monotonic() - started, 3),
                    }
                )
            )
            if not options["loop"]:
                return
            time.sleep(options["loop"])
