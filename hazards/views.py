"""Ledger pages. Every hazard is fetched through `Hazard.objects.visible_to(user)`: out of scope is a 404."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Case, Q, When
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization, User
from accounts.scope import units_for
from hazards import bulk, counting, listing, photo_stamp, saved_views, workflow
from hazards.filters import HazardFilter, form_markup
from hazards.forms import ActionForm, FindingEditForm, FindingForm, SelfCheckForm, action_form
from hazards.history import timeline
from hazards.models import Attachment, Hazard, SubmissionRound
from hazards.responsibility import current_holders, lacks_enterprise_contact
from hazards.selectors import (
    hazard_events,
    hazard_extension_requests,
    hazard_files,
    hazard_rounds,
    visible_attachments,
    visible_hazard,
    work_queues,
)
from hazards.transitions import BUTTONS, TRANSITIONS, HazardError, HazardNotFound, allowed_actions
from hazards.visibility import HazardQuerySet
from hunan_safety.http import NotForYourRole

PAGE_SIZES = (25, 50, 100)


def visible_hazards(user: User | AnonymousUser) -> HazardQuerySet:
    return Hazard.objects.visible_to(user)


def get_visible_hazard(user: User | AnonymousUser, pk: int) -> Hazard:
    """The hazard if this user may see it, else 404 (never a 403 that would confirm it exists)."""
    hazard = visible_hazard(user, pk)
    if hazard is None:
        raise Http404("No hazard matches the given query.")
    return hazard


def _ledger_filter(request) -> HazardFilter:
    """The list's filters on the whole ledger; the scope is applied by the page (hazards/listing.py)."""
    return HazardFilter(request.GET or None, queryset=Hazard.objects.order_by("-found_on", "-id"), request=request)


def _page_number(request) -> int:
    try:
        return int(request.GET.get("page", 1))
    except ValueError:
        return 1


def _filter_form(request, hazard_filter: HazardFilter, per_page: int) -> dict:
    """The filter form's context, its markup from the cache when the same query was shown before."""
    context = {
        "filter": hazard_filter,
        "active_filters": hazard_filter.active_filters(),
        "page_sizes": PAGE_SIZES,
        "per_page": per_page,
        "columns": listing.shown_columns(request.GET),
        "optional_columns": listing.OPTIONAL_COLUMNS,
    }
    # No request: the form needs no context processor (nor their queries, such as the bell's count).
    render_form = lambda: render_to_string("hazards/includes/ledger_filters.html", context)  # noqa: E731
    return {**context, "filters_markup": form_markup(request.GET, render_form)}


def hazard_list(request):
    hazard_filter = _ledger_filter(request)
    try:
        per_page = int(request.GET.get("per_page", PAGE_SIZES[0]))
    except ValueError:
        per_page = PAGE_SIZES[0]
    per_page = per_page if per_page in PAGE_SIZES else PAGE_SIZES[0]
    listed = hazard_filter.qs
    page = listing.ledger_page(
        listed,
        user=request.user,
        ordering=listed.query.order_by,
        per_page=per_page,
        number=_page_number(request),
        cursor=request.GET.get("after") or request.GET.get("before", ""),
        backwards="before" in request.GET and "after" not in request.GET,
        columns=listing.row_columns,
    )
    form_context = _filter_form(request, hazard_filter, per_page)
    can_bulk = workflow.is_head(request.user)
    count = counting.cached_count(request.user, request.GET)
    if count is None and request.GET.get("count"):
        count = counting.count(request.user, request.GET, listed)
    return render(
        request,
        "hazards/hazard_list.html",
        {
            **form_context,
            "page": page,
            "rows": listing.display_rows(page.rows, columns=form_context["columns"], can_bulk=can_bulk),
            "count": count,
            "count_query": counting.count_query(request.GET),
            "can_report": workflow.can_report(request.user),
            "can_bulk": can_bulk,
            "sort_headers": listing.sort_headers(request.GET),
            "list_query": request.GET.urlencode(),
            "view_query": saved_views.view_query(request.GET),
        },
    )


def _chosen_ids(request) -> list[int]:
    return [int(value) for value in request.POST.getlist("hazard") if value.isdigit()]


def _deadline(request) -> date | None:
    try:
        return date.fromisoformat(request.POST.get("deadline", ""))
    except ValueError:
        return None


@require_POST
def hazard_bulk(request, action: str):
    """A head's bulk action on the hazards ticked in the ledger (hazards/bulk.py); back to the same list."""
    if action not in bulk.BULK_ACTIONS or not workflow.is_head(request.user):
        raise Http404
    try:
        if action == "assign":
            done = bulk.assign_several(
                actor=request.user,
                hazard_ids=_chosen_ids(request),
                deadline=_deadline(request),
                measures=request.POST.get("measures", "").strip(),
            )
        else:
            done = bulk.close_several(
                actor=request.user, hazard_ids=_chosen_ids(request), note=request.POST.get("note", "").strip()
            )
    except HazardNotFound:
        raise Http404 from None
    except bulk.BulkRefused as refused:
        messages.error(request, str(refused))
        for refusal in refused.refusals:
            messages.error(request, f"{refusal.number}: {refusal.reason}")
    except HazardError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            bulk.summary(action, done),
        )
    # Back to the list as it was filtered: a path of our own, never a redirect elsewhere.
    return redirect(f"{reverse('hazards:list')}?{request.POST.get('list_query', '')}")


