"""ExportJob moved from hazards (ledger 0001): its content type follows, so nothing points at a model
that no longer exists there (permissions, admin history)."""

from django.db import migrations


def rename_content_type(apps, schema_editor, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    alias = schema_editor.connection.alias
    if ContentType.objects.using(alias).filter(app_label=new, model="exportjob").exists():
        return  # already made by a post_migrate run in between: nothing to carry over
    ContentType.objects.using(alias).filter(app_label=old, model="exportjob").update(app_label=new)


def forwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="hazards", new="ledger")


def backwards(apps, schema_editor):
    rename_content_type(apps, schema_editor, old="ledger", new="hazards")


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_export_lease"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
