"""The WSGI application (gunicorn or granian, `dinhdanh serve`). A WSGI server runs no system checks, so the
start-up checks that matter are repeated here: a refusal to start without the static manifest that
production needs (else every page fails), a log line when the data dir is open to others, and a
refusal on an unsafe setting or a database that may forget commits (``core.startup``). Last,
the loaded heap is frozen out of the garbage collector's walks (``http.heap``)."""

import os

from django.core.exceptions import ImproperlyConfigured
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.production")
django_application = get_wsgi_application()

from dinhdanh.federation.fastpath import wrap  # noqa: E402  (after Django is set up)

# The token, introspection and revocation endpoints take a lean path in front of Django (decision 0034).
application = wrap(django_application)

from dinhdanh.http.lean_reads import wrap as replay_public_reads  # noqa: E402

# A cookie-less GET of the units, discovery, the JWKS or a units page is answered as Django answered it,
# while what it was made from is unchanged (issue 17.3, decision 0050).
application = replay_public_reads(application)

from dinhdanh.http.ratelimits import wrap as limit_rates  # noqa: E402

# Requests without a cookie are counted per address before anything else runs (issue 16.1).
application = limit_rates(application)

from dinhdanh.http.shedding import shed  # noqa: E402

# Past its capacity the process answers 503 at once instead of letting requests queue (issue 16.6).
application = shed(application)

from dinhdanh.core.checks import missing_static_manifest, static_manifest_message, warn_at_start  # noqa: E402

if (manifest := missing_static_manifest()) is not None:
    raise ImproperlyConfigured(static_manifest_message(manifest))
warn_at_start()

from dinhdanh.core.startup import refuse_unsafe_start  # noqa: E402

refuse_unsafe_start()  # the database's durability; under production, every deploy check (issue 16.1)

from dinhdanh.http.heap import settle  # noqa: E402

# Each worker imports this module: its loaded application is frozen out of the collector's walks.
settle()
