"""When a commune is merged or split, an organization seated there moves with its territory
(``geo.reform``): its head office and the path its jurisdiction filters read. Registered in
``OrganizationsConfig.ready()``; runs in the reform's transaction. The organization's history and
events keep the unit as it was."""

from __future__ import annotations

from collections import defaultdict

from dinhdanh.geo.models import AdministrativeUnit
from dinhdanh.geo.reform import Item, Rehoming, register_rehomer
from dinhdanh.organizations.models import Organization

KIND = "organizations.organization"


def rehome_organizations(plan: Rehoming) -> int:
    seated = Organization.objects.select_for_update().filter(head_office_id__in=plan.retired_ids)
    moving: dict[int, list[int]] = defaultdict(list)
    targets: dict[int, AdministrativeUnit] = {}
    for pk, office_id in seated.order_by("pk").values_list("pk", "head_office_id"):
        target = plan.target(Item(KIND, pk, office_id))
        targets[target.pk] = target
        moving[target.pk].append(pk)
    for target_id, pks in moving.items():
        target = targets[target_id]
        Organization.objects.filter(pk__in=pks).update(head_office=target, head_office_path=target.path)
    return sum(len(pks) for pks in moving.values())


register_rehomer("organizations", rehome_organizations)
