"""Refusals of reconciliation: bad filters, exclusions that cannot be set or lifted, baselines."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode

__all__ = ["ReconcileError"]


class ReconcileError(ErrorCode):
    UNKNOWN_CATEGORY = (
        "reconcile.unknown_category",
        _("Loại tổ chức «{value}» không tồn tại (enterprise, cooperative, tax_agency, other)."),
        400,
    )
    UNKNOWN_KIND = ("reconcile.unknown_kind", _("Loại sai lệch «{value}» không tồn tại."), 400)
    BAD_UNIT = (
        "reconcile.bad_unit",
        _("Mã đơn vị «{value}» không hợp lệ: nhập mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số) hiện hành."),
        400,
    )
    BAD_PAGE = ("reconcile.bad_page", _("Số trang «{value}» không hợp lệ."), 400)
    BAD_DATE = ("reconcile.bad_date", _("Ngày «{value}» không hợp lệ; dùng dạng YYYY-MM-DD."), 400)
    FUTURE_DATE = ("reconcile.future_date", _("Không chốt số liệu nền cho ngày trong tương lai ({value})."), 400)
    UNKNOWN_REASON = ("reconcile.unknown_reason", _("Lý do loại «{value}» không tồn tại."), 400)
    NOTE_REQUIRED = ("reconcile.note_required", _("Lý do khác: hãy ghi rõ lý do trong phần ghi chú."), 400)
    RECORD_GONE = (
        "reconcile.record_gone",
        _("Tổ chức này không còn trong danh sách tham chiếu mới nhất; không cần loại."),
        409,
    )
    ALREADY_EXCLUDED = (
        "reconcile.already_excluded",
        _("Tổ chức này đã được loại khỏi chỉ tiêu (từ {since}); hãy bỏ loại trước khi ghi lý do mới."),
        409,
    )
    BAD_OUTPUT = (
        "reconcile.bad_output",
        _("Không ghi được tệp {path}: thư mục không tồn tại hoặc không có quyền ghi."),
        400,
    )
    ALREADY_LIFTED = ("reconcile.already_lifted", _("Việc loại này đã được bỏ trước đó."), 409)
