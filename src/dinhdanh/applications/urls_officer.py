"""Back-office pages of requests (inner zone): the reviewing officer's queue and decisions, in-person
intake, partner verification, and officers' organization pages with lock / unlock.

Included by ``applications.urls`` under ``/applications/`` when the deployment serves the inner zone;
names live in the "applications" namespace.
"""

from django.urls import path

from dinhdanh.applications.views import (
    officer,
    officer_actions,
    officer_intake,
    partner,
)
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER  # the review desk
urlpatterns = [
    path("queue/", officer.queue, name="queue"),
    path("queue/<int:pk>/", officer.review, name="review"),
    path("queue/<int:pk>/<slug:action>/", officer_actions.review_action, name="review_action"),
    path(
        "queue/<int:pk>/verifications/<int:verification_pk>/cancel/",
        officer_actions.verification_cancel,
        name="verification_cancel",
    ),
    path("documents/<int:pk>/", officer_actions.document, name="officer_document"),
    path("intake/", officer_intake.intake, name="intake"),
    path("intake/<int:pk>/", officer_intake.intake_person, name="intake_person"),
    path("verifications/", partner.verifications, name="verifications"),
    path("verifications/<int:pk>/", partner.verification_answer, name="verification_answer"),
]
