"""Query counts of every list and detail page: a page costs the same number of queries for a few rows or many.

Each test shows a page with a few rows, counts the SQL queries of one GET, adds many more rows
(varied: units and sites, counties, industries, states, photos, events, reminders), counts again
and asserts that the count did not grow. A failure names the statements that ran more often, which
is where a per-row query (an N+1) came in. The ledger list also has an absolute ceiling.

The work queue (/tasks/) of a head and of a rectifying unit is covered by
tests/hazards/test_work_queue.py::test_the_number_of_queries_does_not_grow_with_the_number_of_hazards;
only the inspector's queue is added here.
"""

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Organization, Post
from hazards import workflow
from hazards.models import Attachment, Hazard, HazardState
from hazards.uploads import store_upload
from inspections.models import Campaign
from ledger.models import ExportJob
from notifications.models import Delivery, Digest, Notification, Reminder
from tests.factories import (
    EnterpriseFactory,
    HazardFactory,
    OrganizationFactory,
    PostFactory,
    UserFactory,
    industry,
    region,
)
from tests.hazards.workflow_helpers import ask_extension, in_days, png_bytes, report, start, submit
from tests.inspections.factories import CampaignFactory, InspectionFactory
from tests.notifications.factories import NotificationFactory
from tests.notifications.reminder_helpers import build_scene

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

