"""The REST API (/api/v1/): thin views over the same visibility rule, forms, workflow and transition table as the pages."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.translation import trans_real
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import UserRateThrottle
from rest_framework.views import APIView

from accounts.models import Industry, Region
from accounts.scope import units_for
from api import serializers as out
from api.authentication import TokenAuthentication
from api.bridge import form_data, form_errors, initial_values, serializer_for
from api.errors import InvalidInput
from api.pagination import LedgerCursorPagination
from hazards import workflow
from hazards.filters import HazardFilter
from hazards.forms import FindingEditForm, FindingForm, action_form
from hazards.models import Hazard
from hazards.selectors import visible_attachments, work_queues
from hazards.transitions import BUTTONS, TRANSITIONS, allowed_actions
from hazards.uploads import store_upload
from inspections.models import Campaign, Inspection
from ledger import jobs, tasks
from ledger.models import ExportJob
from notifications.models import ChannelPreference, Notification
from notifications.services import notice_reminders

SUPPORTED_LANGUAGES = {code for code, _name in settings.LANGUAGES}


class TokenThrottle(UserRateThrottle):
    """Per token (or per session user for the docs page): `API_THROTTLE_RATE` requests."""

    scope = "api"

    def get_cache_key(self, request, view):
        token = getattr(request, "api_token", None)
        ident = f"token-{token.pk}" if token is not None else f"user-{request.user.pk}"
        return self.cache_format % {"scope": self.scope, "ident": ident}


class ApiMixin:
    """Authentication, throttling and the reader's language for every endpoint."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [TokenThrottle]

    def dispatch(self, request, *args, **kwargs):
        # The reader's language is this request's only: the thread goes back to what it had.
        previous = translation.get_language()
        try:
            return super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        finally:
            translation.activate(previous)

    def initial(self, request, *args, **kwargs):
        header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
        chosen = _from_header(header)
        if chosen:
            translation.activate(chosen)
        super().initial(request, *args, **kwargs)  # type: ignore[misc]
        if not chosen and request.user.is_authenticated:
            preference = ChannelPreference.objects.filter(user=request.user).values_list("language", flat=True).first()
            translation.activate(preference or translation.get_language())
        request.LANGUAGE_CODE = translation.get_language()

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        response["Content-Language"] = translation.get_language()
        return response


def _from_header(header: str) -> str | None:
    for code, _quality in trans_real.parse_accept_lang_header(header):
        try:
            variant = translation.get_supported_language_variant(code)
        except LookupError:
            continue
        if variant in SUPPORTED_LANGUAGES:
            return variant
    return None


class ApiHazardFilter(HazardFilter):
    # The API pages by keyset in the ledger's order; other sorts are the list page's.
    sort = None

    @extend_schema_field(OpenApiTypes.STR)
    def filter_city(self, queryset, name, city_code):
        return super().filter_city(queryset, name, city_code)


def _hazard(request, pk: int) -> Hazard:
    return get_object_or_404(Hazard.objects.visible_to(request.user), pk=pk)


# Left out of a new finding, these take the form's defaults (as the page's form shows them).
FINDING_DEFAULTS = ("level", "kind", "source", "found_on", "on_the_spot")
FindingInput = serializer_for("FindingInput", FindingForm.base_fields, defaults=FINDING_DEFAULTS)
FindingEditInput = serializer_for(
    "FindingEditInput", {k: v for k, v in FindingEditForm.base_fields.items() if k != "version"}
)


