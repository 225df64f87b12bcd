"""A person's own notifications (issue 15.5): every signed-in person has them, citizen or officer."""

from django.urls import path

from dinhdanh.http.zones import Zone
from dinhdanh.notifications import views_inbox

ZONE = Zone.BOTH
app_name = "inbox"

urlpatterns = [
    path("", views_inbox.inbox, name="list"),
    path("read/", views_inbox.mark_read, name="read"),
]
