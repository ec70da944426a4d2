"""Who people are and where they answer for safety: regions, industries, organisations, users and posts."""

from django.contrib.auth.models import AbstractUser, Group
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from accounts.credit_codes import validate_credit_code
from accounts.roles import Role
from hunan_safety.compiled import CompiledQuery


class Region(models.Model):
    """A GB/T 2260 administrative division of Hunan: the province, a city or a county."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        CITY = "city", pgettext_lazy("region level", "City")
        COUNTY = "county", _("County")

    code = models.CharField(_("division code"), max_length=6, primary_key=True)
    name = models.CharField(_("name"), max_length=50)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="region_code_six_digits"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True) | Q(parent__isnull=False),
                name="region_only_province_without_parent",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def scope_prefix(self) -> str:
        """The code prefix shared by this division and everything under it: 43, 4301, 430102."""
        prefixes: dict[str, str] = {self.Level.PROVINCE: self.code[:2], self.Level.CITY: self.code[:4]}
        return prefixes.get(self.level, self.code)

    def subtree(self) -> models.QuerySet["Region"]:
        """This division and every division under it, by code prefix (one indexed query)."""
        return Region.objects.filter(code__startswith=self.scope_prefix)

    def contains(self, other: "Region") -> bool:
        return other.code.startswith(self.scope_prefix)

    def ancestors(self) -> list["Region"]:
        """From this division up to the province, nearest first (at most two steps in Hunan)."""
        chain: list[Region] = []
        region: Region | None = self
        while region is not None:
            chain.append(region)
            region = region.parent
        return chain

    @property
    def full_name(self) -> str:
        return "".join(region.name for region in reversed(self.ancestors()))


class Industry(models.Model):
    """A key industry (行业领域) of the taxonomy, or one of its sub-categories."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=50)
    name_en = models.CharField(_("English name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        # Kept from when the taxonomy lived in the hazards app, so that moving it lost no row.
        db_table = "hazards_industry"
        verbose_name = _("industry")
        verbose_name_plural = _("industries")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        """The name in the active language."""
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @staticmethod
    def with_descendants(industry_ids) -> set[int]:
        """The given industries and their sub-categories (the taxonomy is two levels deep)."""
        ids = set(industry_ids)
        if ids:
            ids |= set(Industry.objects.filter(parent_id__in=ids).values_list("id", flat=True))
        return ids


class Organization(models.Model):
    """A body that answers for safety: a party committee, a government, a department, an enterprise."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        GOVERNMENT = "government", _("People's government")
        DEPARTMENT = "department", _("Department")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other unit")

    class Size(models.TextChoices):
        LARGE = "large", _("Large")
        MEDIUM = "medium", _("Medium")
        SMALL = "small", _("Small")
        MICRO = "micro", _("Micro or premises")

    class RiskClass(models.TextChoices):
        # The four colours of 安全风险分级管控: red, orange, yellow, blue.
        MAJOR = "major", _("Major risk (red)")
        HIGH = "high", _("High risk (orange)")
        GENERAL = "general", _("General risk (yellow)")
        LOW = "low", _("Low risk (blue)")

    class Status(models.TextChoices):
        OPERATING = "operating", _("Operating")
        SUSPENDED = "suspended", _("Suspended")
        CLOSED = "closed", _("Closed")

    class RobotVendor(models.TextChoices):
        WECOM = "wecom", _("WeCom (企业微信)")
        DINGTALK = "dingtalk", _("DingTalk (钉钉)")

    # Party committees and governments hold territorial management responsibility (属地管理责任).
    TERRITORIAL_KINDS = (Kind.PARTY_COMMITTEE, Kind.GOVERNMENT)
    # The units the regulators supervise: the register of units (企业/单位台账) is these rows.
    REGISTER_KINDS = (Kind.ENTERPRISE, Kind.OTHER)
    # Sorting a register by risk: the most dangerous first, units without a class last.
    RISK_ORDER = {RiskClass.MAJOR: 0, RiskClass.HIGH: 1, RiskClass.GENERAL: 2, RiskClass.LOW: 3, "": 4}

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organizations")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    industries = models.ManyToManyField(
        Industry,
        verbose_name=_("industries"),
        blank=True,
        related_name="organizations",
        help_text=_("Industries a department supervises or an enterprise operates in."),
    )
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_credit_code],
        help_text=_("18 characters (GB 32100-2015); a unit without one (small premises, a house) needs an address."),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # The register's fields (企业/单位台账), for enterprises and other supervised units.
    township = models.CharField(_("township or street"), max_length=100, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=100, blank=True)
    legal_representative_phone = models.CharField(_("legal representative's phone"), max_length=30, blank=True)
    safety_contact = models.CharField(_("safety contact"), max_length=100, blank=True)
    safety_contact_phone = models.CharField(_("safety contact's phone"), max_length=30, blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    risk_class = models.CharField(_("risk class"), max_length=10, choices=RiskClass.choices, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPERATING)
    webhook_url = models.URLField(
        _("chat webhook"),
        max_length=500,
        blank=True,
        help_text=_(
            "Optional: the address of the organisation's chat group robot (WeCom, DingTalk), which then receives reminders as JSON."
        ),
    )
    # The chat robot's manners (notifications/robots.py): its vendor's message format, DingTalk's
    # 加签 secret, and whether its messages @ the responsible people by their mobile numbers.
    robot_vendor = models.CharField(
        _("chat robot vendor"),
        max_length=10,
        choices=RobotVendor.choices,
        blank=True,
        help_text=_("Leave empty to tell from the address (oapi.dingtalk.com is DingTalk, anything else WeCom)."),
    )
    robot_secret = models.CharField(
        _("chat robot signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only, when the robot is secured by signing (加签): the secret starting with SEC."),
    )
    robot_mentions = models.BooleanField(
        _("@ the responsible people in chat messages"),
        default=False,
        help_text=_("DingTalk robots then @ the mobile numbers of the people a reminder is for."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["region_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~Q(credit_code=""), name="organization_unique_credit_code"
            ),
            models.UniqueConstraint(fields=["region", "name"], name="organization_unique_name_in_region"),
            # An enterprise without a credit code (a small one) needs its address. (Other units, e.g. a
            # house or a working group, are held to it by clean() and the register's import only:
            # rows from before the register may have neither.)
            models.CheckConstraint(
                condition=~Q(kind="enterprise") | ~Q(credit_code="") | ~Q(address=""),
                name="organization_enterprise_has_code_or_address",
            ),
        ]
        indexes = [
            # The register is browsed by county (a code prefix, hence the pattern operators) and kind.
            models.Index(
                fields=["region", "kind"],
                name="organization_region_kind_idx",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        self.credit_code = self.credit_code.strip().upper()
        if self.kind in self.REGISTER_KINDS and not self.credit_code and not self.address.strip():
            raise ValidationError(
                {
                    "address": _(
                        "A unit without a unified social credit code needs its address, so that it can be found."
                    )
                }
            )

    @property
    def is_territorial(self) -> bool:
        return self.kind in self.TERRITORIAL_KINDS

    @property
    def is_register_unit(self) -> bool:
        return self.kind in self.REGISTER_KINDS


class User(AbstractUser):
    """A person who signs in: belongs to an organisation, works in a jurisdiction, has roles (groups)."""

    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("jurisdiction"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("The region whose hazards this user works on; defaults to the organisation's region."),
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs does not declare it
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full_name = self.get_full_name()
        return f"{full_name}（{self.username}）" if full_name else self.username

    def get_full_name(self) -> str:
        # Chinese names are family name first, with no space.
        return f"{self.last_name}{self.first_name}".strip()

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(_ROLE_NAMES.run(user_id=self.pk))

    def has_role(self, role: Role) -> bool:
        return role in self.role_names or (role == Role.ADMINISTRATOR and self.is_superuser)

    @property
    def roles(self) -> list[Role]:
        return [role for role in Role if self.has_role(role)]

    @property
    def jurisdiction(self) -> Region | None:
        """Where this user works: their own region, else their organisation's."""
        if self.region_id:
            return self.region
        # No query when there is no organisation: the descriptor sees the empty key.
        return self.organization.region if self.organization is not None else None


class Post(models.Model):
    """An official post held by a user, with a portfolio of industries (一岗双责).

    Under "one post, two responsibilities" the portfolio is both the business and the safety
    responsibility of the post: the deputy county head in charge of transport answers for
    transport safety too. The responsibility chain of a hazard is resolved from these posts.
    """

    class Duty(models.TextChoices):
        PRINCIPAL = "principal", _("Principal")
        SAFETY_LEAD = "safety_lead", _("Leader in charge of work safety")
        PORTFOLIO_LEAD = "portfolio_lead", _("Leader in charge of industries (portfolio)")
        SAFETY_OFFICER = "safety_officer", _("Safety officer")

    title = models.CharField(
        pgettext_lazy("post", "title"), max_length=100, help_text=_("e.g. deputy county head in charge of transport")
    )
    duty = models.CharField(_("duty"), max_length=20, choices=Duty.choices)
    holder = models.ForeignKey(
        User, verbose_name=_("holder"), null=True, blank=True, on_delete=models.PROTECT, related_name="posts"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="posts"
    )
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="posts")
    industries = models.ManyToManyField(Industry, verbose_name=_("portfolio"), blank=True, related_name="posts")
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True, help_text=_("Untick when the post is abolished."))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["region_id", "organization_id", "title"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "title"], name="post_unique_title_in_organization"),
        ]
        indexes = [models.Index(fields=["region", "duty"], name="post_region_duty_idx")]

    def __str__(self) -> str:
        return f"{self.organization} · {self.title}"


