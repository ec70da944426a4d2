"""The code sets of the schema, named once (drf-spectacular's ENUM_NAME_OVERRIDES point here)."""

from accounts.models import Organization, Region
from hazards.models import Hazard
from hazards.states import HazardState
from inspections.models import Campaign
from notifications.models import Notification

HazardLevel = Hazard.Level
HazardKind = Hazard.Kind
HazardSource = Hazard.Source
# A region's level and the level of a listed supervision share one code set.
GovernmentLevel = Region.Level
AcceptanceMethod = Hazard.AcceptanceMethod
OrganizationKind = Organization.Kind
CampaignKind = Campaign.Kind
NotificationKind = Notification.Kind

__all__ = [
    "AcceptanceMethod",
    "CampaignKind",
    "HazardKind",
    "HazardLevel",
    "HazardSource",
    "HazardState",
    "NotificationKind",
    "OrganizationKind",
    "GovernmentLevel",
]
