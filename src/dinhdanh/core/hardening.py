"""Deploy checks (issue 16.1): settings a production site must not run with. `dinhdanh check --deploy`
reports them; a server started with the production settings refuses to start on any of them
(``core.checks.refusals``), since a WSGI server runs no system checks.

- core.E010: DEBUG on — tracebacks and settings in error pages.
- core.E011: argon2 cheaper than the OWASP minimum (Password Storage Cheat Sheet: argon2id with
  47 MiB×1, 19 MiB×2, 12 MiB×3, 9 MiB×4 or 7 MiB×5 passes, parallelism 1 or more). The test settings
  lower the cost on purpose; this reads whatever settings the process was started with.
- core.E012: no HTTPS — cookies without Secure, no redirect to HTTPS, or an issuer that is not https.
- core.E013: the data dir open to other accounts (a warning, core.W001, outside production).
- core.E015: rate limits off, or counted in each process's memory while the site may run several
  processes (no ``DINHDANH_CACHE_URL``, no ``DINHDANH_ONE_PROCESS``): each process would allow the
  whole rate (``http.ratelimits``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

from dinhdanh.core.checks import describe_open, open_paths, open_paths_hint

# (memory in KiB, passes): each pair is as costly as the others for an attacker (OWASP, 2023).
OWASP_ARGON2 = ((47104, 1), (19456, 2), (12288, 3), (9216, 4), (7168, 5))


def argon2_meets_owasp(memory_kib: int, time_cost: int, parallelism: int) -> bool:
    if parallelism < 1:
        return False
    return any(memory_kib >= memory and time_cost >= passes for memory, passes in OWASP_ARGON2)


def _https_gaps() -> list[str]:
    gaps = []
    if not (settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE):
        gaps.append("SESSION_COOKIE_SECURE/CSRF_COOKIE_SECURE")
    if not settings.SECURE_SSL_REDIRECT:
        gaps.append("SECURE_SSL_REDIRECT")
    if urlsplit(settings.FEDERATION_ISSUER).scheme != "https":
        gaps.append(f"DINHDANH_ISSUER={settings.FEDERATION_ISSUER}")
    return gaps


def problems() -> list[checks.CheckMessage]:
    found: list[checks.CheckMessage] = []
    if settings.DEBUG:
        found.append(
            checks.Error(
                "DEBUG đang bật: trang lỗi sẽ lộ mã nguồn và cấu hình / DEBUG is on: error pages would show "
                "source code and settings",
                id="core.E010",
            )
        )
    memory, passes, lanes = settings.ARGON2_MEMORY_COST_KIB, settings.ARGON2_TIME_COST, settings.ARGON2_PARALLELISM
    if not argon2_meets_owasp(memory, passes, lanes):
        found.append(
            checks.Error(
                f"Tham số argon2 thấp hơn mức tối thiểu OWASP (m={memory} KiB, t={passes}, p={lanes}) / argon2 "
                f"costs less than the OWASP minimum (m={memory} KiB, t={passes}, p={lanes})",
                hint="DINHDANH_ARGON2_MEMORY_KIB ≥ 19456 và/and DINHDANH_ARGON2_TIME_COST ≥ 2 (hoặc/or 47104 × 1)",
                id="core.E011",
            )
        )
    if gaps := _https_gaps():
        found.append(
            checks.Error(
                f"Chưa bắt buộc HTTPS: {', '.join(gaps)} / HTTPS is not enforced: {', '.join(gaps)}",
                hint="dinhdanh.settings.production, DINHDANH_ISSUER=https://…",
                id="core.E012",
            )
        )
    data_dir = Path(settings.DATA_DIR)
    if opened := open_paths(data_dir):
        found.append(
            checks.Error(
                f"Tài khoản khác đọc được thư mục dữ liệu / the data dir is open to other accounts: "
                f"{describe_open(opened)}",
                hint=open_paths_hint(data_dir),
                id="core.E013",
            )
        )
    if problem := _rate_limit_gap():
        found.append(checks.Error(problem, hint="DINHDANH_CACHE_URL=redis://127.0.0.1:6379/0", id="core.E015"))
    return found


def _rate_limit_gap() -> str:
    if not settings.RATELIMIT_ENABLE:
        return "Giới hạn tần suất đang tắt / rate limits are off (RATELIMIT_ENABLE)"
    backend = settings.CACHES[settings.RATELIMIT_USE_CACHE]["BACKEND"]
    if backend.endswith("RedisCache") or settings.ONE_PROCESS:
        return ""
    return (
        "Giới hạn tần suất được đếm riêng trong từng tiến trình / rate limits are counted in each process's "
        "memory: đặt/set DINHDANH_CACHE_URL (Redis), hoặc/or DINHDANH_ONE_PROCESS=1 nếu chỉ một tiến trình "
        "/ if a single process serves the site"
    )


@checks.register(checks.Tags.security, deploy=True)
def check_hardening(app_configs: Any, **kwargs: Any) -> list[checks.CheckMessage]:
    return problems()
