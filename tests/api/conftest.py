import pytest
from rest_framework.test import APIClient

from api.tokens import create_token


def client_for(user, *, language: str = "en") -> APIClient:
    """An API client that sends the user's new token, asking for English unless told otherwise."""
    _row, token = create_token(user=user, name="tests")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE=language)
    return client


@pytest.fixture
def api_for():
    return client_for
