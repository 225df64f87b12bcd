"""OAuth 2.0 error responses (RFC 6749 §5.2; RFC 6750 §3 for the WWW-Authenticate challenge).

Errors here are for relying parties' software, so their codes are the RFC's and their descriptions
English, short, and never echo what the client sent."""

from __future__ import annotations

from django.http import JsonResponse

__all__ = ["OAuthError", "no_store"]


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400, *, challenge: str = "") -> None:
        super().__init__(error)
        self.error, self.description, self.status, self.challenge = error, description, status, challenge

    def response(self) -> JsonResponse:
        answer = no_store(
            JsonResponse({"error": self.error, "error_description": self.description}, status=self.status)
        )
        if self.challenge:
            answer["WWW-Authenticate"] = self.challenge
        return answer


def no_store(response: JsonResponse) -> JsonResponse:
    """RFC 6749 §5.1: responses with tokens or about them are never cached."""
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response
