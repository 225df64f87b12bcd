"""The OpenID provider's public addresses (outer zone: relying parties and browsers reach them)."""

from django.urls import URLPattern, path

from dinhdanh.federation import views, views_account, views_authorize
from dinhdanh.http.zones import Zone

ZONE = Zone.OUTER
app_name = "federation"

urlpatterns: list[URLPattern] = [
    path(".well-known/openid-configuration", views.discovery, name="discovery"),
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("oauth/authorize", views_authorize.authorize, name="authorize"),
    path("oauth/userinfo", views.userinfo, name="userinfo"),
    path("oauth/token", views.token, name="token"),
    path("oauth/introspect", views.introspect, name="introspect"),
    path("oauth/revoke", views.revoke, name="revoke"),
    path("oauth/par", views.par, name="par"),
    path("oauth/logout", views_account.logout, name="logout"),
    path("me/connected-apps/", views_account.consents, name="consents"),
    path("me/connected-apps/<int:pk>/revoke/", views_account.consent_revoke_view, name="consent_revoke"),
    path("me/connected-apps/default/clear/", views_account.default_clear, name="default_clear"),
]
