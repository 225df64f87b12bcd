"""The audit log page names what `audit verify` found, checkpoints included (decision 0012)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from dinhdanh.core.access import AdministratorRole
from tests.conftest import make_officer, signed_in
from tests.core.audit_support import rewrite_without_the_key
from tests.web.support import html

pytestmark = pytest.mark.django_db


def admin(client: Client) -> Client:
    return signed_in(client, make_officer(AdministratorRole.SYSTEM_ADMIN, None, name="Lê Văn Quản Trị"))


def test_a_chain_recomputed_without_the_key_is_shown_broken(client: Client) -> None:
    admin(client)
    rewrite_without_the_key(from_seq=2, claim_legacy=False, actor_label="Kẻ gian")
    page = html(client.get("/audit/"))
    assert "Chuỗi băm bị phá vỡ tại sự kiện số 2." in page
    assert "<code>content_mismatch</code>" in page


def test_a_forged_checkpoint_file_is_shown(client: Client, settings: Any, tmp_path: Path) -> None:
    admin(client)
    settings.AUDIT_CHECKPOINT_FILE = tmp_path / "checkpoints.jsonl"
    settings.AUDIT_CHECKPOINT_FILE.write_text("not a checkpoint\n")
    page = html(client.get("/audit/"))
    assert "Tệp điểm chốt của nhật ký kiểm toán có dòng hỏng hoặc chữ ký sai." in page
    assert "<code>checkpoint_forged</code>" in page
