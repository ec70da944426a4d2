import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The industry taxonomy moved to accounts (same table, same rows): state only."""

    dependencies = [
        ("accounts", "0004_industry_from_hazards"),
        ("inspections", "0003_industry_from_accounts"),
        ("hazards", "0010_open_work_indexes"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="hazard",
                    name="industry",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="accounts.industry",
                        verbose_name="industry",
                    ),
                ),
                migrations.DeleteModel(name="Industry"),
            ],
            database_operations=[],
        ),
    ]
