"""The message templates code may send, with the parameters each one needs.

A template's text lives in ``templates/notifications/<code>.<channel>.txt``; this table is what
:func:`~dinhdanh.notifications.services.notify` checks a call against, so a typo in a template code or a
missing parameter fails loudly in the caller's tests instead of sending an empty message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dinhdanh.notifications.models import Channel

BOTH = frozenset({Channel.SMS, Channel.EMAIL})


@dataclass(frozen=True)
class Template:
    code: str
    channels: frozenset[Channel]
    params: frozenset[str] = frozenset()
    # Erased after sending even if the caller forgets to name them.
    sensitive: frozenset[str] = frozenset()
    # A param holding the minutes the message stays useful (a one-time code): a message that could not
    # be sent in that time is given up instead of reaching the person after the code has expired.
    valid_minutes_param: str = ""


TEMPLATES: Mapping[str, Template] = {
    t.code: t
    for t in (
        Template(
            "phone_otp",
            frozenset({Channel.SMS}),
            frozenset({"code", "minutes"}),
            sensitive=frozenset({"code"}),
            valid_minutes_param="minutes",
        ),
        Template("signin_locked", BOTH, frozenset({"minutes"})),
        # people: sent at most once an hour per account (people.notices), as a stranger can trigger them
        Template("signin_guarded", BOTH),
        Template("registration_attempted", BOTH),
        # people: an officer replaced the phone; to the new contact, and to the replaced one
        Template("phone_reset", BOTH),
        Template("phone_replaced", BOTH),
        Template("account_locked", BOTH, frozenset({"kind"})),
        Template("account_unlocked", BOTH),
        Template("level_changed", BOTH, frozenset({"level"})),
        Template("level_rejected", BOTH, frozenset({"reason"})),
        Template("factor_added", BOTH, frozenset({"factor"})),
        Template("password_changed", BOTH),
        # organizations (kind: the lock ground or "terminated", the granted role, "revoked" or "expired")
        Template("org_issued", BOTH, frozenset({"eid", "organization"})),
        Template("org_updated", BOTH, frozenset({"eid", "organization"})),
        Template("org_representative_added", BOTH, frozenset({"eid", "organization"})),
        Template("org_representative_removed", BOTH, frozenset({"eid", "organization"})),
        Template("org_locked", BOTH, frozenset({"eid", "organization", "kind"})),
        Template("org_unlocked", BOTH, frozenset({"eid", "organization"})),
        Template("org_member_granted", BOTH, frozenset({"eid", "organization", "kind"})),
        Template("org_member_ended", BOTH, frozenset({"eid", "organization", "kind"})),
        # applications (requests): the number, and what the applicant must read
        Template("app_received", BOTH, frozenset({"number", "due"})),
        Template("app_consent_requested", BOTH, frozenset({"number", "organization"})),
        Template("app_supplement_requested", BOTH, frozenset({"number", "reason"})),
        Template("app_approved", BOTH, frozenset({"number"})),
        Template("app_rejected", BOTH, frozenset({"number", "reason"})),
        # trust: a key or certificate expiring (kind "expiring") or expired; organization: whose it is,
        # number: which one, due: when it stops working
        Template(
            "credential_expiry", frozenset({Channel.EMAIL}), frozenset({"kind", "organization", "number", "due"})
        ),
        # campaigns: a unit's weekly report (kind "due": a reminder before the deadline, "missing": not
        # received after it), and a plan task past its deadline (to whoever may update it)
        Template("campaign_report_reminder", BOTH, frozenset({"kind", "plan", "unit", "week", "due"})),
        Template("campaign_task_overdue", BOTH, frozenset({"plan", "task", "deadline"})),
    )
}

# Codes a caller may pass as ``factor`` (any case); anything else is shown as given.
FACTOR_LABELS: Mapping[str, Promise] = {
    "password": _("mật khẩu"),
    "totp": _("ứng dụng xác thực (TOTP)"),
    "passkey": _("khóa truy cập (vân tay/khuôn mặt)"),
    "recovery_codes": _("mã khôi phục"),
    "phone": _("số điện thoại"),
    "email": _("địa chỉ thư điện tử"),
}


def template_for(code: str, channel: Channel) -> Template:
    """The template, or ``ValueError``: asking for one that does not exist is a programming error."""
    template = TEMPLATES.get(code)
    if template is None:
        raise ValueError(f"unknown notification template {code!r}")
    if channel not in template.channels:
        raise ValueError(f"notification template {code!r} has no {channel.value} version")
    return template
