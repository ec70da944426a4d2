"""The hidden-danger ledger: hazards, their history and attachments."""

import uuid
from datetime import date

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hazards.states import OPEN_WORK_STATES, HazardState, days_overdue  # noqa: F401  (the model's states, imported from here)
from hazards.visibility import HazardQuerySet


class LedgerSequence(models.Model):
    """The last ledger number issued per county and year; its row lock serialises numbering."""

    region = models.ForeignKey("accounts.Region", on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="ledger_sequence_unique")]

    def __str__(self) -> str:
        return f"{self.region_id}-{self.year}: {self.last}"

    @classmethod
    def next_number(cls, *, region_code: str, year: int) -> str:
        """Issue the next `HN-<county>-<year>-<6 digits>`; safe when many inspectors save at once."""
        return cls.next_numbers(region_code=region_code, year=year, count=1)[0]

    @classmethod
    def next_numbers(cls, *, region_code: str, year: int, count: int) -> list[str]:
        """Issue `count` consecutive numbers under one row lock (an imported ledger numbers its rows at once)."""
        with transaction.atomic():
            cls.objects.get_or_create(region_id=region_code, year=year)
            sequence = cls.objects.select_for_update().get(region_id=region_code, year=year)
            sequence.last = F("last") + count
            sequence.save(update_fields=["last"])
            sequence.refresh_from_db(fields=["last"])
        return [
            f"HN-{region_code}-{year}-{serial:06d}" for serial in range(sequence.last - count + 1, sequence.last + 1)
        ]


# What every statistic reads of a hazard: its keys for the visibility rule and the breakdowns, and its state.
STATISTICS_COLUMNS = ["id", "state", "level", "region", "industry", "unit", "deadline", "found_by", "inspection"]


