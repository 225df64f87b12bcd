"""Who may do what, where: roles × jurisdiction, decided here and nowhere else.

A staff role is held over an administrative unit and everything under it (``RoleAssignment``).
Selectors narrow querysets with :func:`restrict`; services check one object with :func:`require`,
which records every refusal in the audit log. Deny unless a rule allows.

Call :func:`require` before opening the business transaction: a refusal raises, and an audit event
written inside a transaction that then rolls back would be lost.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
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


class Role(models.TextChoices):
    """The base of the apps' role vocabularies. A role's value is what ``RoleAssignment.role`` stores:
    never rename one. Apps declare theirs with :func:`roles` (issue 11.2, decision 0024)."""


class Permission(StrEnum):
    """The base of the apps' permissions, each ``<app>.<what>``; declared with :func:`permissions`."""


_ROLES: dict[str, Role] = {}
_STAFF: set[str] = set()
_PERMISSIONS: dict[str, Permission] = {}
_GRANTS: dict[str, set[Permission]] = {}
_PARTNER_SOURCES: set[str] = set()
_SOURCED_ROLES: set[str] = set()
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_PERMISSION = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
R = TypeVar("R", bound=type[Role])
P = TypeVar("P", bound=type[Permission])


def roles(*, staff: bool) -> Callable[[R], R]:
    """Declare an app's roles. Staff roles are assigned over a territory (``RoleAssignment``); the
    others follow from the account (every signed-in person is a citizen) or from a membership."""

    def register(cls: R) -> R:
        for member in cls:
            value = str(member.value)
            if not _NAME.match(value) or len(value) > 32:
                raise ValueError(f"role {value!r} of {cls.__name__} is not a short lower-case name")
            known = _ROLES.setdefault(value, member)
            if known is not member:
                raise ValueError(f"role {value!r} declared twice")
            if staff:
                _STAFF.add(value)
        return cls

    return register


def permissions(namespace: str) -> Callable[[P], P]:
    """Declare an app's permissions, each ``<namespace>.<what>``."""

    def register(cls: P) -> P:
        for member in cls:
            value = str(member.value)
            if not _PERMISSION.match(value) or value.split(".", 1)[0] != namespace:
                raise ValueError(f"permission {value!r} of {cls.__name__} is not '{namespace}.<what>'")
            known = _PERMISSIONS.setdefault(value, member)
            if known is not member:
                raise ValueError(f"permission {value!r} declared twice")
        return cls

    return register


def grant(role: Role, *held: Permission) -> None:
    """``role`` holds ``held`` (declared by the app that owns the permissions)."""
    if str(role) not in _ROLES or any(str(p) not in _PERMISSIONS for p in held):
        raise ValueError(f"grant of undeclared role or permission: {role!r} {held!r}")
    _GRANTS.setdefault(str(role), set()).update(held)


def role(value: str) -> Role | None:
    """The declared role stored as ``value``, or ``None`` (a role retired from the code grants nothing)."""
    return _ROLES.get(value)


def role_named(value: str) -> Role:
    """The declared role ``value`` names; anything else is refused (a form or command's input)."""
    found = role(value)
    if found is None:
        raise DomainError(CoreError.INVALID_INPUT, field="role")
    return found


def declared_roles() -> tuple[Role, ...]:
    return tuple(_ROLES.values())


def declare_partner_sources(values: Iterable[str], *, role: Role) -> None:
    """The values ``RoleAssignment.partner_source`` may hold, and the role that may hold one (the app
    that owns the sources declares them)."""
    _PARTNER_SOURCES.update(values)
    _SOURCED_ROLES.add(str(role))


def is_partner_source(value: str) -> bool:
    return value in _PARTNER_SOURCES


def takes_partner_source(role: str) -> bool:
    return str(role) in _SOURCED_ROLES


def declared_permissions() -> tuple[Permission, ...]:
    return tuple(_PERMISSIONS.values())


def staff_roles() -> frozenset[str]:
    return frozenset(_STAFF)


def role_label(value: str) -> str:
    found = _ROLES.get(value)
    return str(found.label) if found is not None else value


def grants_of(role: str) -> frozenset[Permission]:
    """What a stored role value holds; nothing for a value no app declares."""
    return frozenset(_GRANTS.get(str(role), ()))


def roles_with(permission: Permission) -> list[str]:
    return sorted(r for r, held in _GRANTS.items() if permission in held)


@roles(staff=False)
class KernelRole(Role):
    # Every signed-in person is a citizen; nobody is assigned this role.
    CITIZEN = "citizen", _("Công dân")


@roles(staff=True)
class AdministratorRole(Role):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


@permissions("core")
class KernelPermission(Permission):
    VIEW_BACK_OFFICE = "core.view_back_office"
    ADMINISTER_SYSTEM = "core.administer_system"
    VIEW_AUDIT_LOG = "core.view_audit_log"


grant(
    AdministratorRole.SYSTEM_ADMIN,
    KernelPermission.VIEW_BACK_OFFICE,
    KernelPermission.ADMINISTER_SYSTEM,
    KernelPermission.VIEW_AUDIT_LOG,
)


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
    held: set[Role] = {KernelRole.CITIZEN}
    for value in active_assignments(user).values_list("role", flat=True):
        if (found := role(value)) is not None:
            held.add(found)
    return held


# Set by ``assignments_read_once``: user pk -> that person's assignments in force, read once in the block.
_READ_ONCE: ContextVar[dict[int, list[RoleAssignment]] | None] = ContextVar("access_read_once", default=None)


@contextmanager
def assignments_read_once() -> Iterator[None]:
    """Inside the block (also a decorator), a person's assignments in force are read from the database
    once, and every :func:`jurisdiction` and :func:`require` answers from that read. A request checks
    access in its selector, again in its service and in the services that one calls, for the same person
    within milliseconds (issue 17.4). For blocks that grant or revoke no role."""
    token = _READ_ONCE.set({})
    try:
        yield
    finally:
        _READ_ONCE.reset(token)


def _assignments(user: User | AnonymousUser) -> list[RoleAssignment]:
    memo = _READ_ONCE.get()
    if memo is None or not user.is_authenticated or not isinstance(user.pk, int):
        return list(active_assignments(user))
    if user.pk not in memo:
        memo[user.pk] = list(active_assignments(user))
    return memo[user.pk]


def jurisdictions(user: User | AnonymousUser, permissions: Iterable[Permission]) -> list[Jurisdiction]:
    """:func:`jurisdiction` of each of ``permissions``, in order, from one read of the assignments."""
    held = _assignments(user)
    return [_jurisdiction_of(held, permission) for permission in permissions]


def jurisdiction(user: User | AnonymousUser, permission: Permission) -> Jurisdiction:
    return _jurisdiction_of(_assignments(user), permission)


def _jurisdiction_of(assignments: Iterable[RoleAssignment], permission: Permission) -> Jurisdiction:
    nationwide, paths = False, set()
    for assignment in assignments:
        if permission not in grants_of(assignment.role):
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
    for value in active_assignments(user).values_list("role", flat=True):
        held |= grants_of(value)
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
