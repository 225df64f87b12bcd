"""Legal time limits ("within 3 working days", "within 15 days") on the Vietnamese public-service calendar.

A day is a working day unless it is a Saturday, a Sunday, a public holiday (from the ``holidays``
package, which carries Tết and the substitute days off) or an extra day off the government declares
for the year; a make-up working day (a Saturday worked in exchange for a bridge day) is a working day.
The ``holidays`` package already knows some of those swaps (it marks 2 May 2025 off *and* Saturday
26 April 2025 as worked); the swaps it does not know yet are configured on ``WorkCalendar``, and the
configuration wins over the package in both directions.

Deadlines are returned as aware UTC datetimes; every calendar decision is taken on the local date in
``WorkCalendar.tz``, so a dossier received at 23:30 UTC is judged by the Vietnamese date it arrived on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import NamedTuple, Self
from zoneinfo import ZoneInfo

import holidays

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEFAULT_OFFICE_CLOSES = time(17, 0)

_ONE_DAY = timedelta(days=1)
_NO_DAYS: frozenset[date] = frozenset()
# Strict shapes: date.fromisoformat alone would also accept "20250102" and "2025-W01-4", which no
# one writes in a settings file on purpose.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_CLOCK = re.compile(r"([0-9]{1,2}):([0-9]{2})")


class _VnYear(NamedTuple):
    public_holidays: frozenset[date]
    weekend_workdays: frozenset[date]


@lru_cache(maxsize=64)
def _vn_year(year: int) -> _VnYear:
    # Neighbouring years are populated too, so that a substitute day spilling over New Year would still
    # be found; the HolidayBase itself is a mutable dict, so only frozen copies are shared.
    vn = holidays.country_holidays("VN", years=range(year - 1, year + 2))
    return _VnYear(
        public_holidays=frozenset(d for d in vn if d.year == year),
        # weekend_workdays is not limited to the requested years (it also holds 2014 and 2019 swaps).
        weekend_workdays=frozenset(d for d in vn.weekend_workdays if d.year == year),
    )


def _check_plain_date(value: object, what: str) -> date:
    # datetime is a subclass of date, but a datetime never equals a date, so it would silently miss
    # every holiday and every configured day.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"{what} must be a date, got {value!r}")
    return value


def _to_local(moment: datetime, tz: ZoneInfo, what: str) -> datetime:
    # A naive datetime has no defined instant; guessing a zone would shift deadlines by 7 hours.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got naive {moment.isoformat()}")
    return moment.astimezone(tz)


def _check_count(n: int) -> None:
    # "Within 0 days" would put the deadline on or before the receipt, which no legal text means.
    if n < 1:
        raise ValueError(f"the number of days must be at least 1, got {n}")


@dataclass(frozen=True)
class WorkCalendar:
    """The working-day calendar of one administration: public holidays plus this year's decisions."""

    extra_days_off: frozenset[date] = _NO_DAYS
    makeup_working_days: frozenset[date] = _NO_DAYS
    office_closes: time = DEFAULT_OFFICE_CLOSES
    tz: ZoneInfo = VN_TZ

    def __post_init__(self) -> None:
        # Settings code tends to pass lists or sets; the calendar must stay immutable and hashable.
        for name in ("extra_days_off", "makeup_working_days"):
            days = frozenset(getattr(self, name))
            for day in days:
                _check_plain_date(day, f"every item of {name}")
            object.__setattr__(self, name, days)
        both = self.extra_days_off & self.makeup_working_days
        if both:
            listed = ", ".join(d.isoformat() for d in sorted(both))
            raise ValueError(f"dates cannot be both an extra day off and a make-up working day: {listed}")
        if self.office_closes.tzinfo is not None:
            raise ValueError("office_closes is a local wall-clock time; give it without tzinfo")

    @classmethod
    def from_strings(
        cls,
        extra_days_off: Iterable[str],
        makeup_working_days: Iterable[str],
        office_closes: str = "17:00",
    ) -> Self:
        """Build a calendar from settings text: ISO dates ("2025-04-26") and a closing time "HH:MM"."""
        return cls(
            extra_days_off=_parse_dates(extra_days_off, "extra_days_off"),
            makeup_working_days=_parse_dates(makeup_working_days, "makeup_working_days"),
            office_closes=_parse_clock(office_closes),
        )

    def is_working_day(self, d: date) -> bool:
        """Whether offices are open on ``d`` (a local calendar date)."""
        return self._is_working(_check_plain_date(d, "d"))

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after ``d``."""
        return self._next_working(_check_plain_date(d, "d"))

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days lie in the half-open interval (start, end]; 0 when end <= start."""
        _check_plain_date(start, "start")
        _check_plain_date(end, "end")
        count = 0
        day = start + _ONE_DAY
        while day <= end:
            count += self._is_working(day)
            day += _ONE_DAY
        return count

    def add_working_days(self, received: datetime, n: int) -> datetime:
        """Deadline for an answer "within ``n`` working days" of a dossier received at ``received``.

        The rule, applied on the local date in ``self.tz``:

        1. A dossier received on a working day before ``office_closes`` is received that day; one
           received at or after ``office_closes``, or on a non-working day, counts as received on the
           next working day (the one-stop-shop rule for dossiers filed out of office hours).
        2. The day of receipt is not counted (Civil Code 2015, Art. 147): day 1 is the first working
           day after the day the dossier counts as received.
        3. The period ends when the office closes on the ``n``-th such working day.

        So Friday 2025-01-24 10:00 + 3 working days is Wednesday 2025-02-05 17:00 (Tết runs from
        27 January to 1 February), while the same dossier received on Saturday 2025-01-25 counts as
        received on Monday 3 February and is due on Thursday 2025-02-06.

        ``received`` must be aware and ``n`` at least 1, else ValueError. Returned in UTC.
        """
        _check_count(n)
        day = self._receipt_day(received)
        for _ in range(n):
            day = self._next_working(day)
        return self._closing_time(day)

    def add_days(self, received: datetime, n: int) -> datetime:
        """Deadline for an answer "within ``n`` days" (calendar days) of ``received``.

        The day of receipt is not counted (Civil Code Art. 147), so the period ends when the office
        closes on the local receipt date + ``n``; the time of day of the receipt plays no part. When
        that last day is not a working day the period ends on the next working day (Art. 148).

        ``received`` must be aware and ``n`` at least 1, else ValueError. Returned in UTC.
        """
        _check_count(n)
        day = _to_local(received, self.tz, "received").date() + timedelta(days=n)
        if not self._is_working(day):
            day = self._next_working(day)
        return self._closing_time(day)

    def deadline(self, received: datetime, n: int, *, working: bool) -> datetime:
        """``add_working_days`` when the text says "working days", ``add_days`` when it says "days"."""
        if working:
            return self.add_working_days(received, n)
        return self.add_days(received, n)

    def _is_working(self, d: date) -> bool:
        # Configured decisions come first: they are this year's official notice and may correct what
        # the holidays package predicted, in either direction.
        if d in self.makeup_working_days:
            return True
        if d in self.extra_days_off:
            return False
        year = _vn_year(d.year)
        if d in year.public_holidays:
            return False
        if d in year.weekend_workdays:
            return True
        return d.weekday() < 5

    def _next_working(self, d: date) -> date:
        d += _ONE_DAY
        while not self._is_working(d):
            d += _ONE_DAY
        return d

    def _receipt_day(self, received: datetime) -> date:
        local = _to_local(received, self.tz, "received")
        day = local.date()
        if self._is_working(day) and local.time() < self.office_closes:
            return day
        return self._next_working(day)

    def _closing_time(self, day: date) -> datetime:
        return datetime.combine(day, self.office_closes, tzinfo=self.tz).astimezone(UTC)


