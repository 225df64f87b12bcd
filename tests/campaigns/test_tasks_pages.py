"""A plan's task pages (issue 14.8): the list and its filters, a task with its updates, the update form
with evidence (a reference and/or a sealed file), bad and hostile input, double submission."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.utils import timezone
from PIL import Image

from dinhdanh.campaigns.audit_actions import CampaignAction
from dinhdanh.campaigns.models.plans import Plan, PlanStatus, Task, TaskStatus, TaskUpdate
from dinhdanh.campaigns.plan_services import plan_load
from dinhdanh.core.models import AuditEvent
from dinhdanh.geo.models import Level
from dinhdanh.people.models import User
from dinhdanh.registries.permissions import RegistryRole
from tests.campaigns.test_plan_format import GOOD
from tests.conftest import make_officer, make_user, signed_in, unit

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def media(tmp_path: Path, settings: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "documents"  # each test sees only the files it stored


@pytest.fixture
def plan() -> Plan:
    plan = plan_load(actor=None, text=GOOD)
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.ACTIVE)
    yesterday = timezone.localdate() - timedelta(days=1)
    Task.objects.create(plan=plan, number="3", title="Rà soát hồ sơ", lead_unit="Công an tỉnh", deadline=yesterday)
    return plan


@pytest.fixture
def manager() -> User:
    return make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("91", Level.PROVINCE))


@pytest.fixture
def browser(client: Client, manager: User) -> Client:
    return signed_in(client, manager)


def tasks_url(plan: Plan, tail: str = "") -> str:
    return f"/campaigns/{plan.slug}/tasks/{tail}"


def numbers(html: str, plan: Plan) -> list[str]:
    return [t.number for t in plan.tasks.order_by("pk") if f'data-testid="task-{t.pk}"' in html]


def sealed_files() -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / "campaigns"
    return sorted(folder.iterdir()) if folder.exists() else []


def test_the_list_filters_by_status_overdue_and_lead_unit_whatever_the_accents(
    plan: Plan, browser: Client
) -> None:
    assert numbers(browser.get(tasks_url(plan)).content.decode(), plan) == ["1", "2", "3"]
    # Task 2 falls due on 30/05/2025, task 3 yesterday: both past and open.
    assert numbers(browser.get(tasks_url(plan), {"overdue": "on"}).content.decode(), plan) == ["2", "3"]
    assert numbers(browser.get(tasks_url(plan), {"lead": "CONG AN"}).content.decode(), plan) == ["3"]
    assert numbers(browser.get(tasks_url(plan), {"lead": "sở kh&đt"}).content.decode(), plan) == ["2"]
    assert numbers(browser.get(tasks_url(plan), {"lead": "so tt"}).content.decode(), plan) == ["1"]
    assert numbers(browser.get(tasks_url(plan), {"status": "done"}).content.decode(), plan) == []
    # A hand-made bad filter drops itself, never the others.
    html = browser.get(tasks_url(plan), {"status": "bogus", "lead": "công"}).content.decode()
    assert numbers(html, plan) == ["3"]
    assert browser.get(tasks_url(plan), {"lead": "x" * 500}).status_code == 200
    assert 'data-overdue="1"' in browser.get(tasks_url(plan)).content.decode()


def test_an_update_with_a_reference_and_a_file_is_recorded_and_the_file_served_to_readers_only(
    plan: Plan, browser: Client
) -> None:
    task = plan.tasks.get(number="3")
    page = browser.get(tasks_url(plan, f"{task.pk}/"))
    assert 'name="seen" value="0"' in page.content.decode()
    upload = SimpleUploadedFile("../../bao cao <1>.png", png(), content_type="application/pdf")
    form = {"status": "in_progress", "note": "Đã rà soát 40 hồ sơ", "evidence": "12/BC-CA", "seen": "0"}
    done = browser.post(tasks_url(plan, f"{task.pk}/"), {**form, "file": upload})
    assert done.status_code == 302
    update = TaskUpdate.objects.get(task=task)
    assert (update.evidence, update.evidence_type, update.evidence_name) == (
        "12/BC-CA",
        "image/png",
        "bao cao <1>.png",
    )
    assert Task.objects.get(pk=task.pk).status == TaskStatus.IN_PROGRESS
    html = browser.get(done["Location"]).content.decode()
    assert "Chưa thực hiện → Đang thực hiện" in html
    assert "bao cao &lt;1&gt;.png" in html
    # Sealed on disk: neither the bytes nor the name are there in the clear.
    (stored,) = sealed_files()
    assert png() not in stored.read_bytes()
    assert str(settings.MEDIA_ROOT) not in str(settings.STATIC_ROOT)
    link = tasks_url(plan, f"{task.pk}/evidence/{update.pk}/")
    served = browser.get(link)
    assert (served.status_code, served.content, served["Content-Type"]) == (200, png(), "image/png")
    assert "no-store" in served["Cache-Control"]
    assert "attachment" in served["Content-Disposition"]
    after = AuditEvent.objects.get(action=CampaignAction.TASK_UPDATED).after or {}
    assert after["file"]["sha256"] == update.evidence_sha256
    # Someone elsewhere may not read it; an update of another task is not found.
    outsider = make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
    assert signed_in(Client(), outsider).get(link).status_code == 403
    other = plan.tasks.get(number="1")
    assert browser.get(tasks_url(plan, f"{other.pk}/evidence/{update.pk}/")).status_code == 404
    # A file changed on disk after it was filed is refused, not shown.
    sealed_bytes = stored.read_bytes()  # the last byte flipped: a NUL put there could be the same byte
    stored.write_bytes(sealed_bytes[:-1] + bytes([sealed_bytes[-1] ^ 0x01]))
    assert browser.get(link).status_code == 409


@pytest.mark.parametrize(
    ("name", "data", "words"),
    [
        ("bao-cao.pdf", b"MZ\x90\x00 not a pdf", "không phải PDF, JPEG hay PNG"),
        ("rong.pdf", b"", "rỗng"),
        ("hong.pdf", b"%PDF-1.4\n cut short", "bị hỏng"),
        ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "bị hỏng"),
        ("trang.html", b"<html><script>alert(1)</script></html>", "không phải PDF"),
    ],
)
def test_a_bad_file_is_refused_beside_the_file_field_and_nothing_stored(
    plan: Plan, browser: Client, name: str, data: bytes, words: str
) -> None:
    task = plan.tasks.get(number="3")
    form = {"status": "done", "note": "Xong", "evidence": "12/BC-CA", "seen": "0"}
    page = browser.post(tasks_url(plan, f"{task.pk}/"), {**form, "file": SimpleUploadedFile(name, data)})
    assert page.status_code in (400, 413)
    html = page.content.decode()
    assert words in html
    assert 'data-field="file"' in html
    assert 'class="error-message"' in html.split('data-field="file"')[1].split("</p>")[0]
    assert "Xong" in html  # the note typed is kept
    assert not TaskUpdate.objects.exists()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.PENDING
    assert sealed_files() == []


@override_settings(DOCUMENT_MAX_BYTES=1024)
def test_a_file_over_the_limit_is_refused(plan: Plan, browser: Client) -> None:
    task = plan.tasks.get(number="3")
    big = PDF[:-6] + b"x" * 2000 + b"%%EOF\n"
    form = {"status": "done", "note": "Xong", "seen": "0", "file": SimpleUploadedFile("lon.pdf", big)}
    page = browser.post(tasks_url(plan, f"{task.pk}/"), form)
    assert page.status_code == 413
    assert "lớn quá 1 MB" in page.content.decode()
    assert not TaskUpdate.objects.exists()
    assert sealed_files() == []


@override_settings(UPLOAD_MAX_BYTES=512)
def test_an_upload_stopped_while_streaming_is_refused(plan: Plan, browser: Client) -> None:
    task = plan.tasks.get(number="3")
    form = {"status": "done", "note": "Xong", "seen": "0", "file": SimpleUploadedFile("lon.pdf", PDF * 40)}
    page = browser.post(tasks_url(plan, f"{task.pk}/"), form)
    assert page.status_code == 413
    assert "quá lớn" in page.content.decode()
    assert not TaskUpdate.objects.exists()


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"note": "   "}, ""),
        ({"note": "Đã\x00làm"}, ""),
        ({"note": "Đã\x1blàm"}, "Nội dung cập nhật chứa ký tự điều khiển"),
        ({"status": "finished"}, "Trạng thái không hợp lệ"),
        ({"evidence": "12/BC\u202e-CA"}, "chứa ký tự điều khiển"),
        ({"evidence": "x" * 301}, ""),
        ({"seen": "-1"}, ""),
        ({"seen": "abc"}, ""),
        ({"seen": ""}, ""),
    ],
)
def test_a_bad_update_is_refused_and_nothing_written(
    plan: Plan, browser: Client, changes: dict[str, str], words: str
) -> None:
    task = plan.tasks.get(number="3")
    form = {"status": "done", "note": "Xong", "evidence": "", "seen": "0", **changes}
    page = browser.post(tasks_url(plan, f"{task.pk}/"), form)
    assert page.status_code == 400
    assert words in page.content.decode()
    assert not TaskUpdate.objects.exists()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.PENDING


def test_html_in_a_note_is_shown_as_text(plan: Plan, browser: Client) -> None:
    task = plan.tasks.get(number="3")
    form = {"status": "in_progress", "note": '<img src=x onerror="alert(1)">', "seen": "0"}
    done = browser.post(tasks_url(plan, f"{task.pk}/"), form)
    html = browser.get(done["Location"]).content.decode()
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_the_same_form_sent_twice_records_one_update(plan: Plan, browser: Client) -> None:
    task = plan.tasks.get(number="3")
    form = {"status": "done", "note": "Đã xong", "seen": "0"}
    assert browser.post(tasks_url(plan, f"{task.pk}/"), form).status_code == 302
    again = browser.post(tasks_url(plan, f"{task.pk}/"), form)
    assert again.status_code == 409
    assert "có thể biểu mẫu đã được gửi rồi" in again.content.decode()
    assert TaskUpdate.objects.filter(task=task).count() == 1
    latest = TaskUpdate.objects.get(task=task)
    assert f'name="seen" value="{latest.pk}"' in browser.get(tasks_url(plan, f"{task.pk}/")).content.decode()
    follow = {"status": "done", "note": "Bổ sung báo cáo", "seen": str(latest.pk)}
    assert browser.post(tasks_url(plan, f"{task.pk}/"), follow).status_code == 302
    assert TaskUpdate.objects.filter(task=task).count() == 2


def test_a_closed_plan_shows_its_tasks_but_takes_no_update(plan: Plan, browser: Client) -> None:
    Plan.objects.filter(pk=plan.pk).update(status=PlanStatus.CLOSED)
    task = plan.tasks.get(number="3")
    page = browser.get(tasks_url(plan, f"{task.pk}/")).content.decode()
    assert 'data-testid="update-form"' not in page
    refused = browser.post(tasks_url(plan, f"{task.pk}/"), {"status": "done", "note": "Xong", "seen": "0"})
    assert refused.status_code == 409
    assert "đã kết thúc" in refused.content.decode()
    assert not TaskUpdate.objects.exists()


def test_a_task_of_another_plan_is_not_found(plan: Plan, browser: Client) -> None:
    other = plan_load(actor=None, text=GOOD.replace("slug: thu-nghiem", "slug: khac"))
    foreign = other.tasks.get(number="2")
    assert browser.get(tasks_url(plan, f"{foreign.pk}/")).status_code == 404
    posted = browser.post(tasks_url(plan, f"{foreign.pk}/"), {"status": "done", "note": "Xong", "seen": "0"})
    assert posted.status_code == 404
    assert browser.get("/campaigns/khong-co/tasks/").status_code == 404
    assert not TaskUpdate.objects.exists()


@pytest.mark.parametrize("who", ["citizen", "elsewhere"])
def test_whoever_may_not_read_the_plan_is_refused_everywhere(plan: Plan, client: Client, who: str) -> None:
    person = (
        make_user()
        if who == "citizen"
        else make_officer(RegistryRole.CAMPAIGN_MANAGER, unit("01", Level.PROVINCE), "Cán bộ Hà Nội")
    )
    signed_in(client, person)
    task = plan.tasks.get(number="3")
    assert client.get(tasks_url(plan)).status_code == 403
    assert client.get(tasks_url(plan, f"{task.pk}/")).status_code == 403
    assert client.get(tasks_url(plan, "999999/")).status_code == 403  # no telling what exists
    posted = client.post(tasks_url(plan, f"{task.pk}/"), {"status": "done", "note": "Xong", "seen": "0"})
    assert posted.status_code == 403
    assert not TaskUpdate.objects.exists()


def test_the_task_page_shows_the_history_in_order_with_who_and_the_overdue_flag(
    plan: Plan, browser: Client
) -> None:
    task = plan.tasks.get(number="3")
    browser.post(tasks_url(plan, f"{task.pk}/"), {"status": "in_progress", "note": "Bước một", "seen": "0"})
    first = TaskUpdate.objects.get(task=task)
    browser.post(
        tasks_url(plan, f"{task.pk}/"), {"status": "in_progress", "note": "Bước hai", "seen": str(first.pk)}
    )
    html = browser.get(tasks_url(plan, f"{task.pk}/")).content.decode()
    assert html.index("Bước một") < html.index("Bước hai")
    assert "Cán bộ Thử" in html
    assert 'data-testid="overdue"' in html
