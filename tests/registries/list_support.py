"""Registry lists of many valid rows, spread over communes of two provinces, for the coverage tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

HEADER = ["Mã số thuế", "Tên tổ chức", "Mã xã", "Tình trạng"]
A, B, HANOI = "30292", "30301", "00004"  # two communes of An Giang (91), one of Hà Nội (01)
_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_codes(start: int, count: int) -> list[str]:
    """``count`` valid 10-digit tax codes from serial ``start`` on."""
    codes: list[str] = []
    serial = start
    while len(codes) < count:
        body = f"{serial:09d}"
        check = 10 - sum(w * int(d) for w, d in zip(_WEIGHTS, body, strict=True)) % 11
        if check < 10 and body[2:9] != "0000000":
            codes.append(body + str(check))
        serial += 1
    return codes


def rows(commune: str, start: int, count: int) -> list[list[str]]:
    return [
        [code, f"Công ty TNHH {commune} {code}", commune, "Đang hoạt động"] for code in tax_codes(start, count)
    ]


def write(path: Path, data: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(data)
    path.write_bytes(buffer.getvalue().encode("utf-8-sig"))
    return path
