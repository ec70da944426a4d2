"""Authentication: Django's model backend, loading what every page asks of the user in one query."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.models import User


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        # Every page shows the user's organisation and scopes by their jurisdiction: join them in
        # the query that loads the user instead of fetching each on first use.
        users = get_user_model()._default_manager.select_related("region", "organization__region")
        try:
            user = users.get(pk=user_id)
        except users.model.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
