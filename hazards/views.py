"""Ledger pages. Every hazard is fetched through `Hazard.objects.visible_to(user)`: out of scope is a 404."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Case, OuterRef, Q, Subquery, When
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization, User
from accounts.scope import units_for
from hazards import workflow
from hazards.filters import HazardFilter
from hazards.forms import ActionForm, FindingEditForm, FindingForm, SelfCheckForm, action_form
from hazards.history import timeline
from hazards.models import Attachment, Hazard
from hazards.responsibility import current_holders
from hazards.selectors import work_queues
from hazards.transitions import BUTTONS, TRANSITIONS, HazardError, HazardNotFound, allowed_actions
from hazards.visibility import HazardQuerySet
from hunan_safety.pagination import CappedPaginator

PAGE_SIZES = (25, 50, 100)


def visible_hazards(user: User | AnonymousUser) -> HazardQuerySet:
    return Hazard.objects.visible_to(user)


def get_visible_hazard(user: User | AnonymousUser, pk: int) -> Hazard:
    """The hazard if this user may see it, else 404 (never a 403 that would confirm it exists)."""
    return get_object_or_404(
        visible_hazards(user).select_related(
            "industry__parent",
            "region__parent",
            "unit",
            "rectifying_unit",
            "found_by",
            "campaign",
            "inspection",
            "verified_by",
            "listed_by",
        ),
        pk=pk,
    )


def _with_list_columns(hazards):
    """What a ledger row shows: related names and the first photo."""
    first_photo = Attachment.objects.filter(hazard=OuterRef("pk"), stage=Attachment.Stage.BEFORE).exclude(thumbnail="")
    return hazards.select_related("industry__parent", "region__parent", "unit", "rectifying_unit").annotate(
        photo_id=Subquery(first_photo.order_by("id").values("id")[:1])
    )


def hazard_list(request):
    hazards = _with_list_columns(visible_hazards(request.user)).order_by("-found_on", "-id")
    hazard_filter = HazardFilter(request.GET or None, queryset=hazards, request=request)
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    listed = hazard_filter.qs
    ordering = listed.query.order_by
    if not any(field.lstrip("-") in ("id", "pk") for field in ordering):
        # A chosen sort (level, state, deadline…) has ties: the id makes pages stable, also when
        # deep pages read their keys apart from their rows.
        listed = listed.order_by(*ordering, "-id")
    paginator = CappedPaginator(
        listed,
        per_page,
        cap=settings.LEDGER_LIST_COUNT_CAP,
        # Deep pages: the keys were chosen through the visibility rule and filters.
        rows=lambda keys: _with_list_columns(Hazard.objects.filter(pk__in=keys)),
    )
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "hazards/hazard_list.html",
        {
            "filter": hazard_filter,
            "page": page,
            "active_filters": hazard_filter.active_filters(),
            "page_sizes": PAGE_SIZES,
            "per_page": per_page,
            "can_report": workflow.can_report(request.user),
        },
    )


def _detail_page(request, hazard: Hazard, bound: ActionForm | None = None, status: int = 200):
    """The detail page with a small form for each action the user may take now."""
    forms_by_action = {
        action: action_form(action)(hazard=hazard, user=request.user)
        for action in allowed_actions(hazard, request.user)
    }
    if bound is not None:
        forms_by_action[bound.action] = bound
    chain = hazard.responsibility_chain or []
    holders_now = current_holders(chain)
    chain_rows = [
        {**entry, "holder_now": holders_now.get(entry.get("post_id"), entry.get("person", ""))} for entry in chain
    ]
    return render(
        request,
        "hazards/hazard_detail.html",
        {
            "hazard": hazard,
            "attachments": hazard.attachments.all(),
            "timeline": timeline(hazard.events.select_related("actor").order_by("at", "id")),
            "extension_requests": hazard.extension_requests.select_related("requested_by", "decided_by"),
            "can_edit": workflow.can_edit_finding(hazard, request.user),
            "action_forms": forms_by_action,
            "open_action": bound.action if bound is not None else "",
            "chain_rows": chain_rows,
        },
        status=status,
    )


def hazard_detail(request, pk: int):
    return _detail_page(request, get_visible_hazard(request.user, pk))


@require_POST
def hazard_act(request, pk: int, action: str):
    """Perform one workflow action from its small form; a refusal is shown with its reason."""
    hazard = get_visible_hazard(request.user, pk)
    if action not in BUTTONS:
        raise Http404
    form = action_form(action)(request.POST, request.FILES, hazard=hazard, user=request.user)
    if form.is_valid():
        try:
            form.perform()
        except HazardNotFound:
            raise Http404 from None
        except HazardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, TRANSITIONS[action].done)
            return redirect("hazards:detail", pk=hazard.pk)
    return _detail_page(request, hazard, bound=form, status=400)


def hazard_by_number(request, number: str):
    hazard = get_object_or_404(visible_hazards(request.user).only("pk"), number=number)
    return redirect("hazards:detail", pk=hazard.pk)


def hazard_new(request):
    if not workflow.can_report(request.user):
        raise Http404
    form = FindingForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            hazard = workflow.report_finding(
                actor=request.user,
                hazard=form.save(commit=False),
                attachments=form.kept["photos"],
                after_attachments=form.kept["after_photos"],
            )
        except workflow.HazardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Finding %(number)s is on the ledger.") % {"number": hazard.number})
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/hazard_form.html", {"form": form, "hazard": None})


def hazard_self_check(request):
    """A unit's own user records a hazard the unit found itself (企业自查自报), on a phone as on a computer."""
    if not workflow.can_self_report(request.user):
        raise Http404
    form = SelfCheckForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            hazard = workflow.report_self_found(
                actor=request.user,
                hazard=form.save(commit=False),
                attachments=form.kept["photos"],
                deadline=form.cleaned_data["deadline"],
            )
        except (workflow.HazardError, ValidationError) as error:
            form.add_error(None, error.messages if isinstance(error, ValidationError) else str(error))
        else:
            messages.success(request, _("Finding %(number)s is on the ledger.") % {"number": hazard.number})
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/self_check_form.html", {"form": form})


