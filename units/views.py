"""The register's pages: browse and filter it, a unit's page, the Excel import, campaign coverage.

Thin: every unit comes through `accounts.scope.register_for` (out of scope is a 404), the import's
checks and writes are `units.importing`, coverage and blind spots `inspections.coverage`.
"""

from datetime import timedelta
from pathlib import PurePath

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Organization, User
from accounts.scope import register_for
from hazards import workflow
from hazards.models import Hazard
from inspections import coverage
from inspections.models import Campaign, Inspection
from ledger.models import ImportedUnit
from ledger.reading import ImportFileError
from reconciliation.models import Reconciliation
from reconciliation.sheets import xlsx_response
from units import importing
from units.filters import NOT_INSPECTED_DAYS, UnitFilter
from units.forms import UnitImportForm

PAGE_SIZE = 25
SHOWN_ON_DETAIL = 50
BLIND_SPOTS_SHOWN = 100


def _last_inspected() -> Subquery:
    latest = (
        Inspection.objects.filter(unit_id=OuterRef("pk")).order_by().values("unit_id").annotate(on=Max("inspected_on"))
    )
    return Subquery(latest.values("on"))


@require_GET
def unit_list(request):
    """The register (企业/单位台账) the user may see, filtered by GET parameters."""
    units = register_for(request.user).select_related("region__parent").prefetch_related("industries")
    unit_filter = UnitFilter(request.GET or None, queryset=units)
    rows = unit_filter.qs if unit_filter.is_bound else units
    # By county and name (the (region, name) unique index walks it), or the most dangerous first.
    by_risk = request.GET.get("sort") == "risk"
    rows = coverage.by_risk(rows) if by_risk else rows.order_by("region_id", "name", "pk")
    rows = rows.annotate(
        last_inspected=_last_inspected(), to_complete=Exists(ImportedUnit.objects.filter(unit_id=OuterRef("pk")))
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "units/unit_list.html",
        {"filter": unit_filter, "page_obj": page, "by_risk": by_risk, "may_import": workflow.can_report(request.user)},
    )


def visible_unit(user: User, pk: int) -> Organization:
    """A unit of the register this user may see, else 404."""
    return get_object_or_404(register_for(user).select_related("region__parent"), pk=pk)


@require_GET
def unit_detail(request, pk: int):
    """A unit: its register fields, and the hazards, inspections and reconciliations the user may see."""
    unit = visible_unit(request.user, pk)
    hazards = (
        Hazard.objects.visible_to(request.user)
        .filter(Q(unit=unit) | Q(rectifying_unit=unit))
        .select_related("industry")
        .order_by("-found_on", "-id")
    )
    inspections = (
        Inspection.objects.visible_to(request.user)
        .filter(unit=unit)
        .select_related("campaign", "industry")
        .order_by("-inspected_on", "-id")
    )
    context = {
        "unit": unit,
        "industries": list(unit.industries.all()),
        "hazards": hazards[:SHOWN_ON_DETAIL],
        "hazard_count": hazards.count(),
        "inspections": inspections[:SHOWN_ON_DETAIL],
        "inspection_count": inspections.count(),
        "reconciliations": Reconciliation.objects.filter(unit=unit).order_by("-starts_on")[:12],
        "added_by_import": ImportedUnit.objects.filter(unit=unit).first(),
    }
    return render(request, "units/unit_detail.html", context)


def unit_import(request):
    """Import a county's register from Excel: all or nothing, each bad row said, merges by credit code."""
    if not workflow.can_report(request.user):
        raise Http404
    form = UnitImportForm(request.POST or None, request.FILES or None)
    check = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        check = importing.check_units(upload, actor=request.user, file_name=PurePath(upload.name).name)
        if check.is_valid and not form.cleaned_data["dry_run"]:
            try:
                created, merged = importing.import_units(actor=request.user, check=check)
            except ImportFileError as error:
                form.add_error(None, str(error))
            else:
                messages.success(
                    request,
                    _("%(created)d units added to the register, %(merged)d merged with units already on it.")
                    % {"created": created, "merged": merged},
                )
                return redirect("units:list")
    return render(request, "units/unit_import.html", {"form": form, "check": check})


@require_GET
def campaign_coverage(request, pk: int):
    """A campaign's coverage of the register (by county and industry) and its blind spots, in the user's scope."""
    campaign = get_object_or_404(Campaign.objects.prefetch_related("industries", "regions"), pk=pk)
    # ?county= / ?industry= (the register's own filters) narrow it: the statistics table's links.
    narrowed = UnitFilter(request.GET, queryset=register_for(request.user))
    units = narrowed.qs
    # The kept figures are per viewer, language and narrowing: a county's link must not get the whole scope's.
    narrowing = urlencode(sorted((name, value) for name in narrowed.filters for value in request.GET.getlist(name)))
    scope = coverage.CampaignScope.of(campaign)
    since = timezone.localdate() - timedelta(days=NOT_INSPECTED_DAYS)
    if request.GET.get("format") == "xlsx":
        return _blind_spots_sheet(campaign, coverage.blind_spots(scope, units).select_related("region"))
    figures, counted_at = coverage.kept_coverage(
        f"{request.user.pk}:{get_language()}:{narrowing}", scope, units, since=since, blind_shown=BLIND_SPOTS_SHOWN
    )
    # The first blind spots were chosen in the figures' own pass: only they are fetched whole.
    first_blind = Organization.objects.select_related("region").in_bulk(figures.first_blind)
    context = {
        "campaign": campaign,
        "coverage": figures,
        "tables": [(_("By county"), figures.by_county), (_("By industry"), figures.by_industry)],
        "blind_spots": [first_blind[pk] for pk in figures.first_blind],
        "blind_count": figures.total.blind,
        "shown": BLIND_SPOTS_SHOWN,
        "not_inspected_count": figures.not_inspected_since,
        "counted_at": counted_at,
        "counted_every": coverage.COVERAGE_SECONDS // 60,
    }
    return render(request, "units/campaign_coverage.html", context)


def _blind_spots_sheet(campaign: Campaign, blind) -> FileResponse:
    header = [
        _("Unit"),
        _("Unified social credit code"),
        _("County"),
        _("Address"),
        _("Risk class"),
        _("Safety contact"),
        _("Phone"),
    ]
    rows = (
        [
            unit.name,
            unit.credit_code,
            unit.region.name,
            unit.address,
            unit.get_risk_class_display(),
            unit.safety_contact,
            unit.safety_contact_phone,
        ]
        for unit in blind.iterator(chunk_size=2000)
    )
    return xlsx_response(_("Blind spots"), header, rows, file_name=f"blind-spots-{campaign.pk}.xlsx")
