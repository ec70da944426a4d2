import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from accounts.credit_codes import build_credit_code, validate_credit_code
from accounts.models import Organization
from tests.factories import EnterpriseFactory, region

# Published codes of real, well-known registrants.
VALID = ["91350100M000100Y43", "914403001922038216", "9144030071526726XG", "91330100716105852F", "91110000802100433B"]


@pytest.mark.parametrize("code", VALID)
def test_real_codes_pass(code):
    validate_credit_code(code)


def test_lower_case_is_accepted_as_the_same_code():
    validate_credit_code("9144030071526726xg")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "18 characters"),
        ("91350100M000100Y433", "18 characters"),
        ("91350100M000100Y44", "check character"),
        ("9144030071526726XH", "check character"),
        ("91350100M00010OY43", "cannot contain O"),
        ("9135010IM000100Y43", "cannot contain I"),
        ("91A50100M000100Y43", "administrative division"),
    ],
)
def test_invalid_codes_are_refused_with_a_clear_reason(code, message):
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            validate_credit_code(code)
        assert message in error.value.messages[0]


@pytest.mark.parametrize("serial", [1, 20000001, 99999999, 12345678])
def test_built_codes_are_valid(serial):
    validate_credit_code(build_credit_code(region_code="430181", serial=serial))


@pytest.mark.django_db
def test_organization_form_validation_refuses_a_mistyped_code():
    enterprise = Organization(
        name="某企业", kind=Organization.Kind.ENTERPRISE, region=region("430181"), credit_code="91350100M000100Y44"
    )
    with pytest.raises(ValidationError) as error:
        enterprise.full_clean()
    assert "credit_code" in error.value.message_dict


@pytest.mark.django_db
def test_a_unit_without_a_credit_code_needs_an_address():
    # Small premises and self-built houses have no code: the register finds them by their address.
    shop = Organization(name="无码小店", kind=Organization.Kind.ENTERPRISE, region=region("430181"))
    with pytest.raises(ValidationError) as error:
        shop.full_clean()
    assert "address" in error.value.message_dict
    with pytest.raises(IntegrityError), transaction.atomic():
        shop.save()
    shop.address = "浏阳市集里街道某路12号"
    shop.full_clean()
    shop.save()
    # Another unit (a house) is held to it by the form and the import; the database keeps older rows.
    house = Organization(name="某自建房", kind=Organization.Kind.OTHER, region=region("430181"))
    with pytest.raises(ValidationError) as error:
        house.full_clean()
    assert "address" in error.value.message_dict


@pytest.mark.django_db
def test_two_organizations_cannot_share_a_credit_code_but_many_may_have_none():
    first = EnterpriseFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseFactory(credit_code=first.credit_code)
    Organization.objects.create(name="县政府甲", kind=Organization.Kind.GOVERNMENT, region=region("430181"))
    Organization.objects.create(name="县政府乙", kind=Organization.Kind.GOVERNMENT, region=region("430181"))
