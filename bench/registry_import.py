"""Registry import throughput and peak memory (issue 5: target 1,000,000 rows in <= 60 s, <= 500 MB).

    .venv/bin/python bench/registry_import.py [rows]        # default 1,000,000; DATABASE_URL for PostgreSQL

Writes a synthetic business-registry CSV (SPEC §8 headers, valid tax codes, real An Giang communes) into a
temporary data dir, imports it twice (new, then unchanged), and prints rows per second and the peak
resident memory of the process. Generation time is not counted.
"""

from __future__ import annotations

import csv
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROWS = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
HEADER = ["Mã số doanh nghiệp", "Tên doanh nghiệp", "Ngày thành lập", "Địa chỉ trụ sở", "Mã xã", "Mã tỉnh",
          "Người đại diện theo pháp luật", "Số định danh cá nhân", "Tình trạng"]  # fmt: skip


def write_file(path: Path, communes: list[str]) -> None:
    from stdnum.vn import mst

    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        written, body = 0, 100_000_000
        while written < ROWS:
            body += 1
            code = f"{body:09d}" + mst.calc_check_digit(f"{body:09d}")
            if not mst.is_valid(code):
                continue
            commune = communes[written % len(communes)]
            writer.writerow([
                code, f"Công ty TNHH Thương mại Dịch vụ số {written}", "17/05/2019",
                f"Số {written % 500} đường Mạc Cửu", commune, "91", "Nguyễn Văn An",
                f"0910850{written % 100_000:05d}", "Đang hoạt động",
            ])  # fmt: skip
            written += 1


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    os.environ["DINHDANH_DATA_DIR"] = tempfile.mkdtemp(prefix="dinhdanh-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme
    from dinhdanh.registries.imports import import_file

    call_command("migrate", verbosity=0)
    call_command("load_units", verbosity=0)
    communes = list(
        AdministrativeUnit.objects.filter(
            scheme=Scheme.CURRENT, level=Level.COMMUNE, path__startswith="2025/91/"
        ).values_list("code", flat=True)
    )
    path = Path(os.environ["DINHDANH_DATA_DIR"]) / "business.csv"
    write_file(path, communes)
    before = peak_mb()
    print(f"{ROWS:,} rows, {path.stat().st_size / 2**20:.0f} MiB CSV, database {connection.vendor}")
    for label, target in (("first import", path), ("unchanged re-import", path.with_name("copy.csv"))):
        if target != path:
            target.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))  # same data, another checksum
        start = time.perf_counter()
        summary = import_file(source="business", path=target, actor=None)
        seconds = time.perf_counter() - start
        print(
            f"{label:20s} {seconds:7.1f} s  {ROWS / seconds:9,.0f} rows/s  accepted {summary.accepted:,} "
            f"unchanged {summary.unchanged:,} rejected {summary.rejected:,}"
        )
    print(f"peak RSS {peak_mb():.0f} MB (after setup and file generation: {before:.0f} MB)")
    print(f"command: .venv/bin/python bench/registry_import.py {ROWS}")


if __name__ == "__main__":
    main()
