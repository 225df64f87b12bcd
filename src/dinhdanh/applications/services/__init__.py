"""Every write to a request (the contract in briefs/contracts.md, "applications"). Each service checks
access before its transaction (a refusal is audited), then locks the request, applies one legal
transition with its ``StatusChange`` row and audit event, and notifies on commit."""

from __future__ import annotations

from dinhdanh.applications.services.drafts import (
    application_add_document,
    application_start,
    application_update_draft,
)
from dinhdanh.applications.services.flow import (
    application_consent,
    application_submit,
    application_supplement,
    application_withdraw,
)
from dinhdanh.applications.services.review import (
    application_approve,
    application_ask_supplement,
    application_assign,
    application_recheck,
    application_reject,
    failed_checks,
)
from dinhdanh.applications.services.verifications import (
    verification_answer,
    verification_ask,
    verification_cancel,
)

__all__ = [
    "application_add_document",
    "application_approve",
    "application_ask_supplement",
    "application_assign",
    "application_consent",
    "application_recheck",
    "application_reject",
    "application_start",
    "application_submit",
    "application_supplement",
    "application_update_draft",
    "application_withdraw",
    "failed_checks",
    "verification_answer",
    "verification_ask",
    "verification_cancel",
]
