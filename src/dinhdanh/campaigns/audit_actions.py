"""Audit action codes of `campaigns` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("campaign")
class CampaignAction(Actions):
    PLAN_LOADED = "campaign.plan_loaded", _("Nạp kế hoạch triển khai")
    PLAN_REPLACED = "campaign.plan_replaced", _("Nạp lại (thay thế) kế hoạch triển khai")
    PHASE_EDITED = "campaign.phase_edited", _("Sửa giai đoạn của kế hoạch")
    TARGET_EDITED = "campaign.target_edited", _("Sửa chỉ tiêu của kế hoạch")
    TARGET_ALLOCATED = "campaign.target_allocated", _("Phân bổ chỉ tiêu cho đơn vị cấp dưới")
    TASK_EDITED = "campaign.task_edited", _("Sửa nhiệm vụ của kế hoạch")
    TASK_UPDATED = "campaign.task_updated", _("Cập nhật tiến độ nhiệm vụ")
    REPORT_SUBMITTED = "campaign.report_submitted", _("Gửi báo cáo tuần của đơn vị")
    PROVINCE_REPORT_SUBMITTED = "campaign.province_report_submitted", _("Gửi báo cáo tuần tổng hợp của tỉnh")
    REPORT_REMINDED = "campaign.report_reminded", _("Nhắc đơn vị gửi báo cáo tuần")
    # --- editing plans and plan tasks (issue 14.1, 14.8) ---
    PLAN_STATUS_SET = "campaign.plan_status_set", _("Đổi trạng thái kế hoạch triển khai")
    TASK_ALERTED = "campaign.task_alerted", _("Cảnh báo nhiệm vụ quá hạn")


@actions("campaign")
class ReaderAction(Actions):
    """Machine readers of campaign figures (``campaigns.readers``, decision 0041)."""

    READER_GRANTED = "campaign.reader_granted", _("Cho phép một hệ thống đọc số liệu chiến dịch của địa bàn")
    READER_REVOKED = "campaign.reader_revoked", _("Thu hồi quyền đọc số liệu chiến dịch của một hệ thống")
    READER_REFUSED = "campaign.reader_refused", _("Từ chối một hệ thống đọc số liệu ngoài địa bàn được cho phép")
