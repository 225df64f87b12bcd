"""Pages of the trust services — Power-of-Representation attestations: a member downloads one, anyone checks one, the status lists."""

from django.urls import URLPattern, path, re_path

from dinhdanh.http.zones import Zone
from dinhdanh.trust import views_attestations as views

ZONE = Zone.OUTER
app_name = "attestations"

EID = r"(?P<eid>[0-9]{11})"  # as organizations.urls

urlpatterns: list[URLPattern] = [
    path("trust/attestations/check", views.check, name="check"),
    path("trust/status-lists/<int:pk>", views.status_list, name="status_list"),
    re_path(rf"^trust/attestations/{EID}/$", views.member, name="member"),
    re_path(rf"^trust/attestations/{EID}/issue/$", views.issue, name="issue"),
    re_path(rf"^trust/attestations/{EID}/(?P<pk>[0-9]{{1,12}})/revoke/$", views.revoke, name="revoke"),
]
