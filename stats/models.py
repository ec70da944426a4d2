"""The statistics' summary of the ledger: what the tables and the dashboard would otherwise count row by row.

A `FindingTally` row counts the findings (voided ones never) of one month of finding, one county
and one industry, alike in everything the statistics ask of them: level, self-found or not, handed
in on time or not, and the months of their deadline, acceptance and account cancellation. A
`UnitTally` row does the same per unit, for the table's first column (units, counted once).

PostgreSQL triggers on the ledger's table keep both in step in the transaction of every write —
the workflow's actions, imports, bulk loads and edits alike (stats/tally.py). `rebuild_tallies`
recounts them from the ledger and `--check` compares. A month, not a day: at a million findings a
day's cells are nearly as many as the findings themselves (measured in the notes).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

TALLY_KEY = (
    "month",
    "region",
    "industry",
    "level",
    "self_found",
    "on_time",
    "deadline_month",
    "verified_month",
    "closed_month",
)


class FindingTally(models.Model):
    month = models.DateField(_("month found"))  # the first day of the month
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("county"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    industry = models.ForeignKey(
        "accounts.Industry",
        verbose_name=_("industry"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    level = models.CharField(_("level"), max_length=10)
    self_found = models.BooleanField(_("self-found"))
    on_time = models.BooleanField(_("handed in by the deadline"))
    deadline_month = models.DateField(_("month of the deadline"), null=True)
    verified_month = models.DateField(_("month accepted"), null=True)  # only while accepted or closed
    closed_month = models.DateField(_("month closed"), null=True)  # only while closed
    hazards = models.IntegerField(_("hazards"), default=0)
    funds = models.DecimalField(_("funds (10,000 yuan)"), max_digits=16, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("finding tally")
        verbose_name_plural = _("finding tallies")
        constraints = [
            models.UniqueConstraint(fields=TALLY_KEY, name="stats_finding_tally_key", nulls_distinct=False),
        ]
        indexes = [
            models.Index(
                fields=["closed_month"], name="stats_tally_closed_idx", condition=models.Q(closed_month__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} {self.industry_id} {self.level}: {self.hazards}"


class UnitTally(models.Model):
    month = models.DateField(_("month found"))
    region = models.ForeignKey(
        "accounts.Region", verbose_name=_("county"), on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    industry = models.ForeignKey(
        "accounts.Industry",
        verbose_name=_("industry"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("unit"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    hazards = models.IntegerField(_("hazards"), default=0)

    class Meta:
        verbose_name = _("unit tally")
        verbose_name_plural = _("unit tallies")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "region", "industry", "unit"], name="stats_unit_tally_key", nulls_distinct=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.region_id} unit {self.unit_id}: {self.hazards}"
