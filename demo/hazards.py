"""The demo's findings: who found what where, and what became of it up to `today`.

Everything comes from one seeded random generator, so that the same seed gives the same ledger.
A finding is a visit (an inspection, a self-check, a report), the hazard's fields, and the steps
taken on it (demo/history.py), which are replayed through the workflow's transition table to get
its events and state. demo/bulk.py writes the result; the tables are in demo/data/.
"""

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from accounts.models import Industry, Organization, Region, User
from demo import data
from demo.data import Finding
from demo.history import Replay, Step, replay
from demo.people import (
    CITIES,
    COUNTIES,
    DEMO_REGIONS,
    DEPARTMENTS,
    FAMILY_NAMES,
    department_name,
    ensure_staff,
    inspectors_for,
)
from hazards.models import Hazard, HazardEvent
from inspections.models import Campaign
from rules.calendar import working_calendar

BATCH_SIZE = 5000
WINDOW_DAYS = 730  # findings are spread over the two years before `today`
# The rectifier persona's factory is inspected a few times lately, so that its user has work to do.
PERSONA_WORK_DAYS = 30
MAJOR_SHARE = 0.055  # of findings; some places have no major kind to find, so ~4% of hazards

Action = HazardEvent.Action
Source = Hazard.Source

PLACES = data.places()
TEXTS = data.texts()
DISTRIBUTION = data.distribution()
SITES: dict[str, list[str]] = PLACES["sites"]
WORDS, TOWNS, VILLAGES, STREETS = PLACES["words"], PLACES["towns"], PLACES["villages"], PLACES["streets"]
GIVEN: list[str] = PLACES["given_names"]
PLATE_LETTERS: dict[str, str] = PLACES["plate_letters"]
# Which department inspects and supervises each industry.
DEPARTMENT_OF = {code: name for name, codes in DEPARTMENTS.items() for code in codes}
DEPARTMENT_OF.update(DISTRIBUTION["department_of"])
INDUSTRY_WEIGHTS: dict[str, float] = DISTRIBUTION["industry_weights"]
COUNTY_EMPHASIS: dict[str, dict[str, float]] = DISTRIBUTION["county_emphasis"]
DEMO_COUNTY_SHARE: dict[str, float] = DISTRIBUTION["demo_county_share"]
RECTIFIER_FACTORY = "浏阳演示烟花制造有限公司"
SUSPENSIONS = [Hazard.ProductionSuspension.FULL, Hazard.ProductionSuspension.PARTIAL, Hazard.ProductionSuspension.NONE]
SOURCE_PREFIX: dict[str, str] = TEXTS["source_prefix"]
ON_THE_SPOT_REPORT = "立查立改，现场已整改完毕。"
# Qualified agencies that evaluate the rectification of a major hazard.
EVALUATION_AGENCIES: list[str] = TEXTS["evaluation_agencies"]

TZ = ZoneInfo(settings.TIME_ZONE)


class DemoSeedError(Exception):
    """Demo hazards cannot be made here: the demo organisations are missing, or the database cannot."""


@dataclass
class Body:
    """A demo department or government with the people who act for it."""

    id: int
    region: str
    reviewers: list[int] = field(default_factory=list)  # assign, verify, close
    inspectors: list[int] = field(default_factory=list)  # find, and act when the body rectifies
    persona_inspector: int | None = None
    persona_reviewer: int | None = None


@dataclass
class Visit:
    """One occasion on which findings were recorded: an inspection, a self-check or a report."""

    on: date
    county: str
    top: str
    industry: str
    source: str
    found_by: int
    at: datetime
    unit: int | None = None
    site_name: str = ""
    inspecting: Body | None = None
    team: list[int] = field(default_factory=list)
    campaign: int | None = None
    words: dict = field(default_factory=dict)
    persona_work: bool = False  # an inspection of the rectifier persona's factory, for its work queue


