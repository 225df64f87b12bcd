"""Tests: the same settings as production where it matters, cheap password hashing where it does not."""

from dinhdanh.settings.base import *  # noqa: F403

# A deliberately small cost keeps the suite fast; bench/ measures the real cost.
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST_KIB = 1024
ARGON2_PARALLELISM = 1
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
