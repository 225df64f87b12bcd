"""RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): a relying party sends the person here
to sign out of the provider too.

* ``id_token_hint`` (§2), when given, must be an ID token this provider signed — expired ones are
  accepted, as §2 allows — and names the client (its ``aud``); a ``client_id`` given too must agree;
* ``post_logout_redirect_uri`` (§3) is used only if it is exactly one the client registered, and the
  client is known (by ``client_id`` or the hint); otherwise the request is refused on our page;
* ``state`` is returned with the redirect. The person is asked to confirm (§2: the provider SHOULD
  ask), so a page elsewhere cannot sign them out behind their back.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict
from joserfc.errors import JoseError

from dinhdanh.federation import keys
from dinhdanh.federation.models import Client
from dinhdanh.federation.protocol.authorize import PageError

__all__ = ["LogoutRequest", "parse_logout"]


@dataclass(frozen=True)
class LogoutRequest:
    client: Client | None
    redirect_uri: str
    state: str

    def as_params(self) -> dict[str, str]:
        return {
            "client_id": self.client.client_id if self.client else "",
            "post_logout_redirect_uri": self.redirect_uri,
            "state": self.state,
        }


def _hinted_client(hint: str) -> str:
    try:
        claims = keys.verify(hint[:8192])
    except (JoseError, ValueError, TypeError) as exc:
        raise PageError("id_token_hint is not an ID token of this provider") from exc
    audience = claims.get("aud")
    if isinstance(audience, list):
        audience = audience[0] if len(audience) == 1 else None
    if not isinstance(audience, str):
        raise PageError("id_token_hint names no single client")
    return audience


def parse_logout(params: QueryDict) -> LogoutRequest:
    hint, client_id = params.get("id_token_hint", ""), params.get("client_id", "")[:64]
    if hint:
        hinted = _hinted_client(hint)
        if client_id and client_id != hinted:
            raise PageError("client_id and id_token_hint name different clients")
        client_id = hinted
    client = Client.objects.filter(client_id=client_id, active=True).first() if client_id else None
    if client_id and client is None:
        raise PageError("unknown or disabled client")
    uri = params.get("post_logout_redirect_uri", "")
    if uri and (client is None or uri not in client.post_logout_redirect_uris):
        raise PageError("post_logout_redirect_uri is not registered for this client")
    return LogoutRequest(client=client, redirect_uri=uri, state=params.get("state", "")[:512])
