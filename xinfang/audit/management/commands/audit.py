"""``xinfang audit verify``: walk the audit log's hash chain and report every entry found edited,
removed or reordered in the raw table. Exit status 1 when the chain is broken."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from xinfang.audit.chain import verify

PROBLEMS = {
    "changed": "内容被改动（与其哈希不符）",
    "link": "前一条记录被删除、插入或调换（与所记前序哈希不符）",
    "unchained": "链开始后写入却没有哈希",
}


class Command(BaseCommand):
    help = "Audit log tools. `audit verify` checks the hash chain."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("what", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        checked, before, breaks = verify()
        for found in breaks:
            self.stdout.write(f"第 {found.entry_id} 条：{PROBLEMS[found.problem]}")
        summary = f"审计日志：核验 {checked} 条"
        if before:
            summary += f"（另有 {before} 条写于哈希链启用之前，未纳入核验）"
        if breaks:
            raise CommandError(f"{summary}，发现 {len(breaks)} 处异常。")
        self.stdout.write(f"{summary}，哈希链完整。")
