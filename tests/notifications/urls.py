"""The site's routes plus the outbox, so these tests do not depend on where the integrator mounts it."""

from django.urls import include, path

from dinhdanh.urls import urlpatterns as base

urlpatterns = [path("outbox/", include("dinhdanh.notifications.urls")), *base]
