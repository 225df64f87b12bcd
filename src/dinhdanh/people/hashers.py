"""Argon2id with cost parameters from settings, so raising them makes Django rehash on next sign-in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idHasher(Argon2PasswordHasher):
    def __init__(self) -> None:
        # Django caches hasher instances and drops the cache when settings change (tests included).
        self.time_cost = int(settings.ARGON2_TIME_COST)
        self.memory_cost = int(settings.ARGON2_MEMORY_COST_KIB)
        self.parallelism = int(settings.ARGON2_PARALLELISM)
