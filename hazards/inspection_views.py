"""Pages of campaigns and inspections, and recording an inspection with its findings.

They live with the ledger because every figure on them counts findings (hazards), which the
inspections app, a layer below, does not know. Their templates are the inspections app's.

Every count and every list goes through the one visibility rule (`visible_to`); campaigns
themselves are not secret, what was found in them is.
"""

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import ngettext

from accounts.models import Industry, User
from hazards import workflow
from hazards.inspection_forms import BaseFindingFormSet, ChecklistAnswersForm, FindingFormSet, InspectionForm
from hazards.models import Hazard, HazardState
from hazards.visibility import HazardQuerySet
from hazards.workflow import HazardError, record_inspection
from hunan_safety.http import NotForYourRole
from inspections.filters import InspectionFilter
from inspections.models import Campaign, ChecklistAnswer, Inspection, campaign_state_rank

PAGE_SIZE = 25
CAMPAIGN_INSPECTIONS_SHOWN = 50


def _count_of(queryset: QuerySet, *, outer_field: str) -> Coalesce:
    """A correlated subquery: how many rows of `queryset` point at the outer row through `outer_field`."""
    counted = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _findings(user: User | AnonymousUser) -> HazardQuerySet:
    """The hazards this user may see that count as findings: a void entry was logged in error."""
    return Hazard.objects.visible_to(user).exclude(state=HazardState.VOID)


def _inspections_with_findings(user, inspections: QuerySet) -> QuerySet:
    """Inspections ready for a list: their related rows and the number of findings the user may see."""
    return (
        inspections.select_related("unit", "region__parent", "industry", "campaign")
        .prefetch_related("inspectors")
        .annotate(findings=_count_of(_findings(user), outer_field="inspection"))
    )


def campaign_list(request):
    """Campaigns in progress first, then planned, then ended, with the user's visible inspections and findings of each."""
    findings = _findings(request.user)
    campaigns = (
        Campaign.objects.select_related("organizer")
        .prefetch_related("industries", "regions")
        .annotate(
            inspection_count=_count_of(Inspection.objects.visible_to(request.user), outer_field="campaign"),
            finding_count=_count_of(findings, outer_field="campaign"),
            open_count=_count_of(findings.exclude(state=HazardState.CLOSED), outer_field="campaign"),
            closed_count=_count_of(findings.filter(state=HazardState.CLOSED), outer_field="campaign"),
            overdue_count=_count_of(findings.overdue(), outer_field="campaign"),
        )
        .annotate(state_rank=campaign_state_rank(timezone.localdate()))
        .order_by("state_rank", "-start_date", "name")
    )
    page = Paginator(campaigns, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "inspections/campaign_list.html", {"page_obj": page})


def campaign_detail(request, pk: int):
    """A campaign, its findings by state and by industry, and its coverage, all within the user's scope."""
    campaign = get_object_or_404(
        Campaign.objects.select_related("organizer").prefetch_related("industries", "regions"), pk=pk
    )
    hazards = Hazard.objects.visible_to(request.user).filter(campaign=campaign)
    inspections = Inspection.objects.visible_to(request.user).filter(campaign=campaign)

    by_state = dict(hazards.order_by().values_list("state").annotate(count=Count("pk")))
    states = [{"state": state, "count": by_state.get(state.value, 0)} for state in HazardState]

    findings = hazards.exclude(state=HazardState.VOID)
    overdue_by_industry = dict(findings.overdue().order_by().values_list("industry").annotate(count=Count("pk")))
    rows = (
        findings.order_by()
        .values("industry")
        .annotate(
            total=Count("pk"),
            open=Count("pk", filter=~Q(state=HazardState.CLOSED)),
            closed=Count("pk", filter=Q(state=HazardState.CLOSED)),
        )
    )
    industries = Industry.objects.in_bulk([row["industry"] for row in rows])
    by_industry = sorted(
        (
            {**row, "industry": industries[row["industry"]], "overdue": overdue_by_industry.get(row["industry"], 0)}
            for row in rows
        ),
        key=lambda row: (row["industry"].sort_order, row["industry"].code),
    )

    coverage = inspections.aggregate(
        inspections=Count("pk"),
        units=Count("unit", distinct=True),
        sites=Count("site_name", filter=Q(unit__isnull=True), distinct=True),
        counties=Count("region", distinct=True),
    )
    latest = _inspections_with_findings(request.user, inspections)[:CAMPAIGN_INSPECTIONS_SHOWN]
    context = {
        "campaign": campaign,
        "states": states,
        "total": sum(by_state.values()) - by_state.get(HazardState.VOID.value, 0),
        "overdue": sum(overdue_by_industry.values()),
        "by_industry": by_industry,
        "coverage": coverage,
        "inspections": latest,
        "more_inspections": coverage["inspections"] > CAMPAIGN_INSPECTIONS_SHOWN,
    }
    return render(request, "inspections/campaign_detail.html", context)


