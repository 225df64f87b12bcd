"""English: the same dd/mm/yyyy as Vietnamese (not the US month-first "N j, Y"), a 24-hour clock."""

from __future__ import annotations

from dinhdanh.formats._shared import (
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
)

YEAR_MONTH_FORMAT = "m/Y"
MONTH_DAY_FORMAT = "d/m"

__all__ = [
    "DATETIME_FORMAT",
    "DATETIME_INPUT_FORMATS",
    "DATE_FORMAT",
    "DATE_INPUT_FORMATS",
    "FIRST_DAY_OF_WEEK",
    "MONTH_DAY_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
]
