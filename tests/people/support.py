"""Helpers shared by the personal-account tests: valid registration data, real images, the SMS outbox,
TOTP codes and problem+json checks. Nothing here mocks a service; every helper drives the real code."""

from __future__ import annotations

import dataclasses
import io
import json
import re
from datetime import date
from pathlib import Path
from typing import Any

import pyotp
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from dinhdanh.notifications.services import deliver_due
from dinhdanh.people.models import TotpDevice, User
from dinhdanh.people.services.registration import Registration
from dinhdanh.people.totp import totp_begin, totp_confirm

PID = "079085001234"  # Hồ Chí Minh City, a man born in 1985
BORN = date(1985, 3, 14)
PHONE = "0912345678"
EMAIL = "an.tran@example.com"
NAME = "Trần Văn An"
GOOD_PASSWORD = "Sao-Khue-Bay-Cao-2025!"
PROBLEM = "application/problem+json"


# --- images --------------------------------------------------------------------------------------


def image_bytes(kind: str = "PNG", size: tuple[int, int] = (24, 32)) -> bytes:
    """A small real image, noisy enough that cutting it in half breaks it."""
    image = Image.new("RGB", size)
    image.putdata(
        [((x * 37) % 256, (y * 91) % 256, (x * y) % 256) for y in range(size[1]) for x in range(size[0])]
    )
    buffer = io.BytesIO()
    image.save(buffer, format=kind)
    return buffer.getvalue()


def png_bytes() -> bytes:
    return image_bytes("PNG")


def jpeg_bytes() -> bytes:
    return image_bytes("JPEG", (64, 64))


# --- registration --------------------------------------------------------------------------------


def registration(**changes: Any) -> Registration:
    """A registration that passes every check; ``changes`` spoil one field at a time."""
    base = Registration(
        personal_id=PID,
        full_name=NAME,
        date_of_birth=BORN,
        phone=PHONE,
        email=EMAIL,
        password=GOOD_PASSWORD,
        password_confirm=GOOD_PASSWORD,
        portrait=png_bytes(),
        consent=True,
    )
    return dataclasses.replace(base, **changes)


def register_form(**changes: Any) -> dict[str, Any]:
    """The /register/ form as a browser posts it; a ``None`` value leaves the field out."""
    data: dict[str, Any] = {
        "personal_id": PID,
        "full_name": NAME,
        "date_of_birth": BORN.isoformat(),
        "phone": PHONE,
        "email": EMAIL,
        "password": GOOD_PASSWORD,
        "password_confirm": GOOD_PASSWORD,
        "consent": "on",
        "portrait": SimpleUploadedFile("chan-dung.png", png_bytes(), content_type="image/png"),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def portrait_files(media_root: Path) -> list[Path]:
    folder = media_root / "portraits"
    return sorted(p for p in folder.iterdir() if p.is_file()) if folder.exists() else []


# --- the SMS outbox ------------------------------------------------------------------------------


def sms_log(outbox: Path) -> list[dict[str, Any]]:
    path = outbox / "sms.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def deliver_codes(outbox: Path) -> list[str]:
    """Send whatever is due (as the worker would), then every 6-digit code texted so far, oldest first."""
    deliver_due()
    return [m for sms in sms_log(outbox) for m in re.findall(r"\b([0-9]{6})\b", sms["body"])]


def latest_code(outbox: Path) -> str:
    codes = deliver_codes(outbox)
    assert codes, "no code was texted"
    return codes[-1]


def wrong_code(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


# --- second factor -------------------------------------------------------------------------------


def enrol_totp(user: User) -> tuple[pyotp.TOTP, list[str]]:
    """A confirmed authenticator app and its recovery codes."""
    secret, _uri = totp_begin(user=user)
    totp = pyotp.TOTP(secret)
    recovery = totp_confirm(user=user, code=totp.now())
    return totp, recovery


def totp_code(user: User, totp: pyotp.TOTP) -> str:
    """A code the server has not seen yet. Each code is single-use per 30-second step; forgetting the
    last step used lets a test use several codes without waiting for the clock."""
    TotpDevice.objects.filter(user=user).update(last_step=0)
    return totp.now()


# --- API -----------------------------------------------------------------------------------------


def problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    text = response.content.decode()
    assert "Traceback" not in text
    body: dict[str, Any] = json.loads(text)
    assert body["code"] == code, body
    assert body["status"] == status
    assert isinstance(body["title"], str)
    assert body["title"].strip()
    return body


def csrf_client() -> tuple[Client, str]:
    """A client that enforces CSRF like a browser, and the token the API hands out."""
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/auth/csrf")
    assert response.status_code == 200
    token = response.json()["csrf_token"]
    assert isinstance(token, str)
    return client, token


def post_json(client: Client, url: str, body: Any, token: str | None = None, **extra: Any) -> Any:
    headers = {"X-CSRFToken": token} if token else {}
    payload = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(url, payload, content_type="application/json", headers=headers, **extra)
