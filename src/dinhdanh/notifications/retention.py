"""What the outbox keeps and for how long (decision 0048, ``core.retention``)."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from dinhdanh.core.retention import retained
from dinhdanh.notifications.models import Message, MessageStatus


# What was sent to whom (the person's inbox, the administrators' list): usage history once sent or
# given up, counted from the later of its creation and its sending; one still to send stays.
@retained("notifications.messages", usage=True, label=_("Tin nhắn, thư đã gửi"))
def messages(cutoff: datetime) -> QuerySet[Message]:
    return Message.objects.filter(
        Q(sent_at__isnull=True) | Q(sent_at__lt=cutoff),
        status__in=(MessageStatus.SENT, MessageStatus.DEAD),
        created_at__lt=cutoff,
    )
