"""The domain events of organization requests (decision 0020), registered when the app is ready."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.events import register

# A request received: counted by campaigns as "requests received" (per province of the head office).
SUBMITTED = register("applications.submitted", _("Hồ sơ được nộp"))
APPROVED = register("applications.approved", _("Hồ sơ được phê duyệt"))
REJECTED = register("applications.rejected", _("Hồ sơ bị từ chối"))