class HazardList(ApiMixin, generics.ListAPIView):
    """The ledger: every filter of the list page, in the ledger's order, by keyset pages."""

    serializer_class = out.HazardSummarySerializer
    pagination_class = LedgerCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ApiHazardFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        return Hazard.objects.visible_to(self.request.user).only(
            *[
                "id",
                "number",
                "title",
                "state",
                "level",
                "industry_id",
                "region_id",
                "unit_id",
                "site_name",
                "found_on",
                "deadline",
                "rectifying_unit_id",
                "listed_level",
                "version",
            ]
        )

    @extend_schema(request=FindingInput, responses={201: out.HazardDetailSerializer})
    def post(self, request):
        """Put a new finding on the ledger (as /hazards/new/ does); photos as tokens of uploads."""
        if not workflow.can_report(request.user):
            raise PermissionDenied()
        defaults = {
            name: value
            for name, value in initial_values(FindingForm(user=request.user)).items()
            if name in FINDING_DEFAULTS
        }
        payload = {**defaults, **(request.data if isinstance(request.data, dict) else {})}
        form = FindingForm(form_data(payload, photo_fields=("photos", "after_photos")), {}, user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        hazard = workflow.report_finding(
            actor=request.user,
            hazard=form.save(commit=False),
            attachments=form.kept["photos"],
            after_attachments=form.kept["after_photos"],
        )
        return Response(_detail(request, hazard.pk), status=status.HTTP_201_CREATED)


def _detail(request, pk: int) -> dict:
    hazard = _hazard(request, pk)
    hazard.allowed_actions = allowed_actions(hazard, request.user)  # type: ignore[attr-defined]
    return out.HazardDetailSerializer(hazard).data


class HazardDetail(ApiMixin, APIView):
    @extend_schema(responses=out.HazardDetailSerializer)
    def get(self, request, pk: int):
        return Response(_detail(request, pk))

    @extend_schema(request=FindingEditInput, responses=out.HazardDetailSerializer)
    def patch(self, request, pk: int):
        """Edit a finding while it is reported (the finder or a head); give `version` to guard against a stale copy."""
        hazard = _hazard(request, pk)
        values = {
            name: value
            for name, value in out.HazardDetailSerializer(hazard).data.items()
            if name in FindingEditForm.base_fields
        }
        payload = request.data if isinstance(request.data, dict) else {}
        data = form_data({**values, "version": hazard.version, **payload}, photo_fields=("photos",))
        form = FindingEditForm(data, {}, instance=hazard, user=request.user)
        if not form.is_valid():
            raise form_errors(form)
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name in workflow.EDITABLE_FIELDS}
        workflow.edit_finding(
            actor=request.user,
            hazard_id=hazard.pk,
            changes=changes,
            version=form.cleaned_data["version"],
            attachments=form.kept["photos"],
        )
        return Response(_detail(request, pk))


ActionInput = inline_serializer(
    "ActionInput",
    {
        "version": serializers.IntegerField(
            required=False, help_text="the hazard's version you acted on (default: current)"
        ),
        **{
            name: field
            for action in BUTTONS
            for name, field in serializer_for(f"{action}Fields", action_form(action).base_fields)().get_fields().items()
            if name != "version"
        },
    },
)


class HazardAction(ApiMixin, APIView):
    """One action of the transition table, with the same fields as its form on the hazard's page."""

    @extend_schema(
        request=ActionInput,
        responses={200: out.HazardDetailSerializer},
        parameters=[OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(BUTTONS))],
    )
    def post(self, request, pk: int, action: str):
        hazard = _hazard(request, pk)
        if action not in BUTTONS:
            raise NotFound()
        form_class = action_form(action)
        payload = {"version": hazard.version, **(request.data if isinstance(request.data, dict) else {})}
        form = form_class(
            form_data(payload, prefix=action, photo_fields=tuple(getattr(form_class, "photo_fields", {}))),
            {},
            hazard=hazard,
            user=request.user,
        )
        if not form.is_valid():
            raise form_errors(form)
        form.perform()
        body = _detail(request, pk)
        body["message"] = str(TRANSITIONS[action].done)
        return Response(body)


class HazardEvents(ApiMixin, generics.ListAPIView):
    serializer_class = out.EventSerializer
    pagination_class = None

    def get_queryset(self):
        hazard = _hazard(self.request, self.kwargs["pk"])
        return hazard.events.select_related("actor").order_by("at", "id")


class HazardAttachments(ApiMixin, generics.ListAPIView):
    serializer_class = out.AttachmentSerializer
    pagination_class = None

    def get_queryset(self):
        hazard = _hazard(self.request, self.kwargs["pk"])
        return hazard.attachments.order_by("uploaded_at", "id")


