"""The kernel's recurring jobs (``core.schedule``): pinning the audit chain, forgetting old task results and
the files held for a form that was never sent again, and deleting what is past its retention."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks_db.models import DBTaskResult

from dinhdanh.core import audit, audit_checkpoints, held_uploads, retention
from dinhdanh.core.schedule import recurring

KEEP_TASK_RESULTS = timedelta(days=14)


class AuditChainBrokenError(Exception):
    """The chain failed verification: nothing was pinned, and the job's failure says where."""


@recurring(
    "audit_checkpoint", every=timedelta(days=1), summary=_("Chốt đầu chuỗi nhật ký kiểm toán ra ngoài CSDL")
)
@task
def audit_checkpoint() -> dict[str, object]:
    if audit_checkpoints.location() is None:
        return {"written": 0, "reason": "switched off (AUDIT_CHECKPOINT_FILE)"}
    result, written = audit.checkpoint()
    if not result.ok:
        raise AuditChainBrokenError(f"chain {result.chain or '-'} event #{result.broken_seq}: {result.reason}")
    return {"written": len(written), "checked": result.checked}


@recurring("prune_task_results", every=timedelta(days=1), summary=_("Xóa kết quả việc nền cũ hơn 14 ngày"))
@task
def prune_task_results() -> int:
    deleted, _counts = (
        DBTaskResult.objects.finished().filter(finished_at__lt=timezone.now() - KEEP_TASK_RESULTS).delete()
    )
    return deleted


# A person who leaves after a refused form never comes back to release what was held for them.
@recurring("sweep_held_uploads", every=timedelta(hours=1), summary=_("Xóa tệp giữ lại cho biểu mẫu quá 1 giờ"))
@task
def sweep_held_uploads() -> int:
    return held_uploads.sweep()


# Decision 0048: usage history five years (never less), technical rows once expired; one audit event a run.
@recurring(
    "retention",
    every=timedelta(days=1),
    summary=_("Xóa dữ liệu quá thời hạn lưu giữ (lịch sử sử dụng sau 5 năm), từng đợt, có ghi nhật ký"),
)
@task
def retention_purge() -> dict[str, int]:
    return retention.purge().counts
