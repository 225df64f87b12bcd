"""Vietnamese: dd/mm/yyyy (the Django default "d-m-Y" and "Ngày d tháng n năm Y" are not used)."""

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