class _Random(random.Random):
    """random.Random with cheaper choice() and randint(): they run tens of millions of times for 1M hazards."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def _short_name(name: str) -> str:
    short = re.sub(r"(土家族|苗族|侗族|瑶族|各族|自治县|自治州|县|市|区)+$", "", name)
    return short if len(short) >= 2 else name


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(int(rng.uniform(low, high) * 100)).scaleb(-2)


@dataclass(slots=True)
class DemoHazard:
    """A generated hazard: its row (attnames), the steps taken on it, and their replay (its history)."""

    row: dict
    steps: list[Step]
    history: Replay


# Visits with the hazards found on each, about BATCH_SIZE hazards: what demo/bulk.py writes at once.
Batch = list[tuple[Visit, list[DemoHazard]]]


class LedgerGenerator:
    """Generates the findings: who found what where, and what became of it up to `today`."""

    def __init__(self, *, today: date, seed: int, existing: int, ledger_size: int = 0):
        """`ledger_size`: how many hazards the ledger will hold, to size the departments' staff."""
        self.today = today
        self.ledger_size = ledger_size
        # The end of `today`, or now when seeding the real present: no milestone lies in the future.
        self.cutoff = (
            timezone.now().astimezone(TZ)  # one tzinfo for all: comparisons across zones are slow
            if today == timezone.localdate()
            else datetime.combine(today + timedelta(days=1), time(0), tzinfo=TZ) - timedelta(seconds=1)
        )
        # A top-up continues the stream instead of repeating the findings already made.
        self.rng = _Random(f"{seed}:{existing}")
        # Extensions are asked and decided in working days (settings.EXTENSION_*), as the workflow requires.
        self.calendar = working_calendar()
        self.counts = {"hazards": 0, "inspections": 0, "events": 0, "users": 0}
        self._load()

    # --- the demo's organisations and people ------------------------------------------------------

    def _load(self) -> None:
        regions = list(Region.objects.values_list("code", "name", "level", "parent_id"))
        self.region_names = {code: name for code, name, _level, _parent in regions}
        counties = sorted(code for code, _name, level, _parent in regions if level == Region.Level.COUNTY)
        self.industries = dict(Industry.objects.values_list("code", "id"))
        self.towns = {code: random.Random(code).sample(TOWNS, 5) for code in counties}

        organizations = list(Organization.objects.values_list("id", "name", "kind", "region_id"))
        by_name = {(region, name): (pk, kind) for pk, name, kind, region in organizations}
        users = list(User.objects.filter(organization__isnull=False).values_list("id", "username", "organization_id"))
        persona = {username: pk for pk, username, _org in users}
        missing = [name for name in ("inspector", "head", "rectifier", "province") if name not in persona]
        if missing:
            raise DemoSeedError(f"run seed_demo first: personas {', '.join(missing)} are missing")

        self.counts["users"] = ensure_staff(inspectors=inspectors_for(self.ledger_size))
        users = list(User.objects.filter(organization__isnull=False).values_list("id", "username", "organization_id"))
        members: dict[int, list[tuple[str, int]]] = {}
        for pk, username, organization in users:
            members.setdefault(organization, []).append((username, pk))

        # Departments and governments of the demo regions, with their reviewers and inspectors.
        self.departments: dict[tuple[str, str], Body] = {}
        self.governments: dict[str, tuple[int, int | None]] = {}
        for region in DEMO_REGIONS:
            name = self.region_names[region]
            government = by_name.get((region, f"{name}人民政府"))
            if government:
                lead = dict(members.get(government[0], [])).get(f"{region}-gov-2")
                self.governments[region] = (government[0], lead)
            for department in DEPARTMENTS:
                found = by_name.get((region, department_name(name, region, department)))
                if not found:
                    continue
                body = Body(id=found[0], region=region)
                for username, pk in sorted(members.get(body.id, [])):
                    if username == "inspector":
                        body.persona_inspector = pk
                        body.inspectors.append(pk)
                    elif username == "head":
                        body.persona_reviewer = pk
                        body.reviewers.append(pk)
                    elif username.startswith("demo-"):  # the staff made by ensure_staff: -1 is the section chief
                        (body.reviewers if username.endswith("-1") else body.inspectors).append(pk)
                if body.reviewers and body.inspectors:
                    self.departments[(region, department)] = body
        if ("430000", "应急管理") not in self.departments:
            raise DemoSeedError("run seed_demo first: the provincial departments are missing")

        # Enterprises of the demo, by county and top-level industry, with who acts for them.
        industry_parent = {
            code: parent or code
            for code, parent in Industry.objects.values_list("code", "parent__code")  # top-level code of each
        }
        self.enterprise_names = {pk: name for pk, name, kind, _region in organizations if kind == "enterprise"}
        self.enterprises: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self.enterprise_users: dict[int, list[int]] = {}
        through = Organization.industries.through.objects.filter(organization__kind=Organization.Kind.ENTERPRISE)
        for organization, region, code in through.values_list(
            "organization_id", "organization__region_id", "industry__code"
        ):
            self.enterprises.setdefault((region, industry_parent[code]), []).append((organization, code))
        for organization, people in members.items():
            if organization not in self.enterprise_names:
                continue
            ranked = sorted(people, key=lambda person: person[0] != "rectifier")  # the persona acts first
            self.enterprise_users[organization] = [pk for _username, pk in ranked]
        for enterprises in self.enterprises.values():
            enterprises.sort()
        factory = by_name.get(("430181", RECTIFIER_FACTORY))
        fireworks = [pk for pk, _code in self.enterprises.get(("430181", "fireworks"), [])]
        self.rectifier_factory = factory[0] if factory and factory[0] in fireworks else None

        # County choice: most findings in the demo counties, the rest spread over Hunan.
        demo_cities = {code[:4] for code in CITIES}
        near = [code for code in counties if code[:4] in demo_cities and code not in DEMO_COUNTY_SHARE]
        far = [code for code in counties if code[:4] not in demo_cities]
        self.counties = [*DEMO_COUNTY_SHARE, *near, *far]
        weights = [*DEMO_COUNTY_SHARE.values()]
        near_share, far_share = DISTRIBUTION["demo_city_counties_share"], DISTRIBUTION["other_counties_share"]
        weights += [near_share / len(near)] * len(near) + [far_share / len(far)] * len(far)
        self.county_weights = self._cumulative(weights)
        self.tops = list(INDUSTRY_WEIGHTS)
        self.industry_weights = {
            county: self._cumulative(
                [INDUSTRY_WEIGHTS[top] * COUNTY_EMPHASIS.get(county, {}).get(top, 1) for top in self.tops]
            )
            for county in [*COUNTY_EMPHASIS, ""]
        }
        self.findings = {
            (top, major): [finding for finding in findings if finding.major == major]
            for top, findings in data.findings().items()
            for major in (False, True)
        }

    @staticmethod
    def _cumulative(weights: list[float]) -> list[float]:
        total, cumulative = 0.0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        return cumulative

    def ensure_campaigns(self) -> list[tuple[int, date, date, set[str], set[str]]]:
        """Create or refresh the demo campaigns; returns (id, start, end, industries, regions) of each."""
        years = {"y": self.today.year, "y1": self.today.year - 1}
        self.campaign_names: dict[int, str] = {}
        organizers = dict(
            Organization.objects.filter(region_id="430000", kind=Organization.Kind.DEPARTMENT).values_list("name", "id")
        )
        campaigns = []
        for row in data.campaigns():
            start, end, industries, regions = row["start"], row["end"], row["industries"], row["regions"]
            start_date = date(years.get(start[0], start[0]), start[1], start[2])
            end_date = date(years.get(end[0], end[0]), end[1], end[2])
            organizer = organizers.get(row["organizer"])
            campaign, _created = Campaign.objects.update_or_create(
                name=row["name"].format(**years),
                defaults={
                    "kind": row["kind"],
                    "description": row["description"],
                    "start_date": start_date,
                    "end_date": end_date,
                    "organizer_id": organizer,
                },
            )
            campaign.industries.set([self.industries[code] for code in industries])
            campaign.regions.set(regions)
            campaigns.append((campaign.pk, start_date, end_date, set(industries), set(regions)))
            self.campaign_names[campaign.pk] = campaign.name
        self.campaigns = campaigns
        return campaigns

    # --- generating findings ----------------------------------------------------------------------

    def _days(self, count: int) -> dict[date, int]:
        """Spread `count` findings over the window: fewer at weekends, a slow rise as use grows."""
        first = self.today - timedelta(days=WINDOW_DAYS - 1)
        days = [first + timedelta(days=offset) for offset in range(WINDOW_DAYS)]
        weights = [
            (0.8 + 0.4 * offset / WINDOW_DAYS) * (1.0, 1.0, 1.0, 1.0, 1.0, 0.4, 0.25)[day.weekday()]
            for offset, day in enumerate(days)
        ]
        total, running, issued, quotas = sum(weights), 0.0, 0, {}
        for day, weight in zip(days, weights, strict=True):
            running += weight
            quotas[day] = round(count * running / total) - issued
            issued += quotas[day]
        return quotas

    def _persona_work(self, count: int) -> dict[date, int]:
        """Findings at the rectifier persona's factory on recent days: a work queue for that user."""
        if self.rectifier_factory is None:
            return {}
        work: dict[date, int] = {}
        for _ in range(min(24, max(8, count // 25), count // 4)):
            day = self.today - timedelta(days=self.rng.randint(1, PERSONA_WORK_DAYS))
            work[day] = work.get(day, 0) + 1
        return work

    def _body(self, county: str, top: str) -> Body:
        """The department that inspects and supervises this industry here, else the one above."""
        department = DEPARTMENT_OF[top]
        for region in (county, county[:4] + "00", "430000"):
            body = self.departments.get((region, department))
            if body:
                return body
        return self.departments[("430000", "应急管理")]

    def _above(self, county: str, top: str) -> Body:
        """The department one level above the one that supervises this county's industry."""
        return self._body(county[:4] + "00" if county in COUNTIES else "430000", top)

    def _pick_inspector(self, body: Body) -> int:
        # The persona leads most of a small brigade's inspections, twice a colleague's share of a large one's.
        share = 0.6 if len(body.inspectors) <= 3 else 2 / len(body.inspectors)
        if body.persona_inspector and self.rng.random() < share:
            return body.persona_inspector
        return self.rng.choice(body.inspectors)

    def _campaign(self, on: date, county: str, top: str) -> int | None:
        fitting = [
            pk
            for pk, start, end, industries, regions in self.campaigns
            if start <= on <= end
            and (not industries or top in industries)
            and (not regions or county in regions or county[:4] + "00" in regions)
        ]
        return fitting[-1] if fitting else None  # the most specific, listed last

    def _visit(self, on: date, *, persona_work: bool = False) -> Visit:
        """Where, what industry, who and why: the occasion on which findings are recorded."""
        rng = self.rng
        if persona_work:
            county, top = "430181", "fireworks"
        else:
            county = rng.choices(self.counties, cum_weights=self.county_weights)[0]
            top = rng.choices(self.tops, cum_weights=self.industry_weights.get(county, self.industry_weights[""]))[0]
        short = _short_name(self.region_names[county])
        words = {
            "short": short,
            "town": rng.choice(self.towns[county]),
            "village": rng.choice(VILLAGES),
            "street": rng.choice(STREETS),
            "word": rng.choice(WORDS),
            "n": rng.randint(1, 12),
            "surname": rng.choice(FAMILY_NAMES),
            "plate": f"湘{PLATE_LETTERS.get(county[:4], 'A')}{rng.randint(10000, 99999)}",
            "ship": f"湘{short}{rng.choice('渡客货')}{rng.randint(1, 9999):04d}",
        }
        unit, industry = None, None
        enterprises = self.enterprises.get((county, top))
        if persona_work:
            assert enterprises, "the persona's unit is registered for its county and industry"
            unit, industry = next(enterprise for enterprise in enterprises if enterprise[0] == self.rectifier_factory)
        elif enterprises:
            unit, industry = rng.choice(enterprises)
            if rng.random() > 0.55:  # most places are not the demo's registered enterprises
                unit, industry = None, None
        if industry is None:
            industry = rng.choice(self.findings[(top, False)]).industry
        at = datetime.combine(on, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=TZ)
        visit = Visit(
            on=on, county=county, top=top, industry=industry, source=Source.INSPECTION, found_by=0,  # set below
            at=at, unit=unit, words=words, persona_work=persona_work,
        )  # fmt: skip
        if unit is None:
            patterns = SITES.get(industry) or SITES[top]
            visit.site_name = rng.choice(patterns).format(**words)

        roll = 1.0 if persona_work else rng.random()
        body = self._body(county, top)
        if unit and roll < 0.2:
            visit.source = Source.SELF_CHECK
            visit.found_by = (
                self.enterprise_users[unit][0] if rng.random() < 0.7 else rng.choice(self.enterprise_users[unit])
            )
        elif 0.2 <= roll < 0.25:
            visit.source = Source.ASSIGNED_FROM_ABOVE
            visit.found_by = rng.choice(self._above(county, top).inspectors)
        elif unit is None and 0.25 <= roll < 0.31:
            visit.source = Source.PUBLIC_REPORT
            visit.found_by = self._pick_inspector(body)
        else:
            visit.inspecting = body
            lead = self._pick_inspector(body)
            # One to three inspectors go together: the lead and up to two colleagues.
            size = rng.randint(0, 2)
            others = [pk for pk in rng.sample(body.inspectors, min(len(body.inspectors), size + 1)) if pk != lead]
            visit.team = [lead, *others[:size]]
            visit.found_by = lead
            campaign = self._campaign(on, county, top)
            if campaign and rng.random() < 0.35:
                visit.campaign = campaign
                visit.source = Source.CAMPAIGN
        return visit

    def _findings(self, visit: Visit, count: int) -> list[tuple[Finding, bool]]:
        """Up to `count` different findings fitting the visit's industry, each general or major."""
        rng = self.rng
        chosen, used = [], set()
        for _ in range(count):
            # A major hazard where this kind of place has one to find; never more majors than that.
            levels = (True, False) if rng.random() < MAJOR_SHARE else (False,)
            for major in levels:
                pool = [
                    finding
                    for finding in self.findings[(visit.top, major)]
                    if finding.industry in (visit.industry, visit.top) and finding not in used
                ]
                if pool:
                    finding = rng.choice(pool)
                    used.add(finding)
                    chosen.append((finding, major))
                    break
        return chosen

    def _later(self, moment: datetime, low_hours: float, high_hours: float) -> datetime:
        """Some time later, moved into office hours (8:00-18:00): people act at work."""
        rng = self.rng
        low = max(low_hours * 60, 10)
        moment += timedelta(0, 60 * int(low + rng.random() * (max(high_hours * 60, low + 1) - low)))
        if moment.hour < 8:
            moment = moment.replace(hour=8, minute=rng.randint(0, 59))
        elif moment.hour >= 18:
            moment = (moment + timedelta(days=1)).replace(hour=8, minute=rng.randint(0, 59))
        return moment

    def _steps(self, visit: Visit, major: bool, people: dict) -> list[Step]:
        """What is done about the finding, step by step, each at or after the one before.

        The caller keeps the steps up to the cutoff, so recent findings are still in progress.
        """
        rng = self.rng
        assigner, approver, doer = people["assigner"], people["approver"], people["doer"]
        found_at = people["found_at"]
        age = (self.today - visit.on).days

        if people["on_the_spot"]:
            # Recorded already put right (立查立改): report_finding submits it in the same moment.
            return [
                Step(found_at, Action.REPORT, visit.found_by, params={"deadline": visit.on}),
                Step(found_at, Action.SUBMIT, visit.found_by, ON_THE_SPOT_REPORT),
                *self._acceptance(found_at, approver),
            ]
        steps = [Step(found_at, Action.REPORT, visit.found_by)]

        if rng.random() < 0.02:  # logged in error or twice
            moment = self._later(found_at, 2, 120)
            if rng.random() < 0.3:
                deadline = moment.date() + timedelta(days=rng.choice([7, 15, 30]))
                steps.append(Step(moment, Action.ASSIGN, assigner, params={"deadline": deadline}))
                moment = self._later(moment, 4, 72)
            steps.append(Step(moment, Action.VOID, assigner, rng.choice(TEXTS["void_reasons"])))
            return steps

        moment = self._later(found_at, 1, 120 if rng.random() < 0.8 else 240)
        if major:
            period = rng.choice([30, 60, 90, 90, 120, 180])
        else:  # the persona's factory has bigger jobs: a new lightning rod, explosion-proof wiring
            period = rng.choice([20, 30, 30, 45, 60] if people["mine"] else [3, 7, 7, 10, 15, 15, 30, 30, 60])
        deadline = moment.date() + timedelta(days=period)
        steps.append(Step(moment, Action.ASSIGN, assigner, params={"deadline": deadline}))
        if people["listed_level"]:
            moment = self._later(moment, 1, 48)
            steps.append(Step(moment, Action.LIST, people["lister"], params={"level": people["listed_level"]}))

        # Some work stalls: the unit never starts, or never finishes; once the deadline passes
        # the hazard is overdue. Older stalls are rarer: supervision catches up with them.
        stall_chance = 0.2 if people["mine"] else (0.08 if age < 400 else 0.01)
        stall = rng.random() < stall_chance
        if stall and rng.random() < 0.4:
            return steps
        moment = self._later(moment, 0.5, 72)
        steps.append(Step(moment, Action.START, doer))
        for _ in range(0 if rng.random() < 0.9 else rng.choice([1, 1, 1, 2])):
            last_day = self.calendar.add_working_days(deadline, -settings.EXTENSION_REQUEST_MIN_WORKING_DAYS)
            asked = self._later(
                max(moment, datetime.combine(last_day, time(9), tzinfo=TZ) - timedelta(days=3)), 0.5, 24
            )
            if asked.date() > last_day:  # an extension is asked for early enough before the deadline
                break
            decided = self._later(asked, 2, 48)
            longer = deadline + timedelta(days=rng.choice([15, 20, 30]))
            reason = rng.choice(TEXTS["extension_reasons"])
            decision_due = self.calendar.add_working_days(asked.date(), settings.EXTENSION_DECISION_WORKING_DAYS)
            params = {"new_deadline": longer, "decision_due": decision_due}
            steps.append(Step(asked, Action.REQUEST_EXTENSION, doer, reason, params))
            note = f"同意延期至{longer:%Y年%m月%d日}。"
            steps.append(Step(decided, Action.DECIDE_EXTENSION, assigner, note, {"approve": True}))
            deadline, moment = longer, decided
        if stall:
            return steps

        due = datetime.combine(deadline, time(17), tzinfo=TZ)
        if rng.random() < 0.1:  # late, but done in the end
            moment = self._later(max(due, moment), 24, 24 * 20)
        elif due > moment:
            # Most units finish some time before the deadline; the persona's factory, near it.
            share = 0.6 + 0.4 * rng.random() if people["mine"] else rng.random()
            moment = self._later(moment, 0, (due - moment).total_seconds() / 3600 * share)
        else:
            moment = self._later(moment, 1, 8)
        steps.append(self._submission(moment, doer, major=major))
        if rng.random() < 0.05:
            moment = self._later(moment, 4, 120)
            steps.append(Step(moment, Action.REJECT, approver, rng.choice(TEXTS["rejections"])))
            moment = self._later(moment, 24, 240)
            steps.append(self._submission(moment, doer, major=major))
        return [*steps, *self._acceptance(moment, approver, major=major)]

    def _submission(self, moment: datetime, doer: int, *, major: bool) -> Step:
        """A completion report; a major hazard's carries the evaluation by experts or an agency (SAWS Order 16 art. 18)."""
        rng = self.rng
        report = rng.choice(TEXTS["completion_reports"])
        if not major:
            return Step(moment, Action.SUBMIT, doer, report)
        method = rng.choices(["expert", "agency"], weights=[6, 4])[0]
        body = (
            f"{rng.choice(FAMILY_NAMES)}{rng.choice(GIVEN)}等3名安全生产专家"
            if method == "expert"
            else rng.choice(EVALUATION_AGENCIES)
        )
        return Step(moment, Action.SUBMIT, doer, report, {"evaluation_method": method, "evaluating_body": body})

    def _acceptance(self, submitted: datetime, approver: int, *, major: bool = False) -> list[Step]:
        """Acceptance (验收) — of a major hazard on the experts' or agency's evaluation, after an on-site
        review — then the ledger entry cancelled (销号)."""
        rng = self.rng
        method = (
            rng.choices(["expert", "agency"], weights=[6, 4])
            if major
            else rng.choices(["expert", "government", "self_evaluation"], weights=[1, 4, 5])
        )
        verified = self._later(submitted, 2, 240)
        opinion = rng.choice(TEXTS["acceptance_opinions"])
        params: dict = {"method": method[0]}
        if major:
            reviewers = "、".join(f"{rng.choice(FAMILY_NAMES)}{rng.choice(GIVEN)}" for _ in range(2))
            params.update(reviewed_on=verified.date(), reviewers=reviewers)
        return [
            Step(verified, Action.VERIFY, approver, opinion, params),
            Step(self._later(verified, 0.5, 120), Action.CLOSE, approver),
        ]

    def _people(self, visit: Visit, major: bool) -> dict:
        """Who rectifies, who assigns and accepts, and whether the hazard is listed, and by whom."""
        rng = self.rng
        county, top = visit.county, visit.top
        body = self._body(county, top)
        above = self._above(county, top)
        if visit.unit:
            rectifying_unit = visit.unit
            unit_people = self.enterprise_users.get(visit.unit) or [visit.found_by]
            doer = unit_people[0] if rng.random() < 0.75 else rng.choice(unit_people)
        elif body.region == county:
            # A house or a ship: the county department answers for getting it put right.
            rectifying_unit, doer = body.id, rng.choice(body.inspectors)
        else:
            # No such department in the county: the one above answers (assign always names a unit).
            rectifying_unit, doer = body.id, visit.found_by

        listed_level, listed_by, lister = "", None, None
        if major and rng.random() < 0.6:
            listed_level = rng.choices(["county", "city", "province"], weights=[5, 3, 2])[0]
            region = {"county": county, "city": county[:4] + "00", "province": "430000"}[listed_level]
            listed_by, lister = self.governments.get(region, (None, None))
        assigner = rng.choice(body.reviewers)
        # Acceptance at the listing level; otherwise mostly the county, sometimes the city.
        approver_body = {"city": above, "province": self._body("430000", top)}.get(listed_level, body)
        if not listed_level and rng.random() < 0.3:
            approver_body = above
        if approver_body.persona_reviewer and rng.random() < 0.5:
            approver = approver_body.persona_reviewer
        else:
            approver = rng.choice(approver_body.reviewers)
        if approver in (doer, visit.found_by):  # acceptance is never by the one who did the work
            approver = assigner
        on_the_spot = not major and not visit.persona_work and visit.inspecting is not None and rng.random() < 0.12
        return {
            "rectifying_unit": rectifying_unit,
            "doer": doer,
            "assigner": assigner,
            "approver": approver,
            "listed_level": listed_level,
            "listed_by": listed_by,
            "lister": lister or assigner,
            "mine": visit.persona_work,
            "on_the_spot": on_the_spot,
        }

    def _hazard(self, visit: Visit, finding: Finding, major: bool, found_at: datetime) -> "DemoHazard":
        """The hazard's fields and the steps taken on it up to the cutoff, replayed into its history."""
        rng, words = self.rng, visit.words
        words["n"] = rng.randint(1, 12)
        people = self._people(visit, major)
        people["found_at"] = found_at
        on_the_spot = people["on_the_spot"] = people["on_the_spot"] and finding.kind != Hazard.Kind.MANAGEMENT_DEFECT
        cutoff = self.cutoff
        steps = [step for step in self._steps(visit, major, people) if step.at <= cutoff]
        history = replay(steps)
        first = history.first
        where = finding.where.format(**words)
        hazard: dict[str, Any] = {
            "title": finding.title.format(**words),
            "description": SOURCE_PREFIX.get(visit.source, "") + finding.description.format(**words),
            "industry_id": self.industries[finding.industry],
            "level": Hazard.Level.MAJOR if major else Hazard.Level.GENERAL,
            "kind": finding.kind,
            "legal_basis": finding.legal_basis,
            "source": visit.source,
            "campaign_id": visit.campaign,
            "region_id": visit.county,
            "unit_id": visit.unit,
            "site_name": visit.site_name,
            "location": where if visit.unit else f"{self.region_names[visit.county]}{words['town']}，{where}",
            "found_on": visit.on,
            "found_by_id": visit.found_by,
            "state": history.state,
            "on_the_spot": on_the_spot,
            "listed_level": history.listed_level,
            "listed_by_id": people["listed_by"] if history.listed_level else None,
            "responsibility_chain": [],
            "created_at": steps[0].at,
            "updated_at": steps[-1].at,
            "version": history.version,
            "assigned_at": first.get(Action.ASSIGN),
            "started_at": history.started_at,
            "submitted_at": history.last_submit.at if history.last_submit else None,
            "verified_at": first.get(Action.VERIFY),
            "closed_at": first.get(Action.CLOSE),
            "voided_at": first.get(Action.VOID),
            "deadline": history.deadline,
            "extension_count": history.extension_count,
        }
        if Action.ASSIGN in first or on_the_spot:
            hazard.update(
                # report_finding makes the unit found rectify on the spot; assign names the unit.
                rectifying_unit_id=visit.unit if on_the_spot else people["rectifying_unit"],
                measures=f"立查立改：{finding.measures}" if on_the_spot else finding.measures,
                funds=_money(rng, 5, 300) if major else _money(rng, 0.05, 0.5 if on_the_spot else 8),
                responsible_person=f"{rng.choice(FAMILY_NAMES)}{rng.choice(GIVEN)}",
                contingency_plan=rng.choice(TEXTS["contingency_plans"]),
            )
            if major:
                hazard.update(
                    goals=rng.choice(TEXTS["goals"]),
                    materials=rng.choice(TEXTS["materials"]),
                    production_suspension=rng.choices(SUSPENSIONS, weights=[5, 3, 2])[0],
                )
        if history.last_submit:
            hazard.update(completion_report=history.last_submit.reason, submitted_by_id=history.last_submit.actor)
        if history.last_verify:
            accepted = history.last_verify.params or {}
            hazard.update(
                verified_by_id=history.last_verify.actor,
                acceptance_method=accepted["method"],
                acceptance_opinion=history.last_verify.reason,
                reviewed_on=accepted.get("reviewed_on"),
                reviewers=accepted.get("reviewers", ""),
            )
        return DemoHazard(hazard, steps, history)

    # --- writing ----------------------------------------------------------------------------------

    def batches(self, count: int) -> Iterator[Batch]:
        """Generate `count` hazards day by day, in batches of about BATCH_SIZE: (visit, its hazards)."""
        rng = self.rng
        persona_work = self._persona_work(count)
        remaining = count - sum(persona_work.values())
        quotas = self._days(remaining)
        batch: Batch = []
        in_batch = owed = 0
        for day, quota in quotas.items():
            occasions = []
            work = persona_work.get(day, 0)
            while work > 0:
                visit = self._visit(day, persona_work=True)
                occasions.append((visit, self._record(visit, min(work, 4))))
                work -= len(occasions[-1][1])
            # An inspection writes down one to four findings, even past the day's share: the next days owe it.
            quota -= owed
            while quota > 0 and remaining > 0:
                visit = self._visit(day)
                wanted = (
                    min(remaining, rng.choices([1, 2, 3, 4], weights=[35, 30, 20, 15])[0]) if visit.inspecting else 1
                )
                hazards = self._record(visit, wanted)
                quota -= len(hazards)
                remaining -= len(hazards)
                if hazards:
                    occasions.append((visit, hazards))
            owed = max(-quota, 0)
            for visit, hazards in occasions:
                batch.append((visit, hazards))
                in_batch += len(hazards)
                if in_batch >= BATCH_SIZE:
                    yield batch
                    batch, in_batch = [], 0
        if batch:
            yield batch

    def _record(self, visit: Visit, wanted: int) -> list[DemoHazard]:
        """The visit's findings as hazards, each written down a few minutes after the last."""
        hazards = []
        found_at = visit.at
        for finding, major in self._findings(visit, wanted):
            hazards.append(self._hazard(visit, finding, major, min(found_at, self.cutoff)))
            found_at += timedelta(minutes=self.rng.randint(3, 25))
        return hazards
