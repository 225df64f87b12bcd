"""The module lists of two OpenID Foundation conformance-suite plans, and which of their modules apply to
dinhdanh (issue 12 point 7).

Source: https://github.com/openid-certification/conformance-suite, read at these versions:

* ``fapi2-security-profile-final-test-plan`` — ``fapi2spfinal/FAPI2SPFinalTestPlan.java`` (0aa99304) is
  ``FAPI2MessageSigningFinalTestPlan.testModules`` (009896792b) minus the 18 modules that need signed
  request objects, run with the variants ``fapi_request_method=unsigned`` and ``plain_response``. Ours:
  ``fapi_profile=plain_fapi``, ``client_auth_type=private_key_jwt``, ``sender_constrain=dpop``,
  ``openid=openid_connect``, ``authorization_request_type=simple``, ``grant_management=disabled``.
* ``oidcc-basic-certification-test-plan`` — ``openid/OIDCCBasicTestPlan.java`` (25a83b8b), with
  ``response_type=code``, ``client_registration=static_client`` (no dynamic registration here).

Each ID is the ``testName`` of the module's ``@PublishTestModule``. A module is either tested — by
``test_<ID with every run of non-alphanumerics as _>`` in ``fapi2/test_*.py`` or
``test_oidcc_basic.py`` — or listed in ``NOT_APPLICABLE`` with the reason; ``test_plan_coverage.py``
holds both lists to that.
"""

from __future__ import annotations

import re

__all__ = ["FAPI2_SECURITY_PROFILE", "NOT_APPLICABLE", "OIDCC_BASIC", "PLANS", "function_for"]

_F = "fapi2-security-profile-final-"

FAPI2_SECURITY_PROFILE: tuple[str, ...] = tuple(
    _F + suffix
    for suffix in (
        # Normal well behaved client cases
        "discovery-end-point-verification",
        "happy-flow",
        "user-rejects-authentication",
        "ensure-authorization-request-without-state-success",
        "ensure-authorization-request-without-nonce-success",
        "ensure-authorization-request-with-64-char-nonce-success",
        "ensure-other-scope-order-succeeds",
        "test-claims-parameter-identity-claims",
        "access-token-type-header-case-sensitivity",
        # DPoP
        "check-dpop-proof-nbf-exp",
        "ensure-dpopproof-with-iat-10seconds-before-succeeds",
        "ensure-dpopproof-with-iat-10seconds-after-succeeds",
        # DPoP authorization code binding
        "ensure-mismatched-dpop-jkt-fails",
        "ensure-token-endpoint-fails-with-mismatched-dpop-proof-jkt",
        "ensure-token-endpoint-fails-with-mismatched-dpop-jkt",
        "ensure-dpopproof-at-par-endpoint-binding-success",
        "ensure-dpop-auth-code-binding-success",
        # Possible failure cases
        "ensure-different-nonce-inside-and-outside-request-object",
        "ensure-different-state-inside-and-outside-request-object",
        "ensure-authorization-request-with-long-nonce",
        "ensure-authorization-request-with-long-state",
        # Request objects (the unsigned ones that stay in this plan)
        "state-only-outside-request-object-not-used",
        "ensure-request-object-without-redirect-uri-fails",
        # Authorization request
        "ensure-registered-redirect-uri",
        "plain-fapi-tolerate-unregistered-redirect-uri",
        "ensure-unsigned-authorization-request-without-using-par-fails",
        "ensure-redirect-uri-in-authorization-request",
        "ensure-response-type-code-idtoken-fails",
        "australia-connectid-ensure-invalid-purpose-fails",
        "ensure-response-type-token-fails",
        # Token endpoint
        "ensure-client-id-in-token-endpoint",
        "ensure-holder-of-key-required",
        "ensure-authorization-code-is-bound-to-client",
        "attempt-reuse-authorization-code-after-one-second",
        "ensure-token-endpoint-fails-with-expired-auth-code",
        # private_key_jwt
        "ensure-signed-client-assertion-with-RS256-fails",
        "ensure-client-assertion-in-token-endpoint",
        "ensure-client-assertion-with-exp-is-5-minutes-in-past-fails",
        "ensure-client-assertion-with-wrong-aud-fails",
        "ensure-client-assertion-with-no-sub-fails",
        "dpop-negative-tests",
        # Refresh tokens
        "refresh-token",
        "cdr-sharing-duration-zero",
        "cdr-negative-sharing-duration",
        "cdr-refresh-token-introspection-expiry",
        "cdr-arrangement-amendment",
        "cdr-unrecognised-arrangement-id",
        # Ecosystem profiles
        "brazil-ensure-bad-payment-signature-fails",
        "australia-connectid-test-claims-parameter-idtoken-identity-claims",
        # PAR
        "par-ensure-reused-request-uri-prior-to-auth-completion-succeeds",
        "par-attempt-reuse-request_uri",
        "par-attempt-to-use-expired-request_uri",
        "par-ensure-jwt-client-assertions-nbf-8-seconds-in-the-future-is-accepted",
        "par-ensure-jwt-client-assertions-nbf-over-60-seconds-in-the-future-fails",
        "par-attempt-to-use-request_uri-for-different-client",
        "par-authorization-request-containing-request_uri-form-param",
        "par-attempt-invalid-http-method",
        # PKCE
        "par-ensure-pkce-required",
        "ensure-pkce-code-verifier-required",
        "incorrect-pkce-code-verifier-rejected",
        "par-plain-pkce-rejected",
        "par-without-duplicate-parameters",
        # private_key_jwt audiences at the PAR endpoint
        "par-test-array-as-audience-fails",
        "par-test-par-endpoint-url-as-audience-fails",
        "par-test-token-endpoint-url-as-audience-fails",
        # Grant management
        "grant-management-happy-flow",
        "grant-management-merge",
        "grant-management-replace",
        "grant-management-ensure-invalid-grant-id-fails",
        "grant-management-ensure-query-nonexistent-grant-fails",
        "grant-management-ensure-query-after-revoke-fails",
        "grant-management-ensure-wrong-client-cannot-query-grant",
        "grant-management-ensure-wrong-client-cannot-revoke-grant",
    )
)

