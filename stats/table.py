"""The official statistics table (排查治理事故隐患统计表), counted from the one visibility rule.

The columns follow the national forms (the 2007/2010 forms of the State Council Work Safety
Committee office and SAWS Order 16's quarterly table), then the figures regulators add in their
通报. Each count is a condition of hazards/indicators.py, and each figure carries the ledger filters
that list exactly the hazards it counts. Rates are computed here, never stored; over an empty base
they are None (shown "—").

One grouped query counts every column for every row (a row is a city, a county or an industry);
the total row adds the rows up, except the units, which are counted once more over the whole scope
(a unit with findings in two industries is one unit).
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import Industry, Region, User
from accounts.scope import register_for, sees_everything
from hazards import indicators
from hazards.models import OPEN_WORK_STATES, Hazard
from hazards.states import overdue_q
from hunan_safety.routers import reporting_reads
from inspections import coverage
from inspections.models import Campaign
from stats import summary
from stats.models import FindingTally, UnitTally
from stats.periods import Period
from stats.summary import cover, split_scope

BY_REGION = "region"
BY_INDUSTRY = "industry"
PLAN_PARTS = list(indicators.PLAN_PARTS)


@dataclass(frozen=True)
class Column:
    """One column: what it counts (`rule`), how (count, distinct units or a sum of funds), and its link."""

    key: str
    number: str  # the column's number on the form, "" for the 通报 figures
    label: Promise
    rule: Callable[[Period, date], Q] | None = None
    params: Callable[[Period, date], dict[str, Any]] | None = None
    measure: str = "count"  # count | units | funds | rate
    rate_of: tuple[str, str] | None = None  # (numerator, base) of a rate
    group: Promise | None = None  # the header spanning it in the form's two-row header

    @property
    def on_plan(self) -> bool:
        """Counted among the majors on a plan (8)–(11), not among the period's findings."""
        return self.group is PLANNED or self.group is LISTED


def _found(period: Period) -> dict[str, Any]:
    return {"found_after": period.start, "found_before": period.end, "voided": "false"}


def found_rule(period: Period) -> Q:
    return indicators.counted() & Q(found_on__gte=period.start, found_on__lte=period.end)


def planned_rule(period: Period) -> Q:
    return Q(level=Hazard.Level.MAJOR) & indicators.open_on(period.end) & indicators.planned_by(period.end)


def _planned_params(period: Period) -> dict[str, Any]:
    return {"level": "major", "open_on": period.end, "planned_by": period.end}


def _on_plan(
    key: str,
    number: str,
    label: Promise,
    group: Promise,
    *,
    plan_has: list[str] | None = None,
    listed: bool = False,
    listed_level: str = "",
) -> Column:
    """A column of the majors on a plan at the period's end, (8)–(11): those whose plan has these
    parts of 五落实, or that are listed (at a level); its rule and its ledger filters side by side."""
    condition, params = Q(), dict[str, Any]()
    if plan_has is not None:
        condition, params = indicators.plan_has(plan_has), {"plan": list(plan_has)}
    elif listed:
        condition, params = indicators.listed(), {"is_listed": "true"}
    elif listed_level:
        condition, params = Q(listed_level=listed_level), {"listed_level": listed_level}
    return Column(
        key,
        number,
        label,
        rule=lambda period, today: planned_rule(period) & condition,
        params=lambda period, today: {**_planned_params(period), **params},
        group=group,
    )


GENERAL = _("General hazards found")
MAJOR = _("Major hazards found")
PLANNED = _("Major hazards on a governance plan")
LISTED = _("Under listed supervision")
BULLETIN = _("Bulletin figures")

PLAN_PART_LABELS = {
    "goals": _("of which: goals and tasks set"),
    "funds": _("of which: funds and materials in place"),
    "people": _("of which: body and people in place"),
    "time": _("of which: time limit set"),
    "contingency": _("of which: safety measures and contingency plan"),
}


