"""The outbox for system administrators, and putting a message back in the queue."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from dinhdanh.core.access import AdministratorRole
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import AuditEvent
from dinhdanh.notifications.audit_actions import NotificationAction
from dinhdanh.notifications.errors import NotificationError
from dinhdanh.notifications.models import Message, MessageStatus
from dinhdanh.notifications.services import notify, retry
from dinhdanh.people.models import User
from tests.conftest import make_officer, make_user, signed_in
from tests.notifications.conftest import EMAIL, PHONE

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.notifications.urls")]

CODE = "482913"


def failed(template: str = "password_changed", **params: str | int) -> Message:
    message = notify(channel="sms", to=PHONE, template=template, params=params or None)
    assert message is not None
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=3, last_error="ConnectionError: down"
    )
    message.refresh_from_db()
    return message


def admin() -> User:
    return make_officer(AdministratorRole.SYSTEM_ADMIN, None, "Quản Trị Viên")


# --- the service ----------------------------------------------------------------------------------


def test_an_administrator_requeues_a_failed_message_and_it_is_audited(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    message = failed()
    actor = admin()
    with django_capture_on_commit_callbacks(execute=True):
        retry(actor=actor, message_id=message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert message.attempts == 1
    event = AuditEvent.objects.get(action=NotificationAction.MESSAGE_RETRIED)
    assert event.actor_id == actor.pk
    assert event.object_id == str(message.pk)
    assert event.before == {"status": "failed", "attempts": 3, "last_error": "ConnectionError: down"}
    assert PHONE not in str(event.after)


def test_a_given_up_message_can_be_requeued() -> None:
    message = failed()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.DEAD)
    retry(actor=admin(), message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 0)
    assert message.next_attempt_at is not None


def test_anyone_else_is_refused_and_nothing_changes() -> None:
    message = failed()
    citizen = make_user()
    with pytest.raises(DomainError) as refused:
        retry(actor=citizen, message_id=message.pk)
    assert refused.value.error == CoreError.PERMISSION_DENIED
    message.refresh_from_db()
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 3)
    assert not AuditEvent.objects.filter(action=NotificationAction.MESSAGE_RETRIED).exists()
    assert AuditEvent.objects.filter(action=KernelAction.ACCESS_DENIED, actor=citizen).exists()


def test_a_sent_message_or_an_erased_code_is_not_requeued() -> None:
    actor = admin()
    sent = failed()
    Message.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT)
    with pytest.raises(DomainError) as refused:
        retry(actor=actor, message_id=sent.pk)
    assert refused.value.error == NotificationError.NOT_RETRYABLE

    code = failed("phone_otp", code=CODE, minutes=5)
    Message.objects.filter(pk=code.pk).update(status=MessageStatus.DEAD, params={"code": "•••", "minutes": 5})
    with pytest.raises(DomainError) as erased:
        retry(actor=actor, message_id=code.pk)
    assert erased.value.error == NotificationError.SECRET_ERASED

    with pytest.raises(DomainError) as missing:
        retry(actor=actor, message_id=10**9)
    assert missing.value.error == CoreError.NOT_FOUND


# --- the page ---------------------------------------------------------------------------------------


def page(client: Client, query: str = "") -> str:
    response = client.get(reverse("notifications:outbox") + query)
    assert response.status_code == 200
    return str(response.content.decode())


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("notifications:outbox"))
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL))


def test_a_citizen_gets_403(client: Client) -> None:
    response = signed_in(client, make_user()).get(reverse("notifications:outbox"))
    assert response.status_code == 403
    assert "Bạn không có quyền" in response.content.decode()


def test_the_outbox_masks_recipients_and_never_shows_a_code(client: Client) -> None:
    notify(channel="sms", to=PHONE, template="phone_otp", params={"code": CODE, "minutes": 5})
    notify(channel="email", to=EMAIL, template="level_changed", params={"level": 2})
    failed()
    html = page(signed_in(client, admin()))
    assert "09******67" in html
    assert "a***@example.com" in html
    assert PHONE not in html
    assert EMAIL not in html
    assert CODE not in html  # still pending, so still in the database, but shown as •••
    assert "•••" in html
    assert "mức độ 2" in html
    assert "ConnectionError: down" in html
    assert len(re.findall(r'action="/outbox/\d+/retry/"', html)) == 1


def test_the_outbox_filters_by_status(client: Client) -> None:
    notify(channel="email", to=EMAIL, template="level_changed", params={"level": 2})
    stuck = failed()
    html = page(signed_in(client, admin()), "?status=failed")
    assert f"<td>{stuck.pk}</td>" in html
    assert html.count("<tr>") == 2  # the header and the one failed message
    assert page(client, "?status=nonsense").count("<tr>") == 3


def test_the_retry_button_posts_with_csrf_and_requeues(
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    message = failed()
    client = signed_in(Client(enforce_csrf_checks=True), admin())
    url = reverse("notifications:retry", args=[message.pk])
    assert client.post(url).status_code == 403  # no CSRF token
    assert client.get(url).status_code == 405
    html = page(client)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert token
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"csrfmiddlewaretoken": token.group(1)})
    assert response.status_code == 302
    assert response["Location"] == reverse("notifications:outbox")
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert "Đã xếp thông báo" in page(client)


def test_a_refused_retry_is_explained_on_the_page(client: Client) -> None:
    message = failed()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=timezone.now())
    signed_in(client, admin())
    response = client.post(reverse("notifications:retry", args=[message.pk]), follow=True)
    assert "Chỉ gửi lại được" in response.content.decode()


def test_a_citizen_cannot_retry(client: Client) -> None:
    message = failed()
    response = signed_in(client, make_user()).post(reverse("notifications:retry", args=[message.pk]))
    assert response.status_code == 403
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
