"""Argon2id with cost parameters from settings, so raising them makes Django rehash on next sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    @property  # type: ignore[override]
    def time_cost(self) -> int:
        return int(settings.ARGON2_TIME_COST)

    @property  # type: ignore[override]
    def memory_cost(self) -> int:
        return int(settings.ARGON2_MEMORY_COST_KIB)

    @property  # type: ignore[override]
    def parallelism(self) -> int:
        return int(settings.ARGON2_PARALLELISM)
