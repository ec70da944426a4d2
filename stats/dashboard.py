"""The dashboard's figures for a user's scope: headline, trend, breakdowns, aging, worst units, listed majors.

Every figure comes from `Hazard.objects.visible_to(user)` and the conditions of hazards/indicators.py,
and carries the ledger link that lists the hazards it counts. Open hazards are few in a mature
ledger: the breakdowns read only them; the trend reads the last twelve months' findings once.
"""

import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role
from hazards import indicators
from hazards.models import OPEN_WORK_STATES, Hazard
from hazards.states import overdue_q
from stats import summary
from stats.models import FindingTally
from stats.periods import Period
from stats.summary import Cover, Split, split_scope
from stats.table import (
    BY_INDUSTRY,
    BY_REGION,
    ledger_url,
    rate,
    roomy_aggregates,
    row_key,
    row_labels,
    statistics_database,
)

OPEN = list(indicators.OPEN_STATES)
OPEN_WORK = list(OPEN_WORK_STATES)
# Days since found (0–7, 8–30, 31–90, over 90) and days past the deadline (1–3, 4–7, 8–30, over 30).
AGE_BUCKETS = [(0, 7), (8, 30), (31, 90), (91, None)]
OVERDUE_BUCKETS = [(1, 3), (4, 7), (8, 30), (31, None)]
WORST_UNITS = 10
LISTED_SHOWN = 20


def bucket_label(low: int, high: int | None) -> str:
    return f"{low}–{high}" if high is not None else f"> {low - 1}"


@dataclass
class Figure:
    label: str
    value: Any
    url: str = ""
    unit: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return "—"
        return f"{self.value:.1f}" if self.unit == "%" else f"{self.value:,}"


@dataclass
class Series:
    """One chart series: a name, and per category a value and the link of its bar."""

    name: str
    values: list[Any]
    urls: list[str]


@dataclass
class Chart:
    key: str
    title: str
    categories: list[str]
    series: list[Series]
    stacked: bool = False

    def rows(self) -> list[dict[str, Any]]:
        """The accessible table beside the chart: a row per category, a cell per series."""
        return [
            {"category": category, "cells": [(s.values[i], s.urls[i]) for s in self.series]}
            for i, category in enumerate(self.categories)
        ]

    @property
    def data(self) -> str:
        """The chart as JSON for its element's data attribute (no inline script: the CSP forbids them)."""
        return json.dumps(self.as_json(), ensure_ascii=False)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "categories": self.categories,
            "stacked": self.stacked,
            "series": [{"name": s.name, "values": s.values, "urls": s.urls} for s in self.series],
        }


@dataclass
class Dashboard:
    today: date
    headline: list[Figure]
    charts: list[Chart]
    worst_units: list[dict[str, Any]]
    listed_majors: list[Hazard]
    latest_majors: list[Hazard] = field(default_factory=list)
    newly_overdue: list[Hazard] = field(default_factory=list)
    tiles: list[dict[str, Any]] = field(default_factory=list)

    def chart(self, key: str) -> Chart:
        return next(chart for chart in self.charts if chart.key == key)


def _days_ago(today: date, days: int) -> date:
    return today - timedelta(days=days)


def _age_rule(today: date, low: int, high: int | None) -> tuple[Q, dict[str, Any]]:
    """Open hazards found `low`–`high` days ago, as a condition and as ledger filters."""
    rule = Q(state__in=OPEN, found_on__lte=_days_ago(today, low))
    params: dict[str, Any] = {"state": OPEN, "found_before": _days_ago(today, low)}
    if high is not None:
        rule &= Q(found_on__gte=_days_ago(today, high))
        params["found_after"] = _days_ago(today, high)
    return rule, params