@require_GET
def view_list(request):
    """The user's saved views, for the ledger's "My views" menu (fetched when it is opened)."""
    return render(
        request,
        "hazards/includes/saved_view_items.html",
        {"saved_views": saved_views.saved_views(request.user), "list_query": request.GET.get("list_query", "")},
    )


@require_POST
def view_save(request):
    """Save the ledger as shown (its query string) under a name; back to it."""
    params = QueryDict(request.POST.get("list_query", ""))
    try:
        saved = saved_views.save_view(owner=request.user, name=request.POST.get("name", ""), params=params)
    except HazardError as error:
        messages.error(request, str(error))
        return redirect(f"{reverse('hazards:list')}?{params.urlencode()}")
    messages.success(
        request, _("The view “%(name)s” is saved: it is a link you can keep or share.") % {"name": saved.name}
    )
    return redirect(f"{reverse('hazards:list')}?{saved.query}")


@require_POST
def view_forget(request, pk: int):
    """Take one of the user's saved views off their list."""
    try:
        forgotten = saved_views.forget_view(owner=request.user, view_id=pk)
    except HazardNotFound:
        raise Http404 from None
    messages.success(request, _("The view “%(name)s” is off your list.") % {"name": forgotten.name})
    return redirect(f"{reverse('hazards:list')}?{request.POST.get('list_query', '')}")


@require_GET
def hazard_count(request):
    """The count line of the ledger for these filters (fetched by the list page after it is shown)."""
    count = counting.cached_count(request.user, request.GET)
    if count is None:
        count = counting.count(request.user, request.GET, _ledger_filter(request).qs)
    return render(request, "hazards/includes/hazard_count.html", {"count": count})


def _files_by_round(hazard: Hazard) -> dict[int | None, list[Attachment]]:
    """Every file in one query, each under its submission round or, before any, with the finding (None)."""
    files_by_round: dict[int | None, list[Attachment]] = {}
    for attachment in hazard_files(hazard):
        files_by_round.setdefault(attachment.round_id, []).append(attachment)
    return files_by_round


def _detail_page(request, hazard: Hazard, bound: ActionForm | None = None, status: int = 200):
    """The detail page with a small form for each action the user may take now."""
    forms_by_action = {
        action: action_form(action)(hazard=hazard, user=request.user)
        for action in allowed_actions(hazard, request.user)
    }
    if bound is not None:
        forms_by_action[bound.action] = bound
    files_by_round = _files_by_round(hazard)
    rounds = [(submission, files_by_round.get(submission.pk, [])) for submission in hazard_rounds(hazard)]
    latest_round, latest_files = rounds[-1] if rounds else (None, [])
    loose = files_by_round.get(None, [])
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
            "loose_attachments": loose,
            "rounds": rounds,
            "latest_round": latest_round,
            # Before and after side by side: the finding's photos beside the latest submission's result.
            "before_photos": [attachment for attachment in loose if attachment.stage == Attachment.Stage.BEFORE],
            "latest_after": [attachment for attachment in latest_files if attachment.stage == Attachment.Stage.AFTER],
            # The banner of a rework: the unit sees why its last submission was sent back, and by whom.
            "rejection": latest_round
            if latest_round
            and latest_round.outcome == SubmissionRound.Outcome.REJECTED
            and hazard.state == Hazard.State.RECTIFYING
            else None,
            "timeline": timeline(hazard_events(hazard)),
            "extension_requests": hazard_extension_requests(hazard),
            "can_edit": workflow.can_edit_finding(hazard, request.user),
            "action_forms": forms_by_action,
            "open_action": bound.action if bound is not None else "",
            "chain_rows": chain_rows,
            "enterprise_contact_missing": hazard.state != Hazard.State.REPORTED
            and lacks_enterprise_contact(hazard, chain),
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
        raise NotForYourRole(str(workflow.REPORTERS_ONLY))
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
    return get_object_or_404(visible_attachments(user), pk=pk)


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
def attachment_stamped(request, pk: int):
    """A photo as evidence leaves the product: with the hazard, time taken, position and uploader
    stamped in a band under it. The original (attachment_file) stays as uploaded, EXIF and all."""
    attachment = get_object_or_404(
        visible_attachments(request.user).select_related("hazard", "uploaded_by__organization"), pk=pk
    )
    if not attachment.is_image:
        raise Http404
    try:
        stamped = photo_stamp.stamped_photo(attachment)
    except photo_stamp.StampError as error:
        return HttpResponse(str(error), content_type="text/plain; charset=utf-8", status=422)
    response = HttpResponse(stamped, content_type="image/jpeg")
    response["Content-Disposition"] = (
        content_disposition_header(False, photo_stamp.stamped_file_name(attachment)) or "inline"
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@require_GET
def hazard_print(request, pk: int):
    """The hazard on paper (A4): its facts and every photo stamped with its own, round by round."""
    hazard = get_visible_hazard(request.user, pk)
    files_by_round = _files_by_round(hazard)
    rounds = [(submission, files_by_round.get(submission.pk, [])) for submission in hazard.rounds.all()]
    return render(
        request,
        "hazards/hazard_print.html",
        {"hazard": hazard, "files": files_by_round.get(None, []), "rounds": rounds},
    )


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
    """What waits on the signed-in user, by role: major first, then overdue, then by deadline."""
    return render(request, "hazards/work_queue.html", {"queues": work_queues(request.user)})
