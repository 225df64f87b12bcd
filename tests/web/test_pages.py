import pytest
from django.test import Client

from tests.conftest import make_user, make_officer, signed_in, PASSWORD
from dinhdanh.core.access import Role

pytestmark = pytest.mark.django_db


def test_probe(client: Client) -> None:
    for url in ["/", "/api/v1/nope", "/api/v1/docs", "/units/?q=x", "/units/abc/", "/nope/", "/api/v1/units?level=bogus", "/api/docs"]:
        r = client.get(url)
        print("=====", url, r.status_code, dict(r.headers))
        print(r.content.decode()[:3000])
    r = client.post("/signin/", {"username": "1" * 13, "password": "x"})
    print(r.status_code, r.content.decode())
    r = client.post("/signin/", {"username": "1" * 10000, "password": "x"})
    print(r.status_code, r.content.decode()[-3000:])
    assert 0