def _columns() -> list[Column]:
    def general(p: Period, t: date) -> Q:
        return found_rule(p) & Q(level=Hazard.Level.GENERAL)

    def major(p: Period, t: date) -> Q:
        return found_rule(p) & Q(level=Hazard.Level.MAJOR)

    def due(p: Period, t: date) -> Q:
        return found_rule(p) & indicators.due_by(p.cutoff(t))

    columns = [
        Column(
            "units",
            "1",
            _("Units with hazards found (units)"),
            rule=lambda p, t: found_rule(p) & Q(unit__isnull=False),
            params=lambda p, t: {**_found(p), "has_unit": "true"},
            measure="units",
        ),
        Column(
            "general",
            "2",
            _("found (items)"),
            rule=general,
            params=lambda p, t: {**_found(p), "level": "general"},
            group=GENERAL,
        ),
        Column(
            "general_rectified",
            "3",
            _("of which rectified"),
            rule=lambda p, t: general(p, t) & indicators.rectified_by(p.end),
            params=lambda p, t: {**_found(p), "level": "general", "rectified_by": p.end},
            group=GENERAL,
        ),
        Column(
            "general_rate",
            "4",
            _("rectification rate (%)"),
            measure="rate",
            rate_of=("general_rectified", "general"),
            group=GENERAL,
        ),
        Column(
            "major",
            "5",
            _("found (items)"),
            rule=major,
            params=lambda p, t: {**_found(p), "level": "major"},
            group=MAJOR,
        ),
        Column(
            "major_closed",
            "6",
            _("of which rectified and closed"),
            rule=lambda p, t: major(p, t) & indicators.closed_by(p.end),
            params=lambda p, t: {**_found(p), "level": "major", "closed_by": p.end},
            group=MAJOR,
        ),
        Column(
            "major_rate",
            "7",
            _("rectification rate (%)"),
            measure="rate",
            rate_of=("major_closed", "major"),
            group=MAJOR,
        ),
        Column(
            "planned",
            "8",
            _("on a plan (open ones of earlier years included)"),
            rule=lambda p, t: planned_rule(p),
            params=lambda p, t: _planned_params(p),
            group=PLANNED,
        ),
        _on_plan("five_in_place", "9", _("of which all five in place (五落实)"), PLANNED, plan_has=PLAN_PARTS),
    ]
    columns += [_on_plan(f"plan_{part}", "9", PLAN_PART_LABELS[part], PLANNED, plan_has=[part]) for part in PLAN_PARTS]
    columns.append(_on_plan("listed", "10", _("under listed supervision"), LISTED, listed=True))
    columns += [
        _on_plan(f"listed_{level}", "11", label, LISTED, listed_level=level)
        for level, label in (
            (Hazard.ListedLevel.PROVINCE, _("of which by the province")),
            (Hazard.ListedLevel.CITY, _("by a city")),
            (Hazard.ListedLevel.COUNTY, _("by a county")),
        )
    ]
    columns += [
        Column(
            "funds",
            "12",
            _("Funds for governance in place (10,000 yuan)"),
            rule=lambda p, t: found_rule(p) & Q(funds__isnull=False),
            params=lambda p, t: {**_found(p), "has_funds": "true"},
            measure="funds",
        ),
        Column(
            "due",
            "",
            _("due (items)"),
            rule=due,
            params=lambda p, t: {**_found(p), "due_by": p.cutoff(t)},
            group=BULLETIN,
        ),
        Column(
            "on_time",
            "",
            _("handed in by the deadline"),
            rule=lambda p, t: due(p, t) & indicators.on_time(),
            params=lambda p, t: {**_found(p), "due_by": p.cutoff(t), "on_time": "true"},
            group=BULLETIN,
        ),
        Column("on_time_rate", "", _("on-time rate (%)"), measure="rate", rate_of=("on_time", "due"), group=BULLETIN),
        Column(
            "due_open",
            "",
            _("due and not rectified"),
            rule=lambda p, t: due(p, t) & Q(state__in=OPEN_WORK_STATES),
            params=lambda p, t: {**_found(p), "due_by": p.cutoff(t), "state": list(OPEN_WORK_STATES)},
            group=BULLETIN,
        ),
        Column(
            "overdue",
            "",
            _("overdue today"),
            rule=lambda p, t: found_rule(p) & overdue_q(t),
            params=lambda p, t: {**_found(p), "overdue": "true"},
            group=BULLETIN,
        ),
    ]
    return columns


