"""What applications shows on organization pages (``organizations.panels``): a person's requests and
the consents waiting for them on the hub, an organization's requests on its own tab."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dinhdanh.applications import selectors
from dinhdanh.organizations.panels import contribute_to_hub, contribute_to_organization

if TYPE_CHECKING:
    from dinhdanh.organizations.models import Organization
    from dinhdanh.people.models import User

HUB_REQUESTS = 50
ORGANIZATION_REQUESTS = 100


@contribute_to_hub
def requests_and_consents(user: User) -> dict[str, Any]:
    return {
        "requests": selectors.applications_of_applicant(user).select_related("organization")[:HUB_REQUESTS],
        "consents": selectors.consents_waiting_for(user).select_related("application"),
    }


@contribute_to_organization
def organization_requests(organization: Organization) -> dict[str, Any]:
    return {
        "requests": selectors.applications_of_organization(organization).select_related("applicant")[
            :ORGANIZATION_REQUESTS
        ],
        # Where an officer opens one (the organizations app names no page of this one).
        "request_review_url": "applications:review",
    }