def _overdue_rule(today: date, low: int, high: int | None) -> tuple[Q, dict[str, Any]]:
    """Hazards `low`–`high` days past their deadline, still with the unit."""
    rule = overdue_q(today) & Q(deadline__lte=_days_ago(today, low))
    params: dict[str, Any] = {"overdue": "true", "deadline_before": _days_ago(today, low)}
    if high is not None:
        rule &= Q(deadline__gte=_days_ago(today, high))
        params["deadline_after"] = _days_ago(today, high)
    return rule, params


HEADLINE_OPEN = ("open", "overdue", "major_open", "listed_province", "listed_city", "listed_county")


def _buckets(today: date) -> dict[str, tuple[Q, dict[str, Any]]]:
    buckets = {f"age{i}": _age_rule(today, *b) for i, b in enumerate(AGE_BUCKETS)}
    return buckets | {f"late{i}": _overdue_rule(today, *b) for i, b in enumerate(OVERDUE_BUCKETS)}


def _open_by_region_and_industry(user: User, visible, today: date) -> list[dict[str, Any]]:
    """The open hazards' counts per (region row, industry row), read once for both breakdowns (all additive)."""
    aggregates: dict[str, Any] = {
        "open": Count("pk"),
        "overdue": Count("pk", filter=overdue_q(today)),
        "major_open": Count("pk", filter=Q(level=Hazard.Level.MAJOR)),
        "listed_province": Count("pk", filter=Q(listed_level=Hazard.ListedLevel.PROVINCE)),
        "listed_city": Count("pk", filter=Q(listed_level=Hazard.ListedLevel.CITY)),
        "listed_county": Count("pk", filter=Q(listed_level=Hazard.ListedLevel.COUNTY)),
    }
    for key, (rule, _params) in _buckets(today).items():
        aggregates[key] = Count("pk", filter=rule)
    return list(
        visible.filter(state__in=OPEN)
        .order_by()
        .annotate(by_region=row_key(user, BY_REGION), by_industry=row_key(user, BY_INDUSTRY))
        .values("by_region", "by_industry")
        .annotate(**aggregates)
    )


def _by_place(user: User, counted: list[dict[str, Any]], today: date, by: str) -> tuple[list[Chart], dict[str, int]]:
    """Open and overdue hazards, their age and how late they are, per region (or industry); and their totals."""
    buckets = _buckets(today)
    grouped: dict[str, dict[str, int]] = {}
    for row in counted:
        place = grouped.setdefault(str(row["by_region" if by == BY_REGION else "by_industry"]), {})
        for key, value in row.items():
            if key not in ("by_region", "by_industry"):
                place[key] = place.get(key, 0) + value
    labels = row_labels(user, by, set(grouped))
    categories = [label for _key, label, _params in labels]

    def series(name: str, key: str, params: dict[str, Any]) -> Series:
        return Series(
            name,
            [grouped.get(place, {}).get(key, 0) for place, _label, _p in labels],
            [ledger_url({**params, **row_params}) for _k, _l, row_params in labels],
        )

    suffix = "industry" if by == BY_INDUSTRY else "region"
    charts = [
        Chart(
            f"open_{suffix}",
            _("Open and overdue hazards by industry") if by == BY_INDUSTRY else _("Open and overdue hazards by region"),
            categories,
            [series(_("Open"), "open", {"state": OPEN}), series(_("Overdue"), "overdue", {"overdue": "true"})],
        )
    ]
    if by == BY_REGION:
        charts.append(
            Chart(
                "aging",
                _("Open hazards by days since found"),
                categories,
                [
                    series(_("%(days)s days") % {"days": bucket_label(*b)}, f"age{i}", buckets[f"age{i}"][1])
                    for i, b in enumerate(AGE_BUCKETS)
                ],
                stacked=True,
            )
        )
        charts.append(
            Chart(
                "late",
                _("Overdue hazards by days past the deadline"),
                categories,
                [
                    series(_("%(days)s days late") % {"days": bucket_label(*b)}, f"late{i}", buckets[f"late{i}"][1])
                    for i, b in enumerate(OVERDUE_BUCKETS)
                ],
                stacked=True,
            )
        )
    totals = {key: sum(row[key] for row in grouped.values()) for key in HEADLINE_OPEN}
    return charts, totals


