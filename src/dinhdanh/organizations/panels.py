"""What organization pages show from the apps above organizations (issue 11.1).

The hub lists a person's requests and the consents waiting for them, and an organization's pages
list its requests: data of ``applications``, which organizations may not import. That app
contributes the context instead, from its ``AppConfig.ready()``; the pages merge what is contributed
(nothing, when no app contributes: the lists are then empty).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dinhdanh.organizations.models import Organization
    from dinhdanh.people.models import User

__all__ = ["contribute_to_hub", "contribute_to_organization", "hub_context", "organization_context"]

HubPanel = Callable[["User"], dict[str, Any]]
OrganizationPanel = Callable[["Organization"], dict[str, Any]]
_HUB: list[HubPanel] = []
_ORGANIZATION: list[OrganizationPanel] = []


def contribute_to_hub(panel: HubPanel) -> HubPanel:
    if panel not in _HUB:
        _HUB.append(panel)
    return panel


def contribute_to_organization(panel: OrganizationPanel) -> OrganizationPanel:
    if panel not in _ORGANIZATION:
        _ORGANIZATION.append(panel)
    return panel


def hub_context(user: User) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in _HUB:
        context.update(panel(user))
    return context


def organization_context(organization: Organization) -> dict[str, Any]:
    context: dict[str, Any] = {}
    for panel in _ORGANIZATION:
        context.update(panel(organization))
    return context
