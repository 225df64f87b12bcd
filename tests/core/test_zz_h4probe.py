import pytest
from django.db import connection, transaction, DatabaseError
from dinhdanh.core.models import AuditEvent
from dinhdanh.core import audit
from dinhdanh.core.audit_codes import AuditAction

def lift():
    with connection.cursor() as c:
        if connection.vendor == "sqlite":
            c.execute("DROP TRIGGER core_auditevent_no_update")
        else:
            c.execute("SET CONSTRAINTS ALL IMMEDIATE")
            c.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_no_change")

@pytest.mark.django_db
def test_probe():
    e = audit.record(AuditAction.SIGNOUT, actor=None)
    with transaction.atomic():
        lift()
        AuditEvent.objects.filter(pk=e.pk).update(actor_label="x")
        transaction.set_rollback(True)
    try:
        with transaction.atomic():
            AuditEvent.objects.filter(pk=e.pk).update(actor_label="y")
        print("NOT RESTORED")
    except DatabaseError as exc:
        print("restored", type(exc), exc)
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("select name from sqlite_master where type='trigger'")
            print(c.fetchall())
