"""Thin views of the emergency pages: everything through the visibility rule and the services."""

from datetime import date, timedelta

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Organization, Region
from accounts.scope import counties_for, sees_everything
from emergency import alerts, duty, reports, roster_import, services
from emergency.forms import (
    DrillFindingForm,
    DrillForm,
    DutyShiftForm,
    FollowUpForm,
    HandoverForm,
    LinkHazardsForm,
    PlanForm,
    QuickReportForm,
    RosterImportForm,
    duty_bodies_for,
)
from emergency.models import Depot, Drill, DutyShift, EmergencyPlan, QuickReport, RescueTeam, ReserveItem
from emergency.visibility import duty_region, in_duty_scope, is_above, is_duty_user, plans_visible_to
from hazards.models import Hazard
from hazards.workflow import HazardError

PAGE_SIZE = 25


def _duty_users_only(request) -> None:
    if not is_duty_user(request.user):
        raise Http404


def _month(value: str | None) -> date:
    try:
        year, month = (int(part) for part in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return timezone.localdate().replace(day=1)


def _home_region(request) -> Region | None:
    region = duty_region(request.user)
    if region is None:  # provincial staff without a region of their own
        region = Region.objects.filter(level=Region.Level.PROVINCE).first()
    return region


def duty_page(request):
    """Who is on duty now in a region, and a body's month roster with the days that lack a leading cadre."""
    _duty_users_only(request)
    regions = in_duty_scope(Region.objects.all(), request.user, code_field="code")
    region = (
        regions.filter(pk=request.GET.get("region")).first() if request.GET.get("region") else _home_region(request)
    )
    bodies = duty_bodies_for(request.user)
    body = bodies.filter(pk=request.GET.get("body")).first() if request.GET.get("body", "").isdigit() else None
    body = body or bodies.filter(region=region).first() or bodies.first()
    month = _month(request.GET.get("month"))
    days = duty.roster(body, duty.month_days(month)) if body is not None else []
    context = {
        "region": region,
        "regions": regions.order_by("code"),
        "on_duty": duty.on_duty(region) if region is not None else [],
        "bodies": bodies.order_by("region_id", "name"),
        "body": body,
        "month": month,
        "previous_month": (month.replace(day=1) - timedelta(days=1)).replace(day=1),
        "next_month": (month.replace(day=28) + timedelta(days=4)).replace(day=1),
        "days": days,
        "gap_count": sum(1 for entry in days if entry.is_gap),
        "alerts": alerts.for_recipient(request.user),
    }
    return render(request, "emergency/duty.html", context)


def shift_new(request):
    _duty_users_only(request)
    form = DutyShiftForm(request.POST or None, user=request.user, initial={"duty_date": request.GET.get("day")})
    if request.method == "POST" and form.is_valid():
        shift = form.save()
        messages.success(request, _("Shift saved."))
        return redirect(f"{reverse('emergency:duty')}?body={shift.organization_id}&month={shift.duty_date:%Y-%m}")
    return render(request, "emergency/shift_form.html", {"form": form})


def _shift(request, pk: int) -> DutyShift:
    shifts = in_duty_scope(DutyShift.objects.all(), request.user, code_field="organization__region__code")
    return get_object_or_404(
        shifts.select_related(
            "organization", "leading_cadre", "handover__outgoing", "handover__incoming"
        ).prefetch_related("officers"),
        pk=pk,
    )


def shift_detail(request, pk: int):
    """A shift, its handover log: the outgoing officer signs it, the incoming one takes it over."""
    _duty_users_only(request)
    shift = _shift(request, pk)
    handover = getattr(shift, "handover", None)
    form = HandoverForm(request.POST or None)
    if request.method == "POST":
        try:
            if handover is None and form.is_valid():
                services.hand_over(actor=request.user, shift=shift, **form.cleaned_data)
                messages.success(request, _("Handed over and signed."))
                return redirect("emergency:shift", pk=shift.pk)
            if handover is not None:
                services.take_over(actor=request.user, handover=handover)
                messages.success(request, _("Taken over and signed."))
                return redirect("emergency:shift", pk=shift.pk)
        except services.EmergencyError as error:
            messages.error(request, str(error))
    return render(
        request,
        "emergency/shift_detail.html",
        {"shift": shift, "handover": handover, "form": form, "on_shift": services.on_shift(request.user, shift)},
    )


def roster_upload(request):
    _duty_users_only(request)
    form = RosterImportForm(request.POST or None, request.FILES or None, user=request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        result = roster_import.import_roster(
            form.cleaned_data["file"],
            organization=form.cleaned_data["organization"],
            dry_run=form.cleaned_data["dry_run"],
        )
        if result.ok and not form.cleaned_data["dry_run"]:
            messages.success(request, _("%(count)s shifts imported.") % {"count": result.count})
            body = form.cleaned_data["organization"]
            return redirect(f"{reverse('emergency:duty')}?body={body.pk}&month={result.first_day:%Y-%m}")
    return render(request, "emergency/roster_import.html", {"form": form, "result": result})


@require_POST
def alerts_read(request):
    alerts.mark_read(request.user, [int(pk) for pk in request.POST.getlist("alert") if pk.isdigit()])
    return HttpResponseRedirect(request.POST.get("next") or reverse("emergency:reports"))


# --- Plans and drills ---------------------------------------------------------------------------


def _plans(request):
    return plans_visible_to(EmergencyPlan.objects.all(), request.user)


def plan_list(request):
    today = timezone.localdate()
    plans = _plans(request).select_related("organization__region").prefetch_related("industries")
    kind = request.GET.get("kind", "")
    if kind in EmergencyPlan.Kind.values:
        plans = plans.filter(kind=kind)
    if request.GET.get("overdue"):
        plans = plans.filter(is_current=True, revision_due__lt=today)
    overdue = _plans(request).filter(is_current=True, revision_due__lt=today).count()
    # Units without a current plan covering one of their industries (不留盲区 for plans).
    covered = EmergencyPlan.objects.filter(organization=OuterRef("pk"), is_current=True)
    units = in_duty_scope(
        Organization.objects.filter(kind=Organization.Kind.ENTERPRISE, is_active=True),
        request.user,
        code_field="region__code",
    )
    without_plan = units.exclude(Exists(covered)).select_related("region").order_by("region_id", "name")
    page = Paginator(plans.order_by("organization__region_id", "organization__name", "title"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "emergency/plan_list.html",
        {
            "page_obj": page,
            "today": today,
            "overdue": overdue,
            "without_plan": without_plan[:50],
            "without_plan_count": without_plan.count(),
            "kinds": EmergencyPlan.Kind.choices,
            "kind": kind,
        },
    )


def plan_new(request):
    form = PlanForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        plan = form.save()
        messages.success(request, _("Plan registered."))
        return redirect("emergency:plan", pk=plan.pk)
    return render(request, "emergency/plan_form.html", {"form": form})


def plan_detail(request, pk: int):
    plan = get_object_or_404(
        _plans(request).select_related("organization__region").prefetch_related("industries"), pk=pk
    )
    drills = plan.drills.select_related("recorded_by").prefetch_related(
        Prefetch("findings", Hazard.objects.visible_to(request.user))
    )
    form = DrillForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        drill = form.save(commit=False)
        drill.plan = plan
        services.record_drill(actor=request.user, drill=drill)
        messages.success(request, _("Drill recorded."))
        return redirect("emergency:plan", pk=plan.pk)
    return render(
        request,
        "emergency/plan_detail.html",
        {"plan": plan, "drills": drills, "form": form, "today": timezone.localdate()},
    )


def drill_finding(request, pk: int):
    """Put a hazard a drill exposed on the ledger (reported like any finding)."""
    drill = get_object_or_404(
        plans_visible_to(
            Drill.objects.select_related("plan__organization__region"),
            request.user,
            organization_field="plan__organization",
        ),
        pk=pk,
    )
    organization = drill.plan.organization
    initial = {"region": organization.region_id if organization.region.level == Region.Level.COUNTY else None}
    form = DrillFindingForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        hazard = form.save(commit=False)
        hazard.found_on = drill.held_on
        hazard.source = (
            Hazard.Source.SELF_CHECK if organization.kind == Organization.Kind.ENTERPRISE else Hazard.Source.INSPECTION
        )
        if organization.kind in (Organization.Kind.ENTERPRISE, Organization.Kind.OTHER):
            hazard.unit = organization
        else:
            hazard.site_name = organization.name
        try:
            reported = services.add_drill_finding(actor=request.user, drill=drill, hazard=hazard)
        except (services.EmergencyError, HazardError) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Finding %(number)s is on the ledger.") % {"number": reported.number})
            return redirect("emergency:plan", pk=drill.plan_id)
    return render(request, "emergency/drill_finding.html", {"drill": drill, "form": form})


# --- Forces and reserves ------------------------------------------------------------------------


def _near(request, rows, *, region_field: str = "region__code"):
    county = request.GET.get("near", "")
    if county and counties_for(request.user).filter(pk=county).exists() or (county and sees_everything(request.user)):
        return services.nearest_first(rows, county, region_field=region_field), county
    return rows, ""


def forces(request):
    _duty_users_only(request)
    teams = in_duty_scope(
        RescueTeam.objects.filter(is_active=True), request.user, code_field="region__code"
    ).select_related("region")
    kind = request.GET.get("kind", "")
    if kind in RescueTeam.Kind.values:
        teams = teams.filter(kind=kind)
    if request.GET.get("q"):
        teams = teams.filter(Q(name__icontains=request.GET["q"]) | Q(equipment__icontains=request.GET["q"]))
    teams, near = _near(request, teams.order_by("region_id", "name"))
    page = Paginator(teams, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/forces.html",
        {
            "page_obj": page,
            "kinds": RescueTeam.Kind.choices,
            "kind": kind,
            "near": near,
            "counties": counties_for(request.user),
        },
    )


def reserves(request):
    _duty_users_only(request)
    today = timezone.localdate()
    depots = in_duty_scope(
        Depot.objects.filter(is_active=True), request.user, code_field="region__code"
    ).select_related("region")
    items = ReserveItem.objects.order_by("kind", "name")
    kind = request.GET.get("kind", "")
    if kind in ReserveItem.Kind.values:
        items = items.filter(kind=kind)
        depots = depots.filter(items__kind=kind).distinct()
    flagged = services.flagged_items(ReserveItem.objects.filter(depot__in=depots), today)
    depots = depots.annotate(flag_count=Count("items", filter=Q(items__in=flagged))).prefetch_related(
        Prefetch("items", items)
    )
    depots, near = _near(request, depots.order_by("region_id", "name"))
    page = Paginator(depots, 10).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/reserves.html",
        {
            "page_obj": page,
            "today": today,
            "kinds": ReserveItem.Kind.choices,
            "kind": kind,
            "near": near,
            "counties": counties_for(request.user),
            "flagged": flagged.select_related("depot").order_by("expires_on")[:50],
            "flagged_count": flagged.count(),
        },
    )


# --- Information reports ------------------------------------------------------------------------


def report_list(request):
    _duty_users_only(request)
    rows = (
        reports.reports_visible_to(request.user)
        .filter(stage=QuickReport.Stage.FIRST)
        .select_related("region", "unit", "acknowledged_by")
    )
    state = request.GET.get("state", "open")
    if state == "open":
        rows = rows.filter(closed_at__isnull=True)
    elif state == "closed":
        rows = rows.filter(closed_at__isnull=False)
    rows = rows.annotate(follow_up_count=Count("follow_ups")).order_by("-reported_at", "-id")
    awaiting = [
        report for report in rows.filter(acknowledged_at__isnull=True)[:50] if is_above(request.user, report.region)
    ]
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "emergency/report_list.html",
        {
            "page_obj": page,
            "state": state,
            "awaiting": awaiting,
            "alerts": alerts.for_recipient(request.user),
            "can_file": reports.can_file(request.user),
        },
    )


def report_new(request):
    _duty_users_only(request)
    form = QuickReportForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            report = reports.file_report(actor=request.user, report=form.save(commit=False))
        except reports.ReportError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Report filed: the duty room above has been told."))
            return redirect("emergency:report_detail", pk=report.pk)
    return render(request, "emergency/report_form.html", {"form": form})


def _report(request, pk: int) -> QuickReport:
    rows = reports.reports_visible_to(request.user).filter(stage=QuickReport.Stage.FIRST)
    return get_object_or_404(
        rows.select_related("region__parent", "unit", "reporter", "reporting_body", "acknowledged_by"), pk=pk
    )


def report_detail(request, pk: int):
    _duty_users_only(request)
    report = _report(request, pk)
    chain = report.follow_ups.select_related("reporter", "reporting_body").order_by("reported_at", "id")
    return render(
        request,
        "emergency/report_detail.html",
        {
            "report": report,
            "chain": chain,
            "linked": Hazard.objects.visible_to(request.user).filter(pk__in=report.related_hazards.values("pk")),
            "follow_up_form": FollowUpForm(initial={"place": report.place}) if report.is_open else None,
            "link_form": LinkHazardsForm(report=report, user=request.user) if report.unit_id else None,
            "can_acknowledge": report.acknowledged_at is None and is_above(request.user, report.region),
        },
    )


@require_POST
def report_acknowledge(request, pk: int):
    _duty_users_only(request)
    report = _report(request, pk)
    try:
        reports.acknowledge(actor=request.user, report=report)
        messages.success(request, _("Acknowledged."))
    except reports.ReportError as error:
        messages.error(request, str(error))
    return redirect("emergency:report_detail", pk=report.pk)


@require_POST
def report_follow_up(request, pk: int):
    _duty_users_only(request)
    report = _report(request, pk)
    form = FollowUpForm(request.POST)
    if form.is_valid():
        follow = form.save(commit=False)
        try:
            reports.follow_up(actor=request.user, first=report, report=follow, final=form.cleaned_data["final"])
        except reports.ReportError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                _("Final report filed: the report is closed.") if form.cleaned_data["final"] else _("Follow-up filed."),
            )
            return redirect("emergency:report_detail", pk=report.pk)
    chain = report.follow_ups.select_related("reporter").order_by("reported_at", "id")
    return render(
        request,
        "emergency/report_detail.html",
        {"report": report, "chain": chain, "follow_up_form": form, "linked": []},
        status=400,
    )


@require_POST
def report_link(request, pk: int):
    _duty_users_only(request)
    report = _report(request, pk)
    form = LinkHazardsForm(request.POST, report=report, user=request.user)
    if form.is_valid():
        report.related_hazards.add(*form.cleaned_data["hazards"])
        messages.success(request, _("Hazards linked."))
    else:
        messages.error(request, _("Pick hazards of the report's unit that you can see."))
    return redirect("emergency:report_detail", pk=report.pk)
