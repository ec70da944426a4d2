"""Enforcement documents (执法文书) issued from hazards and inspections, with per-body, per-year numbers."""

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class DocumentKind(models.TextChoices):
    INSPECTION_RECORD = "inspection_record", _("On-site inspection record (现场检查记录)")
    RECTIFICATION_ORDER = "rectification_order", _("Order to rectify within a time limit (责令限期整改指令书)")
    REINSPECTION_OPINION = "reinspection_opinion", _("Re-inspection opinion (整改复查意见书)")


# The word of each kind in a document number, as in 〔2026〕浏应急责改〔12〕号.
NUMBER_WORDS = {
    DocumentKind.INSPECTION_RECORD: "检记",
    DocumentKind.RECTIFICATION_ORDER: "责改",
    DocumentKind.REINSPECTION_OPINION: "复查",
}


class DocumentNumbering(models.Model):
    """The short name an issuing body puts in its document numbers (e.g. 浏应急 for 浏阳市应急管理局)."""

    organization = models.OneToOneField(
        "accounts.Organization", verbose_name=_("issuing body"), on_delete=models.PROTECT, related_name="+"
    )
    abbreviation = models.CharField(_("abbreviation in numbers"), max_length=20)

    class Meta:
        verbose_name = _("document numbering")
        verbose_name_plural = _("document numbering")

    def __str__(self) -> str:
        return self.abbreviation


class DocumentSequence(models.Model):
    """The last number a body issued of a kind in a year; its row lock serialises numbering."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=DocumentKind.choices)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "year", "kind"], name="document_sequence_unique")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}-{self.year}-{self.kind}: {self.last}"

    @classmethod
    def next_serial(cls, *, organization_id: int, year: int, kind: str) -> int:
        """The next serial of the body's kind of document in the year; safe when two heads issue at once."""
        with transaction.atomic():
            cls.objects.get_or_create(organization_id=organization_id, year=year, kind=kind)
            sequence = cls.objects.select_for_update().get(organization_id=organization_id, year=year, kind=kind)
            sequence.last = F("last") + 1
            sequence.save(update_fields=["last"])
            sequence.refresh_from_db(fields=["last"])
        return sequence.last


class EnforcementDocument(models.Model):
    """An issued document: its number, who issued it to whom, and what it said (kept as issued)."""

    Kind = DocumentKind

    kind = models.CharField(_("kind"), max_length=24, choices=DocumentKind.choices)
    # Not unique on its own: two bodies may share a short name until an administrator sets theirs;
    # (issuing body, year, kind, serial) is.
    number = models.CharField(_("document number"), max_length=60, db_index=True)
    year = models.PositiveSmallIntegerField(_("year"))
    serial = models.PositiveIntegerField(_("serial"))
    issuing_body = models.ForeignKey(
        "accounts.Organization", verbose_name=_("issuing body"), on_delete=models.PROTECT, related_name="+"
    )
    addressed_to = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("addressed to"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents_received",
    )
    addressee_name = models.CharField(_("addressee"), max_length=200)
    hazards = models.ManyToManyField("hazards.Hazard", verbose_name=_("hazards"), related_name="documents")
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # What the document said when issued: findings, legal bases, deadline, opinion (the hazards change later).
    content = models.JSONField(_("content"), default=dict)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"), auto_now_add=True)

    class Meta:
        verbose_name = _("enforcement document")
        verbose_name_plural = _("enforcement documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["issuing_body", "year", "kind", "serial"], name="document_serial_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"
