"""The WSGI application (gunicorn, `dinhdanh serve`). A WSGI server runs no system checks, so the
start-up checks that matter are repeated here: a refusal to start without the static manifest that
production needs (else every page fails), and a log line when the data dir is open to others."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.production")
application = get_wsgi_application()

from dinhdanh.core.checks import missing_static_manifest, static_manifest_message, warn_at_start  # noqa: E402

if (manifest := missing_static_manifest()) is not None:
    raise ImproperlyConfigured(static_manifest_message(manifest))
warn_at_start()