def remaining_working_days(now: datetime, deadline: datetime, cal: WorkCalendar) -> int:
    """Working days left before ``deadline`` as seen at ``now``, for "due in 2 working days" labels.

    Counted on local dates in ``cal.tz``: 0 on the deadline day itself (even after closing time), the
    number of working days in (today, deadline day] before it, and minus the number of working days in
    (deadline day, today] after it. Once the deadline day has passed the result is at most -1, even on
    a weekend straight after it, so that a negative value always means overdue.
    """
    today = _to_local(now, cal.tz, "now").date()
    due = _to_local(deadline, cal.tz, "deadline").date()
    if today <= due:
        return cal.working_days_between(today, due)
    return -max(1, cal.working_days_between(due, today))


def _parse_dates(values: Iterable[str], field: str) -> frozenset[date]:
    # A lone string is an iterable of characters; failing on "2" would hide the real mistake.
    if isinstance(values, str):
        raise TypeError(f"{field} must be a list of ISO dates, not a single string: {values!r}")
    days: set[date] = set()
    for raw in values:
        text = raw.strip() if isinstance(raw, str) else ""
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(f"{field}: {raw!r} is not a date in YYYY-MM-DD form")
        try:
            days.add(date.fromisoformat(text))
        except ValueError as exc:
            raise ValueError(f"{field}: {raw!r} is not a valid date ({exc})") from exc
    return frozenset(days)


def _parse_clock(value: str) -> time:
    match = _CLOCK.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f"office_closes: {value!r} is not a time in HH:MM form")
    try:
        return time(int(match[1]), int(match[2]))
    except ValueError as exc:
        raise ValueError(f"office_closes: {value!r} is not a valid time ({exc})") from exc
