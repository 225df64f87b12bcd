"""Tests: the same settings as production where it matters, cheap password hashing where it does not."""

from dinhdanh.settings.base import *  # noqa: F403

# A deliberately small cost keeps the suite fast; bench/ measures the real cost.
ARGON2_TIME_COST = 1
ARGON2_MEMORY_COST_KIB = 1024
ARGON2_PARALLELISM = 1
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
# The test database is rebuilt on every run: its checkpoints would only pollute the data dir's file.
# Tests of checkpoints point this to a temporary file.
AUDIT_CHECKPOINT_FILE = None
# Registry imports run in the test process: a spawned one would not see the test database.
REGISTRY_IMPORT_RUNNER = "inline"
# Tasks run in the caller; tests/core/test_worker.py runs the real database backend and its worker.
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
# The suite's requests all come from one address; tests of the limits turn them on (tests/http/).
RATELIMIT_ENABLE = False
