"""Background work: delivering one stored message. Enqueued by services once the sender's transaction commits."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.schedule import recurring


@task
def deliver_message(message_id: int) -> str:
    from dinhdanh.notifications.services import deliver  # noqa: PLC0415  (services imports this module to enqueue)

    return str(deliver(message_id).value)


@recurring(
    "outbox_deliver", every=timedelta(minutes=1), summary=_("Gửi lại các thông báo đến hạn trong hộp thư đi")
)
@task
def outbox_deliver() -> dict[str, int]:
    from dinhdanh.notifications.services import deliver_due  # noqa: PLC0415  (as above)

    return deliver_due()
