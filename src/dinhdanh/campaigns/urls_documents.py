"""Campaign pages: documents (included by ``urls_dashboard``, which gives them the ``campaigns`` namespace)."""

from django.urls import URLPattern, path

from dinhdanh.campaigns import views_documents as views
from dinhdanh.http.zones import Zone

ZONE = Zone.INNER
urlpatterns: list[URLPattern] = [
    path("campaigns/<slug:slug>/documents/", views.documents, name="documents"),
    path("campaigns/<slug:slug>/documents/download/", views.download, name="document_download"),
]
