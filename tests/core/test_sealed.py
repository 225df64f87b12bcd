"""Encryption at rest (core.sealed): values and files, bound to their purpose, refused when altered."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dinhdanh.core.sealed import (
    SealError,
    delete_file,
    read_file,
    seal,
    seal_text,
    store_file,
    unseal,
    unseal_text,
)

PORTRAIT = b"\x89PNG\r\n\x1a\n" + b"portrait-bytes" * 20


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    root = tmp_path / "data" / "documents"
    settings.MEDIA_ROOT = root
    return root


# --- values -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "079203012345", "Nguyễn Thị Thủy", "JBSWY3DPEHPK3PXP" * 8])
def test_text_round_trips(text: str) -> None:
    blob = seal_text(text, purpose="card-number")
    assert unseal_text(blob, purpose="card-number") == text
    if text:
        assert text.encode() not in blob


def test_the_same_value_seals_differently_each_time() -> None:
    assert seal(b"079203012345", purpose="p") != seal(b"079203012345", purpose="p")


def test_a_memoryview_from_the_database_unseals() -> None:
    blob = seal(b"secret", purpose="totp-secret")
    assert unseal(memoryview(blob), purpose="totp-secret") == b"secret"  # type: ignore[arg-type]


def test_a_value_sealed_for_one_purpose_is_refused_for_another() -> None:
    blob = seal_text("JBSWY3DPEHPK3PXP", purpose="totp-secret")
    with pytest.raises(SealError):
        unseal_text(blob, purpose="card-number")
    with pytest.raises(SealError):
        unseal_text(blob, purpose="totp-secret ")


@pytest.mark.parametrize(
    "blob",
    [b"", b"\x01", b"\x02" + b"\x00" * 40, b"\x01" + b"\x00" * 27, b"plain text, never sealed at all"],
)
def test_garbage_is_refused(blob: bytes) -> None:
    with pytest.raises(SealError):
        unseal(blob, purpose="p")


@hypothesis_settings(max_examples=150, deadline=None)
@given(
    data=st.binary(max_size=64), position=st.integers(min_value=0), flip=st.integers(min_value=1, max_value=255)
)
def test_any_altered_byte_is_refused(data: bytes, position: int, flip: int) -> None:
    blob = bytearray(seal(data, purpose="p"))
    blob[position % len(blob)] ^= flip
    with pytest.raises(SealError):
        unseal(bytes(blob), purpose="p")


@hypothesis_settings(max_examples=50, deadline=None)
@given(data=st.binary(max_size=64), cut=st.integers(min_value=1, max_value=200))
def test_a_truncated_or_extended_value_is_refused(data: bytes, cut: int) -> None:
    blob = seal(data, purpose="p")
    with pytest.raises(SealError):
        unseal(blob[: max(0, len(blob) - cut)], purpose="p")
    with pytest.raises(SealError):
        unseal(blob + b"\x00", purpose="p")


# --- files ------------------------------------------------------------------------------------------


def test_a_stored_file_round_trips_and_is_not_readable_in_clear(media: Path) -> None:
    ref = store_file("portraits", PORTRAIT)
    kind, name = ref.split("/")
    assert kind == "portraits"
    path = media / kind / name
    assert PORTRAIT not in path.read_bytes()
    assert b"portrait-bytes" not in path.read_bytes()
    assert read_file(ref) == PORTRAIT


def test_files_are_private_to_the_service_account(media: Path) -> None:
    ref = store_file("portraits", PORTRAIT)
    path = media / ref
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0


def test_two_files_never_share_a_name(media: Path) -> None:
    refs = {store_file("portraits", PORTRAIT) for _ in range(20)}
    assert len(refs) == 20


def test_a_file_moved_to_another_kind_is_refused(media: Path) -> None:
    ref = store_file("portraits", PORTRAIT)
    name = ref.split("/")[1]
    (media / "cards").mkdir(mode=0o700)
    (media / "cards" / name).write_bytes((media / ref).read_bytes())
    with pytest.raises(SealError):
        read_file(f"cards/{name}")


def test_a_tampered_file_is_refused(media: Path) -> None:
    ref = store_file("portraits", PORTRAIT)
    path = media / ref
    body = bytearray(path.read_bytes())
    body[-1] ^= 0x01
    path.write_bytes(bytes(body))
    with pytest.raises(SealError):
        read_file(ref)


HOSTILE_REFS = [
    "portraits/../../x",
    "portraits/..",
    "portraits/",
    "portraits",
    "",
    "/etc/passwd",
    "../outside",
    "../victim",
    "./victim",
    "portraits/a/b",
    "portraits/abc\x00def",
    "portraits/ａｂｃ",
    "portraits/" + "a" * 2000,
]


@pytest.mark.parametrize("ref", HOSTILE_REFS)
def test_read_file_refuses_references_that_could_leave_the_folder(media: Path, ref: str) -> None:
    victim = media.parent / "victim"
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_bytes(b"not yours")
    with pytest.raises(SealError):
        read_file(ref)
    assert not (media.parent / "outside").exists()


@pytest.mark.parametrize("ref", HOSTILE_REFS)
def test_delete_file_never_touches_anything_outside_its_folder(media: Path, ref: str) -> None:
    victim = media.parent / "victim"
    victim.parent.mkdir(parents=True, exist_ok=True)
    victim.write_bytes(b"not yours")
    kept = store_file("portraits", PORTRAIT)
    delete_file(ref)
    assert victim.read_bytes() == b"not yours"
    assert read_file(kept) == PORTRAIT


def test_delete_file_removes_the_file_and_is_idempotent(media: Path) -> None:
    ref = store_file("portraits", PORTRAIT)
    delete_file(ref)
    assert not (media / ref).exists()
    delete_file(ref)
    with pytest.raises(FileNotFoundError):
        read_file(ref)