def hazard_edit(request, pk: int):
    hazard = get_visible_hazard(request.user, pk)
    if not workflow.can_edit_finding(hazard, request.user):
        if hazard.state != Hazard.State.REPORTED:
            messages.error(
                request,
                _("Only a reported finding can be edited; this one is %(state)s. Use the actions on its page.")
                % {"state": hazard.get_state_display()},
            )
        else:
            messages.error(request, _("Only the finder or a department head can edit this finding."))
        return redirect("hazards:detail", pk=hazard.pk)
    form = FindingEditForm(request.POST or None, request.FILES or None, instance=hazard, user=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in workflow.EDITABLE_FIELDS}
        try:
            workflow.edit_finding(
                actor=request.user,
                hazard_id=hazard.pk,
                changes=changes,
                version=form.cleaned_data["version"],
                attachments=form.kept["photos"],
            )
        except HazardNotFound:
            raise Http404 from None
        except workflow.HazardError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, _("Your changes are saved."))
            return redirect("hazards:detail", pk=hazard.pk)
    return render(request, "hazards/hazard_form.html", {"form": form, "hazard": hazard})


def _visible_attachment(user: User | AnonymousUser, pk: int) -> Attachment:
    """An attachment of a hazard the user may see, or the user's own pending upload; else 404."""
    scope = Q(hazard__in=visible_hazards(user).values("pk")) | Q(hazard__isnull=True, uploaded_by=user)
    return get_object_or_404(Attachment.objects.filter(scope), pk=pk)


@require_GET
def attachment_file(request, pk: int):
    attachment = _visible_attachment(request.user, pk)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.is_image,
        filename=attachment.original_name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def attachment_thumbnail(request, pk: int):
    attachment = _visible_attachment(request.user, pk)
    if not attachment.thumbnail:
        raise Http404
    response = FileResponse(attachment.thumbnail.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def unit_search(request):
    """Units in the user's scope whose name or credit code contains the query, for the unit picker."""
    if not (workflow.can_report(request.user) or workflow.is_head(request.user)):
        return JsonResponse({"results": []})  # only those who record or assign findings pick units
    query = request.GET.get("q", "").strip()
    units = units_for(request.user)
    if query:
        units = units.filter(Q(name__icontains=query) | Q(credit_code__icontains=query.upper()))
    # Enterprises first: findings are mostly about them, less often about a public body's premises.
    enterprises_first = Case(When(kind=Organization.Kind.ENTERPRISE, then=0), default=1)
    results = [
        {"value": unit.pk, "text": f"{unit.name}（{unit.region.name}）"}
        for unit in units.order_by(enterprises_first, "name")[:20]
    ]
    return JsonResponse({"results": results})


def work_queue(request):
    """What waits on the signed-in user, by role, overdue first."""
    return render(request, "hazards/work_queue.html", {"queues": work_queues(request.user)})
