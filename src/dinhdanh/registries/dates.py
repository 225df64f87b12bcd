"""Dates as registry files carry them: dd/mm/yyyy, ISO dates and datetimes, and Excel serial numbers.

Accepted (after NFKC, so full-width digits from some keyboards work):

* ``d/m/yyyy`` with ``/``, ``.`` or ``-`` as separator, day first, as Vietnamese documents write it;
* ``yyyy-mm-dd`` (also with ``/`` or ``.``);
* either of those followed by a time (``2019-05-17T00:00:00``, ``2019-05-17 00:00:00.000``,
  ``17/05/2019 00:00``, with an optional ``Z`` or ``+07:00``), which is what XLSX readers and database
  exports produce for a date cell; the date is taken as written, the time is ignored;
* an Excel serial number (1900 date system), possibly with a fraction (a time of day) or ``.0``.

Refused rather than guessed: a month above 12 with a day that could be a month (``05/17/2019`` is
American order, and the rest of the file would then be misread silently); serial 60, which Excel shows
as 29/02/1900, a day that never existed (Lotus 1-2-3's leap-year bug, kept by Excel); a bare integer
from 1000 to 2100, which is far likelier a year typed alone than a day in 1902-1905; dates in the
future; years before 1000 (a typo such as "0219" more often than a date; old religious foundations in
Home Affairs lists are still after it).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import DomainError, ErrorCode
from dinhdanh.registries.cells import safe_text

__all__ = ["DATE_MIN", "DateError", "excel_serial_to_date", "is_excel_serial", "parse_registry_date"]

DATE_MIN = date(1000, 1, 1)
# Excel counts 1900-01-01 as day 1 but also counts a 29/02/1900 (day 60); from day 61 on, the count
# agrees with "days since 30/12/1899".
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_LEAP_BUG = 60
_EXCEL_SERIAL_MAX = 2_958_465  # 31/12/9999, the last day Excel shows
_YEAR_LIKE = range(1000, 2101)


class DateError(ErrorCode):
    UNPARSEABLE = (
        "registries.date_unparseable",
        _("Ngày {value} không đúng định dạng (ngày/tháng/năm, năm-tháng-ngày hoặc số ngày của Excel)."),
        400,
    )
    NONEXISTENT = ("registries.date_nonexistent", _("Ngày {value} không có trên lịch."), 400)
    MONTH_FIRST = (
        "registries.date_month_first",
        _("Ngày {value} có vẻ ghi theo thứ tự tháng/ngày/năm; hãy ghi theo ngày/tháng/năm."),
        400,
    )
    EXCEL_LEAP_BUG = (
        "registries.date_excel_leap_bug",
        _("Số ngày Excel 60 là ngày 29/02/1900, một ngày không có thật (lỗi của Excel); hãy nhập lại ngày."),
        400,
    )
    YEAR_ONLY = (
        "registries.date_year_only",
        _("Giá trị {value} giống một năm hơn là một ngày; hãy ghi đủ ngày/tháng/năm."),
        400,
    )
    TOO_EARLY = ("registries.date_too_early", _("Ngày {value} trước năm {min_year}."), 400)
    IN_FUTURE = ("registries.date_in_future", _("Ngày {value} ở tương lai."), 400)


_TIME = r"(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]{1,9})?)?(?:Z|[+-][0-9]{2}:?[0-9]{2})?)?"
_DMY = re.compile(rf"([0-9]{{1,2}})([/.\-])([0-9]{{1,2}})\2([0-9]{{4}}){_TIME}")
_YMD = re.compile(rf"([0-9]{{4}})([/.\-])([0-9]{{1,2}})\2([0-9]{{1,2}}){_TIME}")
# Seven digits reach the last serial Excel knows; anything longer is not a date.
_SERIAL = re.compile(r"([0-9]{1,7})(?:[.,]([0-9]{1,15}))?")


def excel_serial_to_date(serial: int) -> date:
    """The day an Excel (1900 system) serial number shows; ``ValueError`` for 60 and out-of-range serials."""
    if serial == _EXCEL_LEAP_BUG or not 1 <= serial <= _EXCEL_SERIAL_MAX:
        raise ValueError(serial)
    if serial < _EXCEL_LEAP_BUG:
        return _EXCEL_EPOCH + timedelta(days=serial + 1)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _calendar(year: int, month: int, day: int, shown: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise DomainError(DateError.NONEXISTENT, value=shown) from None


def _from_serial(whole: str, fraction: str | None, shown: str, today: date) -> date:
    serial = int(whole)
    if serial in _YEAR_LIKE and not (fraction or "").strip("0"):
        raise DomainError(DateError.YEAR_ONLY, value=shown)
    if serial == _EXCEL_LEAP_BUG:
        raise DomainError(DateError.EXCEL_LEAP_BUG, value=shown)
    if serial < 1:
        raise DomainError(DateError.UNPARSEABLE, value=shown)
    # Compared as serials first, so that a huge number cannot overflow date arithmetic.
    if serial > (today - _EXCEL_EPOCH).days:
        raise DomainError(DateError.IN_FUTURE, value=shown)
    return excel_serial_to_date(serial)


def is_excel_serial(raw: str) -> bool:
    """Whether a date cell holds a serial number (the column was formatted as a number)."""
    return _SERIAL.fullmatch(unicodedata.normalize("NFKC", raw).strip()) is not None


def parse_registry_date(raw: str, *, today: date | None = None) -> date | None:
    """The date a registry cell holds, ``None`` for an empty cell; ``DomainError(DateError.X)`` otherwise."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    shown = safe_text(text, 40)
    today = today if today is not None else timezone.localdate()
    if match := _SERIAL.fullmatch(text):
        return _from_serial(match[1], match[2], shown, today)
    if match := _YMD.fullmatch(text):
        year, month, day = int(match[1]), int(match[3]), int(match[4])
    elif match := _DMY.fullmatch(text):
        day, month, year = int(match[1]), int(match[3]), int(match[4])
        if month > 12 and 1 <= day <= 12 and 1 <= month <= 31:
            raise DomainError(DateError.MONTH_FIRST, value=shown)
    else:
        raise DomainError(DateError.UNPARSEABLE, value=shown)
    day_ = _calendar(year, month, day, shown)
    if day_ < DATE_MIN:
        raise DomainError(DateError.TOO_EARLY, value=shown, min_year=DATE_MIN.year)
    if day_ > today:
        raise DomainError(DateError.IN_FUTURE, value=shown)
    return day_
