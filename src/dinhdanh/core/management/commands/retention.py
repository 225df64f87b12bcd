"""`dinhdanh retention [--dry-run] [--json] [--batch N]` (decision 0048): delete what is past its
retention now, as the daily `retention` job does, or (dry run) only count it."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from dinhdanh.core import retention

MAX_BATCH = 100_000


def _batch(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if not 1 <= value <= MAX_BATCH:
        raise CommandError(f"--batch: từ 1 đến {MAX_BATCH} / from 1 to {MAX_BATCH}, không phải / not {raw!r}")
    return value


class Command(BaseCommand):
    help = (
        "Xóa dữ liệu quá thời hạn lưu giữ (lịch sử sử dụng sau 5 năm). "
        "/ Delete what is past its retention (usage history after 5 years)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")
        parser.add_argument("--json", action="store_true")
        parser.add_argument("--batch", default=str(retention.BATCH), help="rows per transaction")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = _batch(str(options["batch"]))
        try:
            done = retention.dry_run() if options["dry_run"] else retention.purge(batch=batch)
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from None
        rules = retention.rules()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "dry_run": bool(options["dry_run"]),
                        "usage_days": done.usage_days,
                        "counts": done.counts,
                        "cutoffs": {name: cutoff.isoformat() for name, cutoff in done.cutoffs.items()},
                    },
                    ensure_ascii=False,
                )
            )
            return
        for name, count in done.counts.items():
            rule = rules[name]
            before = timezone.localtime(done.cutoffs[name]).strftime("%Y-%m-%d %H:%M")
            kind = "usage" if rule.usage else "tech "
            self.stdout.write(f"{name:<24} {kind} {count:>9}  < {before}  {rule.label}")
        if options["dry_run"]:
            self.stdout.write(
                f"Chạy thử: sẽ xóa {done.total} dòng, chưa xóa gì / dry run: {done.total} rows would go, nothing changed"
            )
        else:
            self.stdout.write(
                f"OK: đã xóa {done.total} dòng / {done.total} rows deleted "
                f"(lịch sử sử dụng giữ / usage history kept {done.usage_days} ngày / days)"
            )
