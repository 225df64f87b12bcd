import pytest
from django.db import transaction
from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction

@pytest.mark.django_db
@pytest.mark.parametrize("payload", [1e16, -0.0, 1e300, 5e-324, 0.1, 2.0, 1.7976931348623157e308, 123456789.123456789, 2**70, float("nan")])
def test_payload(payload):
    try:
        with transaction.atomic():
            e = audit.record(AuditAction.SIGNOUT, actor=None, after={"v": payload})
        e.refresh_from_db()
        print("OK", repr(payload), repr(e.after), audit.verify())
    except Exception as e:
        print("FAIL", repr(payload), type(e), str(e)[:100])
