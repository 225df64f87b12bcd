"""What needs the signed-in person now (issue 15.5): the home page's to-do list, per role.

An applicant: a supplement asked on their request, a consent asked of them as a co-representative, a
right to act for an organization that ends within ``EXPIRING_DAYS``. An officer: their queue and what is
overdue in it. A partner clerk: verification requests to answer. Campaign staff: the plans. A task whose
page this zone does not serve is left out. A bounded number of queries, whatever the data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from dinhdanh.applications import selectors as applications
from dinhdanh.applications.models import Status, VerificationStatus
from dinhdanh.applications.permissions import ApplicationPermission
from dinhdanh.campaigns.permissions import CampaignPermission
from dinhdanh.core.access import permissions_of
from dinhdanh.organizations import selectors as organizations

if TYPE_CHECKING:
    from dinhdanh.people.models import User

EXPIRING_DAYS = 30
SHOWN = 10  # per kind: the page lists what to do next, not everything


@dataclass(frozen=True)
class Task:
    text: str
    url: str
    due: datetime | None = None


def _url(name: str, **kwargs: Any) -> str | None:
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:  # the page lives in the other zone
        return None


def _applicant(user: User, now: datetime) -> list[tuple[str, str | None, datetime | None]]:
    found: list[tuple[str, str | None, datetime | None]] = []
    for app in applications.applications_of_applicant(user).filter(status=Status.NEEDS_SUPPLEMENT)[:SHOWN]:
        text = _("Bổ sung hồ sơ %(number)s (%(name)s) theo yêu cầu của cơ quan công an.")
        found.append(
            (text % {"number": app.number, "name": app.name}, _url("applications:detail", pk=app.pk), None)
        )
    for consent in applications.consents_waiting_for(user)[:SHOWN]:
        app = consent.application
        text = _("Cho biết bạn có đồng ý với hồ sơ %(number)s (%(name)s) do %(applicant)s nộp không.")
        params = {"number": app.number, "name": app.name, "applicant": app.applicant.full_name}
        found.append((text % params, _url("applications:consent", pk=app.pk), None))
    soon = now + timedelta(days=EXPIRING_DAYS)
    ending = organizations.memberships_ending(user, before=soon, now=now)[:SHOWN]
    for membership in ending:
        text = _("Quyền thay mặt %(organization)s sắp hết hạn; đề nghị người đại diện gia hạn nếu cần.")
        found.append(
            (
                text % {"organization": membership.organization.name},
                _url("organizations:hub"),
                membership.valid_until,
            )
        )
    return found


def _staff(user: User, now: datetime) -> list[tuple[str, str | None, datetime | None]]:
    held = permissions_of(user)
    found: list[tuple[str, str | None, datetime | None]] = []
    if held & {ApplicationPermission.REVIEW_APPLICATION, ApplicationPermission.INTAKE_APPLICATION}:
        queue = applications.officer_queue(user).order_by()
        waiting, overdue = queue.count(), queue.filter(due_at__lt=now).count()
        if waiting:
            text = ngettext(
                "%(n)s hồ sơ đang chờ xử lý, %(overdue)s quá hạn.",
                "%(n)s hồ sơ đang chờ xử lý, %(overdue)s quá hạn.",
                waiting,
            ) % {"n": waiting, "overdue": overdue}
            found.append((text, _url("applications:queue"), None))
    if ApplicationPermission.ANSWER_VERIFICATION in held:
        asked = (
            applications.verifications_for_partner(user).filter(status=VerificationStatus.OPEN).order_by().count()
        )
        if asked:
            text = ngettext(
                "%(n)s yêu cầu xác minh đang chờ bạn trả lời.",
                "%(n)s yêu cầu xác minh đang chờ bạn trả lời.",
                asked,
            ) % {"n": asked}
            found.append((text, _url("applications:verifications"), None))
    if CampaignPermission.VIEW_PLAN in held:
        found.append((_("Theo dõi và báo cáo kế hoạch triển khai."), _url("campaigns:plans"), None))
    return found


def tasks_for(user: User) -> list[Task]:
    now = timezone.now()
    rows = _applicant(user, now) + _staff(user, now)
    return [Task(text, url, due) for text, url, due in rows if url is not None]
