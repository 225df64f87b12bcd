"""The org_* notification templates render in Vietnamese for every kind they are sent with, and an
SMS stays one line of at most 200 characters even for the longest organization name."""

from __future__ import annotations

import pytest

from dinhdanh.notifications.catalogue import TEMPLATES
from dinhdanh.notifications.models import Channel, Message
from dinhdanh.notifications.rendering import render

LONG_NAME = "Công ty TNHH Thương mại Dịch vụ Xây dựng An Phát Hưng Thịnh " * 6
KINDS = [
    "authority_request",
    "organization_request",
    "breach",
    "terminated",
    "member",
    "administrator",
    "revoked",
    "expired",
]
ORG_TEMPLATES = [spec for spec in TEMPLATES.values() if spec.code.startswith("org_")]


def test_the_catalogue_has_the_organization_templates() -> None:
    assert {spec.code for spec in ORG_TEMPLATES} == {
        "org_issued",
        "org_updated",
        "org_representative_added",
        "org_representative_removed",
        "org_locked",
        "org_unlocked",
        "org_member_granted",
        "org_member_ended",
    }


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", ["An Phát", LONG_NAME[:400]])
def test_every_organization_template_renders(kind: str, name: str) -> None:
    samples: dict[str, str | int] = {"eid": "00000000018", "organization": name, "kind": kind}
    for spec in ORG_TEMPLATES:
        for channel in spec.channels:
            params = {n: samples[n] for n in spec.params}
            subject, body = render(Message(channel=channel, to="0912345678", template=spec.code, params=params))
            assert "dinhdanh" in f"{subject} {body}"
            assert "{{" not in body
            assert "{%" not in body
            assert "00000000018" in body
            if channel == Channel.SMS:
                assert subject == ""
                assert "\n" not in body
                assert len(body) <= 200, (spec.code, len(body))
            else:
                assert subject
                assert "\n" not in subject
                assert body.splitlines()[0] == "Xin chào,"
                assert "Trân trọng," in body