COLUMNS = _columns()
QUARTERLY_ONLY = {f"plan_{part}" for part in PLAN_PARTS}
COVERAGE = _("Coverage of the campaign")
# A campaign's coverage of the register (inspections/coverage.py), shown when a campaign is chosen.
COVERAGE_COLUMNS = [
    Column("to_check", "", _("units to be checked"), measure="register", group=COVERAGE),
    Column("checked", "", _("units checked"), measure="register", group=COVERAGE),
    Column(
        "coverage_rate", "", _("coverage rate (%)"), measure="rate", rate_of=("checked", "to_check"), group=COVERAGE
    ),
]


def columns_for(period: Period, campaign: Campaign | None = None) -> list[Column]:
    """The columns of the table for this period: the quarterly table details 五落实 part by part;
    with a campaign, its coverage of the register follows the bulletin figures."""
    columns = [column for column in COLUMNS if period.is_quarter or column.key not in QUARTERLY_ONLY]
    return columns + (COVERAGE_COLUMNS if campaign is not None else [])


@dataclass
class Cell:
    column: Column
    value: int | Decimal | None
    url: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        if self.column.measure == "funds":
            return f"{self.value:,.2f}"
        if self.column.measure == "rate":
            return f"{self.value:.1f}"
        return f"{self.value:,}"


@dataclass
class Row:
    key: str
    label: str
    params: dict[str, Any]
    values: dict[str, int | Decimal | None] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    is_total: bool = False


@dataclass
class Table:
    period: Period
    by: str
    scope_label: str
    columns: list[Column]
    rows: list[Row]
    total: Row
    campaign: Campaign | None = None

    @property
    def groups(self) -> list[tuple[Promise | None, list[Column]]]:
        """The columns under their spanning header, for the form's two-row header."""
        spans: list[tuple[Promise | None, list[Column]]] = []
        for column in self.columns:
            if spans and column.group is not None and spans[-1][0] is column.group:
                spans[-1][1].append(column)
            else:
                spans.append((column.group, [column]))
        return spans


def ledger_url(params: dict[str, Any]) -> str:
    """The ledger list filtered by these parameters (dates as ISO days, lists as repeated keys)."""
    query = {
        key: [str(item) for item in value] if isinstance(value, list) else str(value) for key, value in params.items()
    }
    return f"{reverse('hazards:list')}?{urlencode(query, doseq=True)}"


def rate(numerator: int | Decimal | None, base: int | Decimal | None) -> Decimal | None:
    """A percentage to one decimal; None over an empty base (shown "—")."""
    if not base:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(base)).quantize(Decimal("0.1"))


def row_key(user: User, by: str):
    """How hazards fall into rows: by top-level industry, or by the next level below the user's region."""
    if by == BY_INDUSTRY:
        return Coalesce(F("industry__parent_id"), F("industry_id"))
    region = user.jurisdiction
    if not sees_everything(user) and region is not None and region.level != Region.Level.PROVINCE:
        return F("region_id")
    return Substr("region_id", 1, 4)


def row_labels(user: User, by: str, keys: set) -> list[tuple[str, str, dict[str, Any]]]:
    """(key, label, ledger filter) of every row: the scope's cities, counties or industries, then any other with data."""
    if by == BY_INDUSTRY:
        industries = Industry.objects.filter(Q(parent__isnull=True) & (Q(is_active=True) | Q(pk__in=keys)))
        return [(str(industry.pk), industry.name, {"industry": industry.pk}) for industry in industries]
    region = user.jurisdiction
    by_county = not sees_everything(user) and region is not None and region.level != Region.Level.PROVINCE
    if by_county:
        assert region is not None
        own = Region.objects.filter(level=Region.Level.COUNTY, code__startswith=region.scope_prefix)
        regions = Region.objects.filter(Q(pk__in=own.values("pk")) | Q(pk__in=[str(key) for key in keys]))
        return [(region.code, region.name, {"county": region.code}) for region in regions.order_by("code")]
    cities = Region.objects.filter(level=Region.Level.CITY).order_by("code")
    return [(city.code[:4], city.name, {"city": city.code}) for city in cities]


