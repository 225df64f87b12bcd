"""The domain events of federation (decision 0020, 0037), registered when the app is ready.

``federation.consent_revoked`` is what a relying party is told about (issue 13.4: the push notice that
a consent, and the tokens under it, ended); ``federation.signed_in_as`` is the organization's own
durable record of who signed in where in its name (issue 13.6) — codes and tokens are pruned a day
after they expire, this is not."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.events import register

# payload {"client_id", "consent_id", "by": "person" | "organization"}; organization None when the
# person consented as themselves.
CONSENT_REVOKED = register("federation.consent_revoked", _("Rút lại sự đồng ý với bên sử dụng"))
# payload {"client_id", "acr"}: one per authorization code issued for a person acting for an organization.
SIGNED_IN_AS = register("federation.signed_in_as", _("Đăng nhập vào ứng dụng với tư cách tổ chức"))
