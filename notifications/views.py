"""A person's notifications. Every query is limited to the signed-in recipient: anyone else's is a 404."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from notifications import services
from notifications.forms import ChannelPreferenceForm
from notifications.messages import due_phrase
from notifications.models import ChannelPreference, Digest, Notification

PAGE_SIZE = 30


@require_GET
def notification_list(request):
    services.notice_reminders(request.user)
    notifications = Notification.objects.for_recipient(request.user).for_display()
    page = Paginator(notifications, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/notification_list.html", {"page": page})


@require_POST
def notification_read(request, pk: int):
    try:
        notification = services.mark_read(user=request.user, notification_id=pk)
    except Notification.DoesNotExist:
        raise Http404("No such notification") from None
    if notification.digest_id:
        return redirect("notifications:digest", pk=notification.digest_id)
    if notification.link and url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    if notification.about_id:
        return redirect("hazards:detail", pk=notification.about_id)
    return redirect("notifications:list")


@require_POST
def notification_read_all(request):
    services.mark_all_read(user=request.user)
    return redirect("notifications:list")


@require_GET
def digest_detail(request, pk: int):
    """One of the signed-in head's daily digests, grouped by rectifying unit; anyone else's is a 404."""
    digest = get_object_or_404(Digest.objects.filter(recipient_id=request.user.pk), pk=pk)
    groups = [
        (unit, [{**item, "due": due_phrase(item["days_left"])} for item in items])
        for unit, items in digest.items_by_unit()
    ]
    more = max(digest.total - len(digest.items), 0)
    return render(request, "notifications/digest_detail.html", {"digest": digest, "groups": groups, "more": more})


def profile(request):
    """The signed-in person's channels for reminders and digests; in-app is always on."""
    form = ChannelPreferenceForm(
        request.POST or None, instance=ChannelPreference.for_user(request.user), user=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your choices are saved."))
        return redirect("profile")
    return render(request, "notifications/profile.html", {"form": form})
