"""``manage.py detection_rebuild`` (also ``xinfang detection_rebuild``): rebuild the term weights of
the text comparison when the stored petitions have grown by half since the last build
(``services.stats_outdated``), or always with ``--force``. Meant for a nightly cron job
(docs/detection.md); a run with nothing to do costs two counts.

``--reindex-traditional`` (once, after upgrading): rewrite the keyword-index words of petitions
stored before the index held simplified characters."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xinfang.detection import services
from xinfang.petitions.services import petitions_reindex_traditional


class Command(BaseCommand):
    help = "Rebuild the word and bigram frequencies of duplicate detection when they are outdated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
        parser.add_argument(
            "--sample",
            type=int,
            default=services.STATS_SAMPLE,
            help="count over at most this many petitions (a random sample beyond)",
        )
        parser.add_argument(
            "--reindex-traditional",
            action="store_true",
            help="first rewrite the index words of petitions written in traditional characters",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["reindex_traditional"]:
            count = petitions_reindex_traditional()
            self.stdout.write(f"keyword index rewritten for {count} petitions in traditional characters")
        if not options["force"] and not services.stats_outdated():
            self.stdout.write("term weights are up to date")
            return
        result = services.stats_rebuild(sample=max(1, options["sample"]))
        build = result.build
        self.stdout.write(
            f"term weights rebuilt: {build.terms} terms from {build.docs} of {build.total} petitions "
            f"in {build.seconds:.1f} s, peak {result.peak_bytes / 1e6:.1f} MB"
        )