FOUND_MEASURES = ("n", "rectified", "due", "on_time", "self_found")


def _found_live(hazards, today: date):
    """The trend's measures per month and level, counted from these findings' rows."""
    return (
        hazards.order_by()
        .annotate(month=TruncMonth("found_on"))
        .values("month", "level")
        .annotate(
            n=Count("pk"),
            rectified=Count("pk", filter=indicators.rectified_by(today)),
            due=Count("pk", filter=indicators.due_by(today)),
            on_time=Count("pk", filter=indicators.due_by(today) & indicators.on_time()),
            self_found=Count("pk", filter=Q(source=Hazard.Source.SELF_CHECK)),
        )
    )


def _closed_live(hazards):
    return hazards.order_by().annotate(month=TruncMonth("closed_at")).values("month", "level").annotate(n=Count("pk"))


def _found_tallied(split: Split, covered: Cover, today: date) -> list[dict[str, Any]]:
    """The trend's measures for the whole months before this one, in the user's jurisdiction (stats/summary.py).

    Accepted by today: accepted in this month or before (nothing is accepted in the future); due by
    today: a deadline in an earlier month, and this month's up to today from the ledger.
    """
    due, days_left = summary.due_by(today)
    rows = list(
        FindingTally.objects.filter(split.area, covered.months)
        .order_by()
        .values("month", "level")
        .annotate(
            n=Sum("hazards"),
            rectified=Sum("hazards", filter=Q(verified_month__lte=summary.month_start(today))),
            due=Sum("hazards", filter=due),
            on_time=Sum("hazards", filter=due & Q(on_time=True)),
            self_found=Sum("hazards", filter=Q(self_found=True)),
        )
    )
    if days_left is not None:
        # Read from the deadline index with the columns these counts need (hazard_stats_due_idx).
        left = Hazard.objects.filter(split.area, indicators.counted(), covered.found, deadline__range=days_left)
        due_left = (
            left.order_by()
            .annotate(month=TruncMonth("found_on"))
            .values("month", "level")
            .annotate(
                due=Count("pk"),
                on_time=Count("pk", filter=indicators.on_time()),
            )
        )
        rows += [{**row, "n": 0, "rectified": 0, "self_found": 0} for row in due_left]
    return rows


