"""Audit action codes of `core` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("access", "calendar", "tasks", "keys", "backup", "retention")
class KernelAction(Actions):
    ACCESS_DENIED = "access.denied", _("Từ chối truy cập")
    ROLE_GRANTED = "access.role_granted", _("Giao vai trò")
    ROLE_REVOKED = "access.role_revoked", _("Thu hồi vai trò")
    DAY_OVERRIDE_SET = "calendar.day_override_set", _("Khai báo ngày nghỉ / ngày làm bù")
    TASK_REQUEUED = "tasks.requeued", _("Đưa lại việc nền vào hàng đợi (tiến trình xử lý đã dừng)")
    TASK_ABANDONED = "tasks.abandoned", _("Bỏ việc nền sau nhiều lần tiến trình xử lý dừng")
    SCHEDULE_CHANGED = "tasks.schedule_changed", _("Thay đổi lịch việc định kỳ")
    SCHEDULE_RUN = "tasks.schedule_run", _("Chạy ngay việc định kỳ")
    KEY_ROTATED = "keys.rotated", _("Thay khóa mã hóa")
    KEYS_RESEALED = "keys.resealed", _("Mã hóa lại dữ liệu bằng khóa mới")
    BACKUP_MADE = "backup.made", _("Sao lưu dữ liệu")
    BACKUP_RESTORED = "backup.restored", _("Phục hồi bản sao lưu")
    RETENTION_PURGED = "retention.purged", _("Xóa dữ liệu quá thời hạn lưu giữ")
