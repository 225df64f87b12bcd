"""Configuration read from the environment (SPEC §8), with safe defaults for one machine."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path

from dinhdanh.core.secret_files import publish_once

ZONES = ("all", "outer", "inner")


class ConfigError(Exception):
    """A setting in the environment is unusable; the message is bilingual and names the variable."""


# Whatever the process creates (the SQLite file and its WAL/SHM, documents, error reports, keys) is
# for this account only: the data dir holds sessions, personal data and secrets.
PRIVATE_UMASK = 0o077


def private_umask() -> None:
    os.umask(PRIVATE_UMASK)


def data_dir() -> Path:
    """DINHDANH_DATA_DIR (default ./var), created 0700. Sets the process umask first: settings are
    imported by every entry point (CLI, manage.py, WSGI, tests) before anything is written."""
    private_umask()
    path = Path(os.environ.get("DINHDANH_DATA_DIR", "./var")).expanduser().resolve()
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def hex_key(name: str) -> str:
    """An optional key given in hex (at least 32 bytes); empty when the variable is unset."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return ""
    if len(raw) < 64 or len(raw) % 2 or any(ch not in "0123456789abcdef" for ch in raw):
        raise ConfigError(
            f"{name} phải là khóa dạng hex, ít nhất 64 ký tự (32 byte). "
            f"/ {name} must be a hex key of at least 64 characters (32 bytes)."
        )
    return raw


def optional_path(name: str, default: Path) -> Path:
    raw = os.environ.get(name, "").strip()
    return Path(raw).expanduser().resolve() if raw else default


def secret_key(directory: Path) -> str:
    """DINHDANH_SECRET_KEY, else a key generated once into the data dir (mode 0600)."""
    if key := os.environ.get("DINHDANH_SECRET_KEY"):
        if len(key) < 32:
            raise ConfigError(
                "DINHDANH_SECRET_KEY phải dài ít nhất 32 ký tự. / DINHDANH_SECRET_KEY must be at least 32 characters."
            )
        return key
    path = directory / "secret_key"
    if not path.exists():
        publish_once(path, secrets.token_urlsafe(50))
    return path.read_text().strip()


def deploy_zone() -> str:
    zone = os.environ.get("DEPLOY_ZONE", "all").strip().lower()
    if zone not in ZONES:
        raise ConfigError(
            f"DEPLOY_ZONE phải là một trong {', '.join(ZONES)}, không phải {zone!r}. "
            f"/ DEPLOY_ZONE must be one of {', '.join(ZONES)}, not {zone!r}."
        )
    return zone


def flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def integer(name: str, default: int) -> int:
    """A whole number of at least 0 (seconds, counts); anything else stops the program with one line."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ConfigError(
            f"{name} phải là số nguyên không âm, không phải {raw!r}. / {name} must be a whole number, not {raw!r}."
        )
    return int(raw)


def integer_between(name: str, default: int, *, low: int, high: int, why: tuple[str, str] = ("", "")) -> int:
    """A whole number from ``low`` to ``high``; ``why`` (Vietnamese, English) says where the bounds come from."""
    value = integer(name, default)
    if not low <= value <= high:
        vi, en = (f" ({why[0]})", f" ({why[1]})") if why[0] else ("", "")
        raise ConfigError(
            f"{name} phải từ {low} đến {high}{vi}, không phải {value}. "
            f"/ {name} must be from {low} to {high}{en}, not {value}."
        )
    return value


_RATE = re.compile(r"[1-9][0-9]{0,8}/(?:[1-9][0-9]{0,5})?[smhd]")
CACHE_SCHEMES = ("redis://", "rediss://", "unix://")


def rate(name: str, default: str) -> str:
    """A rate as django-ratelimit reads it ("600/m", "10/5s"), or "" for none."""
    raw = os.environ.get(name, default).strip().lower()
    if raw and not _RATE.fullmatch(raw):
        raise ConfigError(
            f"{name} phải có dạng số/khoảng (ví dụ 600/m, 10/5s) hoặc để trống, không phải {raw!r}. "
            f"/ {name} must be count/period (e.g. 600/m, 10/5s) or empty, not {raw!r}."
        )
    return raw


def cache_url(name: str) -> str:
    """A Redis address (redis://, rediss://, unix://) or empty."""
    raw = os.environ.get(name, "").strip()
    if raw and not raw.startswith(CACHE_SCHEMES):
        raise ConfigError(
            f"{name} phải là địa chỉ Redis (redis://, rediss://, unix://), không phải {raw.split(':')[0]!r}. "
            f"/ {name} must be a Redis address (redis://, rediss://, unix://), not {raw.split(':')[0]!r}."
        )
    return raw


def choice(name: str, options: dict[str, str], default: str) -> str:
    """One of ``options``' keys, given by name; returns its value. Anything else stops with one line."""
    raw = os.environ.get(name, "").strip().lower() or default
    if raw not in options:
        allowed = ", ".join(options)
        raise ConfigError(
            f"{name} phải là một trong {allowed}, không phải {raw!r}. / {name} must be one of {allowed}, not {raw!r}."
        )
    return options[raw]


def words(name: str, default: str) -> frozenset[str]:
    """A comma-separated set of codes ("representative_match,name_match"); blanks dropped, case kept."""
    raw = os.environ.get(name, default)
    return frozenset(part.strip() for part in raw.split(",") if part.strip())