class AccountEvent(models.Model):
    """What happened to people's accounts (等保 security audit): sign-ins, failures, lockouts, roles, posts.

    Written by accounts/audit.py from Django's and django-axes' signals; never edited or deleted.
    """

    class Kind(models.TextChoices):
        SIGNED_IN = "signed_in", _("Signed in")
        SIGNED_OUT = "signed_out", _("Signed out")
        SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
        LOCKED_OUT = "locked_out", _("Locked out after failed sign-ins")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        ROLES_CHANGED = "roles_changed", _("Roles changed")
        ACTIVATED = "activated", _("Account activated")
        DEACTIVATED = "deactivated", _("Account deactivated")
        POST_HOLDER_CHANGED = "post_holder_changed", _("Post holder changed")
        API_TOKEN_CREATED = "api_token_created", _("API token created")
        API_TOKEN_REVOKED = "api_token_revoked", _("API token revoked")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices)
    user = models.ForeignKey(
        User,
        verbose_name=_("whose account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="account_events",
    )
    # As typed at a failed sign-in (the account may not exist); else the account's username then.
    username = models.CharField(_("username"), max_length=150, blank=True)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["user", "at"], name="account_event_user_at_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()} {self.username}"


class PostHolding(models.Model):
    """Who held a post, from when until when: the responsibility chain stays provable after people move."""

    post = models.ForeignKey(Post, verbose_name=_("post"), on_delete=models.PROTECT, related_name="holdings")
    holder = models.ForeignKey(User, verbose_name=_("holder"), on_delete=models.PROTECT, related_name="post_holdings")
    started_at = models.DateTimeField(_("held from"), default=timezone.now)
    ended_at = models.DateTimeField(_("held until"), null=True, blank=True)

    class Meta:
        verbose_name = _("post holding")
        verbose_name_plural = _("post holdings")
        ordering = ["post_id", "-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["post"], condition=Q(ended_at__isnull=True), name="post_one_current_holding"
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.holder}"


# Asked on every page (the header's links, the visibility rule): compiled once (hunan_safety/compiled.py).
_ROLE_NAMES = CompiledQuery(
    lambda user_id: Group.objects.filter(user=user_id).values_list("name", flat=True), "user_id"
)
