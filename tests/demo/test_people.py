import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.credit_codes import validate_credit_code
from accounts.models import Organization, Post, User
from accounts.roles import Role
from demo.people import ensure_staff, inspectors_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # Test runs force DEBUG off; seed_demo is meant for development machines.
    settings.DEBUG = True


def _snapshot():
    return (
        Organization.objects.count(),
        Post.objects.count(),
        User.objects.count(),
        sorted(Post.objects.values_list("organization__name", "title", "holder__username")),
    )


def test_seed_demo_is_idempotent():
    call_command("seed_demo", password="pw-one-2026")
    first = _snapshot()
    call_command("seed_demo", password="pw-one-2026")
    assert _snapshot() == first
    assert first[0] > 40 and first[1] > 40


@override_settings(DEBUG=False)
def test_seed_demo_refuses_with_debug_off():
    with pytest.raises(CommandError, match="DEBUG off"):
        call_command("seed_demo")
    assert not User.objects.exists()


@override_settings(DEBUG=False)
def test_seed_demo_runs_with_debug_off_when_forced():
    call_command("seed_demo", force=True)
    assert User.objects.filter(username="province").exists()


def test_if_empty_leaves_an_existing_database_alone(inspector):
    call_command("seed_demo", if_empty=True)
    assert not Organization.objects.filter(name="长沙市人民政府").exists()


def test_each_persona_signs_in_with_the_given_password_and_has_its_role(client):
    call_command("seed_demo", password="pw-two-2026")
    expected = {
        "inspector": Role.INSPECTOR,
        "head": Role.DEPARTMENT_HEAD,
        "rectifier": Role.RECTIFYING_UNIT,
        "province": Role.PROVINCIAL_STAFF,
        "admin": Role.ADMINISTRATOR,
    }
    for username, role in expected.items():
        user = User.objects.get(username=username)
        assert user.roles == [role], username
        response = client.post("/accounts/login/", {"username": username, "password": "pw-two-2026"})
        assert response.status_code == 302, username
        client.logout()


def test_persona_scopes_show_the_model():
    call_command("seed_demo")
    inspector, head, rectifier, province = (
        User.objects.select_related("organization", "region").get(username=name)
        for name in ("inspector", "head", "rectifier", "province")
    )
    # The inspector works in one county, the head over a whole city, the province everywhere.
    assert inspector.jurisdiction.code == "430181"
    assert head.jurisdiction.code == "430100" and head.jurisdiction.contains(inspector.jurisdiction)
    assert province.jurisdiction.code == "430000"
    assert rectifier.organization.kind == Organization.Kind.ENTERPRISE
    validate_credit_code(rectifier.organization.credit_code)
    assert rectifier.posts.get().duty == Post.Duty.SAFETY_OFFICER


def test_demo_posts_give_each_county_a_portfolio_leader_for_fireworks():
    call_command("seed_demo")
    for county in ("430181", "430281"):
        leader = Post.objects.get(region_id=county, duty=Post.Duty.PORTFOLIO_LEAD, industries__code="fireworks")
        assert leader.holder is not None and leader.organization.is_territorial


def test_every_demo_enterprise_has_a_valid_credit_code():
    call_command("seed_demo")
    enterprises = Organization.objects.filter(kind=Organization.Kind.ENTERPRISE)
    assert enterprises.count() >= 5
    for enterprise in enterprises:
        enterprise.full_clean()


def test_hazards_option_is_accepted():
    call_command("seed_demo", hazards=0)
    with pytest.raises(CommandError):
        call_command("seed_demo", hazards=-1)


def test_departments_get_a_brigade_sized_to_the_ledger_and_a_larger_ledger_only_adds_to_it():
    call_command("seed_demo")
    assert inspectors_for(120) == 2 and inspectors_for(200_000) == 10 and inspectors_for(1_000_000) == 40
    ensure_staff(inspectors=2)
    brigade = User.objects.filter(username__startswith="demo-430181-yj-")
    assert brigade.count() == 3  # the section chief and two inspectors

    made = ensure_staff(inspectors=5)
    assert brigade.count() == 6 and made == 3 * User.objects.filter(username__regex=r"^demo-.*-1$").count()
    chief = brigade.get(username="demo-430181-yj-1")
    assert chief.roles == [Role.DEPARTMENT_HEAD]
    assert all(user.roles == [Role.INSPECTOR] for user in brigade.exclude(pk=chief.pk))
    assert ensure_staff(inspectors=5) == 0
