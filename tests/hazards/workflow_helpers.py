"""Shared helpers of the workflow tests: scenes built through the real workflow calls, and page readers.

Every hazard here reaches its state the way a user's would: `report_finding`, then `assign`,
`start`, `submit`, `verify`, `close` (or `void`), never by writing `state`.
"""

import io
import re
from datetime import date, timedelta
from decimal import Decimal
from html import unescape

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from accounts.models import Organization
from accounts.roles import Role
from hazards import workflow
from hazards.models import Attachment, ExtensionRequest, Hazard, HazardEvent, HazardState
from hazards.uploads import store_upload
from tests.factories import EnterpriseFactory, HazardFactory, OrganizationFactory, UserFactory, region

# Everything a major hazard needs before rectification starts (五落实, goals, production suspension).
FULL_PLAN = {
    "measures": "拆除违规工房，药物存量降至核定药量以下。",
    "funds": Decimal("12.50"),
    "responsible_person": "李厂长",
    "contingency_plan": "停产撤人，专人值守。",
    "goals": "药量、定员符合标准。",
    "materials": "防爆工具两套。",
    "production_suspension": Hazard.ProductionSuspension.PARTIAL,
}

# The order a hazard walks through the workflow when nothing goes wrong.
PATH = [
    HazardState.REPORTED,
    HazardState.ASSIGNED,
    HazardState.RECTIFYING,
    HazardState.SUBMITTED,
    HazardState.VERIFIED,
    HazardState.CLOSED,
]


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def png_bytes(size=(24, 16), color=(40, 160, 90)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, color).save(output, "PNG")
    return output.getvalue()


def png_attachment(user, *, name: str = "after.png", stage: str = Attachment.Stage.AFTER) -> Attachment:
    """A pending (unclaimed) photo uploaded by `user`; the tests set MEDIA_ROOT to a tmp_path."""
    return store_upload(SimpleUploadedFile(name, png_bytes(), content_type="image/png"), user=user, stage=stage)


# --- People ----------------------------------------------------------------------------------


def head_out_of_scope():
    """A department head of 株洲市 (430200), same industries as the scene's head: 浏阳 is not theirs."""
    department = OrganizationFactory(
        name="株洲市应急管理局", region=region("430200"), industries=["fireworks", "hazardous-chemicals"]
    )
    return UserFactory(username="zhuzhou_head", organization=department, roles=[Role.DEPARTMENT_HEAD])


def other_rectifier():
    """A member of another 浏阳 fireworks enterprise: sees nothing assigned to someone else."""
    enterprise = EnterpriseFactory(name="浏阳另一家烟花有限公司", region=region("430181"), industries=["fireworks"])
    return UserFactory(username="other_rectifier", organization=enterprise, roles=[Role.RECTIFYING_UNIT])


def county_head():
    """A department head of 浏阳市 (a county-level jurisdiction) for fireworks."""
    department = OrganizationFactory(
        name="浏阳市应急管理局安全监管科", region=region("430181"), industries=["fireworks"]
    )
    return UserFactory(username="county_head", organization=department, roles=[Role.DEPARTMENT_HEAD])


def second_head(head):
    """Another head of the same department as `head`."""
    return UserFactory(
        username=f"{head.username}_colleague", organization=head.organization, roles=[Role.DEPARTMENT_HEAD]
    )


def dual_head(unit: Organization):
    """Someone who is both a department head and a member of the rectifying unit (with that role)."""
    return UserFactory(username="dual_head", organization=unit, roles=[Role.DEPARTMENT_HEAD, Role.RECTIFYING_UNIT])


# --- Hazards through the real workflow -----------------------------------------------------


def report(finder, **fields) -> Hazard:
    """A new finding put on the ledger by `finder` through `workflow.report_finding`."""
    hazard = HazardFactory.build(found_by=finder, **fields)
    return workflow.report_finding(actor=finder, hazard=hazard)


def assign(hazard: Hazard, head, unit: Organization, *, deadline: date | None = None, measures: str = "") -> Hazard:
    return workflow.assign(
        actor=head, hazard_id=hazard.pk, deadline=deadline or in_days(30), rectifying_unit=unit, measures=measures
    )


def start(hazard: Hazard, actor) -> Hazard:
    plan = FULL_PLAN if hazard.is_major else {"measures": FULL_PLAN["measures"]}
    return workflow.start(actor=actor, hazard_id=hazard.pk, plan=plan)


