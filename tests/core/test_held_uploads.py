"""Files held server-side across a refused submission (issue 15.1): bound to the session and the form,
short-lived, deleted on release."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from dinhdanh.core import held_uploads


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "media"


def held_files(media: Path) -> list[Path]:
    folder = media / held_uploads.KIND
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_held_file_comes_back_in_its_session_and_form_only(media: Path) -> None:
    mine: dict[str, Any] = {}
    token = held_uploads.hold(mine, b"%PDF-1.4 hello", "../../etc/uỷ quyền.pdf", purpose="letter")
    held = held_uploads.take(mine, token, purpose="letter")
    assert held is not None
    assert held.data == b"%PDF-1.4 hello"
    assert held.name == "uỷ quyền.pdf"  # no path survives
    assert b"hello" not in held_files(media)[0].read_bytes()  # sealed at rest
    # Another session does not know the token; another form cannot use it.
    assert held_uploads.take({}, token, purpose="letter") is None
    assert held_uploads.take(mine, token, purpose="portrait") is None


@pytest.mark.parametrize("hostile", ["", "x" * 65, None, 42, ["a"], "../portraits/abc"])
def test_malformed_tokens_are_nothing(hostile: object) -> None:
    session: dict[str, Any] = {}
    held_uploads.hold(session, b"data", "a.png", purpose="p")
    assert held_uploads.take(session, hostile, purpose="p") is None


def test_release_deletes_the_file(media: Path) -> None:
    session: dict[str, Any] = {}
    token = held_uploads.hold(session, b"data", "a.png", purpose="p")
    held_uploads.release(session, token)
    assert held_files(media) == []
    assert held_uploads.take(session, token, purpose="p") is None
    assert held_uploads.SESSION_KEY not in session


def test_an_expired_file_is_refused_and_swept(media: Path) -> None:
    session: dict[str, Any] = {}
    token = held_uploads.hold(session, b"data", "a.png", purpose="p")
    session[held_uploads.SESSION_KEY][token]["at"] = time.time() - held_uploads.TTL_SECONDS - 1
    assert held_uploads.take(session, token, purpose="p") is None
    assert held_files(media) == []
    # A file whose session never came back is swept by age.
    held_uploads.hold({}, b"orphan", "b.png", purpose="p")
    (orphan,) = held_files(media)
    old = time.time() - held_uploads.TTL_SECONDS - 60
    os.utime(orphan, (old, old))
    assert held_uploads.sweep() == 1
    assert held_files(media) == []


def test_the_schedule_sweeps_what_no_session_came_back_for(media: Path) -> None:
    from dinhdanh.core import schedule
    from dinhdanh.core.tasks import sweep_held_uploads

    held_uploads.hold({}, b"fresh", "a.png", purpose="p")
    held_uploads.hold({}, b"stale", "b.png", purpose="p")
    stale = held_files(media)[0]
    old = time.time() - held_uploads.TTL_SECONDS - 60
    os.utime(stale, (old, old))
    assert "sweep_held_uploads" in schedule.registered()
    assert sweep_held_uploads.call() == 1
    assert len(held_files(media)) == 1
    assert stale not in held_files(media)


def test_a_session_holds_a_bounded_number_of_files(media: Path) -> None:
    session: dict[str, Any] = {}
    for index in range(held_uploads.MAX_HELD + 3):
        held_uploads.hold(session, b"x", f"{index}.png", purpose="p")
    assert len(session[held_uploads.SESSION_KEY]) == held_uploads.MAX_HELD
    assert len(held_files(media)) == held_uploads.MAX_HELD
