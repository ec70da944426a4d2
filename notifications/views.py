"""A person's notifications. Every query is limited to the signed-in recipient: anyone else's is a 404."""

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from notifications import services
from notifications.models import Notification

PAGE_SIZE = 30


@require_GET
def notification_list(request):
    notifications = Notification.objects.for_recipient(request.user).select_related(
        "recipient", "actor", "hazard__rectifying_unit"
    )
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def notification_read(request, pk: int):
    notification = services.mark_read(user=request.user, notification_id=pk)
    if notification.hazard_id:
        return redirect("hazards:detail", pk=notification.hazard_id)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:list")
