"""The login name is the personal identification number; it is looked up through a blind index."""

from __future__ import annotations

from dinhdanh.core.codes import mask_personal_id, parse_personal_id
from dinhdanh.core.keys import blind_index

LOGIN_KEY = "login-index"


def login_digest(personal_id: str) -> str:
    """The lookup key for any 12-digit number: a foreigner signs in on the same form as a citizen, so
    sign-in checks only digits and length; registration checks the layout (``parse_personal_id``)."""
    return blind_index(LOGIN_KEY, parse_personal_id(personal_id, foreigner=True).value)


def masked(personal_id: str) -> str:
    return mask_personal_id(parse_personal_id(personal_id, foreigner=True).value)
