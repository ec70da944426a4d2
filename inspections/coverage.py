"""Campaign coverage and blind spots (不留盲区): which units of the register a campaign reached.

A campaign's scope is its regions × industries (none chosen: the whole province, every industry);
the register (units of kind enterprise or other, not closed) says which units fall in it. Coverage is
the units with at least one inspection in the campaign over the units in scope, in total, by county
and by industry; the blind spots are the units in scope that no inspection of the campaign reached.
Callers pass the units the viewer may see (`accounts.scope.register_for`), so every figure stays
inside the one visibility rule. The statistics' 应排查 / 实际排查 / 覆盖率 read from here.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When

from accounts.models import Industry, Organization, Region
from inspections.models import Campaign, Inspection


@dataclass(frozen=True)
class Share:
    """Units in scope (应排查) and those inspected (实际排查) of one group: a county, an industry, all."""

    label: str
    in_scope: int
    inspected: int

    @property
    def rate(self) -> float | None:
        """The coverage rate in percent (覆盖率), None when nothing is in scope."""
        return round(100 * self.inspected / self.in_scope, 1) if self.in_scope else None

    @property
    def blind(self) -> int:
        return self.in_scope - self.inspected


@dataclass(frozen=True)
class Coverage:
    total: Share
    by_county: list[Share]
    by_industry: list[Share]
    not_inspected_since: int = 0  # units in scope with no inspection at all since `since` (when asked)


@dataclass(frozen=True)
class CampaignScope:
    """A campaign's regions (as code prefixes) and industries (with sub-categories), read once."""

    campaign: Campaign
    prefixes: tuple[str, ...]  # empty: the whole province
    industries: frozenset[int]  # empty: every industry

    @classmethod
    def of(cls, campaign: Campaign) -> "CampaignScope":
        return cls(
            campaign,
            tuple(region.scope_prefix for region in campaign.regions.all()),
            frozenset(Industry.with_descendants(campaign.industries.values_list("pk", flat=True))),
        )


def units_in_scope(scope: CampaignScope, units: QuerySet[Organization]) -> QuerySet[Organization]:
    """The units of `units` (the register, as the viewer sees it) in the campaign's regions and industries."""
    units = units.exclude(status=Organization.Status.CLOSED)
    if scope.prefixes:
        area = Q()
        for prefix in scope.prefixes:
            area |= Q(region__code__startswith=prefix)
        units = units.filter(area)
    if scope.industries:
        operating_in = Organization.industries.through.objects.filter(industry_id__in=scope.industries)
        units = units.filter(pk__in=operating_in.values("organization_id"))
    return units


def _inspected_in(campaign: Campaign, unit_field: str = "pk") -> Exists:
    return Exists(Inspection.objects.filter(campaign=campaign, unit_id=OuterRef(unit_field)))


def coverage(scope: CampaignScope, units: QuerySet[Organization], *, since: date | None = None) -> Coverage:
    """How many units in scope the campaign inspected: in total, by county and by industry; and, with
    `since`, how many were not inspected at all since then (counted in the same pass over the units)."""
    campaign = scope.campaign
    in_scope = units_in_scope(scope, units).annotate(reached=_inspected_in(campaign))
    counted = Count("pk", filter=Q(reached=True))
    stale = Count("pk", filter=~Exists(_recent(since))) if since else Value(0)
    per_county = list(
        in_scope.order_by().values("region_id").annotate(in_scope=Count("pk"), inspected=counted, stale=stale)
    )
    names = dict(Region.objects.filter(pk__in=[row["region_id"] for row in per_county]).values_list("pk", "name"))
    by_county = [
        Share(names.get(row["region_id"], row["region_id"]), row["in_scope"], row["inspected"])
        for row in sorted(per_county, key=lambda row: row["region_id"])
    ]
    links = Organization.industries.through.objects.filter(organization_id__in=in_scope.values("pk"))
    if scope.industries:
        links = links.filter(industry_id__in=scope.industries)
    per_industry = list(
        links.annotate(reached=_inspected_in(campaign, "organization_id"))
        .order_by()
        .values("industry_id")
        .annotate(in_scope=Count("organization_id"), inspected_count=Count("organization_id", filter=Q(reached=True)))
    )
    industry_by_pk = Industry.objects.in_bulk([row["industry_id"] for row in per_industry])
    by_industry = sorted(
        (
            Share(industry_by_pk[row["industry_id"]].name, row["in_scope"], row["inspected_count"])
            for row in per_industry
        ),
        key=lambda share: (-share.in_scope, share.label),
    )
    total = sum(share.in_scope for share in by_county), sum(share.inspected for share in by_county)
    return Coverage(Share("", *total), by_county, by_industry, sum(row["stale"] for row in per_county))


def by_risk(units: QuerySet[Organization]) -> QuerySet[Organization]:
    """Most dangerous first (red, orange, yellow, blue, unclassed), then by county and name."""
    rank = Case(
        *[When(risk_class=value, then=Value(order)) for value, order in Organization.RISK_ORDER.items()],
        output_field=IntegerField(),
    )
    return units.annotate(risk_rank=rank).order_by("risk_rank", "region_id", "name", "pk")


def blind_spots(scope: CampaignScope, units: QuerySet[Organization]) -> QuerySet[Organization]:
    """Units in the campaign's scope that no inspection of the campaign reached, most dangerous first."""
    return by_risk(units_in_scope(scope, units).exclude(_inspected_in(scope.campaign)))


def _recent(since: date | None) -> QuerySet[Inspection]:
    return Inspection.objects.filter(unit_id=OuterRef("pk"), inspected_on__gte=since)


def not_inspected_since(units: QuerySet[Organization], since: date) -> QuerySet[Organization]:
    """Units (not closed) with no inspection at all on or after `since`, most dangerous first."""
    return by_risk(units.exclude(status=Organization.Status.CLOSED).exclude(Exists(_recent(since))))
