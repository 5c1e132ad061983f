"""``xinfang report`` (``manage.py report``): the statistics reports as batch jobs, for a scheduler or
an operator — the same functions, scope and audit as the pages.

    xinfang report paragraph --user clerk [--unit 990121XF] [--from 2026-01-01 --to 2026-09-30] [--out p.docx]
    xinfang report ledger visit --user clerk --from 2026-10-01 --to 2026-10-31 --out 来访台账.xlsx
    xinfang report annual --user clerk --year 2025 --out 年度报告.docx
    xinfang report ranking --user leader --month 2026-10 [--publish "2026年10月量化考核"]

Every report runs as a named user and sees exactly what that user sees in the browser; the period
arguments are those of the pages (``--from/--to``, or ``--year`` with ``--month``/``--quarter``).
Operator output, not part of the web UI, so it is not translated.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.services import audit_record
from xinfang.orgs.models import Role, User
from xinfang.stats import metrics as mx
from xinfang.stats import reports
from xinfang.stats.filters import FilterInvalid, Filters, parse_filters
from xinfang.stats.paragraph import statistics_paragraph
from xinfang.stats.services import ranking_compute, ranking_publish

KINDS = ("paragraph", "ledger", "annual", "ranking")


class Command(BaseCommand):
    help = "Produce a statistics report (paragraph, ledger, annual, ranking) as a named user."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("ledger", nargs="?", help=f"ledger kind: {', '.join(reports.LEDGERS)}")
        parser.add_argument("--user", required=True, help="the user whose scope the report covers")
        parser.add_argument("--unit", default="", help="a unit code within the user's scope")
        parser.add_argument("--from", dest="from_", default="", help="first day, YYYY-MM-DD")
        parser.add_argument("--to", default="", help="last day, YYYY-MM-DD")
        parser.add_argument("--year", default="", help="a year (with --month or --quarter, or alone)")
        parser.add_argument("--month", default="", help="a month, 1-12 or YYYY-MM")
        parser.add_argument("--quarter", default="", help="a quarter, 1-4")
        parser.add_argument("--out", default="", help="write the file here (paragraph: .docx; else required)")
        parser.add_argument("--publish", default="", metavar="TITLE", help="ranking: publish it under TITLE")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["user"], is_active=True).select_related("unit").first()
        if user is None or user.unit is None:
            raise CommandError(f"--user: no active user {options['user']!r} with a unit")
        filters = self._filters(user, options)
        kind = options["kind"]
        if kind == "paragraph":
            self._paragraph(filters, options)
        elif kind == "ledger":
            self._ledger(user, filters, options)
        elif kind == "annual":
            self._annual(user, filters, options)
        else:
            self._ranking(user, filters, options)

    def _filters(self, user: User, options: dict[str, Any]) -> Filters:
        params = {
            "unit": options["unit"],
            "from": options["from_"],
            "to": options["to"],
            "year": options["year"],
            "month": options["month"],
            "quarter": options["quarter"],
        }
        if "-" in params["month"]:  # --month 2026-10
            params["year"], params["month"] = params["month"].split("-", 1)
        try:
            return parse_filters(params, user, mx.config()["month_start_day"])
        except FilterInvalid as exc:
            raise CommandError(f"--{exc.field.rstrip('_')}: {exc.message}") from None

    def _out(self, options: dict[str, Any], *, required: bool = True) -> Path | None:
        if not options["out"]:
            if required:
                raise CommandError("--out: required for this report")
            return None
        path = Path(options["out"])
        if not path.parent.is_dir():
            raise CommandError(f"--out: no such directory {path.parent}")
        return path

    def _write(self, path: Path, content: bytes) -> None:
        path.write_bytes(content)
        self.stdout.write(f"written {path} ({len(content):,} bytes)")

    def _paragraph(self, filters: Filters, options: dict[str, Any]) -> None:
        text = statistics_paragraph(scope=filters.scope, period=filters.period)
        self.stdout.write(text)
        path = self._out(options, required=False)
        if path is not None:
            title = f"统计段落 · {filters.scope.unit.name} · {filters.period.label()}"
            self._write(path, reports.paragraph_docx(title, text))

    def _ledger(self, user: User, filters: Filters, options: dict[str, Any]) -> None:
        key = options["ledger"] or ""
        if key not in reports.LEDGERS:
            raise CommandError(f"ledger: choose one of {', '.join(reports.LEDGERS)}")
        path = self._out(options)
        assert path is not None
        try:
            content, rows = reports.ledger_workbook(user, key, scope=filters.scope, period=filters.period)
        except reports.TooManyRows as exc:
            raise CommandError(
                f"{exc.count:,} rows: more than an export may hold; narrow the period"
            ) from None
        # The 台账 holds petitioners' personal data: the export is audited like the page's.
        audit_record(
            actor=user,
            action="stats.ledger_export",
            obj=user,
            detail={
                "ledger": key,
                "unit": filters.scope.unit.code,
                "period": filters.period.label(),
                "rows": rows,
                "via": "command",
            },
        )
        self._write(path, content)
        self.stdout.write(f"{rows:,} rows")

    def _annual(self, user: User, filters: Filters, options: dict[str, Any]) -> None:
        path = self._out(options)
        assert path is not None
        year = int(options["year"]) if options["year"] else filters.period.end.year
        self._write(path, reports.annual_report_docx(user, scope=filters.scope, year=year))

    def _ranking(self, user: User, filters: Filters, options: dict[str, Any]) -> None:
        root = filters.scope.unit
        if options["publish"]:
            if not (user.unit and user.unit.is_bureau and user.role in (Role.LEADER, Role.ADMIN)):
                raise CommandError(
                    "--publish: only a petition bureau's leader or admin can publish a ranking"
                )
            publication = ranking_publish(
                actor=user, root=root, period=filters.period, title=options["publish"]
            )
            self.stdout.write(f"published #{publication.pk} {publication.title}")
        for row in ranking_compute(root=root, period=filters.period):
            self.stdout.write(f"{row.rank:>3}  {row.score:>8.2f}  {row.unit_name}")