def inspection_list(request):
    """The inspections the user may see, newest first, filtered by GET parameters."""
    filterset = InspectionFilter(request.GET, queryset=Inspection.objects.visible_to(request.user), request=request)
    inspections = _inspections_with_findings(request.user, filterset.qs).order_by("-inspected_on", "-id")
    page = Paginator(inspections, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"filter": filterset, "active_filters": filterset.active_filters(), "page_obj": page}
    return render(request, "inspections/inspection_list.html", context)


def inspection_detail(request, pk: int):
    """One inspection within the user's scope (a 404 otherwise) and the findings the user may see."""
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user)
        .select_related("unit", "region__parent", "industry", "campaign", "organization", "created_by", "checklist")
        .prefetch_related("inspectors"),
        pk=pk,
    )
    findings = Hazard.objects.visible_to(request.user).filter(inspection=inspection).order_by("number")
    checklist = checklist_result(inspection) if inspection.checklist_id else None
    return render(
        request,
        "inspections/inspection_detail.html",
        {"inspection": inspection, "findings": findings, "checklist": checklist},
    )


def checklist_result(inspection: Inspection) -> dict:
    """The checklist's items with their answers, and how many of each answer (two queries)."""
    assert inspection.checklist is not None
    answers = {answer.item_id: answer for answer in inspection.checklist_answers.all()}
    rows = [(item, answers.get(item.pk)) for item in inspection.checklist.items.all()]
    counts = dict.fromkeys(ChecklistAnswer.Answer.values, 0)
    for answer in answers.values():
        counts[answer.answer] += 1
    return {"rows": rows, "counts": counts, "unanswered": len(rows) - len(answers)}


def inspection_new(request):
    """Record an inspection visit with one or more findings and their photos."""
    if not workflow.can_report(request.user):
        raise NotForYourRole(str(workflow.REPORTERS_ONLY))
    data, files = (request.POST, request.FILES) if request.method == "POST" else (None, None)
    # Planned from a campaign's blind spots: the unit and the campaign come filled in.
    planned = {key: request.GET[key] for key in ("unit", "campaign") if request.GET.get(key, "").isdigit()}
    form = InspectionForm(data, files, user=request.user, initial=planned)
    findings = FindingFormSet(data, files, prefix="findings", form_kwargs={"user": request.user})
    assert isinstance(findings, BaseFindingFormSet)
    findings.follows_checklist = bool(data and data.get("checklist"))
    if request.method == "POST" and form.is_valid() and findings.is_valid():
        recorded = [
            (finding.save(commit=False), finding.kept["photos"], finding.kept["after_photos"])
            for finding in findings
            if finding.has_changed()
        ]
        try:
            inspection = record_inspection(
                actor=request.user,
                inspection=form.save(commit=False),
                team=form.cleaned_data["inspectors"],
                findings=recorded,
            )
        except HazardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The inspection and its %(count)d finding are on the ledger.",
                    "The inspection and its %(count)d findings are on the ledger.",
                    len(recorded),
                )
                % {"count": len(recorded)},
            )
            if inspection.checklist_id:
                return redirect("inspections:checklist", pk=inspection.pk)
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_form.html", {"form": form, "findings": findings})


def inspection_checklist(request, pk: int):
    """Answer the checklist an inspection follows, item by item; non-compliant items become findings."""
    inspection = get_object_or_404(
        Inspection.objects.visible_to(request.user).select_related("checklist", "unit"), pk=pk
    )
    checklist = inspection.checklist
    if checklist is None or not workflow.can_report(request.user):
        raise Http404
    items = list(checklist.items.select_related("clause__standard"))
    answers = {answer.item_id: answer for answer in inspection.checklist_answers.all()}
    form = ChecklistAnswersForm(request.POST or None, items=items, answers=answers)
    if request.method == "POST" and form.is_valid():
        try:
            created = workflow.answer_checklist(actor=request.user, inspection_id=inspection.pk, answers=form.answers())
        except HazardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                ngettext(
                    "The answers are saved; %(count)d non-compliant item became a finding.",
                    "The answers are saved; %(count)d non-compliant items became findings.",
                    len(created),
                )
                % {"count": len(created)},
            )
            return redirect("inspections:inspection_detail", pk=inspection.pk)
    return render(request, "inspections/inspection_checklist.html", {"inspection": inspection, "form": form})
