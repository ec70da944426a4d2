"""The demo's people: a few cities and counties with their bodies, enterprises, posts, one user per role,
and a few staff per demo department who find, assign and accept the demo hazards.

Idempotent: every object is found by its natural key and brought to the state below. The tables
(departments, enterprises, posts, names) are in demo/data/organisations.yaml.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.credit_codes import build_credit_code
from accounts.models import Industry, Organization, Post, Region, User
from accounts.roles import Role
from demo import data
from demo.checklists import seed_checklists

PERSONAS = ("inspector", "head", "rectifier", "province", "admin")

ORGANISATIONS = data.organisations()
# Industries supervised by each kind of department (by top-level industry code).
DEPARTMENTS: dict[str, list[str]] = ORGANISATIONS["departments"]
DEPARTMENT_SUFFIX: dict[str, str] = ORGANISATIONS["department_suffix"]
DEPARTMENT_KEYS: dict[str, str] = ORGANISATIONS["department_keys"]  # in the demo staff's usernames
CITIES: list[str] = ORGANISATIONS["cities"]  # 长沙市, 株洲市, 娄底市
COUNTIES: list[str] = ORGANISATIONS["counties"]  # 浏阳市, 宁乡市, 醴陵市, 涟源市
DEMO_REGIONS = ["430000", *CITIES, *COUNTIES]  # where the demo has a government and departments
FAMILY_NAMES: str = ORGANISATIONS["family_names"]
GIVEN_NAMES: list[str] = ORGANISATIONS["given_names"]
STAFF_GIVEN_NAMES: list[str] = data.places()["given_names"]


def head_title(region) -> str:
    """省长, 市长, 州长, 区长 or 县长: a county-level city (浏阳市) has a 市长."""
    return {"省": "省长", "市": "市长", "州": "州长", "区": "区长"}.get(region.name[-1], "县长")


class DemoSeeder:
    def __init__(self, password: str):
        # Hashed once: the personas share it, and hashing is deliberately slow.
        self.password_hash = make_password(password)
        self.industries = {industry.code: industry for industry in Industry.objects.all()}
        self.counts = {"organizations": 0, "posts": 0, "users": 0}

    def industry_set(self, codes):
        return [self.industries[code] for code in codes]

    def organization(self, *, region, name, kind, industries=(), credit_code="", parent=None):
        organization, _created = Organization.objects.update_or_create(
            region=region, name=name, defaults={"kind": kind, "credit_code": credit_code, "parent": parent}
        )
        organization.industries.set(self.industry_set(industries))
        self.counts["organizations"] += 1
        return organization

    def user(self, username, *, family, given, organization, region, roles=(), login=True, staff=False):
        user, _created = User.objects.update_or_create(
            username=username,
            defaults={
                "last_name": family,
                "first_name": given,
                "organization": organization,
                "region": region,
                "email": f"{username}@example.gov.cn",
                "is_staff": staff,
                "is_superuser": staff,
            },
        )
        if login:
            user.password = self.password_hash
        else:
            # Post holders who never sign in here still receive reminders.
            user.set_unusable_password()
        user.save()
        user.groups.set([Group.objects.get(name=role) for role in roles])
        self.counts["users"] += 1
        return user

    def post(self, *, organization, title, duty, industries=(), holder=None):
        post, _created = Post.objects.update_or_create(
            organization=organization,
            title=title,
            defaults={"duty": duty, "region": organization.region, "holder": holder, "is_active": True},
        )
        post.industries.set(self.industry_set(industries))
        self.counts["posts"] += 1
        return post

    def bodies(self, region):
        """Party committee, government with its leadership posts, and industry departments."""
        short = region.name
        level = region.level
        party = self.organization(region=region, name=f"中共{short}委员会", kind=Organization.Kind.PARTY_COMMITTEE)
        secretary = self.user(
            f"{region.code}-party-1",
            family=FAMILY_NAMES[int(region.code[2:4]) % len(FAMILY_NAMES)],
            given=GIVEN_NAMES[int(region.code[4:]) % len(GIVEN_NAMES)],
            organization=party,
            region=region,
            login=False,
        )
        self.post(organization=party, title=f"{short}委书记", duty=Post.Duty.PRINCIPAL, holder=secretary)
        government = self.organization(region=region, name=f"{short}人民政府", kind=Organization.Kind.GOVERNMENT)
        for index, post in enumerate(ORGANISATIONS["government_posts"], start=1):
            title, duty, industries = post["title"], post["duty"], post["industries"]
            holder = self.user(
                f"{region.code}-gov-{index}",
                family=FAMILY_NAMES[(index + int(region.code[2:4])) % len(FAMILY_NAMES)],
                given=GIVEN_NAMES[(index + int(region.code[4:])) % len(GIVEN_NAMES)],
                organization=government,
                region=region,
                login=False,
            )
            self.post(
                organization=government,
                title=title.format(head=head_title(region)),
                duty=duty,
                industries=industries,
                holder=holder,
            )
        departments = {}
        for department, industries in DEPARTMENTS.items():
            suffix = DEPARTMENT_SUFFIX[level]
            departments[department] = self.organization(
                region=region,
                name=f"{short}{department}{suffix}",
                kind=Organization.Kind.DEPARTMENT,
                industries=industries,
                parent=government,
            )
            # The city head persona holds the principal post of 长沙市应急管理局 (set in run()).
            if (region.code, department) != ("430100", "应急管理"):
                index = list(DEPARTMENTS).index(department)
                chief = self.user(
                    f"{region.code}-dept-{index + 1}",
                    family=FAMILY_NAMES[(index + 7 + int(region.code[2:4])) % len(FAMILY_NAMES)],
                    given=GIVEN_NAMES[(index + 5 + int(region.code[4:])) % len(GIVEN_NAMES)],
                    organization=departments[department],
                    region=region,
                    login=False,
                )
                self.post(
                    organization=departments[department],
                    title=f"{suffix}长",
                    duty=Post.Duty.PRINCIPAL,
                    industries=industries,
                    holder=chief,
                )
        return departments

    @transaction.atomic
    def run(self) -> dict:
        province = Region.objects.get(code="430000")
        province_departments = self.bodies(province)
        city_departments = {code: self.bodies(Region.objects.get(code=code)) for code in CITIES}
        county_departments = {code: self.bodies(Region.objects.get(code=code)) for code in COUNTIES}

        enterprises = {}
        for enterprise_row in ORGANISATIONS["enterprises"]:
            county_code, name = enterprise_row["county"], enterprise_row["name"]
            industries, serial = enterprise_row["industries"], enterprise_row["serial"]
            county = Region.objects.get(code=county_code)
            enterprises[name] = enterprise = self.organization(
                region=county,
                name=name,
                kind=Organization.Kind.ENTERPRISE,
                industries=industries,
                credit_code=build_credit_code(region_code=county_code, serial=serial),
            )
            principal = self.user(
                f"ent-{serial}-principal",
                family="黄",
                given=f"总{serial % 100}",
                organization=enterprise,
                region=county,
                login=False,
            )
            self.post(
                organization=enterprise,
                title="法定代表人",
                duty=Post.Duty.PRINCIPAL,
                industries=industries,
                holder=principal,
            )

        liuyang = Region.objects.get(code="430181")
        changsha = Region.objects.get(code="430100")
        self.user(
            "inspector",
            family="李",
            given="明",
            organization=county_departments["430181"]["应急管理"],
            region=liuyang,
            roles=[Role.INSPECTOR],
        )
        head = self.user(
            "head",
            family="王",
            given="芳",
            organization=city_departments["430100"]["应急管理"],
            region=changsha,
            roles=[Role.DEPARTMENT_HEAD],
        )
        self.post(
            organization=head.organization,
            title="局长",
            duty=Post.Duty.PRINCIPAL,
            industries=DEPARTMENTS["应急管理"],
            holder=head,
        )
        fireworks_factory = enterprises["浏阳演示烟花制造有限公司"]
        rectifier = self.user(
            "rectifier",
            family="陈",
            given="刚",
            organization=fireworks_factory,
            region=liuyang,
            roles=[Role.RECTIFYING_UNIT],
        )
        self.post(
            organization=fireworks_factory,
            title="安全管理员",
            duty=Post.Duty.SAFETY_OFFICER,
            industries=["fireworks-production"],
            holder=rectifier,
        )
        self.user(
            "province",
            family="刘",
            given="洋",
            organization=province_departments["应急管理"],
            region=province,
            roles=[Role.PROVINCIAL_STAFF],
        )
        self.user(
            "admin",
            family="系统",
            given="管理员",
            organization=province_departments["应急管理"],
            region=province,
            roles=[Role.ADMINISTRATOR],
            staff=True,
        )
        return self.counts


def seed_demo(*, password: str) -> dict:
    """Create or refresh the demo organisations, posts, personas and checklists; returns what it touched."""
    counts = DemoSeeder(password).run()
    counts["checklists"] = seed_checklists()
    return counts


def department_name(region_name: str, region: str, department: str) -> str:
    """The name the demo gives a department: 浏阳市应急管理局, 湖南省应急管理厅."""
    level = "province" if region == "430000" else ("city" if region in CITIES else "county")
    return f"{region_name}{department}{DEPARTMENT_SUFFIX[level]}"


def inspectors_for(ledger_size: int) -> int:
    """How many inspectors each demo department has for a ledger of this size.

    Two for a small demo (the persona then has plenty of work); for a large ledger a brigade big
    enough that no inspector is on tens of thousands of inspections, up to 40 (a large county
    bureau's law-enforcement brigade).
    """
    return max(2, min(40, ledger_size // 20_000))


def ensure_staff(*, inspectors: int = 2) -> int:
    """Give each demo department a section chief (a head: assigns, accepts) and `inspectors` inspectors.

    Only those missing are made, so a larger ledger adds to the brigades. They receive reminders and
    appear in histories; nobody signs in as them. Returns how many were made.
    """
    region_names = dict(Region.objects.filter(code__in=DEMO_REGIONS).values_list("code", "name"))
    by_name = {
        (region, name): pk
        for pk, name, region in Organization.objects.filter(region_id__in=DEMO_REGIONS).values_list(
            "id", "name", "region_id"
        )
    }
    groups = {role: Group.objects.get(name=role) for role in (Role.INSPECTOR, Role.DEPARTMENT_HEAD)}
    wanted = []
    for index, region in enumerate(DEMO_REGIONS):
        for offset, department in enumerate(DEPARTMENTS):
            organization = by_name.get((region, department_name(region_names[region], region, department)))
            if organization is None:
                continue
            for number in range(1, inspectors + 2):
                serial = index * 12 + offset * 3 + number
                wanted.append(
                    (
                        f"demo-{region}-{DEPARTMENT_KEYS[department]}-{number}",
                        FAMILY_NAMES[serial * 7 % len(FAMILY_NAMES)],
                        STAFF_GIVEN_NAMES[serial * 5 % len(STAFF_GIVEN_NAMES)],
                        organization,
                        region,
                        Role.DEPARTMENT_HEAD if number == 1 else Role.INSPECTOR,
                    )
                )
    existing = set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True))
    unusable = make_password(None)
    new = [
        User(
            username=username,
            last_name=family,
            first_name=given,
            organization_id=organization,
            region_id=region,
            email=f"{username}@example.gov.cn",
            password=unusable,
        )
        for username, family, given, organization, region, _role in wanted
        if username not in existing
    ]
    if not new:
        return 0
    User.objects.bulk_create(new)
    ids = dict(User.objects.filter(username__in=[user.username for user in new]).values_list("username", "id"))
    role_of = {username: role for username, *_rest, role in wanted}
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=ids[user.username], group=groups[role_of[user.username]]) for user in new],
        ignore_conflicts=True,
    )
    return len(new)
