"""The roles of the product, each a group of Django permissions.

Group names are stable keys used in code and data; users see the translated label.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    INSPECTOR = "inspector", _("Inspector")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    RECTIFYING_UNIT = "rectifying_unit", _("Rectifying unit")
    PROVINCIAL_STAFF = "provincial_staff", _("Provincial staff")
    DUTY_OFFICER = "duty_officer", _("Duty officer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Model permissions per role, as "app_label.codename". Permissions of models added by later
# migrations are picked up when they exist: sync_role_groups runs after every migrate.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.INSPECTOR: [
        "accounts.view_region",
        "accounts.view_organization",
        "hazards.view_industry",
    ],
    Role.DEPARTMENT_HEAD: [
        "accounts.view_region",
        "accounts.view_organization",
        "accounts.view_post",
        "hazards.view_industry",
    ],
    Role.RECTIFYING_UNIT: [
        "accounts.view_region",
        "hazards.view_industry",
    ],
    Role.PROVINCIAL_STAFF: [
        "accounts.view_region",
        "accounts.view_organization",
        "accounts.view_post",
        "accounts.view_user",
        "hazards.view_industry",
    ],
    Role.DUTY_OFFICER: [
        "accounts.view_region",
        "accounts.view_organization",
        "accounts.view_post",
        "hazards.view_industry",
    ],
    Role.ADMINISTRATOR: [
        "accounts.view_region",
        "accounts.add_organization",
        "accounts.change_organization",
        "accounts.view_organization",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_user",
        "accounts.add_post",
        "accounts.change_post",
        "accounts.view_post",
        "auth.view_group",
        # The audit of people and the history of posts; the login lockouts, to lift one (delete).
        "accounts.view_accountevent",
        "accounts.view_postholding",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        "hazards.add_industry",
        "hazards.change_industry",
        "hazards.view_industry",
        "notifications.view_reminder",
        "notifications.view_digest",
        "notifications.view_delivery",
        # Not to edit rows (the admin is read-only): to send a failed delivery again.
        "notifications.change_delivery",
    ],
}


def sync_role_groups(**kwargs: object) -> None:
    """Create one group per role and give it exactly the permissions listed above that exist."""
    from django.contrib.auth.models import Group, Permission

    for role, names in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        wanted: list[Permission] = []
        for name in names:
            app_label, codename = name.split(".")
            wanted.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(wanted)
