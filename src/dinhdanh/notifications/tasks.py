"""Background work: delivering one stored message. Enqueued by services once the sender's transaction commits."""

from __future__ import annotations

from django.tasks import task


@task
def deliver_message(message_id: int) -> str:
    from dinhdanh.notifications.services import deliver  # noqa: PLC0415  (services imports this module to enqueue)

    return str(deliver(message_id).value)
