"""Authentication: Django's model backend, loading what every page asks of the user in one query."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from accounts.models import User
from hunan_safety.compiled import CompiledQuery

# Every page shows the user's organisation and scopes by their jurisdiction: join them in the query
# that loads the user instead of fetching each on first use. Compiled once (hunan_safety/compiled.py).
_SIGNED_IN = CompiledQuery(
    lambda user_id: (
        get_user_model()._default_manager.select_related("region", "organization__region").filter(pk=user_id)
    ),
    "user_id",
)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = _SIGNED_IN.first(user_id=user_id)
        if user is None:
            return None
        return user if self.user_can_authenticate(user) else None