ROLES = ["province", "head", "inspector", "rectifier"]
LEDGER_CEILING = 10
LEDGER_QUERIES = [
    "",
    "per_page=100",
    "q=计数&per_page=100",
    "state=assigned&state=rectifying&overdue=true",
    "escalated=true&sort=deadline",
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cold_cache():
    # The ledger's filter choices are cached: every test here starts from a cold cache.
    cache.clear()


@pytest.fixture
def world(province, head, inspector, rectifier, administrator):
    """The personas of tests/conftest.py, someone who records findings, and a campaign."""
    return SimpleNamespace(
        province=province,
        head=head,
        inspector=inspector,
        rectifier=rectifier,
        administrator=administrator,
        recorder=UserFactory(username="recorder"),
        campaign=CampaignFactory(
            name="计数专项行动", industries=["fireworks"], start_date=in_days(-90), end_date=in_days(90)
        ),
    )


# --- Counting -----------------------------------------------------------------------------------


@dataclass
class Visit:
    response: object
    queries: CaptureQueriesContext

    def __len__(self) -> int:
        return len(self.queries.captured_queries)


def visit(client, path: str) -> Visit:
    """One GET, with the queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, f"GET {path}: {response.status_code}"
    return Visit(response, queries)


def signed_in(client, user, path: str):
    """Signed in as `user`, after a first GET of `path` (the session, the cached choices): the steady state."""
    client.force_login(user)
    client.get(path)
    return client


def _shape(sql: str) -> str:
    """A statement without its values: the same query for another row has the same shape."""
    sql = re.sub(r"'(?:[^']|'')*'", "?", sql)
    sql = re.sub(r"\b\d+(?:\.\d+)?\b", "?", sql)
    return re.sub(r"\((?:\?, )*\?\)", "(?…)", sql)


def growth(few: Visit, many: Visit) -> str:
    """The statements that ran a different number of times, with the difference."""
    before = Counter(_shape(query["sql"]) for query in few.queries.captured_queries)
    after = Counter(_shape(query["sql"]) for query in many.queries.captured_queries)
    lines = [
        f"  {after[shape] - before[shape]:+d}× {shape[:500]}"
        for shape in before | after
        if after[shape] != before[shape]
    ]
    return "\n".join(lines)


def assert_same_cost(what: str, few: Visit, many: Visit) -> None:
    counts = f"{what}: {len(few)} queries with a few rows, {len(many)} with many"
    print(counts)  # -rP shows every page's counts
    if len(many) != len(few):
        pytest.fail(f"{counts}\n{growth(few, many)}")


def sql_of(page: Visit) -> str:
    return "\n".join(f"  {index}. {query['sql'][:500]}" for index, query in enumerate(page.queries.captured_queries, 1))


# --- Rows ---------------------------------------------------------------------------------------


def attach(hazard: Hazard | None, user, *, stage=Attachment.Stage.BEFORE, name="现场.png") -> Attachment:
    """A photo (or, for a .pdf name, a document) on `hazard`, stored as an upload would be."""
    if name.endswith(".pdf"):
        upload = SimpleUploadedFile(name, b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    else:
        upload = SimpleUploadedFile(name, png_bytes(), content_type="image/png")
    attachment = store_upload(upload, user=user, stage=stage)
    if hazard is not None:
        attachment.hazard = hazard
        attachment.save()
    return attachment


REMINDER_STAGES = list(Reminder.Stage)


def add_reminder(hazard: Hazard, recipient, *, stage=Reminder.Stage.ESCALATION, sequence=0, days_ago=0) -> Reminder:
    """A rung of the hazard's reminder ladder for one person, sent in-app, its e-mail failed."""
    reminder = Reminder.objects.create(
        hazard=hazard,
        stage=stage,
        deadline=hazard.deadline or in_days(0),
        sequence=sequence,
        recipient=recipient,
        due_on=in_days(-days_ago),
        scan=uuid.uuid4(),
    )
    Delivery.objects.create(reminder=reminder, channel=Delivery.Channel.IN_APP, status=Delivery.Status.SENT)
    Delivery.objects.create(
        reminder=reminder,
        channel=Delivery.Channel.EMAIL,
        status=Delivery.Status.FAILED,
        address="someone@example.com",
        last_error="550 mailbox unavailable",
    )
    return reminder


def add_ledger_rows(count: int, *, world, offset: int = 0) -> None:
    """Hazards of three kinds in turn, so that every persona sees some of each batch.

    0: 浏阳, fireworks production, at an enterprise, assigned to the rectifier's unit, overdue, a photo,
       in the campaign, escalated (a reminder with deliveries);
    1: 浏阳, hazardous-chemicals storage, at a site, major, reported or submitted, an "after" photo;
    2: 芙蓉 or 醴陵, fireworks wholesale, at an enterprise, another rectifying unit, rectifying or closed.
    """
    today = timezone.localdate()
    for n in range(offset, offset + count):
        kind = n % 3
        fields = {"title": f"计数隐患{n}", "found_by": world.recorder, "found_on": today - timedelta(days=20 + n % 4)}
        if kind == 0:
            liuyang = region("430181")
            hazard = HazardFactory(
                **fields,
                region=liuyang,
                industry=industry("fireworks-production"),
                unit=EnterpriseFactory(name=f"计数花炮企业{n}有限公司", region=liuyang),
                site_name="",
                rectifying_unit=world.rectifier.organization,
                state=[HazardState.ASSIGNED, HazardState.RECTIFYING][n % 2],
                deadline=today - timedelta(days=1 + n % 5),
                campaign=world.campaign,
                source=Hazard.Source.CAMPAIGN,
            )
            attach(hazard, world.recorder)
            add_reminder(hazard, world.rectifier)
        elif kind == 1:
            hazard = HazardFactory(
                **fields,
                region=region("430181"),
                industry=industry("hazchem-storage"),
                site_name=f"浏阳某仓库{n}",
                level=Hazard.Level.MAJOR,
                listed_level=[Hazard.ListedLevel.CITY, ""][n % 2],
                state=[HazardState.REPORTED, HazardState.SUBMITTED][n % 2],
                deadline=today + timedelta(days=n % 7) if n % 2 else None,
                rectifying_unit=(
                    Organization.objects.create(name=f"计数整改单位{n}", kind="other", region=region("430181"))
                    if n % 2
                    else None
                ),
            )
            attach(hazard, world.recorder, stage=Attachment.Stage.AFTER)
        else:
            county = region(["430102", "430281"][(n // 3) % 2])
            hazard = HazardFactory(
                **fields,
                region=county,
                industry=industry("fireworks-wholesale"),
                unit=EnterpriseFactory(name=f"计数批发企业{n}有限公司", region=county),
                site_name="",
                rectifying_unit=EnterpriseFactory(name=f"计数整改企业{n}有限公司", region=county),
                state=[HazardState.RECTIFYING, HazardState.CLOSED][(n // 3) % 2],
                deadline=today + timedelta(days=10),
            )
            attach(hazard, world.recorder)
            attach(hazard, world.recorder, name="检查记录.pdf")


# --- The ledger list (/hazards/) ----------------------------------------------------------------


def ledger_visits(client) -> dict[str, Visit]:
    """Each ledger query once it was shown before (its filter form is then read from the cache)."""
    for query in LEDGER_QUERIES:
        client.get(f"/hazards/?{query}")
    return {query: visit(client, f"/hazards/?{query}") for query in LEDGER_QUERIES}


@pytest.mark.parametrize("role", [*ROLES, "administrator"])
def test_ledger_list_queries_do_not_grow_with_the_rows_shown(client, world, role):
    add_ledger_rows(3, world=world)
    client = signed_in(client, getattr(world, role), "/hazards/")
    few = ledger_visits(client)

    add_ledger_rows(15, world=world, offset=3)
    many = ledger_visits(client)

    for query in LEDGER_QUERIES:
        shown = (len(few[query].response.context["page"].rows), len(many[query].response.context["page"].rows))
        assert shown[1] > shown[0] > 0, f"{role} ?{query}: rows {shown}"
        assert_same_cost(f"/hazards/?{query} as {role}", few[query], many[query])


@pytest.mark.parametrize("role", ["province", "head", "inspector"])
def test_the_ledger_list_takes_at_most_ten_queries(client, world, role):
    add_ledger_rows(18, world=world)
    client.force_login(getattr(world, role))
    # The first visit fills the cache of the filter choices and form; the others find them there.
    pages = {"/hazards/ (cold cache)": visit(client, "/hazards/")}
    pages.update((f"/hazards/?{query} (cold cache)", visit(client, f"/hazards/?{query}")) for query in LEDGER_QUERIES)
    pages.update((f"/hazards/?{query}", page) for query, page in ledger_visits(client).items())
    # The count line the page fetches after it is shown, and the same page with the count kept.
    pages.update((f"/hazards/count/?{query}", visit(client, f"/hazards/count/?{query}")) for query in LEDGER_QUERIES)
    pages["/hazards/ (count kept)"] = visit(client, "/hazards/")
    for path, page in pages.items():
        what = f"{path} as {role}: {len(page)} queries"
        print(what)
        assert len(page) <= LEDGER_CEILING, f"{what}\n{sql_of(page)}"


# --- A hazard's page (/hazards/<pk>/) -------------------------------------------------------------


def rectifying_hazard(scene, *, chain: list[dict], title: str) -> Hazard:
    """Found by the inspector at the rectifier's works, assigned by the head with `chain`, being rectified."""
    hazard = report(scene.inspector, title=title, unit=scene.unit, site_name="")
    attach(hazard, scene.inspector)
    workflow.assign(
        actor=scene.head, hazard_id=hazard.pk, deadline=in_days(20), rectifying_unit=scene.unit, chain=chain
    )
    hazard.refresh_from_db()
    return start(hazard, scene.rectifier)


def decide(hazard: Hazard, head, *, approve: bool) -> None:
    workflow.decide_extension(actor=head, hazard_id=hazard.pk, approve=approve, note="" if approve else "理由不足。")


def quiet_hazard(scene) -> Hazard:
    """A short history: five events, a one-person chain, one extension, one reminder, a photo and a document."""
    hazard = rectifying_hazard(scene, chain=scene.chain[:1], title="计数：平常的隐患")
    attach(hazard, scene.rectifier, name="方案.pdf")
    ask_extension(hazard, scene.rectifier)
    decide(hazard, scene.head, approve=True)
    add_reminder(Hazard.objects.get(pk=hazard.pk), scene.rectifier, stage=Reminder.Stage.DUE_SOON)
    return hazard


def busy_hazard(scene) -> Hazard:
    """Edits, a five-person chain, four extensions, three submissions sent back, many photos and reminders."""
    hazard = report(scene.inspector, title="计数：反复整改的隐患", unit=scene.unit, site_name="")
    for number, location in enumerate(["一号工房", "二号工房"]):
        workflow.edit_finding(
            actor=scene.inspector,
            hazard_id=hazard.pk,
            changes={"location": location, "legal_basis": f"第{number + 1}条"},
            version=Hazard.objects.get(pk=hazard.pk).version,
        )
    for number in range(4):
        attach(hazard, scene.inspector, name=f"现场{number}.png")
    workflow.assign(
        actor=scene.head, hazard_id=hazard.pk, deadline=in_days(20), rectifying_unit=scene.unit, chain=scene.chain
    )
    hazard = start(Hazard.objects.get(pk=hazard.pk), scene.rectifier)
    for number in range(4):
        ask_extension(Hazard.objects.get(pk=hazard.pk), scene.rectifier, days_later=5)
        decide(hazard, scene.head, approve=number % 2 == 0)
    for _ in range(3):
        submit(hazard, scene.rectifier)
        workflow.reject(actor=scene.head, hazard_id=hazard.pk, reason="整改不到位，重新整改。")
    attach(hazard, scene.rectifier, name="方案.pdf")
    hazard = Hazard.objects.get(pk=hazard.pk)
    people = [scene.rectifier, scene.colleague, scene.manager, scene.chief, scene.vice_mayor]
    for days_ago, stage in enumerate(REMINDER_STAGES * 4):
        for person in people[: 1 + days_ago % len(people)]:
            add_reminder(hazard, person, stage=stage, sequence=days_ago, days_ago=days_ago)
    return hazard


@pytest.fixture
def scene(world):
    return build_scene(inspector=world.inspector, head=world.head, rectifier=world.rectifier)


@pytest.mark.parametrize("role", [*ROLES, "administrator"])
def test_a_hazards_page_costs_the_same_with_a_long_history(client, world, scene, role):
    quiet, busy = quiet_hazard(scene), busy_hazard(scene)
    assert (quiet.state, busy.state) == (HazardState.RECTIFYING, HazardState.RECTIFYING)
    client = signed_in(client, getattr(world, role), f"/hazards/{quiet.pk}/")

    few = visit(client, f"/hazards/{quiet.pk}/")
    many = visit(client, f"/hazards/{busy.pk}/")

    sizes = {
        name: (len(few.response.context[name]), len(many.response.context[name]))
        for name in ("timeline", "loose_attachments", "extension_requests", "chain_rows")
    }
    # Three submissions sent back, each a round with its report and photos, against none.
    assert (len(few.response.context["rounds"]), len(many.response.context["rounds"])) == (0, 3)
    sizes["reminders"] = (
        len(few.response.context["reminders"]["rungs"]),
        len(many.response.context["reminders"]["rungs"]),
    )
    assert all(0 < small < large for small, large in sizes.values()), sizes
    assert_same_cost(f"/hazards/<pk>/ as {role}", few, many)


def test_the_assign_form_costs_the_same_whatever_the_number_of_posts_it_offers(client, world, scene):
    hazard = report(world.inspector, title="计数：待交办的隐患", unit=scene.unit, site_name="")
    client = signed_in(client, world.head, f"/hazards/{hazard.pk}/")
    few = visit(client, f"/hazards/{hazard.pk}/")

    liuyang, changsha = region("430181"), region("430100")
    for number in range(6):
        PostFactory(title=f"安全员{number}", duty=Post.Duty.SAFETY_OFFICER, organization=scene.unit, holder=None)
        department = OrganizationFactory(
            name=f"计数监管部门{number}", region=[liuyang, changsha][number % 2], industries=["fireworks"]
        )
        PostFactory(
            title="局长", duty=Post.Duty.PRINCIPAL, organization=department, holder=UserFactory(organization=department)
        )
        government = OrganizationFactory(
            name=f"计数人民政府{number}", kind=Organization.Kind.GOVERNMENT, region=[liuyang, changsha][number % 2]
        )
        PostFactory(
            title=f"副市长{number}",
            duty=Post.Duty.PORTFOLIO_LEAD,
            organization=government,
            industries=["fireworks", "fireworks-production"],
        )
        PostFactory(title=f"常务副市长{number}", duty=Post.Duty.SAFETY_LEAD, organization=government)
        EnterpriseFactory(name=f"计数待选企业{number}有限公司", region=liuyang)
    many = visit(client, f"/hazards/{hazard.pk}/")

    offered = [
        len(many.response.context["action_forms"]["assign"].fields[f"chain_{layer}"].queryset)
        for layer in ("enterprise", "department", "territorial", "leadership")
    ]
    assert all(count >= 6 for count in offered), offered
    assert_same_cost("/hazards/<pk>/ (the assign form) as head", few, many)


# --- The inspector's work queue (/tasks/) -------------------------------------------------------


def add_my_findings(count: int, *, world, offset: int = 0) -> None:
    """Findings the inspector reported and nobody assigned yet: at enterprises and at sites, here and elsewhere."""
    for n in range(offset, offset + count):
        county = region(["430181", "430181", "430281"][n % 3])
        unit = EnterpriseFactory(name=f"计数自查企业{n}有限公司", region=county) if n % 2 else None
        hazard = report(
            world.inspector,
            title=f"计数发现{n}",
            region=county,
            industry=industry(["fireworks-production", "hazchem-storage", "construction-housing"][n % 3]),
            unit=unit,
            site_name="" if unit else f"某地{n}",
            level=[Hazard.Level.GENERAL, Hazard.Level.MAJOR][n % 2],
        )
        attach(hazard, world.inspector)


def test_the_inspectors_work_queue_costs_the_same_for_a_few_or_many_findings(client, world):
    add_my_findings(2, world=world)
    client = signed_in(client, world.inspector, "/tasks/")
    few = visit(client, "/tasks/")
    add_my_findings(15, world=world, offset=2)
    many = visit(client, "/tasks/")

    rows = [len(page.response.context["queues"][0].rows) for page in (few, many)]
    assert rows == [2, 17]
    assert_same_cost("/tasks/ as inspector", few, many)


# --- Inspections and campaigns ------------------------------------------------------------------


def add_inspections(count: int, *, world, campaign=None, offset: int = 0) -> None:
    """Inspections of three kinds in turn, each with findings; the first kind at the rectifier's works.

    0: 浏阳, the rectifier's unit, fireworks production, in the campaign, the inspector on the team;
    1: 浏阳, a site, hazardous-chemicals storage, no campaign, a team of strangers;
    2: 芙蓉 or 醴陵, another enterprise, fireworks wholesale, in the campaign, three on the team.
    """
    campaign = campaign or world.campaign
    for n in range(offset, offset + count):
        kind = n % 3
        county = region(["430181", "430181", ["430102", "430281"][(n // 3) % 2]][kind])
        industry_code = ["fireworks-production", "hazchem-storage", "fireworks-wholesale"][kind]
        if kind == 0:
            unit, team = world.rectifier.organization, [world.inspector, world.recorder]
        elif kind == 1:
            unit, team = None, [UserFactory()]
        else:
            unit, team = EnterpriseFactory(region=county), UserFactory.create_batch(3)
        inspection = InspectionFactory(
            region=county,
            unit=unit,
            site_name=f"计数检查地点{n}" if kind == 1 else "",
            industry=industry(industry_code),
            campaign=campaign if kind != 1 else None,
            organization=world.inspector.organization if kind == 0 else None,
            created_by=world.recorder,
            inspected_on=in_days(-(n % 20)),
            inspectors=team,
        )
        for number in range(1 + n % 2):
            HazardFactory(
                title=f"计数检查发现{n}-{number}",
                found_by=world.recorder,
                found_on=inspection.inspected_on,
                inspection=inspection,
                campaign=inspection.campaign,
                region=county,
                industry=industry(industry_code),
                unit=inspection.unit,
                site_name=inspection.site_name,
                rectifying_unit=world.rectifier.organization if kind == 0 else None,
                state=[HazardState.REPORTED, HazardState.ASSIGNED, HazardState.CLOSED, HazardState.VOID][
                    (n + number) % 4
                ],
                deadline=inspection.inspected_on + timedelta(days=n % 3) if (n + number) % 4 == 1 else None,
            )


@pytest.mark.parametrize("role", ROLES)
def test_inspection_list_queries_do_not_grow_with_the_inspections_shown(client, world, role):
    add_inspections(3, world=world)
    client = signed_in(client, getattr(world, role), "/inspections/")
    few = visit(client, "/inspections/")
    add_inspections(15, world=world, offset=3)
    many = visit(client, "/inspections/")

    shown = [page.response.context["page_obj"].paginator.count for page in (few, many)]
    assert shown[1] > shown[0] > 0, shown
    assert_same_cost(f"/inspections/ as {role}", few, many)


@pytest.mark.parametrize("role", ROLES)
def test_an_inspections_page_costs_the_same_with_many_findings_and_a_large_team(client, world, role):
    def inspection(team, findings: int):
        made = InspectionFactory(
            unit=world.rectifier.organization,
            site_name="",
            campaign=world.campaign,
            organization=world.inspector.organization,
            created_by=world.recorder,
            inspectors=team,
        )
        for number in range(findings):
            HazardFactory(
                found_by=world.recorder,
                inspection=made,
                campaign=world.campaign,
                unit=world.rectifier.organization,
                site_name="",
                rectifying_unit=world.rectifier.organization,
                level=[Hazard.Level.GENERAL, Hazard.Level.MAJOR][number % 2],
                state=[HazardState.ASSIGNED, HazardState.RECTIFYING, HazardState.SUBMITTED, HazardState.CLOSED][
                    number % 4
                ],
                deadline=in_days(number % 5 - 2),
                found_on=in_days(-10),
            )
        return made

    small = inspection([world.inspector], findings=1)
    large = inspection([world.inspector, world.recorder, *UserFactory.create_batch(6)], findings=16)
    client = signed_in(client, getattr(world, role), f"/inspections/{small.pk}/")

    few = visit(client, f"/inspections/{small.pk}/")
    many = visit(client, f"/inspections/{large.pk}/")

    assert [len(page.response.context["findings"]) for page in (few, many)] == [1, 16]
    assert_same_cost(f"/inspections/<pk>/ as {role}", few, many)


def add_campaigns(count: int, *, world, offset: int = 0) -> None:
    """Campaigns with and without industries, regions and an organiser, each with its inspections and findings."""
    for n in range(offset, offset + count):
        campaign = CampaignFactory(
            name=f"计数行动{n}",
            kind=list(Campaign.Kind)[n % 5],
            industries=[["fireworks", "hazardous-chemicals"], [], ["fireworks-production"]][n % 3],
            regions=[["430100"], [], ["430181", "430281"]][n % 3],
            organizer=world.head.organization if n % 2 else None,
            is_active=n % 4 != 3,
            start_date=in_days(-100 - n),
            end_date=in_days(60 - 10 * (n % 12)),
        )
        add_inspections(1 + n % 3, world=world, campaign=campaign, offset=n)


@pytest.mark.parametrize("role", ROLES)
def test_campaign_list_queries_do_not_grow_with_the_campaigns_shown(client, world, role):
    add_campaigns(2, world=world)
    client = signed_in(client, getattr(world, role), "/inspections/campaigns/")
    few = visit(client, "/inspections/campaigns/")
    add_campaigns(15, world=world, offset=2)
    many = visit(client, "/inspections/campaigns/")

    assert [len(page.response.context["page_obj"].object_list) for page in (few, many)] == [3, 18]
    assert_same_cost(f"/inspections/campaigns/ as {role}", few, many)


@pytest.mark.parametrize("role", ROLES)
def test_a_campaigns_page_costs_the_same_with_many_inspections_and_findings(client, world, role):
    path = f"/inspections/campaigns/{world.campaign.pk}/"
    add_inspections(3, world=world)
    client = signed_in(client, getattr(world, role), path)
    few = visit(client, path)
    add_inspections(15, world=world, offset=3)
    many = visit(client, path)

    shown = [len(page.response.context["inspections"]) for page in (few, many)]
    assert shown[1] > shown[0] > 0, shown
    assert_same_cost(f"/inspections/campaigns/<pk>/ as {role}", few, many)


# --- Notifications, digests, exports, profile, home ---------------------------------------------


def add_notifications(user, count: int, *, world, offset: int = 0) -> None:
    """Notifications of every kind for `user`: actions (some with a note), reminders, digests; some read."""
    today = timezone.localdate()
    for n in range(offset, offset + count):
        kind = n % 3
        unit = EnterpriseFactory(name=f"计数通知企业{n}有限公司")
        hazard = HazardFactory(
            title=f"计数通知隐患{n}",
            found_by=world.recorder,
            found_on=today - timedelta(days=30),
            unit=unit if n % 2 else None,
            site_name="" if n % 2 else f"某地{n}",
            rectifying_unit=unit if n % 4 else None,
            state=HazardState.ASSIGNED,
            deadline=today - timedelta(days=n % 5),
        )
        read_at = timezone.now() if n % 4 == 3 else None
        if kind == 0:
            actions = [Notification.Action.ASSIGN, Notification.Action.REJECT, Notification.Action.START]
            NotificationFactory(
                recipient=user,
                actor=UserFactory(),
                hazard=hazard,
                action=actions[(n // 3) % 3],
                note="照片不清楚。" if n % 2 else "",
                read_at=read_at,
            )
        elif kind == 1:
            reminder = add_reminder(hazard, user, stage=REMINDER_STAGES[n % 4], sequence=n)
            planned = Reminder.objects.filter(pk=reminder.pk)
            if n % 2:
                # As the scan leaves them: planned, in the bell; opening the list writes the notification.
                planned.update(claimed_at=timezone.now())
            else:
                # Written at an earlier opening: the hazard is the reminder's (Notification.about), not repeated.
                planned.update(claimed_at=timezone.now(), noticed_at=timezone.now())
                Notification.objects.create(
                    recipient=user, kind=Notification.Kind.REMINDER, reminder=reminder, read_at=read_at
                )
        else:
            digest = add_digest(user, items=1 + n % 4, day=today - timedelta(days=n))
            Notification.objects.create(recipient=user, kind=Notification.Kind.DIGEST, digest=digest, read_at=read_at)
            Delivery.objects.create(digest=digest, channel=Delivery.Channel.IN_APP, status=Delivery.Status.SENT)


def add_digest(head, *, items: int, day) -> Digest:
    """A digest with `items` hazards (a snapshot: the page reads no hazard)."""
    rows = [
        {
            "hazard_id": HazardFactory(found_on=day - timedelta(days=30)).pk,
            "number": f"HN-430181-2026-{900000 + number:06d}",
            "title": f"计数摘要隐患{number}",
            "major": number % 3 == 0,
            "deadline": (day + timedelta(days=number % 5 - 2)).isoformat(),
            "days_left": number % 5 - 2,
            "unit_id": None,
            "unit": f"计数单位{number // 3}",
        }
        for number in range(items)
    ]
    overdue = sum(1 for row in rows if row["days_left"] < 0)
    return Digest.objects.create(
        recipient=head, day=day, items=rows, overdue_count=overdue, due_soon_count=items - overdue, scan=uuid.uuid4()
    )


@pytest.mark.parametrize("role", ROLES)
def test_notification_list_queries_do_not_grow_with_the_notifications_shown(client, world, role):
    user = getattr(world, role)
    client = signed_in(client, user, "/notifications/")
    # After signing in (which opens the page once): both visits find reminders to write into the list.
    add_notifications(user, 3, world=world)
    few = visit(client, "/notifications/")
    add_notifications(user, 15, world=world, offset=3)
    many = visit(client, "/notifications/")

    assert [len(page.response.context["page"].object_list) for page in (few, many)] == [3, 18]
    assert_same_cost(f"/notifications/ as {role}", few, many)


def test_a_digests_page_costs_the_same_for_a_few_or_many_hazards(client, world):
    small = add_digest(world.head, items=2, day=in_days(-1))
    large = add_digest(world.head, items=17, day=in_days(0))
    client = signed_in(client, world.head, f"/notifications/digests/{small.pk}/")

    few = visit(client, f"/notifications/digests/{small.pk}/")
    many = visit(client, f"/notifications/digests/{large.pk}/")

    assert_same_cost("/notifications/digests/<pk>/ as head", few, many)


def add_exports(user, count: int, *, offset: int = 0) -> list[ExportJob]:
    """Background exports in every status; the ready ones with a file, some downloaded, one expired."""
    now = timezone.now()
    jobs = []
    for n in range(offset, offset + count):
        status = list(ExportJob.Status)[n % 5]
        ready = status == ExportJob.Status.READY
        jobs.append(
            ExportJob.objects.create(
                user=user,
                query=f"q=计数{n}",
                language="zh-hans",
                status=status,
                progress=100 if ready else n % 100,
                total_rows=20000 + n,
                rows_written=20000 + n if ready else n,
                file=f"ledger-exports/2026/11/{uuid.uuid4().hex}.xlsx" if ready else "",
                file_name=f"隐患台账{n}.xlsx" if ready else "",
                error="磁盘已满" if status == ExportJob.Status.FAILED else "",
                created_at=now - timedelta(hours=n),
                expires_at=now + timedelta(hours=72 - n) if ready else None,
                downloaded_at=now if ready and n % 2 else None,
            )
        )
    return jobs


@pytest.mark.parametrize("role", ROLES)
def test_export_list_queries_do_not_grow_with_the_exports_shown(client, world, role):
    user = getattr(world, role)
    add_exports(user, 2)
    client = signed_in(client, user, "/hazards/exports/")
    few = visit(client, "/hazards/exports/")
    add_exports(user, 15, offset=2)
    many = visit(client, "/hazards/exports/")

    assert [len(page.response.context["jobs"]) for page in (few, many)] == [2, 17]
    assert_same_cost(f"/hazards/exports/ as {role}", few, many)


@pytest.mark.parametrize("role", ["head", "rectifier"])
def test_an_exports_page_costs_the_same_whatever_else_the_user_exported(client, world, role):
    user = getattr(world, role)
    [job] = add_exports(user, 1, offset=2)  # ready
    path = f"/hazards/exports/{job.pk}/"
    client = signed_in(client, user, path)
    few = visit(client, path)
    add_exports(user, 15, offset=3)
    many = visit(client, path)

    assert_same_cost(f"/hazards/exports/<pk>/ as {role}", few, many)


@pytest.mark.parametrize("role", ROLES)
def test_the_profile_page_costs_the_same_whatever_the_person_received(client, world, role):
    user = getattr(world, role)
    add_notifications(user, 2, world=world)
    client = signed_in(client, user, "/accounts/profile/")
    few = visit(client, "/accounts/profile/")
    add_notifications(user, 15, world=world, offset=2)
    add_exports(user, 15)
    many = visit(client, "/accounts/profile/")

    assert_same_cost(f"/accounts/profile/ as {role}", few, many)


def add_posts(user, count: int, *, offset: int = 0) -> None:
    """Posts the user holds, in several organisations and regions, with portfolios of industries."""
    for n in range(offset, offset + count):
        county = region(["430181", "430102", "430100"][n % 3])
        PostFactory(
            title=f"计数职务{n}",
            duty=list(Post.Duty)[n % 4],
            holder=user,
            organization=OrganizationFactory(
                name=f"计数机关{n}",
                kind=Organization.Kind.GOVERNMENT if n % 2 else Organization.Kind.DEPARTMENT,
                region=county,
            ),
            region=county,
            industries=[["fireworks", "fireworks-production"], [], ["hazardous-chemicals"]][n % 3],
        )


@pytest.mark.parametrize("role", ROLES)
def test_the_home_page_costs_the_same_for_a_few_or_many_posts(client, world, role):
    user = getattr(world, role)
    add_posts(user, 1)
    client = signed_in(client, user, "/")
    few = visit(client, "/")
    add_posts(user, 8, offset=1)
    many = visit(client, "/")

    assert [len(page.response.context["posts"]) for page in (few, many)] == [1, 9]
    assert_same_cost(f"/ as {role}", few, many)


# --- The administration (/admin/) ---------------------------------------------------------------

ADMIN_LISTS = [
    "/admin/accounts/user/",
    "/admin/accounts/post/",
    "/admin/accounts/organization/",
    "/admin/notifications/notification/",
    "/admin/notifications/reminder/",
    "/admin/notifications/digest/",
    "/admin/notifications/delivery/",
    "/admin/inspections/inspection/",
    "/admin/inspections/campaign/",
]


def add_admin_rows(count: int, *, world, offset: int = 0) -> None:
    """Rows for every admin list: people with posts, notifications with reminders, digests and deliveries,
    inspections, campaigns."""
    add_posts(world.head, count, offset=offset)
    add_notifications(world.head, count, world=world, offset=offset)
    add_inspections(count, world=world, offset=offset)
    add_campaigns(count, world=world, offset=offset)


def test_the_admin_lists_cost_the_same_for_a_few_or_many_rows(client, world):
    add_admin_rows(3, world=world)
    client = signed_in(client, world.administrator, "/admin/")
    few = {path: visit(client, path) for path in ADMIN_LISTS}
    add_admin_rows(15, world=world, offset=3)
    many = {path: visit(client, path) for path in ADMIN_LISTS}

    for path in ADMIN_LISTS:
        shown = [page[path].response.context["cl"].result_count for page in (few, many)]
        assert shown[1] > shown[0] > 0, (path, shown)
        assert_same_cost(f"{path} as administrator", few[path], many[path])


def test_a_users_admin_page_costs_the_same_for_a_few_or_many_posts(client, world):
    path = f"/admin/accounts/user/{world.head.pk}/change/"
    add_posts(world.head, 1)
    client = signed_in(client, world.administrator, path)
    few = visit(client, path)
    add_posts(world.head, 8, offset=1)
    many = visit(client, path)

    assert [len(page.response.context["inline_admin_formsets"][0].formset.forms) for page in (few, many)] == [1, 9]
    assert_same_cost("/admin/accounts/user/<pk>/change/ as administrator", few, many)
