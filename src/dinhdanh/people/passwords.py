"""Password rules: Django's validators plus a bundled list of Vietnamese common and breached passwords,
and a refusal of passwords made from the holder's own data (ID number, phone, date of birth)."""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import CommonPasswordValidator, validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from dinhdanh.core.errors import DomainError
from dinhdanh.people.errors import PeopleError

BUNDLED_LIST = Path(__file__).parent / "data" / "common-passwords-vi.txt"
MIN_FACT_LENGTH = 4
MAX_LENGTH = 256  # hashing cost must not depend on what an attacker sends


@cache
def _bundled() -> frozenset[str]:
    words: set[str] = set()
    paths = [BUNDLED_LIST]
    if extra := os.environ.get("DINHDANH_EXTRA_PASSWORD_LIST"):
        paths.append(Path(extra))
    for path in paths:
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            words.update(w.strip().lower() for w in fh if w.strip() and not w.startswith("#"))
    return frozenset(words)


class BundledListValidator(CommonPasswordValidator):
    """Django's 20,000 common passwords, and ours on top."""

    def __init__(self) -> None:
        super().__init__()
        self.passwords = set(self.passwords) | _bundled()


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def facts_of(*, personal_id: str = "", phone: str = "", date_of_birth: date | None = None) -> list[str]:
    facts = [_digits(personal_id), _digits(phone), _digits(phone)[-9:]]
    if date_of_birth is not None:
        facts += [date_of_birth.strftime(f) for f in ("%d%m%Y", "%Y%m%d", "%d%m%y")]
    return [f for f in facts if len(f) >= MIN_FACT_LENGTH]


@sensitive_variables("password")
def check_password_strength(password: str, *, facts: Iterable[str] = (), user: Any = None) -> None:
    """Raise ``PASSWORD_REJECTED`` listing every reason, in the active language."""
    reasons: list[str] = []
    if len(password) > MAX_LENGTH:
        reasons.append(_("Mật khẩu dài quá %(n)d ký tự.") % {"n": MAX_LENGTH})
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        reasons.extend(str(m) for m in exc.messages)
    if any(fact in _digits(password) for fact in facts):
        reasons.append(_("Mật khẩu không được chứa số định danh, số điện thoại hoặc ngày sinh của bạn."))
    if reasons:
        raise DomainError(PeopleError.PASSWORD_REJECTED, field="password", reasons=" ".join(reasons))
