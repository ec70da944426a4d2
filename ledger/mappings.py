"""The import's mappings: an organisation's own headers and words, learnt once on the upload page,
and the named profiles an administrator shares (ledger.models.ImportProfile)."""

from django.db import transaction

from accounts.models import Organization
from ledger.models import ImportProfile
from ledger.reading import ImportMapping


def _as_mapping(profile: ImportProfile | None) -> ImportMapping:
    if profile is None:
        return ImportMapping()
    return ImportMapping(
        columns=dict(profile.columns), values={field: dict(words) for field, words in profile.values.items()}
    )


def named_profiles():
    return ImportProfile.objects.filter(organization__isnull=True).order_by("name")


def mapping_for(organization: Organization | None, profile: ImportProfile | None = None) -> ImportMapping:
    """The mapping an import uses: the chosen named profile first, then the organisation's own."""
    own = ImportProfile.objects.filter(organization=organization).first() if organization is not None else None
    return _as_mapping(profile).then(_as_mapping(own))


@transaction.atomic
def remember(
    organization: Organization, *, columns: dict[str, str], values: dict[str, dict[str, str]]
) -> ImportProfile:
    """Add what a user mapped to the organisation's own mapping (what it said before about other words stays)."""
    ImportProfile.objects.get_or_create(organization=organization)
    profile = ImportProfile.objects.select_for_update().get(organization=organization)
    learnt = ImportMapping(columns=columns, values=values).then(_as_mapping(profile))
    profile.columns, profile.values = learnt.columns, learnt.values
    profile.save()
    return profile
