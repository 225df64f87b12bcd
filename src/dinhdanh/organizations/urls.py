"""Pages of organizations for applicants and members (outer zone); the officers' organization pages
are in ``organizations.urls_officer`` (inner)."""

from django.urls import URLPattern, path, re_path

from dinhdanh.http.zones import Zone
from dinhdanh.organizations.views import hub, member

ZONE = Zone.OUTER  # applicants and members
app_name = "organizations"

# An organization number is 11 digits (organizations.numbers); the pattern keeps /organizations/register/
# and the other fixed addresses apart from it.
EID = r"(?P<eid>[0-9]{11})"

urlpatterns: list[URLPattern] = [
    path("organizations/", hub.hub, name="hub"),
    path("organizations/switch/", hub.switch, name="switch"),
    re_path(rf"^organizations/{EID}/claim/$", hub.claim, name="claim"),
    re_path(rf"^organizations/{EID}/$", member.profile, name="profile"),
    re_path(rf"^organizations/{EID}/members/$", member.members, name="members"),
    re_path(rf"^organizations/{EID}/members/grant/$", member.member_grant, name="member_grant"),
    re_path(
        rf"^organizations/{EID}/members/grant/confirm/$", member.member_grant_confirm, name="member_grant_confirm"
    ),
    re_path(
        rf"^organizations/{EID}/members/(?P<pk>[0-9]{{1,12}})/revoke/$",
        member.member_revoke,
        name="member_revoke",
    ),
    re_path(rf"^organizations/{EID}/requests/$", member.org_requests, name="requests"),
    re_path(rf"^organizations/{EID}/history/$", member.history, name="history"),
]
