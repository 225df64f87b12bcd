"""Registry import throughput and peak memory (issue 17.1: 1,000,000 rows in <= 60 s and <= 400 MB, on
SQLite and on PostgreSQL, on a 2-core machine, within 15x of loading the file raw).

    .venv/bin/python bench/registry_import.py [rows]      # default 1,000,000
    DATABASE_URL=postgres://dinhdanh:dinhdanh@127.0.0.1:5432/dinhdanh_r1 .venv/bin/python bench/registry_import.py

Writes a deterministic business-registry CSV (SPEC §8 headers; Vietnamese names, addresses and people;
valid tax codes and personal ID numbers; communes of three provinces, some as legacy codes; dates as
dd/mm/yyyy, ISO and Excel serials; about 0.4 % rows that must be refused) into a temporary data dir,
then, for SQLite and (when DATABASE_URL is set) PostgreSQL, each in a fresh process: a first import,
an unchanged re-import (same data, another file) and a re-import with 5 % of the rows changed. Prints
rows per second, elapsed seconds, CPU per row on each side and the peak memory of the importing
process and its validation workers together (summed RSS, and summed PSS: shared pages once). File
generation is not timed. The registry tables are emptied before the run (and after it on PostgreSQL:
use a database of your own). The files are kept in the temporary directory, one folder per size,
and reused.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from procs import cpu_seconds, pss_mib, rss_mib

ROWS = int(sys.argv[-1]) if len(sys.argv) > 1 and sys.argv[-1].isdigit() else 1_000_000
HEADER = ["STT", "Mã số doanh nghiệp", "Tên doanh nghiệp", "Tên viết tắt", "Tên nước ngoài", "Ngày thành lập",
          "Địa chỉ trụ sở", "Mã xã", "Mã tỉnh", "Người đại diện theo pháp luật", "Số định danh cá nhân",
          "Tình trạng"]  # fmt: skip
FORMS = ["Công ty TNHH", "Công ty TNHH MTV", "Công ty cổ phần", "Doanh nghiệp tư nhân", "Công ty hợp danh"]
TRADES = ["Thương mại", "Dịch vụ", "Xây dựng", "Vận tải", "Thủy sản", "Nông nghiệp", "Du lịch", "Cơ khí",
          "Xuất nhập khẩu", "Đầu tư", "Công nghệ", "Thực phẩm", "Gạo", "Nội thất", "Điện tử"]  # fmt: skip
BRANDS = ["Sao Mai", "Hòa Bình", "Phú Quốc", "Rạch Giá", "Mekong", "Tân Hiệp", "Long Xuyên", "Châu Đốc",
          "Hà Tiên", "Thoại Sơn", "Bảy Núi", "An Phú", "Thành Công", "Hưng Thịnh", "Phước Lộc", "Kim Ngân",
          "Đại Dương", "Việt Úc", "Minh Khoa", "Trường Giang"]  # fmt: skip
STREETS = ["Mạc Cửu", "Nguyễn Trung Trực", "Trần Phú", "Lê Lợi", "Hai Bà Trưng", "Nguyễn Huệ", "Tôn Đức Thắng",
           "Lạc Hồng", "Ngô Quyền", "Quang Trung", "Hùng Vương", "3 Tháng 2"]  # fmt: skip
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Hoàng", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Đức", "Hoàng"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Khoa", "Lan", "Long", "Mai", "Nam", "Phúc",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]  # fmt: skip
STATUSES = ["Đang hoạt động"] * 17 + ["Tạm ngừng kinh doanh", "Đã giải thể", "Không hoạt động tại địa chỉ đăng ký"]
PID_PROVINCES = ["091", "089", "087", "079", "001", "092", "094"]
TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)


def tax_code(serial: int) -> str | None:
    body = f"{serial:09d}"
    check = 10 - sum(w * int(d) for w, d in zip(TAX_WEIGHTS, body, strict=True)) % 11
    return body + str(check) if check < 10 and body[2:9] != "0000000" else None


def rows(communes: list[tuple[str, str]], legacy: list[str], changed: bool) -> Iterator[list[str]]:
    """The data rows, lazily; ``changed`` alters every 20th row (another address or representative)."""
    rng = random.Random(20251101)
    serial, written = 100_000_000, 0
    while written < ROWS:
        serial += rng.randint(1, 3)
        code = tax_code(serial)
        if code is None:
            continue
        written += 1
        commune, province = communes[rng.randrange(len(communes))]
        if legacy and rng.random() < 0.05:
            commune, province = rng.choice(legacy), ""
        name = f"{rng.choice(FORMS)} {rng.choice(TRADES)} {rng.choice(BRANDS)} {written}"
        short = f"{rng.choice(BRANDS).upper().replace(' ', '')} CO., LTD" if rng.random() < 0.3 else ""
        foreign = f"{rng.choice(BRANDS)} Trading Company Limited" if rng.random() < 0.2 else ""
        year, month, day = rng.randint(1995, 2024), rng.randint(1, 12), rng.randint(1, 28)
        established = rng.choice([f"{day:02d}/{month:02d}/{year}", f"{year}-{month:02d}-{day:02d}",
                                  str((year - 1900) * 365 + month * 30 + day)])  # fmt: skip
        address = f"Số {rng.randint(1, 999)} đường {rng.choice(STREETS)}, tổ {rng.randint(1, 30)}"
        person = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        pid = (
            f"{rng.choice(PID_PROVINCES)}{rng.choice('01')}{rng.randint(40, 99):02d}{rng.randint(0, 999_999):06d}"
        )
        status = rng.choice(STATUSES)
        if changed and written % 20 == 0:
            address += " (địa chỉ mới)"
        roll = rng.random()  # about 0.4 % refused: Excel damage, typos, unknown communes, duplicates
        if roll < 0.001:
            code = "1.23E+09"
        elif roll < 0.002:
            code = code[:9] + str((int(code[9]) + 1) % 10)
        elif roll < 0.003:
            established = f"{day:02d}/{month:02d}/2999"
        elif roll < 0.004:
            commune = "99999"
        yield [
            str(written),
            code,
            name,
            short,
            foreign,
            established,
            address,
            commune,
            province,
            person,
            pid,
            status,
        ]
        if roll > 0.9995:  # the same organization listed twice
            yield [str(written), code, name, short, foreign, established, address, commune, province, person, pid,
                   status]  # fmt: skip


def write_file(path: Path, communes: list[tuple[str, str]], legacy: list[str], *, changed: bool = False) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(rows(communes, legacy, changed))


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from dinhdanh.geo.models import AdministrativeUnit

    call_command("migrate", verbosity=0)
    if not AdministrativeUnit.objects.exists():
        call_command("load_units", verbosity=0)


def _empty_registries() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        for table in ("registries_exclusion", "registries_importjob", "registries_record", "registries_snapshot"):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608  (constant names)


def generate(folder: Path) -> dict[str, str]:
    """The three files, in ``folder``; run once, in a process of its own (SQLite, scratch database)."""
    _setup()
    from dinhdanh.geo.models import AdministrativeUnit, Level, Scheme

    current = list(
        AdministrativeUnit.objects.filter(
            scheme=Scheme.CURRENT, level=Level.COMMUNE, path__regex=r"^2025/(91|92|96)/"
        )
        .values_list("code", "province_code")
        .order_by("code")
    )
    legacy = list(
        AdministrativeUnit.objects.filter(scheme=Scheme.LEGACY, level=Level.COMMUNE, province_code="91")
        .values_list("code", flat=True)
        .order_by("code")[:200]
    )
    first, same, changed = folder / "dn-1.csv", folder / "dn-2-same.csv", folder / "dn-3-changed.csv"
    write_file(first, current, legacy)
    same.write_bytes(first.read_bytes().replace(b"\r\n", b"\n"))  # the same data, another checksum
    write_file(changed, current, legacy, changed=True)
    return {"first import": str(first), "unchanged re-import": str(same), "5% changed re-import": str(changed)}


class Watch:
    """Peak memory of this process and its children (the validation workers) while an import runs:
    resident (RSS) summed, sampled every 50 ms, and proportional (PSS: a page shared by processes
    counts once in all) summed, every 200 ms; and the CPU seconds of each side."""

    def __init__(self, backend: int | None) -> None:
        self.backend = backend  # the PostgreSQL backend serving this process, or None
        self.peak = 0.0
        self.pss_peak = 0.0  # shared pages counted once: what the processes take together
        self.backend_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self.cpu = (time.process_time(), _children_cpu(), self._backend_cpu())

    def _backend_cpu(self) -> float:
        return cpu_seconds(self.backend) if self.backend else 0.0

    def _sample(self) -> None:
        tick = 0
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, rss_mib(os.getpid()))
            if tick % 4 == 0:  # the kernel walks every page for this one
                self.pss_peak = max(self.pss_peak, pss_mib(os.getpid()))
            tick += 1
            if self.backend:  # its own memory, not the shared buffers it has touched
                self.backend_peak = max(self.backend_peak, _anon_mib(self.backend))

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def spent(self) -> tuple[float, float, float]:
        """CPU seconds since the start: (this process, its finished children, the database backend)."""
        own, children, backend = self.cpu
        return time.process_time() - own, _children_cpu() - children, self._backend_cpu() - backend


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _anon_mib(pid: int) -> float:
    match = re.search(r"RssAnon:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
    return int(match.group(1)) / 1024 if match else 0.0


def raw_load(name: str) -> float:
    """Seconds to load the file raw into an unconstrained table of text columns: ``COPY`` on PostgreSQL,
    the sqlite3 shell's ``.import`` on SQLite (the issue's reference)."""
    from django.db import connection

    start = time.perf_counter()
    columns = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE raw_load ({columns})")
            with (
                cursor.cursor.copy("COPY raw_load FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                open(name, "rb") as fh,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            cursor.execute("DROP TABLE raw_load")
        return time.perf_counter() - start
    with tempfile.TemporaryDirectory() as scratch:
        script = f"CREATE TABLE raw_load ({columns});\n.import --csv --skip 1 {name} raw_load\n"
        subprocess.run(["sqlite3", str(Path(scratch) / "raw.db")], input=script.encode(), check=True)  # noqa: S603, S607
        return time.perf_counter() - start


def run(files: dict[str, str]) -> None:
    """Import the three files in this process, which uses the database the environment names."""
    _setup()
    from django.db import connection

    from dinhdanh.registries.services.imports import import_file

    _empty_registries()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT NULL")
        backend = cursor.fetchone()[0]
    raw = raw_load(files["first import"])
    print(f"--- {connection.vendor}: raw load of the first file {raw:.1f} s (reference)", flush=True)
    for label, name in files.items():
        start = time.perf_counter()
        with Watch(backend) as watch:
            summary = import_file(source="business", path=Path(name), actor=None)
        seconds = time.perf_counter() - start
        own, workers, database = watch.spent()
        per_row = 1e6 / max(summary.rows, 1)
        database_part = f" + database {database * per_row:.0f}" if backend else ""
        print(
            f"{label:21s} {seconds:6.1f} s = {seconds / raw:4.1f} x raw, {summary.rows / seconds:8,.0f} rows/s;"
            f" CPU per row {own * per_row:.0f} us importer + {workers * per_row:.0f} workers{database_part};"
            f" peak memory of importer and workers together {watch.peak:4.0f} MB summed RSS,"
            f" {watch.pss_peak:4.0f} MB summed PSS"
            + (f" (database backend {watch.backend_peak:.0f} MB of its own)" if backend else "")
            + f"; rows {summary.rows:,} accepted {summary.accepted:,} updated {summary.updated:,}"
            f" unchanged {summary.unchanged:,} rejected {summary.rejected:,} disappeared {summary.disappeared:,}",
            flush=True,
        )
    if connection.vendor == "postgresql":
        _empty_registries()


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] in {"--generate", "--run"}:
        folder_or_files = sys.argv[2]
        if sys.argv[1] == "--generate":
            print(json.dumps(generate(Path(folder_or_files))))
        else:
            run(json.loads(folder_or_files))
        return
    # The files (and the SQLite database with its units) are kept between runs of one size.
    scratch = Path(tempfile.gettempdir()) / f"dinhdanh-registry-bench-{ROWS}"
    scratch.mkdir(exist_ok=True)
    env = {**os.environ, "DINHDANH_DATA_DIR": str(scratch)}
    database_url = env.pop("DATABASE_URL", "")
    me = [sys.executable, __file__]
    start = time.perf_counter()
    manifest = scratch / "files.json"
    if not manifest.exists():
        generate_files = [*me, "--generate", str(scratch), str(ROWS)]
        out = subprocess.run(generate_files, env=env, check=True, capture_output=True)  # noqa: S603
        manifest.write_text(out.stdout.decode().strip().splitlines()[-1])
    files = json.loads(manifest.read_text())
    size = Path(files["first import"]).stat().st_size / 2**20
    print(f"{ROWS:,} rows, {size:.0f} MiB CSV, generated in {time.perf_counter() - start:.0f} s ({scratch})")
    subprocess.run([*me, "--run", json.dumps(files), str(ROWS)], env=env, check=True)  # noqa: S603
    if database_url:
        postgres = {**env, "DATABASE_URL": database_url}
        subprocess.run([*me, "--run", json.dumps(files), str(ROWS)], env=postgres, check=True)  # noqa: S603
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"command: {' '.join(['.venv/bin/python', 'bench/registry_import.py', str(ROWS)])}"
          + (" (DATABASE_URL set: SQLite and PostgreSQL)" if database_url else " (SQLite only)"))  # fmt: skip


if __name__ == "__main__":
    main()
