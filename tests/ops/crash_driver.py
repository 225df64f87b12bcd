"""A process the crash tests kill (issue 16.4): it does what a web worker does for an officer — decide
requests through the real services, each in its own transaction — and says ``ACCEPTED <id>`` only once
a decision is committed, as a server answers 200 only then. Run as
``python -m tests.ops.crash_driver setup N`` (N submitted requests and an officer) or ``decide``.
"""

from __future__ import annotations

import os
import sys

import django


def setup(count: int) -> None:
    from tests.applications.support import officer, submitted

    deciding = officer()
    for _ in range(count):
        submitted()
    print(f"OFFICER {deciding.pk}", flush=True)


def decide(officer_id: int) -> None:
    from django.contrib.auth import get_user_model

    from dinhdanh.applications import services
    from dinhdanh.applications.models import Application, Status

    deciding = get_user_model().objects.get(pk=officer_id)
    for application in Application.objects.filter(status=Status.CHECKING).order_by("pk"):
        services.application_approve(
            actor=deciding, application=application, note="Đã đối chiếu", acknowledge_failed_checks=True
        )
        print(f"ACCEPTED {application.pk}", flush=True)  # after the commit, as the server's 200 would be
    print("DONE", flush=True)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dinhdanh.settings.dev")
    django.setup()
    if sys.argv[1] == "setup":
        setup(int(sys.argv[2]))
    else:
        decide(int(sys.argv[2]))
