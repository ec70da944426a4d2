"""What the API returns: values as stored (codes, ids, ISO dates) with their labels in the reader's language."""

from django.urls import reverse
from rest_framework import serializers

from accounts.models import Industry, Organization, Region
from api.models import ApiToken
from hazards.models import Attachment, Hazard, HazardEvent
from inspections.models import Campaign, Inspection
from ledger.models import ExportJob
from notifications.models import Notification


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent"]


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "code", "name_zh", "name_en", "parent", "is_active"]


class OrganizationSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = ["id", "name", "kind", "kind_display", "region", "credit_code", "address", "phone", "is_active"]


class HazardSummarySerializer(serializers.ModelSerializer):
    """A row of the ledger list: enough to show it and to find it again."""

    state_display = serializers.CharField(source="get_state_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    overdue_days = serializers.IntegerField(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Hazard
        fields = [
            "id",
            "number",
            "title",
            "state",
            "state_display",
            "level",
            "level_display",
            "industry",
            "region",
            "unit",
            "site_name",
            "found_on",
            "deadline",
            "overdue_days",
            "rectifying_unit",
            "listed_level",
            "version",
            "url",
        ]

    def get_url(self, hazard: Hazard) -> str:
        return reverse("api:hazard-detail", args=[hazard.pk])


class HazardDetailSerializer(HazardSummarySerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    allowed_actions = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(HazardSummarySerializer.Meta):
        fields = [
            *HazardSummarySerializer.Meta.fields,
            "description",
            "kind",
            "kind_display",
            "legal_basis",
            "source",
            "source_display",
            "campaign",
            "inspection",
            "location",
            "found_by",
            "on_the_spot",
            "extension_count",
            "measures",
            "funds",
            "responsible_person",
            "contingency_plan",
            "goals",
            "materials",
            "production_suspension",
            "listed_by",
            "completion_report",
            "submitted_by",
            "verified_by",
            "acceptance_method",
            "acceptance_opinion",
            "responsibility_chain",
            "assigned_at",
            "started_at",
            "submitted_at",
            "verified_at",
            "closed_at",
            "voided_at",
            "created_at",
            "updated_at",
            "allowed_actions",
        ]


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()
    before = serializers.CharField()
    after = serializers.CharField()


class EventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    actor_name = serializers.SerializerMethodField()
    changes = serializers.JSONField(read_only=True)

    class Meta:
        model = HazardEvent
        fields = [
            "id",
            "action",
            "action_display",
            "actor",
            "actor_name",
            "from_state",
            "to_state",
            "reason",
            "changes",
            "at",
        ]

    def get_actor_name(self, event: HazardEvent) -> str:
        return event.actor.get_full_name() or event.actor.username if event.actor else ""


class AttachmentSerializer(serializers.ModelSerializer):
    download = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "token", "hazard", "stage", "original_name", "content_type", "size", "uploaded_at", "download"]

    def get_download(self, attachment: Attachment) -> str:
        return reverse("api:attachment-file", args=[attachment.pk])


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField()
    stage = serializers.ChoiceField(choices=Attachment.Stage.choices, default=Attachment.Stage.BEFORE)


class InspectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Inspection
        fields = ["id", "inspected_on", "region", "unit", "site_name", "industry", "campaign", "organization"]


class CampaignSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "description",
            "start_date",
            "end_date",
            "industries",
            "regions",
            "organizer",
            "is_active",
        ]


class NotificationSerializer(serializers.ModelSerializer):
    text = serializers.CharField(read_only=True)
    # An event's hazard, or a reminder's (its notification names it through the reminder).
    hazard = serializers.IntegerField(source="about_id", read_only=True, allow_null=True)

    class Meta:
        model = Notification
        fields = ["id", "kind", "action", "hazard", "text", "created_at", "read_at"]


class QueueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    rows = HazardSummarySerializer(many=True)


class ExportJobSerializer(serializers.ModelSerializer):
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    download = serializers.SerializerMethodField()

    class Meta:
        model = ExportJob
        fields = [
            "id",
            "status",
            "status_display",
            "progress",
            "total_rows",
            "rows_written",
            "file_name",
            "error",
            "created_at",
            "finished_at",
            "expires_at",
            "download",
        ]

    def get_download(self, job: ExportJob) -> str | None:
        # A direct download's record has no file kept: nothing to fetch here.
        return reverse("api:export-file", args=[job.pk]) if job.is_downloadable else None


class ExportRequestSerializer(serializers.Serializer):
    filters = serializers.DictField(
        child=serializers.CharField(),
        required=False,
        help_text='the ledger list\'s filters, e.g. {"state": "assigned"}',
    )


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField()
    roles = serializers.ListField(child=serializers.CharField())
    organization = serializers.IntegerField(allow_null=True)
    jurisdiction = serializers.CharField(allow_null=True)
