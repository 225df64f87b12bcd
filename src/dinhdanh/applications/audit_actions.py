"""Audit action codes of `applications` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("app")
class ApplicationAction(Actions):
    APP_CREATED = "app.created", _("Tạo hồ sơ")
    APP_SUBMITTED = "app.submitted", _("Nộp hồ sơ")
    APP_CHECKED = "app.checked", _("Đối chiếu tự động hồ sơ")
    APP_CONSENT_GIVEN = "app.consent_given", _("Đồng ý của người đại diện khác")
    APP_CONSENT_REFUSED = "app.consent_refused", _("Từ chối của người đại diện khác")
    APP_ASSIGNED = "app.assigned", _("Phân công xử lý hồ sơ")
    APP_VERIFICATION_SENT = "app.verification_sent", _("Gửi yêu cầu xác minh")
    APP_VERIFICATION_ANSWERED = "app.verification_answered", _("Trả lời yêu cầu xác minh")
    APP_VERIFICATION_CANCELLED = "app.verification_cancelled", _("Hủy yêu cầu xác minh")
    APP_SUPPLEMENT_REQUESTED = "app.supplement_requested", _("Yêu cầu bổ sung hồ sơ")
    APP_SUPPLEMENTED = "app.supplemented", _("Bổ sung hồ sơ")
    APP_APPROVED = "app.approved", _("Duyệt hồ sơ")
    APP_FIRST_APPROVAL = "app.first_approval", _("Duyệt lần thứ nhất, chờ cán bộ thứ hai (bốn mắt)")
    APP_REJECTED = "app.rejected", _("Từ chối hồ sơ")
    APP_WITHDRAWN = "app.withdrawn", _("Rút hồ sơ")
    APP_DOCUMENT_ADDED = "app.document_added", _("Thêm tài liệu vào hồ sơ")
    APP_DOCUMENT_VIEWED = "app.document_viewed", _("Xem tài liệu hồ sơ")
