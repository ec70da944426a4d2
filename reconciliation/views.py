"""Reconciliation pages: a department's status list for a period (who has not reconciled), a unit's
reconciliation to confirm or review, and its printable sheet. Thin: the rules are `reconciliation.services`;
every unit comes through the register the user may see (out of scope is a 404).
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization, User
from accounts.scope import register_for
from reconciliation import periods, selectors, services
from reconciliation.models import Reconciliation, ReconciliationItem
from reconciliation.sheets import xlsx_response

PAGE_SIZE = 50


def _period(request, default_kind: str = periods.QUARTER) -> periods.Period:
    code = request.GET.get("period")
    if not code:
        return periods.last_ended(timezone.localdate(), default_kind)
    try:
        return periods.parse(code)
    except periods.PeriodError:
        raise Http404 from None


@require_GET
def status_list(request):
    """The units of the user's scope and their reconciliation for a period: who has not reconciled."""
    period = _period(request)
    units = selectors.units_for_period(request.user, period)
    counts = selectors.kept_status_counts(request.user, period, units)
    status = request.GET.get("status", "")
    county = request.GET.get("county", "").strip()
    rows = selectors.with_status(units, status)
    if county.isdigit():
        rows = rows.filter(region__code__startswith=county)
    # The counties come in a second query: joined, PostgreSQL walks the county index and loops over units.
    rows = rows.prefetch_related("region").order_by("region_id", "name", "pk")
    if request.GET.get("format") == "xlsx":
        return _status_sheet(rows, period)
    page = _Pages(rows, PAGE_SIZE, count=None if county else selectors.count_of(counts, status)).get_page(
        request.GET.get("page")
    )
    context = {
        "period": period,
        "page_obj": page,
        "counts": counts,
        "status": status,
        "county": county,
        "statuses": [
            (selectors.NOT_RECONCILED, _("Not reconciled")),
            (selectors.NOT_STARTED, _("Not started")),
            (selectors.DISPUTES, _("Disputed items to review")),
            *Reconciliation.State.choices,
        ],
        "previous": period.previous(),
    }
    return render(request, "reconciliation/status_list.html", context)


class _Pages(Paginator):
    """Pages whose count is known already (the status counts): the list is not counted a second time."""

    def __init__(self, *args, count: int | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property


def _status_sheet(rows, period: periods.Period):
    states = dict(Reconciliation.State.choices)
    header = [
        _("Unit"),
        _("Unified social credit code"),
        _("County"),
        _("Period"),
        _("Status"),
        _("Disputed items"),
        _("Safety contact"),
        _("Phone"),
    ]
    data = (
        [
            unit.name,
            unit.credit_code,
            unit.region.name,
            period.code,
            states.get(unit.reconciliation_state, _("Not started")),
            unit.disputed,
            unit.safety_contact,
            unit.safety_contact_phone,
        ]
        for unit in rows.iterator(chunk_size=2000)
    )
    return xlsx_response(_("Reconciliation"), header, data, file_name=f"reconciliation-{period.code}.xlsx")


def _unit_and_period(user: User, unit_pk: int, code: str) -> tuple[Organization, periods.Period]:
    unit = get_object_or_404(register_for(user).select_related("region"), pk=unit_pk)
    try:
        return unit, periods.parse(code)
    except periods.PeriodError:
        raise Http404 from None


def _page_context(user: User, unit: Organization, period: periods.Period, posted=None) -> dict:
    reconciliation = (
        Reconciliation.objects.filter(unit=unit, period=period.code)
        .select_related("unit_confirmed_by", "department_confirmed_by", "prepared_by")
        .first()
    )
    items = (
        list(reconciliation.items.select_related("hazard__industry").order_by("found_on", "pk"))
        if reconciliation
        else []
    )
    # Each item with the answer and note to show: a refused confirmation keeps what was chosen and typed.
    rows = [
        (
            item,
            posted.get(f"answer-{item.pk}", item.answer) if posted else item.answer,
            posted.get(f"note-{item.pk}", item.note) if posted else item.note,
        )
        for item in items
    ]
    return {
        "unit": unit,
        "period": period,
        "reconciliation": reconciliation,
        "items": items,
        "rows": rows,
        "events": list(reconciliation.events.select_related("actor")) if reconciliation else [],
        "answers": [choice for choice in ReconciliationItem.Answer.choices if choice[0]],
        "is_unit_user": services.is_unit_user(user, unit),
        "is_reviewer": services.is_reviewer(user, unit),
        "may_prepare": reconciliation is None and period.ends_on < timezone.localdate(),
    }


@require_GET
def detail(request, unit_pk: int, period: str):
    """A unit's reconciliation for a period: its list, the unit's answers and both confirmations."""
    unit, chosen = _unit_and_period(request.user, unit_pk, period)
    return render(request, "reconciliation/detail.html", _page_context(request.user, unit, chosen))


@require_GET
def print_sheet(request, unit_pk: int, period: str):
    """The reconciliation sheet to print and file, with both confirmations."""
    unit, chosen = _unit_and_period(request.user, unit_pk, period)
    context = _page_context(request.user, unit, chosen)
    if context["reconciliation"] is None:
        raise Http404
    return render(request, "reconciliation/print.html", context)


@require_POST
def act(request, unit_pk: int, period: str, action: str):
    """Prepare, confirm for the unit, send back or confirm for the department, through the services."""
    unit, chosen = _unit_and_period(request.user, unit_pk, period)
    reconciliation = Reconciliation.objects.filter(unit=unit, period=chosen.code).first()
    try:
        if action == "prepare":
            services.prepare(actor=request.user, unit=unit, period=chosen)
            messages.success(request, _("The list is prepared: check each item and confirm it."))
        elif reconciliation is None:
            raise Http404
        elif action == "unit-confirm":
            answers = {
                item.pk: (request.POST.get(f"answer-{item.pk}", ""), request.POST.get(f"note-{item.pk}", ""))
                for item in reconciliation.items.all()
            }
            services.confirm_by_unit(
                actor=request.user,
                reconciliation_id=reconciliation.pk,
                answers=answers,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Confirmed and signed for the unit: the department reviews it now."))
        elif action == "send-back":
            services.send_back(
                actor=request.user, reconciliation_id=reconciliation.pk, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("Sent back to the unit."))
        elif action == "confirm":
            services.confirm_by_department(
                actor=request.user, reconciliation_id=reconciliation.pk, note=request.POST.get("note", "")
            )
            messages.success(request, _("Reconciled: the list is confirmed by both and can no longer change."))
        else:
            raise Http404
    except services.ReconciliationError as error:
        context = _page_context(request.user, unit, chosen, posted=request.POST)
        context["error"] = str(error)
        return render(request, "reconciliation/detail.html", context, status=400)
    return redirect("reconciliation:detail", unit_pk=unit.pk, period=chosen.code)
