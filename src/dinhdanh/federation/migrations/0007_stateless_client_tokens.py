"""Client-credentials access tokens stop having rows (decision 0034): a revoked one is a ``RevokedJti``
until it expires. The client tokens revoked before this migration and not yet expired are copied there,
so they stay refused. The nullable links of ``AccessToken`` are indexed only where set."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone


def keep_revoked_client_tokens(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AccessToken = apps.get_model("federation", "AccessToken")
    RevokedJti = apps.get_model("federation", "RevokedJti")
    revoked = AccessToken.objects.filter(
        user__isnull=True, revoked_at__isnull=False, expires_at__gt=timezone.now()
    )
    RevokedJti.objects.bulk_create(
        [
            RevokedJti(jti=jti, expires_at=expires_at)
            for jti, expires_at in revoked.values_list("jti", "expires_at")
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0006_client_id_token_alg_legal_basis"),
        ("organizations", "0007_service_registry_member_grants"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="RevokedJti",
            fields=[
                (
                    "id",
                    models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                ),
                ("jti", models.CharField(max_length=64, unique=True)),
                ("expires_at", models.DateTimeField(db_index=True)),
            ],
        ),
        migrations.AlterField(
            model_name="accesstoken",
            name="code",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="federation.authorizationcode",
            ),
        ),
        migrations.AlterField(
            model_name="accesstoken",
            name="consent",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="federation.consent",
            ),
        ),
        migrations.AlterField(
            model_name="accesstoken",
            name="organization",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="organizations.organization",
            ),
        ),
        migrations.AlterField(
            model_name="accesstoken",
            name="refresh",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="federation.refreshtoken",
            ),
        ),
        migrations.AlterField(
            model_name="accesstoken",
            name="user",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddIndex(
            model_name="accesstoken",
            index=models.Index(
                condition=models.Q(("user__isnull", False)), fields=["user"], name="federation_at_user"
            ),
        ),
        migrations.AddIndex(
            model_name="accesstoken",
            index=models.Index(
                condition=models.Q(("organization__isnull", False)),
                fields=["organization"],
                name="federation_at_organization",
            ),
        ),
        migrations.AddIndex(
            model_name="accesstoken",
            index=models.Index(
                condition=models.Q(("code__isnull", False)), fields=["code"], name="federation_at_code"
            ),
        ),
        migrations.AddIndex(
            model_name="accesstoken",
            index=models.Index(
                condition=models.Q(("consent__isnull", False)), fields=["consent"], name="federation_at_consent"
            ),
        ),
        migrations.AddIndex(
            model_name="accesstoken",
            index=models.Index(
                condition=models.Q(("refresh__isnull", False)), fields=["refresh"], name="federation_at_refresh"
            ),
        ),
        # Their rows stay (revoked_at set) until pruned, so going back needs nothing.
        migrations.RunPython(keep_revoked_client_tokens, migrations.RunPython.noop),
    ]
