"""The outbox: one row per SMS or e-mail, kept after sending so administrators can see what went out.

Parameters named in ``sensitive`` (one-time codes) are replaced by ``REDACTED`` once the message is
sent or given up, so they never stay in the database longer than it takes to deliver them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

REDACTED = "•••"


class Channel(models.TextChoices):
    SMS = "sms", _("Tin nhắn SMS")
    EMAIL = "email", _("Thư điện tử")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi, sẽ thử lại")
    DEAD = "dead", _("Đã dừng gửi")


OPEN_STATUSES = (MessageStatus.PENDING, MessageStatus.FAILED)


class Message(models.Model):
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices)
    to = models.CharField(_("người nhận"), max_length=254)
    template = models.CharField(_("mẫu"), max_length=64)
    language = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    params = models.JSONField(default=dict, blank=True)
    # Names of the params to erase once the message is sent or given up (one-time codes).
    sensitive = models.JSONField(default=list, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("số lần gửi"), default=0)
    next_attempt_at = models.DateTimeField(_("gửi lần tới"), null=True, blank=True)
    # Set while one worker is sending, so that a second worker (or a second call) leaves it alone;
    # if the sender dies, the claim runs out and the message becomes due again.
    claimed_until = models.DateTimeField(null=True, blank=True, editable=False)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), default=timezone.now)
    sent_at = models.DateTimeField(_("gửi lúc"), null=True, blank=True)
    # The person's own list (``notifications.inbox``): when they marked it read; None while unread.
    read_at = models.DateTimeField(_("đọc lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notify_due_idx"),
            models.Index(fields=["user", "read_at"], name="notify_inbox_idx"),
        ]

    def __str__(self) -> str:
        # Never the recipient: this shows up in logs and admin lists.
        return f"{self.template}.{self.channel} #{self.pk}"

    @property
    def secret_erased(self) -> bool:
        return any(self.params.get(name) == REDACTED for name in self.sensitive)
