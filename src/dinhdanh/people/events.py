"""The domain events of personal accounts (decision 0020), registered when the app is ready: a
campaign counts personal accounts reaching level 1 (online) and level 2 (in person)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from dinhdanh.core.events import register

LEVEL1_CREATED = register("people.level1_created", _("Tài khoản định danh mức 1 được tạo"))
LEVEL2_RAISED = register("people.level2_raised", _("Tài khoản được nâng lên mức 2"))
