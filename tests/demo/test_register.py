"""The demo's register of units: thousands of them, valid, most never inspected, and made once."""

import pytest
from django.core.management import call_command

from accounts.models import Organization
from inspections.models import Inspection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def test_the_demo_register_is_large_valid_mostly_uninspected_and_idempotent(capsys):
    call_command("seed_demo", "--units", "1500", "--force")
    register = Organization.objects.filter(kind__in=Organization.REGISTER_KINDS)
    assert register.count() >= 1500
    # Every unit is findable: a valid credit code, or an address (the houses have none).
    assert not register.filter(credit_code="", address="").exists()
    for unit in register.exclude(credit_code="").order_by("?")[:50]:
        unit.full_clean(validate_unique=False)
    assert register.filter(industries__isnull=True).count() <= 6  # only the demo's own bodies lack one
    inspected = register.filter(inspections__isnull=False).distinct().count()
    assert 0 < inspected < register.count() / 4
    before = (register.count(), Inspection.objects.count())
    call_command("seed_demo", "--units", "1500", "--force")
    assert (register.count(), Inspection.objects.count()) == before