def _trend(user: User, visible, today: date, tallies: bool) -> tuple[Chart, dict[str, Any]]:
    """Found and closed per month over the last twelve months, and this year's rates from the same rows."""
    first = Period.month(today.year - (1 if today.month < 12 else 0), today.month % 12 + 1).start
    this_month = summary.month_start(today)
    found_rule = indicators.counted() & Q(found_on__gte=first, found_on__lte=today)
    closed_rule = indicators.closed_by(today) & indicators.closed_since(first)
    split = split_scope(user, statistics_database()) if tallies else None
    if split is None:
        found_rows = list(_found_live(visible.filter(found_rule), today))
        closed_rows = list(_closed_live(visible.filter(closed_rule)))
    else:
        # The eleven whole months before this one from the tallies; this month, and what the user
        # sees beyond their jurisdiction, from the ledger. Closings: from the tallies' months of closing.
        covered = Cover(first, this_month - timedelta(days=1))
        found_rows = _found_tallied(split, covered, today)
        found_rows += _found_live(visible.filter(found_rule, found_on__gte=this_month), today)
        closed_rows = [
            {"month": row["closed_month"], "level": row["level"], "n": row["n"]}
            for row in FindingTally.objects.filter(split.area, closed_month__gte=first, closed_month__lte=this_month)
            .order_by()
            .values("closed_month", "level")
            .annotate(n=Sum("hazards"))
        ]
        if split.rest is not None:
            found_rows += _found_live(split.rest.filter(found_rule, covered.found), today)
            closed_rows += _closed_live(split.rest.filter(closed_rule))
    merged: dict[tuple[date, str], dict[str, Any]] = {}
    for row in found_rows:
        totals = merged.setdefault((_as_date(row["month"]), row["level"]), dict.fromkeys(FOUND_MEASURES, 0))
        for key in FOUND_MEASURES:
            totals[key] += row[key] or 0
    found_rows = [{"month": month, "level": level, **totals} for (month, level), totals in merged.items()]
    months = [Period.month(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1) for i in range(12)]
    counts: dict[tuple[str, date, str], int] = {}
    for row in found_rows:
        counts[("found", _as_date(row["month"]), row["level"])] = row["n"]
    for row in closed_rows:
        closing = ("closed", _as_date(row["month"]), row["level"])
        counts[closing] = counts.get(closing, 0) + (row["n"] or 0)

    def series(name: str, kind: str, level: str) -> Series:
        values = [counts.get((kind, month.start, level), 0) for month in months]
        if kind == "found":
            urls = [
                ledger_url({"found_after": m.start, "found_before": m.end, "voided": "false", "level": level})
                for m in months
            ]
        else:
            urls = [
                ledger_url({"state": "closed", "closed_on_after": m.start, "closed_on_before": m.end, "level": level})
                for m in months
            ]
        return Series(name, values, urls)

    chart = Chart(
        "trend",
        _("Found and closed per month, last twelve months"),
        [f"{m.start:%Y-%m}" for m in months],
        [
            series(_("General found"), "found", "general"),
            series(_("Major found"), "found", "major"),
            series(_("General closed"), "closed", "general"),
            series(_("Major closed"), "closed", "major"),
        ],
    )
    this_year = [row for row in found_rows if _as_date(row["month"]).year == today.year]
    year = {key: sum(row[key] for row in this_year) for key in ("n", "rectified", "due", "on_time", "self_found")}
    this_month = months[-1].start
    year["found_month"] = sum(counts.get(("found", this_month, level), 0) for level in Hazard.Level.values)
    year["closed_month"] = sum(counts.get(("closed", this_month, level), 0) for level in Hazard.Level.values)
    return chart, year


def _as_date(value) -> date:
    return value.date() if hasattr(value, "date") and callable(value.date) else value


def _headline(today: date, counts: dict[str, Any], year: dict[str, Any]) -> list[Figure]:
    """The headline figures: open ones from the breakdown's totals, the month's and the year's from the trend."""
    month = Period.month(today.year, today.month)
    counts = {**counts, "found_month": year["found_month"], "closed_month": year["closed_month"]}
    year_found = {"found_after": date(today.year, 1, 1), "found_before": today, "voided": "false"}
    listed = {"level": "major", "state": OPEN}
    return [
        Figure(_("Open hazards"), counts["open"], ledger_url({"state": OPEN})),
        Figure(_("Overdue"), counts["overdue"], ledger_url({"overdue": "true"})),
        Figure(_("Major hazards open"), counts["major_open"], ledger_url({"level": "major", "state": OPEN})),
        Figure(
            _("Listed by the province"), counts["listed_province"], ledger_url({**listed, "listed_level": "province"})
        ),
        Figure(_("Listed by a city"), counts["listed_city"], ledger_url({**listed, "listed_level": "city"})),
        Figure(_("Listed by a county"), counts["listed_county"], ledger_url({**listed, "listed_level": "county"})),
        Figure(
            _("Found this month"),
            counts["found_month"],
            ledger_url({"found_after": month.start, "found_before": today, "voided": "false"}),
        ),
        Figure(
            _("Closed this month"),
            counts["closed_month"],
            ledger_url({"state": "closed", "closed_on_after": month.start, "closed_on_before": today}),
        ),
        Figure(
            _("Rectification rate this year"),
            rate(year["rectified"], year["n"]),
            ledger_url({**year_found, "rectified_by": today}),
            unit="%",
        ),
        Figure(
            _("On-time rate this year"),
            rate(year["on_time"], year["due"]),
            ledger_url({**year_found, "due_by": today, "on_time": "true"}),
            unit="%",
        ),
    ]


