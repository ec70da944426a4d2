from datetime import date

from django.http import HttpResponse, JsonResponse
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.models import Industry
from rules.calendar import working_calendar
from rules.standards import search_clauses


@require_GET
def working_days(request):
    """The deadline N working days from today, as the assignment form shows it while the head types N."""
    value = next((value for key, value in request.GET.items() if key.endswith("working_days")), "")
    try:
        days = int(value)
    except ValueError:
        return HttpResponse(_("The deadline is shown here."))
    if not 1 <= days <= 250:
        return HttpResponse(_("Give between 1 and 250 working days."))
    deadline: date = working_calendar().add_working_days(timezone.localdate(), days)
    return HttpResponse(
        format_html(
            '{} <strong data-deadline="{}">{}</strong>',
            _("Deadline:"),
            deadline.isoformat(),
            f"{deadline.isoformat()} {formats.date_format(deadline, 'l')}",
        )
    )


@require_GET
def clause_search(request):
    """Determination clauses matching the query (number or words), for the finding form's type-ahead.

    The standards are public law, the same for everyone: no scope applies.
    """
    industry_id = request.GET.get("industry", "")
    industry = Industry.objects.filter(pk=industry_id).first() if industry_id.isdigit() else None
    clauses = search_clauses(request.GET.get("q", ""), industry=industry)
    return JsonResponse(
        {
            "results": [
                {
                    "value": clause.pk,
                    "text": clause.label,
                    "basis": clause.legal_basis,
                }
                for clause in clauses
            ]
        }
    )
