from django.urls import path

from dinhdanh.http.zones import Zone
from dinhdanh.web import metrics

ZONE = Zone.INNER  # figures of the back office: never on the Internet-facing zone
app_name = "ops"

urlpatterns = [path("metrics", metrics.metrics, name="metrics")]