def _worst_units(visible, today: date) -> list[dict[str, Any]]:
    rows = (
        visible.filter(overdue_q(today), rectifying_unit__isnull=False)
        .order_by()
        .values("rectifying_unit_id", "rectifying_unit__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "rectifying_unit__name")[:WORST_UNITS]
    )
    return [
        {
            "name": row["rectifying_unit__name"],
            "count": row["n"],
            "url": ledger_url({"rectifying_unit": row["rectifying_unit_id"], "overdue": "true"}),
        }
        for row in rows
    ]


def _listed_majors(visible, today: date) -> list[Hazard]:
    majors = list(
        visible.filter(indicators.listed(), state__in=OPEN, level=Hazard.Level.MAJOR)
        .select_related("region", "rectifying_unit", "unit")
        .order_by(F("deadline").asc(nulls_last=True), "id")[:LISTED_SHOWN]
    )
    for hazard in majors:
        hazard.days_to_deadline = hazard.days_left(today)
    return majors


def build_dashboard(user: User, today: date, *, tallies: bool = True) -> Dashboard:
    """The dashboard's figures; `tallies=False` counts the trend from the ledger's rows (the tests compare)."""
    with roomy_aggregates():
        return _build_dashboard(user, today, tallies)


def _build_dashboard(user: User, today: date, tallies: bool) -> Dashboard:
    visible = Hazard.objects.visible_to(user)
    trend, year = _trend(user, visible, today, tallies)
    open_counts = _open_by_region_and_industry(user, visible, today)
    by_region, open_totals = _by_place(user, open_counts, today, BY_REGION)
    by_industry, _totals = _by_place(user, open_counts, today, BY_INDUSTRY)
    source = Chart(
        "source",
        _("Found this year: by government or by the enterprise itself"),
        [_("Government found"), _("Enterprise self-found")],
        [
            Series(
                _("Found"),
                [year["n"] - year["self_found"], year["self_found"]],
                [
                    ledger_url(
                        {
                            "found_after": date(today.year, 1, 1),
                            "found_before": today,
                            "voided": "false",
                            "self_found": flag,
                        }
                    )
                    for flag in ("false", "true")
                ],
            )
        ],
    )
    return Dashboard(
        today=today,
        headline=_headline(today, open_totals, year),
        charts=[trend, *by_region, *by_industry, source],
        worst_units=_worst_units(visible, today),
        listed_majors=_listed_majors(visible, today),
    )


def build_screen(user: User, today: date) -> Dashboard:
    """The command-centre screen: the dashboard's figures, a tile per city, the latest majors and newly overdue."""
    board = build_dashboard(user, today)
    visible = Hazard.objects.visible_to(user)
    board.latest_majors = list(
        visible.filter(indicators.counted(), level=Hazard.Level.MAJOR)
        .select_related("region__parent")
        .order_by("-found_on", "-id")[:8]
    )
    board.newly_overdue = list(
        visible.filter(state__in=OPEN_WORK, deadline__lt=today, deadline__gte=_days_ago(today, 3))
        .select_related("region__parent")
        .order_by("-deadline", "-id")[:8]
    )
    region_chart = board.chart("open_region")
    open_series, overdue_series = region_chart.series
    board.tiles = [
        {
            "name": name,
            "open": open_series.values[i],
            "overdue": overdue_series.values[i],
            "url": overdue_series.urls[i],
        }
        for i, name in enumerate(region_chart.categories)
    ]
    return board


def wants_dashboard(user: User) -> bool:
    """Heads, government users and provincial staff start on the dashboard; inspectors and units on their work."""
    if user.has_role(Role.DEPARTMENT_HEAD) or user.has_role(Role.PROVINCIAL_STAFF):
        return True
    organization = user.organization
    return bool(
        organization is not None
        and organization.is_territorial
        and not user.has_role(Role.INSPECTOR)
        and not user.has_role(Role.RECTIFYING_UNIT)
    )
