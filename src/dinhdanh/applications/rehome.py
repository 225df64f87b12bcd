"""When a commune is merged or split, the open requests of that commune move with its territory
(``geo.reform``): the head office, and the unit they are routed to with its path (a nationwide
route, ``unit_path=""``, stays nationwide); open verification questions put to that commune's
police go to the unit that took it. Closed requests keep the unit they were decided in. Registered
in ``ApplicationsConfig.ready()``; runs in the reform's transaction."""

from __future__ import annotations

from django.db.models import Q

from dinhdanh.applications.models import OPEN_STATUSES, Application, VerificationRequest, VerificationStatus
from dinhdanh.geo.reform import Item, Rehoming, register_rehomer

KIND = "applications.application"
VERIFICATION = "applications.verificationrequest"


def rehome_applications(plan: Rehoming) -> int:
    retired = set(plan.retired_ids)
    open_here = Application.objects.select_for_update().filter(
        Q(head_office_id__in=retired) | Q(unit_id__in=retired), status__in=list(OPEN_STATUSES)
    )
    moved = 0
    rows = open_here.order_by("pk").values_list("pk", "head_office_id", "unit_id", "unit_path")
    for pk, head_office_id, unit_id, unit_path in rows:
        target = plan.target(Item(KIND, pk, head_office_id if head_office_id in retired else unit_id))
        changes: dict[str, object] = {}
        if head_office_id in retired:
            changes["head_office"] = target
        if unit_id in retired:
            changes.update(unit=target, unit_path=target.path if unit_path else "")
        # A queryset update: the status is the state machine's, and this changes only where the request lives.
        Application.objects.filter(pk=pk).update(**changes)
        moved += 1
    asked = VerificationRequest.objects.select_for_update().filter(
        unit_id__in=retired, status=VerificationStatus.OPEN
    )
    for question in asked.order_by("pk").only("pk", "unit_id"):
        question.unit = plan.target(Item(VERIFICATION, question.pk, question.unit_id or 0))
        question.save(update_fields=["unit"])
        moved += 1
    return moved


register_rehomer("applications", rehome_applications)