class AttachmentUpload(ApiMixin, APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(request={"multipart/form-data": out.UploadSerializer}, responses={201: out.AttachmentSerializer})
    def post(self, request):
        """Upload a photo or document (checked by content as on the pages); pass its token to a finding or action."""
        upload = out.UploadSerializer(data=request.data)
        upload.is_valid(raise_exception=True)
        try:
            attachment = store_upload(
                upload.validated_data["file"], user=request.user, stage=upload.validated_data["stage"]
            )
        except ValidationError as error:
            raise InvalidInput({"file": error.messages}) from error
        return Response(out.AttachmentSerializer(attachment).data, status=status.HTTP_201_CREATED)


class AttachmentFile(ApiMixin, APIView):
    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    def get(self, request, pk: int):
        attachment = get_object_or_404(visible_attachments(request.user), pk=pk)
        return FileResponse(
            attachment.file.open("rb"),
            content_type=attachment.content_type,
            as_attachment=True,
            filename=attachment.original_name,
        )


class ById(CursorPagination):
    ordering = "-id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"


class InspectionList(ApiMixin, generics.ListAPIView):
    serializer_class = out.InspectionSerializer
    pagination_class = ById

    def get_queryset(self):
        return Inspection.objects.visible_to(self.request.user)


class InspectionDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = out.InspectionSerializer

    def get_queryset(self):
        return Inspection.objects.visible_to(self.request.user)


class CampaignList(ApiMixin, generics.ListAPIView):
    serializer_class = out.CampaignSerializer
    pagination_class = ById
    queryset = Campaign.objects.prefetch_related("industries", "regions")


class CampaignDetail(ApiMixin, generics.RetrieveAPIView):
    serializer_class = out.CampaignSerializer
    queryset = Campaign.objects.prefetch_related("industries", "regions")


class RegionList(ApiMixin, generics.ListAPIView):
    serializer_class = out.RegionSerializer
    pagination_class = None
    queryset = Region.objects.order_by("code")


class IndustryList(ApiMixin, generics.ListAPIView):
    serializer_class = out.IndustrySerializer
    pagination_class = None
    queryset = Industry.objects.order_by("sort_order", "id")


class OrganizationList(ApiMixin, generics.ListAPIView):
    """Units the user may name on a finding: active organisations of their counties."""

    serializer_class = out.OrganizationSerializer
    pagination_class = ById

    @extend_schema(parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="part of the name or credit code")])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        units = units_for(self.request.user)
        query = self.request.query_params.get("q", "").strip()
        if query:
            units = units.filter(name__icontains=query) | units.filter(credit_code__icontains=query.upper())
        return units


class Me(ApiMixin, APIView):
    @extend_schema(responses=out.MeSerializer)
    def get(self, request):
        user = request.user
        region = user.jurisdiction
        return Response(
            {
                "username": user.username,
                "name": user.get_full_name(),
                "roles": [str(role.value) for role in user.roles],
                "organization": user.organization_id,
                "jurisdiction": region.code if region else None,
            }
        )


class MyNotifications(ApiMixin, generics.ListAPIView):
    serializer_class = out.NotificationSerializer
    pagination_class = ById

    def get_queryset(self):
        return Notification.objects.for_recipient(self.request.user).for_display()

    def list(self, request, *args, **kwargs):
        notice_reminders(request.user)  # the reminders in the bell, as rows of the list
        return super().list(request, *args, **kwargs)


class MyWork(ApiMixin, APIView):
    @extend_schema(responses=out.QueueSerializer(many=True))
    def get(self, request):
        """What waits on you, by role, as on 我的待办 (the first rows of each queue, overdue first)."""
        queues = work_queues(request.user)
        return Response(
            out.QueueSerializer(
                [{"key": q.key, "label": str(q.label), "count": q.count, "rows": q.rows} for q in queues], many=True
            ).data
        )


class ExportStart(ApiMixin, APIView):
    @extend_schema(request=out.ExportRequestSerializer, responses={202: out.ExportJobSerializer})
    def post(self, request):
        """Start a background Excel export of the ledger for these filters; poll the job, then download."""
        body = out.ExportRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = QueryDict(mutable=True)
        for name, value in body.validated_data.get("filters", {}).items():
            params.setlist(name, value.split(",") if name == "state" else [value])
        params = QueryDict(jobs.filters_query(params))
        job = jobs.start_export(
            actor=request.user, params=params, total_rows=jobs.export_count(user=request.user, params=params)
        )
        transaction.on_commit(lambda: tasks.queue_exports([job.pk]))
        return Response(out.ExportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class ExportDetail(ApiMixin, APIView):
    @extend_schema(responses=out.ExportJobSerializer)
    def get(self, request, pk: int):
        return Response(out.ExportJobSerializer(_own_job(request, pk)).data)


class ExportFile(ApiMixin, APIView):
    @extend_schema(
        responses={(200, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"): OpenApiTypes.BINARY}
    )
    def get(self, request, pk: int):
        job = _own_job(request, pk)
        if not job.is_downloadable:
            raise NotFound()
        jobs.mark_downloaded(job)
        return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.file_name)


def _own_job(request, pk: int) -> ExportJob:
    try:
        return jobs.job_for(request.user, pk)
    except ExportJob.DoesNotExist:
        raise NotFound() from None


class NotFoundView(ApiMixin, APIView):
    """Under /api/v1/, an address that names nothing answers like any other missing thing: 404, problem+json."""

    authentication_classes: list = []
    permission_classes: list = []
    throttle_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound()
