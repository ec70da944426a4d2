"""The industry taxonomy moves from the hazards app to accounts, keeping its table and rows.

State only: the table `hazards_industry` stays as it is (the model keeps it as its db_table), and the
content type is renamed so that permissions and admin history follow the model.
"""

import django.db.models.deletion
from django.db import migrations, models


def rename_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    if ContentType.objects.using(alias).filter(app_label=new, model="industry").exists():
        return  # already made by a post_migrate run in between: nothing to carry over
    ContentType.objects.using(alias).filter(app_label=old, model="industry").update(app_label=new)


def forwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="hazards", new="accounts")


def backwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="accounts", new="hazards")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_organization_webhook_url"),
        ("hazards", "0010_open_work_indexes"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Industry",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                        ("name_zh", models.CharField(max_length=50, verbose_name="Chinese name")),
                        ("name_en", models.CharField(max_length=100, verbose_name="English name")),
                        ("sort_order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "parent",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="children",
                                to="accounts.industry",
                                verbose_name="parent",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "industry",
                        "verbose_name_plural": "industries",
                        "db_table": "hazards_industry",
                        "ordering": ["sort_order", "code"],
                    },
                ),
                migrations.AlterField(
                    model_name="organization",
                    name="industries",
                    field=models.ManyToManyField(
                        blank=True,
                        help_text="Industries a department supervises or an enterprise operates in.",
                        related_name="organizations",
                        to="accounts.industry",
                        verbose_name="industries",
                    ),
                ),
                migrations.AlterField(
                    model_name="post",
                    name="industries",
                    field=models.ManyToManyField(
                        blank=True, related_name="posts", to="accounts.industry", verbose_name="portfolio"
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