class Hazard(models.Model):
    """A hidden danger (事故隐患) on the ledger, from finding to account cancellation (销号)."""

    class Level(models.TextChoices):
        GENERAL = "general", _("General")
        MAJOR = "major", _("Major")

    class Kind(models.TextChoices):
        THING_STATE = "thing_state", _("Dangerous state of things")
        UNSAFE_BEHAVIOUR = "unsafe_behaviour", _("Unsafe behaviour")
        MANAGEMENT_DEFECT = "management_defect", _("Management defect")

    class Source(models.TextChoices):
        INSPECTION = "inspection", pgettext_lazy("hazard source", "Inspection")
        SELF_CHECK = "self_check", _("Enterprise self-check")
        CAMPAIGN = "campaign", _("Special campaign")
        PUBLIC_REPORT = "public_report", _("Public report")
        ASSIGNED_FROM_ABOVE = "assigned_from_above", _("Assigned from above")

    class ListedLevel(models.TextChoices):
        NONE = "", _("Not listed")
        COUNTY = "county", _("County")
        CITY = "city", pgettext_lazy("listed level", "City")
        PROVINCE = "province", _("Province")

    class ProductionSuspension(models.TextChoices):
        NONE = "none", _("Not suspended")
        PARTIAL = "partial", _("Partly suspended")
        FULL = "full", _("Wholly suspended")

    class AcceptanceMethod(models.TextChoices):
        SELF_EVALUATION = "self_evaluation", _("Self-evaluation")
        EXPERT = "expert", _("Expert assessment")
        GOVERNMENT = "government", _("Government acceptance")
        AGENCY = "agency", _("Evaluation by a qualified agency")

    # SAWS Order 16 art. 18: a major hazard is evaluated by experts or a qualified agency, never by
    # the unit itself, before the regulator reviews it on site and cancels it.
    MAJOR_ACCEPTANCE_METHODS = (AcceptanceMethod.EXPERT, AcceptanceMethod.AGENCY)

    State = HazardState

    number = models.CharField(_("ledger number"), max_length=30, unique=True, editable=False)
    title = models.CharField(pgettext_lazy("hazard", "title"), max_length=200)
    description = models.TextField(pgettext_lazy("hazard", "description"))
    industry = models.ForeignKey(
        "accounts.Industry", verbose_name=_("industry"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.GENERAL)
    kind = models.CharField(_("form"), max_length=20, choices=Kind.choices, default=Kind.THING_STATE)
    legal_basis = models.TextField(
        _("legal basis"),
        blank=True,
        help_text=_("The standard and clause it breaks, e.g. a line of a major-hazard determination standard."),
    )
    source = models.CharField(_("source"), max_length=25, choices=Source.choices, default=Source.INSPECTION)
    campaign = models.ForeignKey(
        "inspections.Campaign",
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    inspection = models.ForeignKey(
        "inspections.Inspection",
        verbose_name=_("inspection"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    # The county; its key is the GB/T 2260 code, so scope is a prefix filter on this column.
    region = models.ForeignKey("accounts.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_found",
    )
    site_name = models.CharField(_("site"), max_length=200, blank=True)
    location = models.CharField(_("location"), max_length=300, blank=True)
    found_on = models.DateField(_("found on"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("found by"), on_delete=models.PROTECT, related_name="hazards_found"
    )
    # From an imported ledger: who found it when that person is not a user (排查人), and its notes (备注).
    finder_name = models.CharField(_("found by (as the ledger names them)"), max_length=100, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    state = models.CharField(_("state"), max_length=12, choices=HazardState.choices, default=HazardState.REPORTED)
    on_the_spot = models.BooleanField(_("rectified on the spot"), default=False)
    # A unit's own finding (企业自查) it cannot resolve alone goes to the department's queue.
    needs_government_coordination = models.BooleanField(_("needs government coordination"), default=False)
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions"), default=0)
    rectifying_unit = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("rectifying unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_to_rectify",
    )

    # The rectification plan; for a major hazard all of 五落实 plus goals and production suspension
    # (PLAN_FIELDS and MAJOR_PLAN_FIELDS below name them for the workflow and its forms).
    measures = models.TextField(_("rectification measures"), blank=True)
    funds = models.DecimalField(_("funds (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    responsible_person = models.CharField(_("person responsible"), max_length=100, blank=True)
    contingency_plan = models.TextField(_("contingency plan"), blank=True)
    goals = models.TextField(_("rectification goals"), blank=True)
    materials = models.TextField(_("materials and equipment"), blank=True)
    production_suspension = models.CharField(
        _("production suspension"), max_length=10, choices=ProductionSuspension.choices, blank=True, default=""
    )

    listed_level = models.CharField(
        _("listed supervision"), max_length=10, choices=ListedLevel.choices, blank=True, default=""
    )
    listed_by = models.ForeignKey(
        "accounts.Organization",
        verbose_name=_("listing body"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_listed",
    )
    # A snapshot taken at assignment: people change posts, the ledger shows who answered then.
    responsibility_chain = models.JSONField(_("responsibility chain"), default=list, blank=True)

    # People named on the chain at assignment: they see the hazard whatever their scope.
    named_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("people named"), blank=True, related_name="hazards_named"
    )

    completion_report = models.TextField(_("completion report"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_submitted",
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards_verified",
    )
    acceptance_method = models.CharField(
        _("acceptance method"), max_length=20, choices=AcceptanceMethod.choices, blank=True
    )
    acceptance_opinion = models.TextField(_("acceptance opinion"), blank=True)
    # The regulator's on-site review of a major hazard before it accepts (SAWS Order 16 art. 18).
    reviewed_on = models.DateField(_("on-site review date"), null=True, blank=True)
    reviewers = models.CharField(_("on-site reviewers"), max_length=300, blank=True)

    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    started_at = models.DateTimeField(_("rectification started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    verified_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    # Determination (rules app): the standard's clause that makes the hazard major, or why it is major
    # without one; and the checklist item whose failure produced it.
    determination_clause = models.ForeignKey(
        "rules.DeterminationClause",
        verbose_name=_("determination clause"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="hazards",
    )
    major_reason = models.TextField(_("why major without a clause"), blank=True)
    checklist_item = models.ForeignKey(
        "rules.ChecklistItem",
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = HazardQuerySet.as_manager()

    class Meta:
        verbose_name = _("hazard")
        verbose_name_plural = _("hazards")
        ordering = ["-found_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(funds__isnull=True) | Q(funds__gte=0), name="hazard_funds_not_negative"),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True) | Q(deadline__gte=F("found_on")), name="hazard_deadline_after_found"
            ),
            models.CheckConstraint(condition=Q(unit__isnull=False) | ~Q(site_name=""), name="hazard_has_unit_or_site"),
            models.CheckConstraint(condition=Q(level="major") | Q(listed_level=""), name="hazard_only_major_is_listed"),
        ]
        indexes = [
            # Pattern operators, so that the scope's `LIKE '4301%'` can use the index on PostgreSQL.
            models.Index(
                fields=["region", "state"],
                name="hazard_region_state_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(fields=["state", "deadline"], name="hazard_state_deadline_idx"),
            models.Index(fields=["industry", "state"], name="hazard_industry_state_idx"),
            models.Index(fields=["rectifying_unit", "state"], name="hazard_unit_state_idx"),
            # The ledger's order (newest first, then by id): pages and their keys read it in order.
            models.Index(fields=["found_on", "id"], name="hazard_found_on_id_idx"),
            models.Index(fields=["level", "listed_level"], name="hazard_level_listed_idx"),
            # Major hazards (about 5% of a ledger) by listing in the ledger's order, with what the
            # scope tests: "major + listed" reads 26 entries of this small index for a page
            # (0.3 ms) where it fetched a city's 4,000 listed rows from the table (244 ms cold).
            models.Index(
                fields=["listed_level", "found_on", "id"],
                include=["region", "industry"],
                condition=Q(level="major"),
                name="hazard_major_order_idx",
            ),
            # Open work (assigned, rectifying) is a few percent of a mature ledger: overdue filters
            # and counts read these instead of the whole region or the whole order.
            models.Index(
                fields=["region", "deadline"],
                name="hazard_open_region_due_idx",
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(state__in=["assigned", "rectifying"]),
            ),
            models.Index(
                fields=["found_on", "id"],
                name="hazard_open_order_idx",
                condition=Q(state__in=["assigned", "rectifying"]),
            ),
            # The statistics (stats/) read a period's findings, the open ones and the closed ones by
            # these; the included columns answer every condition of their counts and the visibility
            # rule, so PostgreSQL reads the index alone (a tenth of the table's pages). Measured in
            # bench/stats.py.
            models.Index(
                fields=["found_on"],
                name="hazard_stats_found_idx",
                include=[*STATISTICS_COLUMNS, "verified_at", "closed_at", "submitted_at", "funds", "source"],
            ),
            models.Index(
                fields=["region"],
                name="hazard_stats_open_idx",
                opclasses=["varchar_pattern_ops"],
                include=[
                    *(c for c in STATISTICS_COLUMNS if c != "region"),
                    "found_on",
                    "listed_level",
                    "rectifying_unit",
                ],
                condition=Q(state__in=["reported", "assigned", "rectifying", "submitted", "verified"]),
            ),
            # Majors on a plan: a few percent of the ledger, with the parts of 五落实 the table counts.
            models.Index(
                fields=["found_on"],
                name="hazard_stats_major_idx",
                include=[
                    *STATISTICS_COLUMNS,
                    "assigned_at",
                    "closed_at",
                    "listed_level",
                    "funds",
                    "goals",
                    "responsible_person",
                    "contingency_plan",
                ],
                condition=Q(level="major"),
            ),
            models.Index(
                fields=["closed_at"],
                name="hazard_stats_closed_idx",
                include=[*STATISTICS_COLUMNS],
                condition=Q(state="closed"),
            ),
            # The statistics' tallies (stats/) know a deadline's month; the days of the current
            # month up to today are counted from this index alone (bench/stats.py).
            models.Index(
                fields=["deadline"],
                name="hazard_stats_due_idx",
                include=["found_on", "region", "industry", "state", "level", "submitted_at", "id"],
            ),
            # The dashboard's majors under listed supervision, nearest deadline first, read in order.
            models.Index(
                fields=["deadline", "id"],
                name="hazard_listed_open_due_idx",
                condition=Q(level="major", state__in=["reported", "assigned", "rectifying", "submitted", "verified"])
                & ~Q(listed_level=""),
            ),
            # The deadline scan (notifications/reminders.py) reads open work by deadline; with the
            # level (the ladder's escalation differs) a rerun reads nothing but this index.
            models.Index(
                fields=["deadline", "id"],
                name="hazard_open_deadline_idx",
                include=["level"],
                condition=Q(state__in=["assigned", "rectifying"]),
            ),
        ]

    # The plan a rectifying unit writes when it starts; a major hazard cannot start without 五落实
    # (responsibility, measures, funds, time limit, contingency plan), its goals and the suspension decision.
    PLAN_FIELDS = (
        "measures",
        "funds",
        "responsible_person",
        "contingency_plan",
        "goals",
        "materials",
        "production_suspension",
    )
    MAJOR_PLAN_FIELDS = (
        "responsible_person",
        "measures",
        "funds",
        "deadline",
        "contingency_plan",
        "goals",
        "production_suspension",
    )

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def place(self) -> str:
        return self.unit.name if self.unit is not None else self.site_name

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    @property
    def overdue_days(self) -> int:
        return days_overdue(self.state, self.deadline, timezone.localdate())

    @property
    def is_major(self) -> bool:
        return self.level == self.Level.MAJOR

    def days_left(self, today: date | None = None) -> int | None:
        if self.deadline is None:
            return None
        return (self.deadline - (today or timezone.localdate())).days


class HazardEvent(models.Model):
    """Append-only history: who did what to a hazard, from which state to which, when and why."""

    class Action(models.TextChoices):
        REPORT = "report", _("Reported")
        EDIT = "edit", _("Edited")
        ATTACH = "attach", _("Attached files")
        ASSIGN = "assign", _("Assigned")
        START = "start", _("Started rectification")
        SUBMIT = "submit", _("Submitted for acceptance")
        REJECT = "reject", _("Rejected")
        VERIFY = "verify", _("Accepted")
        CLOSE = "close", _("Closed (ledger entry cancelled)")
        VOID = "void", _("Voided")
        REQUEST_EXTENSION = "request_extension", _("Asked for an extension")
        DECIDE_EXTENSION = "decide_extension", _("Decided an extension")
        LIST = "list", _("Put under listed supervision")
        ISSUE_DOCUMENT = "issue_document", _("Issued an enforcement document")

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="hazard_events"
    )
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    from_state = models.CharField(_("from"), max_length=12, choices=HazardState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=12, choices=HazardState.choices, blank=True)
    reason = models.TextField(_("reason or comment"), blank=True)
    # For edits: {field: [old, new]} as displayed values.
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("hazard event")
        verbose_name_plural = _("hazard events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["hazard", "at"], name="hazard_event_hazard_at_idx")]

    def __str__(self) -> str:
        return f"{self.hazard_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class ExtensionRequest(models.Model):
    """A rectifying unit's request for a later deadline (延期), and the head's decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        DENIED = "denied", _("Denied")

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="extension_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"), default=timezone.now)
    current_deadline = models.DateField(_("deadline at the time"))
    new_deadline = models.DateField(_("new deadline asked for"))
    reason = models.TextField(_("reason"))
    decision = models.CharField(_("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), blank=True)
    # Counted in working days from the request (settings.EXTENSION_DECISION_WORKING_DAYS); reminded when it passes.
    decision_due = models.DateField(_("decision due"), null=True, blank=True)
    decision_reminded_on = models.DateField(_("reminded of the decision"), null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(decision="pending"), name="extension_one_pending_per_hazard"
            ),
            models.CheckConstraint(
                condition=Q(new_deadline__gt=F("current_deadline")), name="extension_moves_deadline_later"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id}: {self.current_deadline} → {self.new_deadline} ({self.decision})"


def attachment_path(attachment: "Attachment", filename: str) -> str:
    # Random names: the original name is kept in a field, never trusted as a path.
    suffix = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"hazards/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """A photo or document of a hazard: before, after (evidence of rectification) or other."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("Before rectification")
        AFTER = "after", _("After rectification")
        DOCUMENT = "document", _("Document")
        EVALUATION = "evaluation", _("Evaluation report")
        APPLICATION = "application", _("Written application for cancellation")

    hazard = models.ForeignKey(
        Hazard, verbose_name=_("hazard"), null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices, default=Stage.BEFORE)
    # The submission a piece of evidence was handed in with: a rejected round keeps its own photos.
    round = models.ForeignKey(
        "hazards.SubmissionRound",
        verbose_name=_("submission"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    thumbnail = models.FileField(_("thumbnail"), upload_to=attachment_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # The photo's facts, shown on its thumbnail: when it was taken (EXIF, else the upload), and where,
    # when the phone gave its position with the user's consent.
    taken_at = models.DateTimeField(_("taken"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    # An upload kept while its form is corrected: it joins a hazard when the form is saved.
    token = models.UUIDField(_("upload token"), default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class SubmissionRound(models.Model):
    """One submission of a rectification for acceptance (第1次提交, 第2次提交 …), never overwritten.

    A rejection closes the round with its reason and sends the hazard back; the next submission is a
    new round with its own report and evidence. A major hazard's round carries the evaluation by
    experts or a qualified agency and the unit's written application (SAWS Order 16 art. 18).
    """

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Waiting for acceptance")
        REJECTED = "rejected", _("Rejected")
        ACCEPTED = "accepted", _("Accepted")

    hazard = models.ForeignKey(Hazard, verbose_name=_("hazard"), on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveSmallIntegerField(_("submission number"))
    completion_report = models.TextField(_("completion report"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"))
    evaluation_method = models.CharField(
        _("evaluation method"), max_length=20, choices=Hazard.AcceptanceMethod.choices, blank=True
    )
    evaluating_body = models.CharField(_("evaluating body or experts"), max_length=300, blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["hazard", "number"]
        constraints = [
            models.UniqueConstraint(fields=["hazard", "number"], name="submission_round_unique_number"),
            models.UniqueConstraint(
                fields=["hazard"], condition=Q(outcome="pending"), name="submission_round_one_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hazard_id} #{self.number} ({self.outcome})"


class SavedView(models.Model):
    """A ledger view a user named: the list's query string (filters, sort, columns), kept to return to or share.

    The view is only a link: whoever opens it sees the rows their own scope allows.
    """

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="saved_views"
    )
    name = models.CharField(_("name"), max_length=60)
    query = models.CharField(_("query string"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Forgotten views are kept, not deleted (nothing is hard-deleted); the list shows the others.
    forgotten_at = models.DateTimeField(_("forgotten"), null=True, blank=True)

    class Meta:
        verbose_name = _("saved ledger view")
        verbose_name_plural = _("saved ledger views")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "name"], condition=Q(forgotten_at__isnull=True), name="saved_view_name_once"
            )
        ]

    def __str__(self) -> str:
        return self.name
