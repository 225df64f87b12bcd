"""What the back-office pages of applications share: refusals as pages, deadlines, plain paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from dinhdanh.core.calendar import current_calendar
from dinhdanh.core.workdays import WorkCalendar, remaining_working_days
from dinhdanh.http.pages import PAGE_SIZE, Page, page_of, refusal, refusals_as_pages, valid_filters


@dataclass(frozen=True)
class Deadline:
    due_at: datetime | None
    remaining: int | None  # working days; negative once overdue

    @property
    def overdue(self) -> bool:
        return self.due_at is not None and self.due_at < timezone.now()

    @property
    def days_late(self) -> int:
        return -self.remaining if self.remaining is not None and self.remaining < 0 else 0


def deadline(due_at: datetime | None, *, now: datetime | None = None, cal: WorkCalendar | None = None) -> Deadline:
    if due_at is None:
        return Deadline(None, None)
    return Deadline(due_at, remaining_working_days(now or timezone.now(), due_at, cal or current_calendar()))


__all__ = [
    "PAGE_SIZE",
    "Deadline",
    "Page",
    "deadline",
    "page_of",
    "refusal",
    "refusals_as_pages",
    "valid_filters",
]
