"""Refusals of the organization services; raised before anything is written."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.errors import ErrorCode

__all__ = ["OrganizationError"]


class OrganizationError(ErrorCode):
    NOT_FOUND = ("organizations.not_found", _("Không tìm thấy tổ chức."), 404)
    NOT_A_MEMBER = (
        "organizations.not_a_member",
        _("Bạn không có quyền hoặc quyền đã hết hiệu lực đối với tổ chức này."),
        403,
    )
    NOT_REPRESENTATIVE = (
        "organizations.not_representative",
        _("Chỉ người đại diện theo pháp luật của tổ chức mới được thực hiện thao tác này."),
        403,
    )
    NOT_ACTIVE = (
        "organizations.not_active",
        _("Tài khoản tổ chức đang bị khóa hoặc đã chấm dứt; không thể thực hiện thao tác này."),
        409,
    )
    APPLICATION_NOT_APPROVABLE = (
        "organizations.application_not_approvable",
        _("Hồ sơ {number} không ở trạng thái được duyệt hoặc không đúng loại yêu cầu."),
        409,
    )
    ALREADY_ISSUED = (
        "organizations.already_issued",
        _("Tổ chức có mã {code} đã được cấp tài khoản định danh điện tử."),
        409,
    )
    APPLICATION_WITHOUT_ORGANIZATION = (
        "organizations.application_without_organization",
        _("Hồ sơ {number} không gắn với tổ chức nào."),
        409,
    )
    INVALID_DATA = ("organizations.invalid_data", _("Trường {field} không hợp lệ."), 400)
    HEAD_OFFICE_INVALID = (
        "organizations.head_office_invalid",
        _("Trụ sở chính phải là xã, phường, đặc khu hiện hành (từ 01/07/2025)."),
        400,
    )
    CODE_TAKEN = ("organizations.code_taken", _("Mã {code} đã thuộc về một tổ chức khác."), 409)
    ALREADY_CONTROLLED = (
        "organizations.already_controlled",
        _("Tổ chức đã có người đại diện quản lý tài khoản; không cần nhận quyền."),
        409,
    )
    NOT_RECORDED_REPRESENTATIVE = (
        "organizations.not_recorded_representative",
        _("Bạn không phải người đại diện theo pháp luật được ghi trong thông tin của tổ chức."),
        403,
    )
    LEVEL_2_TO_CLAIM = (
        "organizations.level_2_to_claim",
        _("Cần tài khoản định danh điện tử mức độ 2 (không bị khóa) để nhận quyền quản lý tổ chức."),
        403,
    )
    REPRESENTATIVE_HAS_NO_ACCOUNT = (
        "organizations.representative_has_no_account",
        _(
            "Người đại diện theo pháp luật chưa có tài khoản định danh điện tử mức độ 2 (hoặc đang bị khóa); "
            "hãy hướng dẫn họ nâng mức tài khoản rồi gắn lại."
        ),
        409,
    )
    SAME_REPRESENTATIVE = (
        "organizations.same_representative",
        _("Người này đã là người đại diện theo pháp luật của tổ chức."),
        409,
    )
    ALREADY_LOCKED = ("organizations.already_locked", _("Tài khoản tổ chức đang bị khóa."), 409)
    LOCK_NEEDS_SECOND_OFFICER = (
        "organizations.lock_needs_second_officer",
        _("Bạn đã đề nghị khóa theo văn bản này; một cán bộ khác phải xác nhận (nguyên tắc bốn mắt)."),
        409,
    )
    LOCK_PROPOSAL_DIFFERS = (
        "organizations.lock_proposal_differs",
        _(
            "Đang có đề nghị khóa theo văn bản %(document)s chờ xác nhận; hãy xác nhận đúng văn bản đó "
            "hoặc chờ đề nghị được xử lý."
        ),
        409,
    )
    NOT_LOCKED = ("organizations.not_locked", _("Tài khoản tổ chức không bị khóa."), 409)
    TERMINATED = (
        "organizations.terminated",
        _("Tài khoản tổ chức đã chấm dứt vĩnh viễn; không thể mở khóa hay thay đổi."),
        409,
    )
    AUTHORITY_REQUIRED = (
        "organizations.authority_required",
        _("Khóa theo yêu cầu của cơ quan có thẩm quyền cần ghi tên cơ quan và số văn bản."),
        400,
    )
    GROUND_NOT_ALLOWED = (
        "organizations.ground_not_allowed",
        _("Căn cứ khóa {ground} không dùng được ở đây."),
        400,
    )
    REASON_REQUIRED = ("organizations.reason_required", _("Cần ghi lý do."), 400)
    GRANTEE_NOT_FOUND = (
        "organizations.grantee_not_found",
        _("Không có tài khoản định danh điện tử nào với số định danh {masked}."),
        404,
    )
    GRANTEE_NOT_LEVEL2 = (
        "organizations.grantee_not_level2",
        _("Người được ủy quyền phải có tài khoản định danh điện tử mức độ 2 đang hoạt động."),
        400,
    )
    ALREADY_MEMBER = (
        "organizations.already_member",
        _("Người này đang có quyền đối với tổ chức; hãy thu hồi quyền cũ trước khi cấp lại."),
        409,
    )
    ROLE_NOT_GRANTABLE = ("organizations.role_not_grantable", _("Không thể cấp vai trò {role}."), 400)
    INVALID_SERVICES = (
        "organizations.invalid_services",
        _(
            "Danh sách dịch vụ không hợp lệ: tối đa {limit} dịch vụ, mỗi mã tối đa 64 ký tự gồm chữ thường "
            "không dấu, chữ số và các dấu . _ -."
        ),
        400,
    )
    SERVICE_NAME_REQUIRED = ("organizations.service_name_required", _("Hãy nhập tên dịch vụ."), 400)
    NO_SERVICES = (
        "organizations.no_services",
        _("Hãy chọn ít nhất một dịch vụ được ủy quyền, hoặc chọn toàn quyền."),
        400,
    )
    UNKNOWN_SERVICES = (
        "organizations.unknown_services",
        _("Không có dịch vụ đang dùng với mã: {codes}. Hãy chọn trong danh mục dịch vụ."),
        400,
    )
    SERVICES_NOT_FOR_ROLE = (
        "organizations.services_not_for_role",
        _("Quản trị viên có toàn quyền; chỉ người được ủy quyền mới được giới hạn theo dịch vụ."),
        400,
    )
    VALID_UNTIL_PAST = (
        "organizations.valid_until_past",
        _("Thời hạn ủy quyền phải là một thời điểm trong tương lai (có múi giờ)."),
        400,
    )
    DOCUMENT_NOT_OURS = (
        "organizations.document_not_ours",
        _("Văn bản ủy quyền không thuộc hồ sơ của tổ chức này."),
        400,
    )
    LOOKUP_THROTTLED = (
        "organizations.lookup_throttled",
        _("Bạn đã tra cứu quá nhiều số định danh. Vui lòng thử lại sau {seconds} giây."),
        429,
    )
    GRANT_CONFIRMATION_INVALID = (
        "organizations.grant_confirmation_invalid",
        _("Yêu cầu xác nhận phân quyền đã hết hạn hoặc không hợp lệ. Hãy nhập lại số định danh."),
        400,
    )
    MEMBERSHIP_ENDED = ("organizations.membership_ended", _("Quyền này đã bị thu hồi hoặc hết hạn."), 409)
    CANNOT_REVOKE_REPRESENTATIVE = (
        "organizations.cannot_revoke_representative",
        _(
            "Không thể thu hồi quyền của người đại diện theo pháp luật; quyền này chuyển khi thay đổi người "
            "đại diện."
        ),
        409,
    )
    EID_EXHAUSTED = ("organizations.eid_exhausted", _("Đã hết dải số định danh tổ chức."), 500)