def _beyond(rule: Q, base: Q) -> Q | None:
    """`rule` without the conditions of `base` that the query's WHERE already applies (None: nothing left).

    A column's rule is its base and more, ANDed; tested once per row in the WHERE, the base need not
    be tested again in each of the twenty aggregates' FILTER clauses.
    """
    if rule.connector != Q.AND or rule.negated:
        return rule
    remaining = [child for child in rule.children if child not in base.children]
    return Q(*remaining) if remaining else None


def _aggregates(columns: list[Column], period: Period, today: date, base: Q | None = None) -> dict[str, Any]:
    aggregates: dict[str, Any] = {}
    for column in columns:
        if column.rule is None or column.measure == "units":
            continue  # a rate, computed from two counts afterwards; units, counted apart
        rule = column.rule(period, today)
        condition = _beyond(rule, base) if base is not None else rule
        if column.measure == "count":
            aggregates[column.key] = Count("pk", filter=condition)
        elif column.measure == "units":
            aggregates[column.key] = Count("unit_id", distinct=True, filter=condition)
        elif column.measure == "funds":
            aggregates[column.key] = Sum("funds", filter=condition)
    return aggregates


def _with_rates(columns: list[Column], values: dict[str, Any]) -> dict[str, Any]:
    for column in columns:
        if column.rate_of is not None:
            numerator, base = column.rate_of
            values[column.key] = rate(values.get(numerator), values.get(base))
        elif column.measure == "funds":
            values[column.key] = values.get(column.key) or Decimal("0.00")
    return values


def statistics_database() -> str:
    """Where the statistics read: the replica inside `reporting_reads()` when one is configured, else default."""
    return router.db_for_read(Hazard) or DEFAULT_DB_ALIAS


@contextmanager
def roomy_aggregates() -> Iterator[None]:
    """The statistics' reads: on the replica if there is one (hunan_safety/routers.py), with a report's
    statement timeout; and on PostgreSQL, grouped counts over a few hundred thousand rows hashed in
    memory, not compiled.

    With the default 4 MB of work_mem the rows are sorted on disk to group them; JIT compiling
    costs more than it saves on counts of this size (bench/stats.py measured both).
    """
    with reporting_reads():
        alias = statistics_database()
        if connections[alias].vendor != "postgresql":
            yield
            return
        with transaction.atomic(using=alias):
            with connections[alias].cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'; SET LOCAL jit = off")
            yield


# How the tallies count the table's columns of findings, for the whole months they cover
# (stats/summary.py): each the tally's form of the column's rule in hazards/indicators.py, which the
# tests hold equal to a count of the ledger. Open work (due and not rectified, overdue today) is
# counted live: it is a few percent of the ledger and depends on today.
def _tally_rules(period: Period, today: date) -> tuple[dict[str, Q], tuple[date, date] | None]:
    due, days_left = summary.due_by(period.cutoff(today))
    end = summary.month_start(period.end)
    general, major = Q(level=Hazard.Level.GENERAL), Q(level=Hazard.Level.MAJOR)
    rules = {
        "general": general,
        "general_rectified": general & Q(verified_month__lte=end),
        "major": major,
        "major_closed": major & Q(closed_month__lte=end),
        "due": due,
        "on_time": due & Q(on_time=True),
    }
    return rules, days_left


LIVE_OPEN_WORK = ("due_open", "overdue")


