"""Every write to personal accounts (ARCHITECTURE rule 1): accounts (``accounts``), levels, locks,
contacts and self-registration, one module each. ``from dinhdanh.people import services`` keeps
giving the account services by name."""

from dinhdanh.people.services.accounts import (
    RESET_PURPOSE,
    password_change,
    password_reset_finish,
    password_reset_start,
    person_create,
    reset_token,
    user_create,
)

__all__ = [
    "RESET_PURPOSE",
    "password_change",
    "password_reset_finish",
    "password_reset_start",
    "person_create",
    "reset_token",
    "user_create",
]