OIDCC_BASIC: tuple[str, ...] = (
    "oidcc-server",
    "oidcc-response-type-missing",
    "oidcc-idtoken-signature",
    "oidcc-idtoken-unsigned",
    "oidcc-userinfo-get",
    "oidcc-userinfo-post-header",
    "oidcc-userinfo-post-body",
    "oidcc-ensure-request-without-nonce-succeeds-for-code-flow",
    "oidcc-scope-profile",
    "oidcc-scope-email",
    "oidcc-scope-address",
    "oidcc-scope-phone",
    "oidcc-scope-all",
    "oidcc-ensure-other-scope-order-succeeds",
    "oidcc-display-page",
    "oidcc-display-popup",
    "oidcc-prompt-login",
    "oidcc-prompt-none-not-logged-in",
    "oidcc-prompt-none-logged-in",
    "oidcc-max-age-1",
    "oidcc-max-age-10000",
    "oidcc-ensure-request-with-unknown-parameter-succeeds",
    "oidcc-id-token-hint",
    "oidcc-login-hint",
    "oidcc-ui-locales",
    "oidcc-claims-locales",
    "oidcc-ensure-request-with-acr-values-succeeds",
    "oidcc-codereuse",
    "oidcc-codereuse-30seconds",
    "oidcc-ensure-registered-redirect-uri",
    "oidcc-ensure-post-request-succeeds",
    "oidcc-server-client-secret-post",
    "oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported",
    "oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported",
    "oidcc-claims-essential",
    "oidcc-ensure-request-object-with-redirect-uri",
    "oidcc-refresh-token",
    "oidcc-ensure-request-with-valid-pkce-succeeds",
)