def tallied_findings(
    user: User,
    by: str,
    split: summary.Split,
    covered: summary.Cover,
    period: Period,
    today: date,
    columns: list[Column],
) -> list[dict[str, Any]]:
    """The figures of the covered months in the user's jurisdiction: from the tallies, and open work live."""
    rules, days_left = _tally_rules(period, today)
    aggregates: dict[str, Any] = {}
    for column in columns:
        if column.rule is None:
            continue  # a rate, computed afterwards
        if column.measure == "funds":
            aggregates[column.key] = Sum("funds")
        elif column.key in rules:
            aggregates[column.key] = Sum("hazards", filter=rules[column.key])
        elif column.key not in LIVE_OPEN_WORK:
            raise ValueError(f"the tallies do not count the column {column.key!r}: say how in _tally_rules")
    tallies = FindingTally.objects.filter(split.area, covered.months).order_by().annotate(row_key=row_key(user, by))
    rows = list(tallies.values("row_key").annotate(**aggregates))
    in_area = Hazard.objects.filter(split.area, found_rule(period), covered.found)

    def live(hazards, keys) -> list[dict[str, Any]]:
        counted = _aggregates([c for c in columns if c.key in keys], period, today)
        if not counted:
            return []
        return list(hazards.order_by().annotate(row_key=row_key(user, by)).values("row_key").annotate(**counted))

    rows += live(in_area.filter(state__in=OPEN_WORK_STATES), LIVE_OPEN_WORK)
    if days_left is not None:
        # Deadlines in the cutoff's month up to the cutoff: the tally knows their month, not their day
        # (read from the deadline index with the columns these counts need: hazard_stats_due_idx).
        rows += live(in_area.filter(deadline__range=days_left), ("due", "on_time"))
    return rows


def tallied_units(user: User, by: str, split: summary.Split, covered: summary.Cover) -> set[tuple[Any, Any]]:
    """The distinct (row, unit) pairs of the covered months in the user's jurisdiction."""
    return set(
        UnitTally.objects.filter(split.area, covered.months, hazards__gt=0)
        .order_by()
        .annotate(row_key=row_key(user, by))
        .values_list("row_key", "unit_id")
        .distinct()
    )


def campaign_coverage(user: User, by: str, campaign: Campaign) -> tuple[dict[str, dict[str, int]], dict[str, int]]:
    """应排查 / 实际排查 per row and in total: the campaign's units in the user's register, and those reached.

    Counted with inspections/coverage.py: the units in the campaign's scope, less its blind spots.
    """
    units = register_for(user)
    scope = coverage.CampaignScope.of(campaign)
    if by == BY_INDUSTRY:
        key: Any = Coalesce(F("industries__parent_id"), F("industries__id"))
    else:
        key = row_key(user, by)

    def per_row(units_of) -> dict[str, int]:
        counted = units_of.order_by().annotate(row_key=key).values("row_key").annotate(n=Count("pk", distinct=True))
        return {str(row["row_key"]): row["n"] for row in counted}

    reached, missed = coverage.units_in_scope(scope, units), coverage.blind_spots(scope, units)
    if by == BY_INDUSTRY and scope.industries:
        # A unit's rows are the campaign's industries it operates in, as on the coverage page.
        reached, missed = (units_of.filter(industries__in=scope.industries) for units_of in (reached, missed))
    in_scope, blind = per_row(reached), per_row(missed)
    rows = {k: {"to_check": n, "checked": n - blind.get(k, 0)} for k, n in in_scope.items()}
    total = coverage.coverage(scope, units).total
    return rows, {"to_check": total.in_scope, "checked": total.inspected}


def _coverage_url(campaign: Campaign, params: dict[str, Any]) -> str:
    """The campaign's coverage page, whose list is the units not inspected; narrowed to a county or an industry."""
    query = {key: value for key, value in params.items() if key in ("county", "industry")}
    url = reverse("campaign_coverage", args=[campaign.pk])
    return f"{url}?{urlencode(query)}" if query else url


def statistics_table(
    user: User,
    period: Period,
    *,
    by: str = BY_REGION,
    today: date,
    tallies: bool = True,
    campaign: Campaign | None = None,
) -> Table:
    """The official table for this user's scope and period, by region or by industry, with links.

    `tallies=False` counts every figure from the ledger's rows: the tests compare the two ways.
    """
    with roomy_aggregates():
        return _statistics_table(user, period, by=by, today=today, tallies=tallies, campaign=campaign)


