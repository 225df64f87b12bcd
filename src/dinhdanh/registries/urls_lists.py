"""Uploads, snapshots and error reports (partner clerks)."""

from django.urls import path

from dinhdanh.http.zones import Zone
from dinhdanh.registries.views import lists, uploads

ZONE = Zone.INNER  # part of registries.urls
urlpatterns = [
    path("", lists.lists, name="lists"),
    path("upload/", uploads.upload, name="upload"),
    path("jobs/<int:pk>/", uploads.job, name="job"),
    path("jobs/<int:pk>/status", uploads.job_status, name="job_status"),
    path("snapshots/<int:pk>/", lists.snapshot, name="snapshot"),
    path("snapshots/<int:pk>/errors.<str:fmt>", lists.error_report, name="error_report"),
    path("records/", lists.records, name="records"),
]