def major_evaluation(rectifier) -> dict:
    """What a major hazard's submission carries: the experts' evaluation and the written application."""
    return {
        "evaluation_method": Hazard.AcceptanceMethod.EXPERT,
        "evaluating_body": "省安全生产专家组：王工、刘工、陈工",
        "evaluation_reports": [png_attachment(rectifier, name="评估报告.png", stage=Attachment.Stage.EVALUATION)],
        "applications": [png_attachment(rectifier, name="销号申请.png", stage=Attachment.Stage.APPLICATION)],
    }


def on_site_review() -> dict:
    """What a head records when accepting a major hazard: the on-site review."""
    return {"reviewed_on": timezone.localdate(), "reviewers": "李科长、赵工"}


def submit(hazard: Hazard, rectifier, *, report: str = "已拆除违规工房，药量复核合格。") -> Hazard:
    return workflow.submit(
        actor=rectifier,
        hazard_id=hazard.pk,
        completion_report=report,
        attachments=[png_attachment(rectifier)],
        **(major_evaluation(rectifier) if hazard.is_major else {}),
    )


def verify(hazard: Hazard, head) -> Hazard:
    return workflow.verify(
        actor=head,
        hazard_id=hazard.pk,
        method=Hazard.AcceptanceMethod.EXPERT,
        opinion="经专家现场核查，整改到位。",
        **(on_site_review() if hazard.is_major else {}),
    )


def close(hazard: Hazard, head) -> Hazard:
    return workflow.close(actor=head, hazard_id=hazard.pk)


def move_to(hazard: Hazard, state: str, *, head, rectifier, deadline: date | None = None) -> Hazard:
    """Walk a reported hazard to `state` along the workflow: the head assigns to the rectifier's unit,
    the rectifier starts and submits, the head accepts and closes; `void` is voided while reported."""
    if state == HazardState.VOID:
        workflow.void(actor=head, hazard_id=hazard.pk, reason="重复录入。")
        hazard.refresh_from_db()
        return hazard
    steps = {
        HazardState.ASSIGNED: lambda: assign(hazard, head, rectifier.organization, deadline=deadline),
        HazardState.RECTIFYING: lambda: start(hazard, rectifier),
        HazardState.SUBMITTED: lambda: submit(hazard, rectifier),
        HazardState.VERIFIED: lambda: verify(hazard, head),
        HazardState.CLOSED: lambda: close(hazard, head),
    }
    for step in PATH[PATH.index(hazard.state) + 1 : PATH.index(state) + 1]:
        steps[step]()
    hazard.refresh_from_db()
    return hazard


def ask_extension(
    hazard: Hazard, rectifier, *, days_later: int = 15, reason: str = "雨季施工受阻。"
) -> ExtensionRequest:
    return workflow.request_extension(
        actor=rectifier, hazard_id=hazard.pk, new_deadline=hazard.deadline + timedelta(days=days_later), reason=reason
    )


def snapshot(hazard: Hazard) -> tuple:
    """What a refused action must leave alone: state, version, deadline, the number of events."""
    hazard = Hazard.objects.get(pk=hazard.pk)
    return hazard.state, hazard.version, hazard.deadline, HazardEvent.objects.filter(hazard=hazard).count()


# --- Reading pages -----------------------------------------------------------------------------


def button_actions(html: str) -> list[str]:
    """The action buttons of a detail page (`data-action`), in the order shown."""
    return re.findall(r'<button[^>]*data-action="([a-z_]+)"', html)


def element(html: str, marker: str, closing: str) -> str:
    """The markup from `marker` (an attribute) to the first `closing` tag after it."""
    start = html.index(marker)
    return html[start : html.index(closing, start)]


def text(markup: str) -> str:
    """Markup as plain text with collapsed whitespace."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def list_items(markup: str) -> list[str]:
    """The text of each <li> in a piece of markup."""
    return [text(item) for item in re.findall(r"<li\b[^>]*>(.*?)</li>", markup, flags=re.S)]


def queue_hazard_ids(html: str, key: str) -> list[int]:
    """The hazards listed in one work queue card (`data-queue="<key>"`), in the order shown."""
    card = element(html, f'data-queue="{key}"', "</ul>")
    return [int(pk) for pk in re.findall(r'href="/hazards/(\d+)/"', card)]


def queue_count(html: str, key: str) -> int:
    match = re.search(rf'data-testid="count-{key}"[^>]*>\s*(\d+)\s*<', html)
    assert match, f"no count for queue {key}"
    return int(match.group(1))
