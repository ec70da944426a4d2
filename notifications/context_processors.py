from notifications.services import unread_count


def unread(request) -> dict:
    """The header bell's count: one COUNT query, and none for anonymous visitors."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": unread_count(user)}
