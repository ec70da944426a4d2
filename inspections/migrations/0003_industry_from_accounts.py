import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """The industry taxonomy moved to accounts (same table): the references follow, in state only."""

    dependencies = [
        ("accounts", "0004_industry_from_hazards"),
        ("inspections", "0002_team_user_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="campaign",
                    name="industries",
                    field=models.ManyToManyField(blank=True, to="accounts.industry", verbose_name="industries"),
                ),
                migrations.AlterField(
                    model_name="inspection",
                    name="industry",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT, to="accounts.industry", verbose_name="industry"
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