PLANS: dict[str, tuple[str, ...]] = {
    "fapi2-security-profile-final-test-plan": FAPI2_SECURITY_PROFILE,
    "oidcc-basic-certification-test-plan": OIDCC_BASIC,
}

_CDR = "Australian Consumer Data Right profile (consumerdataright_au): sharing durations and arrangements"
_GM = "Grant Management for OAuth 2.0 (grant_management=enabled): no grant_id, no grant management endpoint"

NOT_APPLICABLE: dict[str, str] = {
    # --- FAPI 2.0 Security Profile -------------------------------------------------------------------------
    _F + "test-claims-parameter-identity-claims": (
        "the claims request parameter (OIDC Core §5.5) is not offered; discovery says "
        "claims_parameter_supported=false, for which the module is skipped"
    ),
    _F
    + "australia-connectid-ensure-invalid-purpose-fails": "ConnectID (connectid_au) profile only: the purpose parameter",
    _F + "cdr-sharing-duration-zero": _CDR,
    _F + "cdr-negative-sharing-duration": _CDR,
    _F + "cdr-refresh-token-introspection-expiry": _CDR,
    _F + "cdr-arrangement-amendment": _CDR,
    _F + "cdr-unrecognised-arrangement-id": _CDR,
    _F + "brazil-ensure-bad-payment-signature-fails": "Open Finance Brasil (openbanking_brazil) payments API only",
    _F + "australia-connectid-test-claims-parameter-idtoken-identity-claims": (
        "ConnectID (connectid_au) profile only, and it needs the claims request parameter"
    ),
    _F + "grant-management-happy-flow": _GM,
    _F + "grant-management-merge": _GM,
    _F + "grant-management-replace": _GM,
    _F + "grant-management-ensure-invalid-grant-id-fails": _GM,
    _F + "grant-management-ensure-query-nonexistent-grant-fails": _GM,
    _F + "grant-management-ensure-query-after-revoke-fails": _GM,
    _F + "grant-management-ensure-wrong-client-cannot-query-grant": _GM,
    _F + "grant-management-ensure-wrong-client-cannot-revoke-grant": _GM,
    # --- OpenID Connect Basic OP -----------------------------------------------------------------------------
    "oidcc-idtoken-signature": (
        "runs with client_registration=dynamic_client only (@VariantNotApplicable static_client); it also "
        "expects RS256 by default, which is not issued (FAPI 2.0 §5.4: PS256, ES256, EdDSA only)"
    ),
    "oidcc-idtoken-unsigned": (
        "dynamic_client only, and alg none is never issued (not in id_token_signing_alg_values_supported)"
    ),
    "oidcc-scope-address": "the address scope and claim are not offered (not in scopes_supported): the suite skips",
    "oidcc-scope-all": (
        "asks for address too, which is not offered (not in scopes_supported): the suite skips; profile, "
        "email and phone are each tested by their own module"
    ),
    "oidcc-server-client-secret-post": (
        "client_secret_post is not offered (token_endpoint_auth_methods_supported: client_secret_basic, "
        "private_key_jwt, none); a Basic OP certification would need it (docs/federation.md)"
    ),
    "oidcc-request-uri-unsigned-supported-correctly-or-rejected-as-unsupported": (
        "dynamic_client only (@VariantNotApplicable static_client); request_uri is accepted only as a "
        "pushed-request reference (RFC 9126), request_uri_parameter_supported=false"
    ),
    "oidcc-ensure-request-object-with-redirect-uri": (
        "checks that a request object's redirect_uri takes precedence; request objects (JAR) are not "
        "offered (request_parameter_supported=false) and refused with request_not_supported, which "
        "oidcc-unsigned-request-object-supported-correctly-or-rejected-as-unsupported tests"
    ),
}


def function_for(module_id: str) -> str:
    """The test function of a module: ``test_`` and the ID, lower case, runs of other characters as ``_``."""
    return "test_" + re.sub(r"[^a-z0-9]+", "_", module_id.lower()).strip("_")
