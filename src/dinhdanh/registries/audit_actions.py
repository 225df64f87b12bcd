"""Audit action codes of `registries` (the kernel keeps only the mechanism: core.audit_codes).

Never rename a value: verifiers and reports key on it. Adding one needs no migration.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.audit_codes import Actions, actions


@actions("registries")
class RegistryAction(Actions):
    REGISTRY_IMPORTED = "registries.imported", _("Nhập danh sách tham chiếu")
    REGISTRY_RECORDS_PUSHED = "registries.records_pushed", _("Nhận dữ liệu tham chiếu qua API")
    REGISTRY_CHANGES_APPLIED = "registries.changes_applied", _("Cập nhật tổ chức theo danh sách tham chiếu")
    REGISTRY_IMPORT_RESUMED = "registries.import_resumed", _("Tiếp tục lần nhập danh sách đã dừng")
    REGISTRY_IMPORT_FAILED = "registries.import_failed", _("Nhập danh sách tham chiếu không thành công")
    REGISTRY_EXCLUSION_SET = "registries.exclusion_set", _("Loại khỏi chỉ tiêu")
    REGISTRY_EXCLUSION_LIFTED = "registries.exclusion_lifted", _("Bỏ loại khỏi chỉ tiêu")
    REGISTRY_BASELINE_TAKEN = "registries.baseline_taken", _("Chốt số liệu nền")
    REGISTRY_EXPORTED = "registries.exported", _("Xuất danh sách đối soát")