def _statistics_table(
    user: User, period: Period, *, by: str, today: date, tallies: bool = True, campaign: Campaign | None = None
) -> Table:
    columns = columns_for(period, campaign)
    visible = Hazard.objects.visible_to(user)
    found_columns = [c for c in columns if not c.on_plan and c.measure != "units"]
    grouped: dict[str, dict[str, Any]] = {}

    def add(rows) -> None:
        for row in rows:
            values = grouped.setdefault(str(row.pop("row_key")), {})
            for key, value in row.items():
                values[key] = values.get(key, 0) + (value or 0)

    # The period's findings: the whole months a tally holds (stats/summary.py), the rest from the
    # ledger — its partial months, and what the user sees beyond their jurisdiction. A range of the
    # found_on index whose included columns answer every condition without reading the table.
    split = split_scope(user, statistics_database()) if tallies else None
    covered = cover(period, today) if split is not None else None
    live: list[QuerySet[Hazard]] = [visible.filter(found_rule(period))]
    pairs: set[tuple[Any, Any]] = set()
    if split is not None and covered is not None:
        live = [visible.filter(found_rule(period), found_on__range=days) for days in covered.edges(period)]
        if split.rest is not None:
            live.append(split.rest.filter(found_rule(period), covered.found))
        add(tallied_findings(user, by, split, covered, period, today, found_columns))
        pairs |= tallied_units(user, by, split, covered)
    for part in live:
        aggregates = _aggregates(found_columns, period, today, found_rule(period))
        add(part.order_by().annotate(row_key=row_key(user, by)).values("row_key").annotate(**aggregates))
    # The majors on a plan at the period's end: a few percent of the ledger, read live.
    planned = planned_rule(period)
    aggregates = _aggregates([c for c in columns if c.on_plan], period, today, planned)
    add(visible.filter(planned).order_by().annotate(row_key=row_key(user, by)).values("row_key").annotate(**aggregates))
    # Units apart: COUNT(DISTINCT) would make PostgreSQL sort every row of the period to group
    # them; the distinct (row, unit) pairs are as many as the units, and the total needs them too.
    units = next(column for column in columns if column.measure == "units")
    assert units.rule is not None
    for part in live:
        pairs |= set(
            part.filter(units.rule(period, today))
            .order_by()
            .annotate(row_key=row_key(user, by))
            .values_list("row_key", "unit_id")
            .distinct()
        )
    for key, _unit in pairs:
        grouped.setdefault(str(key), {}).setdefault(units.key, 0)
        grouped[str(key)][units.key] += 1
    covered_units: dict[str, int] = {}
    if campaign is not None:
        per_row, covered_units = campaign_coverage(user, by, campaign)
        for key, values in per_row.items():
            grouped.setdefault(key, {}).update(values)
    rows = []
    for key, label, params in row_labels(user, by, set(grouped)):
        values = grouped.get(key, {})
        rows.append(Row(key, label, params, _with_rates(columns, {c.key: values.get(c.key, 0) for c in columns})))
    total_values: dict[str, Any] = {
        c.key: sum((row.values[c.key] or 0) for row in rows) for c in columns if c.measure in ("count", "funds")
    }
    total_values["units"] = len({unit for _key, unit in pairs})
    total_values.update(covered_units)
    total = Row("total", str(_("Total")), {}, _with_rates(columns, total_values), is_total=True)
    for row in [*rows, total]:
        for column in columns:
            url = ""
            if column.params is not None:
                url = ledger_url({**column.params(period, today), **row.params})
            elif column.measure == "register" and campaign is not None:
                url = _coverage_url(campaign, row.params)
            row.cells.append(Cell(column, row.values[column.key], url))
    region = user.jurisdiction
    scope_label = (
        region.full_name
        if region is not None and not sees_everything(user)
        else str(pgettext_lazy("scope", "Hunan Province"))
    )
    return Table(period, by, scope_label, columns, rows, total, campaign)
