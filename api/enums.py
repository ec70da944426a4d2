"""The code sets of the schema, named once (drf-spectacular's ENUM_NAME_OVERRIDES point here)."""

from accounts.models import Organization, Region
from hazards.models import Hazard
from hazards.states import HazardState
from inspections.models import Campaign
from notifications.models import Notification

HazardLevel = Hazard.Level
HazardKind = Hazard.Kind
HazardSource = Hazard.Source
GovernmentLevel = Region.Level
# The level of a listed supervision (挂牌督办), without the blank of "not listed": the field and the action.
ListedLevel = [(value, label) for value, label in Hazard.ListedLevel.choices if value]
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
    "ListedLevel",
    "NotificationKind",
    "OrganizationKind",
    "GovernmentLevel",
]
