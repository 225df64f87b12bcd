"""The login name is the personal identification number; it is looked up through a blind index."""

from __future__ import annotations

from dinhdanh.core.codes import mask_personal_id, parse_personal_id
from dinhdanh.core.keys import blind_index

LOGIN_KEY = "login-index"


def login_digest(personal_id: str) -> str:
    return blind_index(LOGIN_KEY, parse_personal_id(personal_id).value)


def masked(personal_id: str) -> str:
    return mask_personal_id(parse_personal_id(personal_id).value)
