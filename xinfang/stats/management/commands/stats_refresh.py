"""``manage.py stats_refresh [--all]``: bring the statistics rollups up to date.

Readers refresh the stale days themselves; run this after a bulk load (``--all`` rebuilds
everything in one pass) or from a loop so that no reader pays for a large refresh."""

from __future__ import annotations

import json
import time
from typing import Any

from django.core.management.base import BaseCommand

from xinfang.stats.rollups import refresh


class Command(BaseCommand):
    help = "Recompute the statistics rollups of the changed days (--all: rebuild them all)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--all", action="store_true", help="Rebuild every rollup from the petitions.")
        parser.add_argument("--database", default="default", help="Database alias (default: default).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = refresh(full=options["all"], using=options["database"])
        self.stdout.write(json.dumps({**result, "seconds": round(time.monotonic() - started, 3)}))
