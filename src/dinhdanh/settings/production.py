"""Production behind TLS: every cookie Secure, HSTS on, and `check --deploy` kept quiet for real reasons."""

from dinhdanh.settings.base import *  # noqa: F403
from dinhdanh.settings.env import flag

REFUSE_UNSAFE_START = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Browsers then never try plain HTTP for the domain, even the first time; a deployment whose parent
# domain still serves HTTP somewhere turns it off (docs/operations/guide.md).
SECURE_HSTS_PRELOAD = flag("DINHDANH_HSTS_PRELOAD", default=True)
SECURE_SSL_REDIRECT = True
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A new dict: assigning into base's would change the settings of whoever imported base before.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = False
