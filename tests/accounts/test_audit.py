"""The audit of people: sign-ins, failures, lockouts, roles, activation, passwords and posts, for admins only."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from accounts.models import AccountEvent, PostHolding
from accounts.roles import Role
from tests.factories import PASSWORD, PostFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

Kind = AccountEvent.Kind


def sign_in(client, username, password, address="203.0.113.7"):
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers={"User-Agent": "Mozilla/5.0 (Phone)"},
    )


def test_sign_ins_failures_and_a_lockout_are_recorded_with_where_from(client, inspector):
    sign_in(client, "inspector", PASSWORD)
    client.post("/accounts/logout/", REMOTE_ADDR="203.0.113.7")
    for _ in range(5):
        sign_in(client, "nobody-here", "wrong", address="198.51.100.9")

    signed_in = AccountEvent.objects.get(kind=Kind.SIGNED_IN)
    assert (signed_in.user, signed_in.ip_address, signed_in.user_agent) == (
        inspector,
        "203.0.113.7",
        "Mozilla/5.0 (Phone)",
    )
    assert AccountEvent.objects.filter(kind=Kind.SIGNED_OUT, user=inspector).count() == 1
    failed = AccountEvent.objects.filter(kind=Kind.SIGN_IN_FAILED)
    assert failed.count() == 5
    assert set(failed.values_list("username", "user", "ip_address")) == {("nobody-here", None, "198.51.100.9")}
    locked = AccountEvent.objects.get(kind=Kind.LOCKED_OUT)
    assert (locked.username, locked.ip_address) == ("nobody-here", "198.51.100.9")


def test_role_activation_and_password_changes_name_the_administrator_who_made_them(client, administrator):
    person = UserFactory(username="clerk", roles=[])
    AccountEvent.objects.all().delete()  # what the factory's own saves recorded
    client.force_login(administrator)
    form = {
        "username": "clerk",
        "is_active": "",  # deactivated
        "groups": [Group.objects.get(name=Role.INSPECTOR).pk],
        "date_joined_0": "2026-06-01",
        "date_joined_1": "09:00:00",
        "posts-TOTAL_FORMS": "0",
        "posts-INITIAL_FORMS": "0",
    }
    response = client.post(f"/admin/accounts/user/{person.pk}/change/", form, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302, response.context["adminform"].form.errors
    events = AccountEvent.objects.filter(user=person)
    assert {(event.kind, event.actor, event.ip_address) for event in events} == {
        (Kind.DEACTIVATED, administrator, "10.9.8.7"),
        (Kind.ROLES_CHANGED, administrator, "10.9.8.7"),
    }
    assert events.get(kind=Kind.ROLES_CHANGED).detail == {"added": [Role.INSPECTOR]}

    person.set_password("a-new-Password-2026")
    person.save()
    assert AccountEvent.objects.filter(kind=Kind.PASSWORD_CHANGED, user=person, actor=None).count() == 1


def test_who_held_a_post_when_is_kept_as_holders_change(frozen_today):
    first, second = UserFactory(username="first_holder"), UserFactory(username="second_holder")
    post = PostFactory(title="副县长（分管安全生产）", holder=first)
    frozen_today.shift(3600)
    post.holder = second
    post.save()
    frozen_today.shift(3600)
    post.holder = None
    post.save()

    history = list(PostHolding.objects.filter(post=post).order_by("started_at").values_list("holder", "ended_at"))
    assert [holder for holder, _ in history] == [first.pk, second.pk]
    assert all(ended is not None for _, ended in history)
    first_holding, second_holding = PostHolding.objects.filter(post=post).order_by("started_at")
    assert first_holding.ended_at == second_holding.started_at
    changes = AccountEvent.objects.filter(kind=Kind.POST_HOLDER_CHANGED).order_by("at", "id")
    assert [(event.username, event.detail["change"]) for event in changes] == [
        ("first_holder", "took"),
        ("first_holder", "left"),
        ("second_holder", "took"),
        ("second_holder", "left"),
    ]


def test_only_administrators_see_the_audit(client, administrator, province, head):
    UserFactory(username="someone")
    sign_in(Client(), "someone", "wrong")
    client.force_login(administrator)
    page = client.get("/admin/accounts/accountevent/")
    assert page.status_code == 200 and "someone" in page.content.decode()
    assert client.get("/admin/accounts/postholding/").status_code == 200
    for person in (province, head):
        client.force_login(person)
        assert client.get("/admin/accounts/accountevent/").status_code in (302, 403)
