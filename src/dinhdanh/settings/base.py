"""Settings shared by every deployment. Environment variables are documented in docs/configuration.md."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

from dinhdanh.settings.env import (
    cache_url,
    choice,
    data_dir,
    deploy_zone,
    flag,
    hex_key,
    integer,
    integer_between,
    optional_path,
    rate,
    secret_key,
    words,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = data_dir()
SECRET_KEY = secret_key(DATA_DIR)
DEPLOY_ZONE = deploy_zone()
DEBUG = False
# The production settings refuse to start on an unsafe setting (core.hardening); the others only warn.
REFUSE_UNSAFE_START = False
ALLOWED_HOSTS = [h for h in os.environ.get("DINHDANH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks_db",
    "dinhdanh.core",
    "dinhdanh.geo",
    "dinhdanh.people",
    "dinhdanh.notifications",
    "dinhdanh.registries",
    "dinhdanh.organizations",
    "dinhdanh.applications",
    "dinhdanh.federation",
    "dinhdanh.trust",
    "dinhdanh.campaigns",
    "dinhdanh.web",
    "dinhdanh.api",
    "dinhdanh.demo",
]

MIDDLEWARE = [
    "dinhdanh.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "dinhdanh.http.middleware.ApiProblemMiddleware",  # 404/405 under /api/ as problem+json
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "dinhdanh.people.middleware.NoStoreMiddleware",
    "dinhdanh.people.middleware.AccountSessionMiddleware",
    "dinhdanh.http.ratelimits.RateLimitMiddleware",  # anonymous requests with a cookie (issue 16.1)
    "dinhdanh.people.assurance.AssuranceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
]

ROOT_URLCONF = "dinhdanh.urls"
WSGI_APPLICATION = "dinhdanh.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "dinhdanh.web.context.navigation",
                "dinhdanh.organizations.views.acting.acting_context",
            ],
        },
    },
]


# WAL with NORMAL keeps every commit through a killed process; FULL also through a power cut, at an
# fsync per commit (core.durability, docs/operations/durability.md).
SQLITE_SYNCHRONOUS = choice("DINHDANH_SQLITE_SYNCHRONOUS", {"normal": "NORMAL", "full": "FULL"}, "normal")


def _database() -> dict[str, object]:
    if url := os.environ.get("DATABASE_URL"):
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True))
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "dinhdanh.sqlite3",
        # A local file has no server to drop connections, and opening one costs ~2 ms (decision 0034).
        "CONN_MAX_AGE": None,
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so two writers queue instead of failing with
            # "database is locked" when a read transaction tries to upgrade (the audit chain relies on it).
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                f"PRAGMA journal_mode=WAL; PRAGMA synchronous={SQLITE_SYNCHRONOUS}; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000;"
            ),
        },
    }


DATABASES = {"default": _database()}
# A read replica for reads that may lag (core.replica); writes and everything else use "default".
if _replica := os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dict(dj_database_url.parse(_replica, conn_max_age=60, conn_health_checks=True))
DATABASE_ROUTERS = ["dinhdanh.core.replica.LaggingReadsRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = ["dinhdanh.people.backends.LoginBackend"]
LOGIN_URL = "people:signin"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Argon2id first; the cost parameters are ours to set (issue: rehash on login when they change).
PASSWORD_HASHERS = [
    "dinhdanh.people.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# OWASP's 19 MiB × 2 passes, one lane (decision 0049): a check holds its memory cost while it runs.
ARGON2_TIME_COST = integer("DINHDANH_ARGON2_TIME_COST", 2)
ARGON2_MEMORY_COST_KIB = integer("DINHDANH_ARGON2_MEMORY_KIB", 19456)
ARGON2_PARALLELISM = integer("DINHDANH_ARGON2_PARALLELISM", 1)
# Password hashes computed at once per process, whatever its threads (people.hashers, decision 0049), and
# how long one waits for its turn before the answer is "busy, try again" (503); 0: no bound.
PASSWORD_CHECKS_AT_ONCE = integer("DINHDANH_PASSWORD_CHECKS_AT_ONCE", 1)
PASSWORD_CHECK_WAIT_MS = integer("DINHDANH_PASSWORD_CHECK_WAIT_MS", 5000)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    # Django's 20,000 common passwords plus a bundled list of Vietnamese ones and known breaches.
    {"NAME": "dinhdanh.people.passwords.BundledListValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Personal accounts (docs/people.md). Times in seconds unless named otherwise.
STEP_UP_SECONDS = integer("DINHDANH_STEP_UP_SECONDS", 300)
SIGNIN_FREE_FAILURES = integer("DINHDANH_SIGNIN_FREE_FAILURES", 3)  # per account, before back-off starts
SIGNIN_LOCK_FAILURES = integer("DINHDANH_SIGNIN_LOCK_FAILURES", 10)  # per account: temporary lock + notice
SIGNIN_LOCK_SECONDS = integer("DINHDANH_SIGNIN_LOCK_SECONDS", 900)
SIGNIN_BACKOFF_MAX_SECONDS = integer("DINHDANH_SIGNIN_BACKOFF_MAX_SECONDS", 300)
SIGNIN_IP_FREE_FAILURES = integer("DINHDANH_SIGNIN_IP_FREE_FAILURES", 30)  # per client address
SIGNIN_FAILURE_MEMORY_SECONDS = integer("DINHDANH_SIGNIN_FAILURE_MEMORY_SECONDS", 86400)
SIGNIN_PENDING_SECONDS = 300  # between the password and the second factor
OTP_TTL_SECONDS = integer("DINHDANH_OTP_TTL_SECONDS", 300)
OTP_MAX_ATTEMPTS = 5
OTP_RESEND_SECONDS = 60
OTP_MAX_PER_HOUR = 5
REGISTRATION_TTL_SECONDS = 24 * 3600
REGISTER_FREE_ATTEMPTS = integer("DINHDANH_REGISTER_FREE_ATTEMPTS", 10)  # per client address, then back-off
REGISTER_WINDOW_SECONDS = integer("DINHDANH_REGISTER_WINDOW_SECONDS", 3600)
# Look-ups of a person by number before a grant (the name is shown): per account, then back-off, then a lock.
LOOKUP_FREE_ATTEMPTS = integer("DINHDANH_LOOKUP_FREE_ATTEMPTS", 20)
LOOKUP_LOCK_ATTEMPTS = integer("DINHDANH_LOOKUP_LOCK_ATTEMPTS", 40)
LOOKUP_WINDOW_SECONDS = integer("DINHDANH_LOOKUP_WINDOW_SECONDS", 3600)
NOTICE_MIN_INTERVAL_SECONDS = integer("DINHDANH_NOTICE_MIN_INTERVAL_SECONDS", 3600)  # per account and notice
SESSION_IDLE_SECONDS = integer("DINHDANH_SESSION_IDLE_SECONDS", 1800)  # no request for this long: signed out
SESSION_IDLE_STAFF_SECONDS = integer("DINHDANH_SESSION_IDLE_STAFF_SECONDS", 900)  # officers, partner clerks
PORTRAIT_MAX_BYTES = 2 * 1024 * 1024
WEBAUTHN_RP_ID = os.environ.get("DINHDANH_WEBAUTHN_RP_ID", "")  # empty: the request's host name
WEBAUTHN_RP_NAME = "dinhdanh"
WEBAUTHN_CHALLENGE_SECONDS = 300
TOTP_ISSUER = os.environ.get("DINHDANH_TOTP_ISSUER", "dinhdanh")
RECOVERY_CODE_COUNT = 10

# Notification outbox (docs/notifications.md): every message is stored, then sent by a backend.
NOTIFY_SMS_BACKEND = os.environ.get("DINHDANH_SMS_BACKEND", "dinhdanh.notifications.backends.FileSmsBackend")
NOTIFY_MAX_ATTEMPTS = integer("DINHDANH_NOTIFY_MAX_ATTEMPTS", 6)
NOTIFY_RETRY_BASE_SECONDS = integer("DINHDANH_NOTIFY_RETRY_BASE_SECONDS", 60)
NOTIFY_OUTBOX_DIR = DATA_DIR / "outbox"
_MAIL_BACKEND = os.environ.get("DINHDANH_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
_MAIL_OPTIONS: dict[str, object] = (
    {"file_path": str(DATA_DIR / "outbox" / "mail")}
    if _MAIL_BACKEND.endswith("filebased.EmailBackend")
    else {
        "host": os.environ.get("DINHDANH_EMAIL_HOST", "localhost"),
        "port": integer("DINHDANH_EMAIL_PORT", 25),
        "username": os.environ.get("DINHDANH_EMAIL_USER", ""),
        "password": os.environ.get("DINHDANH_EMAIL_PASSWORD", ""),
        "use_tls": flag("DINHDANH_EMAIL_TLS", default=False),
        "timeout": 10,
    }
    if _MAIL_BACKEND.endswith("smtp.EmailBackend")
    else {}
)
MAILERS = {"default": {"BACKEND": _MAIL_BACKEND, "OPTIONS": _MAIL_OPTIONS}}
DEFAULT_FROM_EMAIL = os.environ.get("DINHDANH_EMAIL_FROM", "dinhdanh <no-reply@localhost>")
# Side effects and long work run after the business transaction commits, in the task worker
# (`dinhdanh worker`, decision 0017) that polls the database; "immediate" runs them in the caller.
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
TASKS = {"default": {"BACKEND": choice("DINHDANH_TASK_BACKEND", _TASK_BACKENDS, "database")}}
# A running task whose worker has not beaten for this long is queued again (at most TASK_MAX_ATTEMPTS
# runs in all), then failed with the reason.
TASK_WORKER_STALE_SECONDS = integer("DINHDANH_TASK_WORKER_STALE_SECONDS", 120)
TASK_MAX_ATTEMPTS = integer("DINHDANH_TASK_MAX_ATTEMPTS", 3)

# Retention (decision 0048, core.retention): usage history (sign-ins, sessions, verification questions,
# messages sent) is kept this many days, then deleted by the daily `retention` job. The law asks for at
# least five years: 1827 days (five years and their leap days) is the default and the floor; a lower
# value stops the program (core.retention.LEGAL_MINIMUM_DAYS checks it again).
RETENTION_USAGE_DAYS = integer_between(
    "DINHDANH_RETENTION_USAGE_DAYS", 1827, low=1827, high=36525,
    why=("lịch sử sử dụng phải lưu ít nhất 5 năm", "usage history must be kept at least 5 years"),
)  # fmt: skip

LANGUAGE_CODE = "vi"
USE_THOUSAND_SEPARATOR = True  # 3.321 xã / 3,321 communes, per the active locale
NUMBER_GROUPING = 3
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["dinhdanh.formats"]  # dd/mm/yyyy in both languages (issue 15.7)
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
LANGUAGE_COOKIE_NAME = "dinhdanh_lang"
LANGUAGE_COOKIE_SECURE = flag("DINHDANH_SECURE_COOKIES", default=False)
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(mode=0o700, exist_ok=True)  # whitenoise warns on every start without it
MEDIA_ROOT = DATA_DIR / "documents"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Django's storages chmod what they save to 0644 whatever the umask; the data dir stays private.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Load shedding (http.shedding): requests running at once per process, and how long one may wait for a
# slot before it is answered 503 (0: no limit; set it with threaded workers, `dinhdanh serve --threads`).
MAX_ACTIVE_REQUESTS = integer("DINHDANH_MAX_ACTIVE_REQUESTS", 0)
SHED_WAIT_MS = integer("DINHDANH_SHED_WAIT_MS", 500)

# Rate limits per client address on requests nobody is signed in for (http.ratelimits, decision 0047):
# "count/period" (s, m, h, d; "600/m"), "" for none. A deployment of several processes points the
# counters at Redis (redis://…, rediss://…, unix://…), else each process counts alone (core.E015).
RATE_LIMIT_READ = rate("DINHDANH_RATE_LIMIT_READ", "600/m")
RATE_LIMIT_WRITE = rate("DINHDANH_RATE_LIMIT_WRITE", "60/m")
RATE_LIMIT_BACKCHANNEL = rate("DINHDANH_RATE_LIMIT_BACKCHANNEL", "6000/m")
RATE_LIMIT_BACKCHANNEL_PATHS = (
    "/oauth/token",
    "/oauth/introspect",
    "/oauth/revoke",
    "/oauth/par",
    "/api/v1/verify/",
)
# Declares that one process serves the site (`dinhdanh serve --threads N`): in-memory counters suffice.
ONE_PROCESS = flag("DINHDANH_ONE_PROCESS", default=False)
CACHE_URL = cache_url("DINHDANH_CACHE_URL")
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit"}
    ),
}
RATELIMIT_USE_CACHE = "ratelimit"
RATELIMIT_ENABLE = flag("DINHDANH_RATE_LIMITS", default=True)  # off: load tests from one address

# Scrapers of /metrics (inner zone) present this as a bearer token; unset: loopback clients only.
METRICS_TOKEN = os.environ.get("DINHDANH_METRICS_TOKEN", "")
# Probes talk to the app port, not through the TLS proxy: no HTTPS redirect for them.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Security headers. Cookies are marked Secure behind TLS (production turns this on).
SESSION_COOKIE_NAME = "dinhdanh_session"
SESSION_ENGINE = "dinhdanh.people.session_store"  # Django's database sessions, fewer statements (decision 0051)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
SESSION_COOKIE_SECURE = flag("DINHDANH_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "dinhdanh.http.pages.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}
# JSON bodies: a registry push of 5,000 records is about 4 MB (files stream through FILE_UPLOAD_HANDLERS).
DATA_UPLOAD_MAX_MEMORY_SIZE = 8 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200

# Working-day calendar (core.workdays): dates as YYYY-MM-DD, comma separated. The database table
# core.DayOverride adds to these, so an administrator can declare a bridge holiday without a deploy.
WORKDAYS_EXTRA_DAYS_OFF = [d for d in os.environ.get("DINHDANH_EXTRA_DAYS_OFF", "").split(",") if d]
WORKDAYS_MAKEUP_WORKING_DAYS = [d for d in os.environ.get("DINHDANH_MAKEUP_WORKING_DAYS", "").split(",") if d]
WORKDAYS_OFFICE_CLOSES = os.environ.get("DINHDANH_OFFICE_CLOSES", "17:00")

# The audit chain (docs/configuration.md, decision 0012): HMAC keys kept outside the database (hex in
# the environment, else files in DATA_DIR/keys), and signed checkpoints of the chain head appended to
# a file outside the database, every AUDIT_CHECKPOINT_EVERY events (0: only by `dinhdanh audit checkpoint`).
AUDIT_KEY = hex_key("DINHDANH_AUDIT_KEY")
AUDIT_CHECKPOINT_KEY = hex_key("DINHDANH_AUDIT_CHECKPOINT_KEY")
AUDIT_CHECKPOINT_FILE: Path | None = optional_path(
    "DINHDANH_AUDIT_CHECKPOINT_FILE", DATA_DIR / "audit" / "checkpoints.jsonl"
)
AUDIT_CHECKPOINT_EVERY = integer("DINHDANH_AUDIT_CHECKPOINT_EVERY", 100)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "dinhdanh.core.middleware.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("DINHDANH_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

NINJA_PAGINATION_PER_PAGE = 100
# Level-1 registrations go to an officer when no population database is connected to match them.
LEVEL1_REVIEW_ALL = flag("DINHDANH_LEVEL1_REVIEW_ALL", default=False)
# Uploads stop streaming past this size (core.uploads); each kind of document has its own lower limit.
UPLOAD_MAX_BYTES = integer("DINHDANH_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "dinhdanh.core.uploads.QuotaUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Registry files (issue 5) may be large; they stream, so the limit guards the disk, not memory.
REGISTRY_MAX_BYTES = integer("DINHDANH_REGISTRY_MAX_BYTES", 2 * 1024**3)
# A complete list that would mark more than this share (percent) of the territory's records, and at
# least this many, as "no longer listed" is refused until the person confirms (docs/registries.md).
REGISTRY_DISAPPEAR_CONFIRM_PERCENT = integer("DINHDANH_REGISTRY_DISAPPEAR_CONFIRM_PERCENT", 5)
REGISTRY_DISAPPEAR_CONFIRM_MIN = integer("DINHDANH_REGISTRY_DISAPPEAR_CONFIRM_MIN", 20)
# XLSX sheets are read as one dense block (python-calamine): bounded before reading.
REGISTRY_XLSX_MAX_CELLS = integer("DINHDANH_REGISTRY_XLSX_MAX_CELLS", 16_000_000)
REGISTRY_XLSX_MAX_COLUMNS = integer("DINHDANH_REGISTRY_XLSX_MAX_COLUMNS", 200)
# Validation worker processes of a large import, beside the importing process that reads the file and
# writes the database (registries/import_workers.py). Each is a Python process of about 100 MB; 0
# validates in the importing process. The default (one per CPU but one, at most 3) is measured in
# docs/performance/registry-import.md.
REGISTRY_IMPORT_WORKERS = integer_between(
    "DINHDANH_REGISTRY_IMPORT_WORKERS", max(0, min(3, (os.cpu_count() or 1) - 1)), low=0, high=16
)
# Upload imports run as a task of the task worker ("task"), in a process of their own ("process", for
# a deployment without a worker), or in the caller ("inline": tests).
REGISTRY_IMPORT_RUNNER = os.environ.get("DINHDANH_REGISTRY_IMPORT_RUNNER", "task")
# A running import whose heartbeat is older than this is taken for dead and marked failed.
REGISTRY_JOB_STALE_SECONDS = integer("DINHDANH_REGISTRY_JOB_STALE_SECONDS", 300)

# Organization requests (SPEC §3, LEGAL §2). Routing and approval are configuration, not code:
# "commune" (commune police since 01/07/2025, Decision 5709), "province" (PC06) or "central" (C06).
ORG_ROUTING_LEVEL = os.environ.get("DINHDANH_ORG_ROUTING_LEVEL", "commune")
ORG_APPROVING_LEVEL = os.environ.get("DINHDANH_ORG_APPROVING_LEVEL", "commune")
# Decree 69 Art. 13.4: 3 working days when the organization is in a national or specialized database,
# 15 days otherwise; whether those 15 are working days is an open legal point (LEGAL §2), so configurable.
ORG_DEADLINE_IN_REGISTRY_DAYS = integer("DINHDANH_ORG_DEADLINE_IN_REGISTRY_DAYS", 3)
ORG_DEADLINE_OTHER_DAYS = integer("DINHDANH_ORG_DEADLINE_OTHER_DAYS", 15)
ORG_DEADLINE_OTHER_WORKING = flag("DINHDANH_ORG_DEADLINE_OTHER_WORKING", default=False)
ORG_VERIFICATION_DAYS = integer("DINHDANH_ORG_VERIFICATION_DAYS", 3)  # working days a partner has to answer
# Four-eyes (decision 0011): approving a request whose listed check failed, or of a listed kind, takes
# two different officers; so does an officer's lock on an authority's written request.
FOUR_EYES_CHECKS = words("DINHDANH_FOUR_EYES_CHECKS", "representative_match")
FOUR_EYES_KINDS = words("DINHDANH_FOUR_EYES_KINDS", "")
FOUR_EYES_AUTHORITY_LOCKS = flag("DINHDANH_FOUR_EYES_AUTHORITY_LOCKS", default=True)
ORG_NAME_MATCH_THRESHOLD = 90  # core.text.name_similarity, 0-100
DOCUMENT_MAX_BYTES = integer("DINHDANH_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024)
DOCUMENT_MAX_PER_APPLICATION = 30

# Federation (issue 12, decision 0031): signing keys for ID tokens and JWT access tokens. A key signs
# for FEDERATION_KEY_MAX_AGE_DAYS, then a new one takes over (the schedule's rotate_signing_keys); the
# old one stays in the JWKS for FEDERATION_KEY_PUBLISH_AFTER_SECONDS more, longer than any token it
# signed can live.
FEDERATION_KEY_MAX_AGE_DAYS = integer("DINHDANH_FEDERATION_KEY_MAX_AGE_DAYS", 90)
FEDERATION_KEY_PUBLISH_AFTER_SECONDS = integer("DINHDANH_FEDERATION_KEY_PUBLISH_AFTER_SECONDS", 2 * 24 * 3600)
# The issuer identifier (OpenID Connect Discovery §3): the provider's public base URL, exactly as
# relying parties configure it; tokens and client assertions name it.
FEDERATION_ISSUER = os.environ.get("DINHDANH_ISSUER", "http://127.0.0.1:8000").rstrip("/")
FEDERATION_ACCESS_TOKEN_SECONDS = integer("DINHDANH_ACCESS_TOKEN_SECONDS", 300)
# A refresh token lives this long at most; a basic client's is rotated at each use (docs/federation.md).
FEDERATION_REFRESH_TOKEN_SECONDS = integer("DINHDANH_REFRESH_TOKEN_SECONDS", 30 * 24 * 3600)
# Questions a relying party may ask a minute (a batch counts its questions; a whole batch of 1,000 fits).
TRUST_VERIFY_PER_MINUTE = integer("DINHDANH_TRUST_VERIFY_PER_MINUTE", 1200)
# Push receivers on private networks (10/8, 192.168/16, …): off, so a relying party cannot make the
# platform call into its own network; loopback is always allowed for tests and one-machine setups.
TRUST_NOTICES_PRIVATE_NETWORKS = flag("DINHDANH_TRUST_NOTICES_PRIVATE_NETWORKS")
