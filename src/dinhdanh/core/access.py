"""Who may do what, where: roles × jurisdiction, decided here and nowhere else.

A staff role is held over an administrative unit and everything under it (``RoleAssignment``).
Selectors narrow querysets with :func:`restrict`; services check one object with :func:`require`,
which records every refusal in the audit log. Deny unless a rule allows.

Call :func:`require` before opening the business transaction: a refusal raises, and an audit event
written inside a transaction that then rolls back would be lost.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dinhdanh.core import audit
from dinhdanh.core.audit_actions import KernelAction
from dinhdanh.core.errors import CoreError, DomainError
from dinhdanh.core.models import RoleAssignment

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from dinhdanh.geo.models import AdministrativeUnit
    from dinhdanh.people.models import User


class Role(StrEnum):
    CITIZEN = "citizen"
    ORG_ADMIN = "org_admin"
    INTAKE_OFFICER = "intake_officer"
    REVIEWING_OFFICER = "reviewing_officer"
    PARTNER_CLERK = "partner_clerk"
    CAMPAIGN_MANAGER = "campaign_manager"
    SYSTEM_ADMIN = "system_admin"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.CITIZEN: _("Công dân"),
    Role.ORG_ADMIN: _("Quản trị tổ chức"),
    Role.INTAKE_OFFICER: _("Cán bộ tiếp nhận"),
    Role.REVIEWING_OFFICER: _("Cán bộ thẩm định"),
    Role.PARTNER_CLERK: _("Cán bộ cơ quan phối hợp"),
    Role.CAMPAIGN_MANAGER: _("Quản lý kế hoạch triển khai"),
    Role.SYSTEM_ADMIN: _("Quản trị hệ thống"),
}

# Citizens and organization administrators are not assigned: every signed-in person is a citizen,
# and organization administration follows membership of an organization, not a territory.
STAFF_ROLES = frozenset(Role) - {Role.CITIZEN, Role.ORG_ADMIN}


class Permission(StrEnum):
    VIEW_BACK_OFFICE = "view_back_office"
    INTAKE_APPLICATION = "intake_application"
    REVIEW_APPLICATION = "review_application"
    ANSWER_VERIFICATION = "answer_verification"
    IMPORT_REGISTRY = "import_registry"
    VIEW_REGISTRY = "view_registry"
    MANAGE_CAMPAIGN = "manage_campaign"
    VIEW_CAMPAIGN = "view_campaign"
    VIEW_AUDIT_LOG = "view_audit_log"
    VERIFY_PERSON = "verify_person"  # level-1 review, level-2 in person (any residence: Decree 69 Art. 10)
    LOCK_PERSON = "lock_person"  # lock or unlock a personal account on an authority's request
    ADMINISTER_SYSTEM = "administer_system"


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.CITIZEN: frozenset(),
    Role.ORG_ADMIN: frozenset(),
    Role.INTAKE_OFFICER: frozenset(
        {Permission.VIEW_BACK_OFFICE, Permission.INTAKE_APPLICATION, Permission.VERIFY_PERSON}
    ),
    Role.REVIEWING_OFFICER: frozenset(
        {
            Permission.VIEW_BACK_OFFICE,
            Permission.REVIEW_APPLICATION,
            Permission.ANSWER_VERIFICATION,
            Permission.VIEW_REGISTRY,
            Permission.VERIFY_PERSON,
            Permission.LOCK_PERSON,
        }
    ),
    Role.PARTNER_CLERK: frozenset(
        {
            Permission.VIEW_BACK_OFFICE,
            Permission.IMPORT_REGISTRY,
            Permission.VIEW_REGISTRY,
            Permission.ANSWER_VERIFICATION,
        }
    ),
    Role.CAMPAIGN_MANAGER: frozenset(
        {
            Permission.VIEW_BACK_OFFICE,
            Permission.MANAGE_CAMPAIGN,
            Permission.VIEW_CAMPAIGN,
            Permission.VIEW_REGISTRY,
        }
    ),
    Role.SYSTEM_ADMIN: frozenset(
        {Permission.VIEW_BACK_OFFICE, Permission.ADMINISTER_SYSTEM, Permission.VIEW_AUDIT_LOG}
    ),
}


@dataclass(frozen=True)
class Jurisdiction:
    """The territory where a person may use a permission. ``nationwide`` overrides ``paths``."""

    nationwide: bool
    paths: tuple[str, ...]

    @property
    def empty(self) -> bool:
        return not self.nationwide and not self.paths

    def covers(self, unit: AdministrativeUnit | None) -> bool:
        if self.nationwide:
            return True
        if unit is None:
            return False
        return any(unit.path.startswith(p) for p in self.paths)

    def q(self, path_field: str) -> Q:
        """A filter on ``path_field`` (e.g. ``"head_office__path"``); matches nothing when empty."""
        if self.nationwide:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        condition = Q()
        for path in self.paths:
            condition |= Q(**{f"{path_field}__startswith": path})
        return condition


NOWHERE = Jurisdiction(nationwide=False, paths=())


def in_force(now: datetime) -> Q:
    """Assignments neither revoked nor expired at ``now``: the one definition grants and checks share."""
    return Q(revoked_at__isnull=True) & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))


def active_assignments(user: User | AnonymousUser) -> QuerySet[RoleAssignment]:
    if not user.is_authenticated or not user.is_active:
        return RoleAssignment.objects.none()
    return RoleAssignment.objects.filter(in_force(timezone.now()), user_id=user.pk).select_related("unit")


def roles_of(user: User | AnonymousUser) -> set[Role]:
    if not user.is_authenticated or not user.is_active:
        return set()
    roles = {Role.CITIZEN}
    roles.update(Role(r) for r in active_assignments(user).values_list("role", flat=True) if r in Role)
    return roles


def jurisdiction(user: User | AnonymousUser, permission: Permission) -> Jurisdiction:
    nationwide, paths = False, set()
    for assignment in active_assignments(user):
        if assignment.role not in Role or permission not in GRANTS[Role(assignment.role)]:
            continue
        if assignment.unit is None:
            nationwide = True
        else:
            paths.add(assignment.unit.path)
    # Drop paths already covered by a wider one, so filters stay short.
    minimal = tuple(sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths)))
    return Jurisdiction(nationwide=nationwide, paths=() if nationwide else minimal)


def permissions_of(user: User | AnonymousUser) -> set[Permission]:
    """Every permission held anywhere, from one query: what the menu needs."""
    held: set[Permission] = set()
    for role in active_assignments(user).values_list("role", flat=True):
        if role in Role:
            held |= GRANTS[Role(role)]
    return held


def has_permission(user: User | AnonymousUser, permission: Permission) -> bool:
    return not jurisdiction(user, permission).empty


def restrict[M: Model](
    qs: QuerySet[M], user: User | AnonymousUser, permission: Permission, *, path_field: str
) -> QuerySet[M]:
    return qs.filter(jurisdiction(user, permission).q(path_field))


def require(
    user: User | AnonymousUser,
    permission: Permission,
    *,
    unit: AdministrativeUnit | None = None,
    obj: Model | None = None,
    any_unit: bool = False,
) -> None:
    """Raise unless ``user`` holds ``permission`` over ``unit`` (or anywhere, with ``any_unit``).

    A refusal is audited with the permission and the object, never with personal data.
    """
    scope = jurisdiction(user, permission)
    if not scope.empty and (any_unit or scope.covers(unit)):
        return
    error = CoreError.PERMISSION_DENIED if scope.empty else CoreError.OUT_OF_JURISDICTION
    details: dict[str, Any] = {"permission": str(permission), "reason": error.code}
    if unit is not None:
        details["unit"] = unit.path
    actor = user if user.is_authenticated else None
    audit.record(
        KernelAction.ACCESS_DENIED,
        actor=actor,
        obj=obj,
        after=details,
    )
    raise DomainError(error)
