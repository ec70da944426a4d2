"""API tokens: shown once, stored hashed, named, listed and revoked on the profile page; expiry honoured."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AccountEvent
from api import tokens
from api.models import ApiToken
from tests.factories import PASSWORD

pytestmark = [pytest.mark.django_db]


def test_the_token_is_not_stored_and_only_its_digest_matches(inspector):
    row, token = tokens.create_token(user=inspector, name="市级平台")
    assert token.startswith(f"hs_{row.prefix}_")
    assert token not in {row.digest, row.prefix} and len(row.digest) == 64
    assert tokens.authenticate(token) == row
    assert tokens.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert ApiToken.objects.get(pk=row.pk).last_used_at is not None


def test_an_expired_token_or_an_inactive_user_is_refused(inspector):
    _row, token = tokens.create_token(user=inspector, name="短期", expires_at=timezone.now() + timedelta(minutes=1))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tokens.authenticate(token) is None
    _row, token = tokens.create_token(user=inspector, name="长期")
    inspector.is_active = False
    inspector.save()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert client.get("/api/v1/me/").status_code == 401


def test_a_token_needs_a_name(inspector):
    with pytest.raises(tokens.TokenError):
        tokens.create_token(user=inspector, name="  ")


def test_the_profile_page_creates_shows_once_lists_and_revokes(client, inspector, head):
    client.force_login(inspector)
    refused = client.post("/accounts/api-tokens/new/", {"name": "县级平台对接", "password": "wrong"})
    assert refused.status_code == 302 and not ApiToken.objects.exists()
    answer = client.post(
        "/accounts/api-tokens/new/", {"name": "县级平台对接", "valid_days": "30", "password": PASSWORD}
    )
    assert answer.status_code == 200 and answer["Cache-Control"] == "no-store"
    row = ApiToken.objects.get(user=inspector)
    assert f"hs_{row.prefix}_" in answer.content.decode()
    assert row.expires_at is not None
    profile = client.get("/accounts/profile/").content.decode()
    assert "县级平台对接" in profile and f"hs_{row.prefix}_…" in profile
    # Nobody revokes someone else's token.
    other, _token = tokens.create_token(user=head, name="他人")
    client.post(f"/accounts/api-tokens/{other.pk}/revoke/")
    assert ApiToken.objects.get(pk=other.pk).revoked_at is None
    client.post(f"/accounts/api-tokens/{row.pk}/revoke/")
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    # Both are on the audit of people, with who did it.
    kinds = list(AccountEvent.objects.filter(user=inspector).values_list("kind", "actor__username"))
    assert ("api_token_created", "inspector") in kinds and ("api_token_revoked", "inspector") in kinds
