"""Why a request (hồ sơ) or one of its steps is refused. Messages in Vietnamese (source language)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode

__all__ = ["ApplicationError"]


class ApplicationError(ErrorCode):
    # --- who may apply
    LEVEL_2_REQUIRED = (
        "applications.level_2_required",
        _("Chỉ tài khoản định danh điện tử mức độ 2 mới được đăng ký cho tổ chức."),
        403,
    )
    ACCOUNT_LOCKED = (
        "applications.account_locked",
        _("Tài khoản của người nộp đang bị khóa; không thể nộp hồ sơ cho tổ chức."),
        403,
    )
    ID_CARD_NOT_CHECKED = (
        "applications.id_card_not_checked",
        _("Cán bộ tiếp nhận phải kiểm tra thẻ căn cước của người đến nộp trước khi lập hồ sơ."),
        400,
    )
    APPLICANT_REQUIRED = (
        "applications.applicant_required",
        _("Hồ sơ nộp trực tiếp phải ghi người đến nộp (số định danh cá nhân đã có tài khoản mức độ 2)."),
        400,
    )
    APPLICANT_UNKNOWN = (
        "applications.applicant_unknown",
        _("Số định danh cá nhân của người nộp chưa có tài khoản định danh điện tử."),
        404,
    )
    NOT_THE_REPRESENTATIVE = (
        "applications.not_the_representative",
        _("Bạn khai là người đại diện theo pháp luật nhưng số định danh người đại diện không phải của bạn."),
        400,
    )
    NOT_REPRESENTATIVE_OF_ORGANIZATION = (
        "applications.not_representative_of_organization",
        _("Chỉ người đại diện theo pháp luật của tổ chức mới được nộp yêu cầu này."),
        403,
    )
    NOT_YOURS = ("applications.not_yours", _("Hồ sơ này không phải của bạn."), 403)
    # --- what is applied for
    ORGANIZATION_REQUIRED = (
        "applications.organization_required",
        _("Yêu cầu này phải gắn với một tổ chức đã được cấp tài khoản."),
        400,
    )
    ORGANIZATION_NOT_ALLOWED = (
        "applications.organization_not_allowed",
        _("Hồ sơ cấp tài khoản mới không gắn với tổ chức đã có."),
        400,
    )
    ALREADY_ISSUED = (
        "applications.already_issued",
        _("Tổ chức có mã số {code} đã được cấp tài khoản định danh điện tử."),
        409,
    )
    ALREADY_OPEN = (
        "applications.already_open",
        _("Đã có hồ sơ đang xử lý cho tổ chức này (số hồ sơ {number}); hãy chờ kết quả hoặc rút hồ sơ đó."),
        409,
    )
    ORGANIZATION_REVOKED = (
        "applications.organization_revoked",
        _("Tài khoản của tổ chức đã chấm dứt; không thể nộp yêu cầu."),
        409,
    )
    CATEGORY_MISMATCH = (
        "applications.category_mismatch",
        _("Tổ chức đã có thuộc loại khác với loại đã chọn."),
        400,
    )
    # --- the data
    INVALID_CHOICE = ("applications.invalid_choice", _("Giá trị của trường {field} không hợp lệ."), 400)
    NOT_TEXT = ("applications.not_text", _("Trường {field} phải là chuỗi ký tự."), 400)
    UNKNOWN_FIELDS = ("applications.unknown_fields", _("Dữ liệu có trường không được hỗ trợ: {fields}."), 400)
    CODE_REQUIRED = (
        "applications.code_required",
        _("Nhập mã số của tổ chức: loại tổ chức này phải có mã số thuế hoặc mã số đăng ký."),
        400,
    )
    CODE_WRONG_CATEGORY = (
        "applications.code_wrong_category",
        _("Mã {value} không phải loại mã của {category}: {expected}."),
        400,
    )
    CODE_UNRECOGNIZED = (
        "applications.code_unrecognized",
        _("Không nhận ra mã {value}: không phải mã số thuế, mã số hợp tác xã hay mã định danh cơ quan."),
        400,
    )
    FOUNDING_DOCUMENT_REQUIRED = (
        "applications.founding_document_required",
        _("Tổ chức không có mã số đăng ký phải ghi số, ngày và cơ quan ban hành văn bản thành lập."),
        400,
    )
    HEAD_OFFICE_REQUIRED = ("applications.head_office_required", _("Hãy chọn xã, phường nơi đặt trụ sở."), 400)
    HEAD_OFFICE_UNKNOWN = (
        "applications.head_office_unknown",
        _("Không có xã, phường mã {value} trong danh mục đơn vị hành chính của Việt Nam."),
        400,
    )
    HEAD_OFFICE_LEGACY = (
        "applications.head_office_legacy",
        _("Đơn vị {value} là đơn vị hành chính cũ (trước 01/07/2025); hãy chọn xã, phường hiện hành."),
        400,
    )
    HEAD_OFFICE_NOT_COMMUNE = (
        "applications.head_office_not_commune",
        _("Trụ sở phải ghi đến cấp xã, phường, đặc khu ({value} là cấp tỉnh)."),
        400,
    )
    NAME_SYMBOLS = (
        "applications.name_symbols",
        _(
            "Tên chỉ gồm chữ, số, dấu cách và các dấu . , - ' \" & ( ) / :; bỏ ký hiệu, biểu tượng cảm xúc và dấu < >."
        ),
        400,
    )
    TEXT_TOO_LONG = ("applications.text_too_long", _("Nhập tối đa {limit} ký tự."), 400)
    NAME_REQUIRED = ("applications.name_required", _("Nhập tên tổ chức."), 400)
    REPRESENTATIVE_NAME_REQUIRED = (
        "applications.representative_name_required",
        _("Nhập họ và tên người đại diện theo pháp luật."),
        400,
    )
    REPRESENTATIVE_ID_REQUIRED = (
        "applications.representative_id_required",
        _("Nhập số định danh cá nhân của người đại diện (12 chữ số)."),
        400,
    )
    ESTABLISHED_FUTURE = (
        "applications.established_future",
        _("Ngày thành lập không được sau hôm nay."),
        400,
    )
    ESTABLISHED_INVALID = (
        "applications.established_invalid",
        _("Nhập ngày thành lập dạng ngày/tháng/năm, ví dụ 15/03/2010."),
        400,
    )
    FOUNDING_DATE_FUTURE = (
        "applications.founding_date_future",
        _("Ngày ban hành văn bản thành lập không được sau hôm nay."),
        400,
    )
    FOUNDING_DATE_INVALID = (
        "applications.founding_date_invalid",
        _("Nhập ngày ban hành văn bản thành lập dạng ngày/tháng/năm, ví dụ 15/03/2010."),
        400,
    )
    DATE_INVALID = (
        "applications.date_invalid",
        _("Ngày {value} không hợp lệ (dạng YYYY-MM-DD hoặc DD/MM/YYYY, không sau hôm nay)."),
        400,
    )
    PHONE_INVALID = ("applications.phone_invalid", _("Số điện thoại không hợp lệ (ví dụ 0912345678)."), 400)
    EMAIL_INVALID = ("applications.email_invalid", _("Địa chỉ thư điện tử không hợp lệ."), 400)
    CO_REPRESENTATIVES_MISMATCH = (
        "applications.co_representatives_mismatch",
        _("Số họ tên và số định danh của những người đại diện khác không bằng nhau."),
        400,
    )
    CO_REPRESENTATIVE_DUPLICATE = (
        "applications.co_representative_duplicate",
        _("Một người đại diện được khai hai lần (số định danh {value})."),
        400,
    )
    TOO_MANY_CO_REPRESENTATIVES = (
        "applications.too_many_co_representatives",
        _("Chỉ khai tối đa {limit} người đại diện khác."),
        400,
    )
    REASON_REQUIRED = ("applications.reason_required", _("Hãy ghi lý do."), 400)
    NOTHING_TO_UPDATE = (
        "applications.nothing_to_update",
        _("Yêu cầu cập nhật chưa có thông tin nào thay đổi."),
        400,
    )
    # --- the process
    ILLEGAL_TRANSITION = (
        "applications.illegal_transition",
        _("Không thể {action} hồ sơ đang ở trạng thái “{status}”."),
        409,
    )
    NOT_A_DRAFT = ("applications.not_a_draft", _("Chỉ sửa được hồ sơ nháp."), 409)
    AUTHORIZATION_LETTER_REQUIRED = (
        "applications.authorization_letter_required",
        _("Người được ủy quyền phải đính kèm văn bản ủy quyền trước khi nộp hồ sơ."),
        400,
    )
    NO_CONSENT_EXPECTED = (
        "applications.no_consent_expected",
        _("Hồ sơ này không chờ sự đồng ý của bạn."),
        403,
    )
    CONFLICT_OF_INTEREST = (
        "applications.conflict_of_interest",
        _(
            "Bạn là người nộp, người đại diện hoặc thành viên của tổ chức trong hồ sơ này nên không được "
            "phân công, xác minh hay quyết định hồ sơ; một cán bộ khác phải xử lý."
        ),
        403,
    )
    ASSIGNEE_CONFLICTED = (
        "applications.assignee_conflicted",
        _("Không thể phân công cho cán bộ là người nộp, người đại diện hoặc thành viên của tổ chức trong hồ sơ."),
        400,
    )
    FAILED_CHECKS_UNACKNOWLEDGED = (
        "applications.failed_checks_unacknowledged",
        _(
            "Hồ sơ có kiểm tra không đạt: {checks}. Để vẫn duyệt, hãy đánh dấu đã xem các kiểm tra này và ghi "
            "lý do vào ô ghi chú."
        ),
        409,
    )
    FAILED_CHECKS_NOTE_REQUIRED = (
        "applications.failed_checks_note_required",
        _("Ghi lý do duyệt dù có kiểm tra không đạt."),
        400,
    )
    SECOND_APPROVAL_BY_ANOTHER = (
        "applications.second_approval_by_another",
        _("Bạn đã duyệt lần thứ nhất; hồ sơ này cần một cán bộ khác duyệt lần thứ hai (nguyên tắc bốn mắt)."),
        409,
    )
    OFFICER_CANNOT_REVIEW = (
        "applications.officer_cannot_review",
        _("Người được phân công không có quyền thẩm định hồ sơ tại địa bàn này."),
        400,
    )
    VERIFICATION_TARGET = (
        "applications.verification_target",
        _("Yêu cầu xác minh gửi cho đúng một nơi: một cơ quan phối hợp hoặc một đơn vị Công an cấp dưới."),
        400,
    )
    VERIFICATION_UNIT = (
        "applications.verification_unit",
        _("Đơn vị được hỏi phải là đơn vị hiện hành thuộc địa bàn xử lý hồ sơ."),
        400,
    )
    VERIFICATION_CLOSED = (
        "applications.verification_closed",
        _("Yêu cầu xác minh này đã được trả lời hoặc đã hủy."),
        409,
    )
    # --- documents
    DOCUMENT_EMPTY = ("applications.document_empty", _("Tệp {name} rỗng."), 400)
    DOCUMENT_TOO_LARGE = (
        "applications.document_too_large",
        _("Tệp {name} lớn quá {limit_mb} MB."),
        413,
    )
    DOCUMENT_TYPE = (
        "applications.document_type",
        _("Tệp {name} không phải PDF, JPEG hay PNG (hệ thống kiểm tra nội dung tệp, không dựa vào tên tệp)."),
        400,
    )
    DOCUMENT_DAMAGED = (
        "applications.document_damaged",
        _("Tệp {name} bị hỏng hoặc không đầy đủ; hãy quét hoặc lưu lại rồi tải lên."),
        400,
    )
    DOCUMENT_LIMIT = (
        "applications.document_limit",
        _("Hồ sơ đã có tối đa {limit} tài liệu."),
        409,
    )
    DOCUMENT_TAMPERED = (
        "applications.document_tampered",
        _("Tài liệu {name} đã bị thay đổi sau khi nộp (mã băm không khớp); không thể mở. Đã ghi nhận sự việc."),
        409,
    )
    DOCUMENT_KIND_NOT_ALLOWED = (
        "applications.document_kind_not_allowed",
        _("Không thể thêm loại tài liệu này ở bước hiện tại của hồ sơ."),
        409,
    )
