"""Refusals of the official documents: a header field that is not right (named by its field), a phase
the plan does not have, and the office suite that converts to PDF being absent or failing."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode


class DocumentError(ErrorCode):
    EMPTY = ("campaigns.document.empty", _("{label}: không được để trống."), 400)
    TOO_LONG = ("campaigns.document.too_long", _("{label}: dài quá {limit} ký tự (đang có {length})."), 400)
    CONTROL_CHARACTERS = (
        "campaigns.document.control_characters",
        _("{label}: chứa ký tự điều khiển hoặc ký tự không in được (đảo chiều văn bản, chưa định nghĩa)."),
        400,
    )
    BAD_SYMBOL = (
        "campaigns.document.bad_symbol",
        _("{label}: ký hiệu báo cáo bắt đầu bằng BC-, tiếp theo là chữ viết tắt của cơ quan (ví dụ BC-CAT)."),
        400,
    )
    BAD_NUMBER = (
        "campaigns.document.bad_number",
        _("{label}: chỉ gồm chữ số (tối đa 6), hoặc để trống để văn thư ghi số."),
        400,
    )
    BAD_DATE = (
        "campaigns.document.bad_date",
        _("{label}: ngày không hợp lệ; hãy nhập theo dạng năm-tháng-ngày."),
        400,
    )
    BAD_CHOICE = ("campaigns.document.bad_choice", _("{label}: hãy chọn một trong: {choices}."), 400)
    TOO_MANY_RECIPIENTS = (
        "campaigns.document.too_many_recipients",
        _("{label}: nhiều nhất {limit} nơi nhận, mỗi nơi một dòng (đang có {count})."),
        400,
    )
    UNKNOWN_PHASE = (
        "campaigns.document.unknown_phase",
        _("Kế hoạch {reference} không có giai đoạn {phase}; các giai đoạn: {phases}."),
        400,
    )
    NO_PHASES = ("campaigns.document.no_phases", _("Kế hoạch {reference} chưa có giai đoạn nào để báo cáo."), 400)
    OFFICE_MISSING = (
        "campaigns.document.office_missing",
        _("Máy chủ chưa cài LibreOffice nên chưa tạo được PDF; hãy tải bản DOCX hoặc báo quản trị hệ thống."),
        503,
    )
    CONVERSION_FAILED = (
        "campaigns.document.conversion_failed",
        _("LibreOffice không chuyển được báo cáo sang PDF; hãy tải bản DOCX hoặc thử lại sau."),
        502,
    )
    CONVERSION_TIMEOUT = (
        "campaigns.document.conversion_timeout",
        _("LibreOffice chuyển báo cáo sang PDF quá {seconds} giây; hãy tải bản DOCX hoặc thử lại sau."),
        504,
    )
