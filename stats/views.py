"""Statistics pages: the official table and its workbook, the dashboard, the command-centre screen.

Every figure is counted through `Hazard.objects.visible_to(user)` (stats/table.py, stats/dashboard.py).
"""

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from hunan_safety import views as project_views
from stats.dashboard import build_dashboard, build_screen, wants_dashboard
from stats.export import table_title, write_workbook
from stats.forms import TableForm
from stats.periods import presets
from stats.table import statistics_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _table(request):
    today = timezone.localdate()
    form = TableForm(request.GET or None)
    counted = statistics_table(
        request.user, form.period(today), by=form.breakdown(), today=today, campaign=form.chosen_campaign()
    )
    return form, counted


@require_GET
def table(request):
    form, counted = _table(request)
    query = request.GET.copy()
    choices = []
    for label, period in presets(timezone.localdate()):
        query["start"], query["end"] = period.start.isoformat(), period.end.isoformat()
        choices.append({"label": label, "query": query.urlencode(), "current": period == counted.period})
    return render(
        request,
        "stats/table.html",
        {
            "form": form,
            "table": counted,
            "title": table_title(counted),
            "presets": choices,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
def table_export(request):
    _form, counted = _table(request)
    response = HttpResponse(write_workbook(counted, today=timezone.localdate()), content_type=XLSX)
    name = f"statistics-{counted.period.start:%Y%m%d}-{counted.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def dashboard(request):
    board = build_dashboard(request.user, timezone.localdate())
    return render(request, "stats/dashboard.html", {"board": board, "posts": project_views.posts_of(request.user)})


@require_GET
def screen(request):
    return render(request, "stats/screen.html", {"board": build_screen(request.user, timezone.localdate())})


def home(request):
    """The home page: the dashboard for heads, government users and provincial staff, else their own start page."""
    if wants_dashboard(request.user):
        return dashboard(request)
    return project_views.home(request)
