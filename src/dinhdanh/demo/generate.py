"""Deterministic synthetic reference lists for one real province (same seed, same bytes).

The communes are real (from the unit tables); organizations, people and codes are invented, and
every tax code passes its check digit. Files use the Vietnamese headers of SPEC §8.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from stdnum.vn import mst

from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.registries.sources import SOURCE_CATEGORY, Source

HEADERS = [
    "Mã số",
    "Tên tổ chức",
    "Tên viết tắt",
    "Tên nước ngoài",
    "Ngày thành lập",
    "Địa chỉ trụ sở",
    "Mã xã",
    "Mã tỉnh",
    "Người đại diện theo pháp luật",
    "Số định danh cá nhân",
    "Tình trạng",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Đức", "Kim", "Hoài", "Bảo"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hòa", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc", "Quân",
         "Sơn", "Tâm", "Thảo", "Trí", "Tuấn", "Uyên", "Vy", "Xuân", "Yến", "Thủy"]  # fmt: skip
TRADE = ["Thương mại", "Dịch vụ", "Xây dựng", "Thủy sản", "Nông sản", "Vận tải", "Du lịch", "Xuất nhập khẩu",
         "Cơ khí", "Lúa gạo", "Điện máy", "Dược phẩm", "Nội thất", "Công nghệ"]  # fmt: skip
WORDS = ["Phú Quốc", "Hà Tiên", "Rạch Giá", "Long Xuyên", "Châu Đốc", "Mekong", "Sao Mai", "Hoàng Gia", "Tân Phát",
         "Thành Công", "Bình Minh", "Kim Ngân", "Đại Phát", "Hưng Thịnh", "Phương Nam", "Ánh Dương"]  # fmt: skip
FORMS = [
    ("Công ty TNHH", 0.45),
    ("Công ty cổ phần", 0.25),
    ("Công ty TNHH MTV", 0.15),
    ("Doanh nghiệp tư nhân", 0.15),
]
STREETS = ["Nguyễn Trung Trực", "Trần Hưng Đạo", "Lê Lợi", "Ba Mươi Tháng Tư", "Tôn Đức Thắng", "Lạc Hồng",
           "Nguyễn Huệ", "Hùng Vương", "Mạc Cửu", "Lý Thái Tổ"]  # fmt: skip
STATUSES = [
    ("Đang hoạt động", 0.86),
    ("Tạm ngừng kinh doanh", 0.05),
    ("Không hoạt động tại địa chỉ đăng ký", 0.04),
    ("Đã giải thể", 0.03),
    ("Phá sản", 0.02),
]


@dataclass(frozen=True)
class DemoSpec:
    seed: int = 69_2024
    enterprises: int = 2400
    cooperatives: int = 180
    tax_agencies: int = 420
    others: int = 260
    tax_prefix: str = "17"  # Kiên Giang's tax office prefix; its territory is now in An Giang


class _Gen:
    def __init__(self, spec: DemoSpec, province: AdministrativeUnit, communes: list[AdministrativeUnit]) -> None:
        self.spec, self.province, self.communes = spec, province, communes
        self.rng = random.Random(spec.seed)  # noqa: S311 - synthetic data, not secrets
        self.used_codes: set[str] = set()
        self.used_ids: set[str] = set()

    def pick(self, weighted: list[tuple[str, float]]) -> str:
        return self.rng.choices([w for w, _ in weighted], [p for _, p in weighted])[0]

    def person(self) -> tuple[str, str]:
        name = f"{self.rng.choice(FAMILY)} {self.rng.choice(MIDDLE)} {self.rng.choice(GIVEN)}"
        while True:
            year = self.rng.randint(1955, 2004)
            century = 0 if year < 2000 else 2
            sex = self.rng.randint(0, 1)
            pid = f"091{century + sex}{year % 100:02d}{self.rng.randint(0, 999_999):06d}"
            if pid not in self.used_ids:
                self.used_ids.add(pid)
                return name, pid

    def tax_code(self) -> str:
        while True:
            body = f"{self.spec.tax_prefix}{self.rng.randint(0, 9_999_999):07d}"
            # One serial in eleven has no check digit (calc_check_digit gives "10"): such a code is
            # never issued, so draw again rather than write an 11-character code.
            code = body + mst.calc_check_digit(body)
            if mst.is_valid(code) and code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def address(self, commune: AdministrativeUnit) -> str:
        return (
            f"Số {self.rng.randint(1, 450)} đường {self.rng.choice(STREETS)}, {commune.name}, {self.province.name}"
        )

    def date(self) -> str:
        return f"{self.rng.randint(1, 28):02d}/{self.rng.randint(1, 12):02d}/{self.rng.randint(1995, 2024)}"

    def row(self, code: str, name: str, commune: AdministrativeUnit, *, status: str | None = None) -> list[str]:
        rep_name, rep_id = self.person()
        short = ""
        if self.rng.random() < 0.3:
            short = "".join(w[0] for w in name.split()[-2:]).upper() + " CO"
        return [
            code,
            name,
            short,
            "",
            self.date(),
            self.address(commune),
            commune.code,
            self.province.code,
            rep_name,
            rep_id,
            status or self.pick(STATUSES),
        ]

    def enterprises(self) -> Iterator[list[str]]:
        for _ in range(self.spec.enterprises):
            name = f"{self.pick(FORMS)} {self.rng.choice(TRADE)} {self.rng.choice(WORDS)}"
            yield self.row(self.tax_code(), name, self.rng.choice(self.communes))

    def cooperatives(self) -> Iterator[list[str]]:
        kinds = ["Hợp tác xã Nông nghiệp", "Hợp tác xã Thủy sản", "Hợp tác xã Dịch vụ", "Hợp tác xã Vận tải"]
        for _ in range(self.spec.cooperatives):
            commune = self.rng.choice(self.communes)
            yield self.row(self.tax_code(), f"{self.rng.choice(kinds)} {commune.short_name}", commune)

    def tax_agencies(self) -> Iterator[list[str]]:
        kinds = ["Trường Tiểu học", "Trường Trung học cơ sở", "Trạm Y tế", "Hội Nông dân", "Đoàn Thanh niên",
                 "Hội Liên hiệp Phụ nữ", "Trường Mầm non"]  # fmt: skip
        for _ in range(self.spec.tax_agencies):
            commune = self.rng.choice(self.communes)
            name = f"{self.rng.choice(kinds)} {commune.name}"
            yield self.row(self.tax_code(), name, commune, status="Đang hoạt động")

    def others(self) -> Iterator[list[str]]:
        kinds = ["Chùa", "Nhà thờ", "Thánh thất", "Ban điều hành ấp", "Tổ dân phố", "Câu lạc bộ Hưu trí"]
        for i in range(self.spec.others):
            commune = self.rng.choice(self.communes)
            name = f"{self.rng.choice(kinds)} {self.rng.choice(WORDS)} {commune.short_name}"
            # Category 4 has no registration code: the survey assigns its own reference.
            yield self.row(f"KS-{commune.code}-{i + 1:04d}", name, commune, status="Đang hoạt động")

    def police(self) -> Iterator[list[str]]:
        yield self.row(self.tax_code(), f"Công an {self.province.name}", self.communes[0], status="Đang hoạt động")
        for commune in self.communes:
            yield self.row(self.tax_code(), f"Công an {commune.name}", commune, status="Đang hoạt động")


def write_registries(
    directory: Path, province: AdministrativeUnit, communes: list[AdministrativeUnit], spec: DemoSpec | None = None
) -> list[dict[str, object]]:
    """Write one CSV per source (UTF-8 with BOM, as Excel saves it) and return what was written."""
    gen = _Gen(spec or DemoSpec(), province, communes)
    directory.mkdir(parents=True, exist_ok=True)
    rows_by_source: dict[Source, list[list[str]]] = {
        Source.POLICE: list(gen.police()),
        Source.BUSINESS: list(gen.enterprises()),
        Source.COOPERATIVE: list(gen.cooperatives()),
        Source.TAX: list(gen.tax_agencies()),
    }
    others = list(gen.others())
    split = len(others) // 3
    rows_by_source[Source.HOME_AFFAIRS] = others[:split]
    rows_by_source[Source.SURVEY] = others[split:]
    written: list[dict[str, object]] = []
    for source, rows in rows_by_source.items():
        path = directory / f"{source.value}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        written.append(
            {
                "source": source.value,
                "category": SOURCE_CATEGORY[source].value,
                "rows": len(rows),
                "file": path.name,
            }
        )
    return written
