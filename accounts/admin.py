from axes.utils import reset as reset_login_failures
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import AccountEvent, Industry, Organization, Post, PostHolding, Region, User
from hunan_safety.admin import NoDeleteMixin, ReadOnlyMixin


@admin.register(Region)
class RegionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]

    # Divisions come from GB/T 2260 by migration; they are read-only here.


@admin.register(Industry)
class IndustryAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["code", "name_zh", "name_en", "parent", "sort_order", "is_active"]
    list_filter = ["is_active", "parent"]
    search_fields = ["code", "name_zh", "name_en"]
    list_select_related = ["parent"]


def masked(secret: str) -> str:
    """A stored secret as an administrator may see it again: its prefix and last four characters."""
    return f"{secret[:3]}…{secret[-4:]}" if len(secret) > 8 else "…"


class OrganizationAdminForm(forms.ModelForm):
    """The organisation, with its chat robot's signing secret write-only: typed in, never shown back in full."""

    robot_secret = forms.CharField(
        label=_("chat robot signing secret"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    clear_robot_secret = forms.BooleanField(label=_("Remove the signing secret"), required=False)

    class Meta:
        model = Organization
        fields = "__all__"  # noqa: DJ007 - the admin shows every field, as it did before this form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        stored = self.instance.robot_secret if self.instance.pk else ""
        if stored:
            self.fields["robot_secret"].help_text = _(
                "Stored: %(masked)s. Leave empty to keep it; type a new one to replace it."
            ) % {"masked": masked(stored)}
        else:
            self.fields["robot_secret"].help_text = Organization._meta.get_field("robot_secret").help_text

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("clear_robot_secret"):
            cleaned["robot_secret"] = ""
        elif not cleaned.get("robot_secret"):
            cleaned["robot_secret"] = self.instance.robot_secret if self.instance.pk else ""
        return cleaned


@admin.register(Organization)
class OrganizationAdmin(NoDeleteMixin, admin.ModelAdmin):
    form = OrganizationAdminForm
    list_display = ["name", "kind", "region", "credit_code", "is_active"]
    list_filter = ["kind", "is_active", "region__level", "industries"]
    search_fields = ["name", "credit_code", "region__name", "region__code"]
    list_select_related = ["region"]
    autocomplete_fields = ["region", "parent"]
    filter_horizontal = ["industries"]


class PostInline(admin.TabularInline):
    """The posts a user holds, read-only: a post is edited, and given a holder, on its own page.

    (Editable rows would carry two autocomplete widgets each, and each widget looks up its value:
    queries per post held.)
    """

    model = Post
    fk_name = "holder"
    extra = 0
    readonly_fields = ("title", "duty", "organization", "region", "is_active")
    fields = readonly_fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organization", "region")


@admin.register(User)
class UserAdmin(NoDeleteMixin, DjangoUserAdmin):
    list_display = ["username", "last_name", "first_name", "organization", "region", "is_active"]
    list_filter = ["groups", "is_active", "is_staff", "region__level"]
    search_fields = ["username", "first_name", "last_name", "email", "phone", "organization__name"]
    list_select_related = ["organization", "region"]
    autocomplete_fields = ["organization", "region"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Organisation and jurisdiction"), {"fields": ("organization", "region", "phone")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Organisation and jurisdiction"), {"fields": ("organization", "region", "phone", "groups")}),
    )
    inlines = [PostInline]
    actions = ["unlock_sign_in"]

    @admin.action(description=_("Unlock sign-in (forget failed attempts)"), permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        for username in queryset.values_list("username", flat=True):
            reset_login_failures(username=username)
        count = queryset.count()
        self.message_user(
            request,
            ngettext("Sign-in unlocked for %(count)d user.", "Sign-in unlocked for %(count)d users.", count)
            % {"count": count},
            messages.SUCCESS,
        )


class PostHoldingInline(admin.TabularInline):
    """Who held the post, from when until when (written as the holder changes; not edited by hand)."""

    model = PostHolding
    extra = 0
    fields = readonly_fields = ("holder", "started_at", "ended_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("holder")


@admin.register(Post)
class PostAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ["title", "duty", "organization", "region", "holder", "is_active"]
    list_filter = ["duty", "is_active", "region__level", "industries"]
    search_fields = ["title", "organization__name", "holder__username", "holder__last_name", "region__name"]
    list_select_related = ["organization", "region", "holder"]
    autocomplete_fields = ["organization", "region", "holder"]
    filter_horizontal = ["industries"]
    inlines = [PostHoldingInline]


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """The audit of people: sign-ins and failures, lockouts, roles, activation, passwords, posts."""

    list_display = ["at", "kind", "username", "actor", "ip_address", "detail"]
    list_filter = ["kind", ("at", admin.DateFieldListFilter)]
    search_fields = ["username", "ip_address", "actor__username"]
    list_select_related = ["actor"]
    date_hierarchy = "at"
    fields = ["at", "kind", "user", "username", "actor", "ip_address", "user_agent", "detail"]


@admin.register(PostHolding)
class PostHoldingAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["post", "holder", "started_at", "ended_at"]
    search_fields = ["post__title", "post__organization__name", "holder__username", "holder__last_name"]
    list_select_related = ["post__organization", "holder"]
    date_hierarchy = "started_at"
