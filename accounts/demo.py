"""Demo data: a few cities and counties with their bodies, enterprises, posts and one user per role.

Idempotent: every object is found by its natural key and brought to the state below.
"""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction

from accounts.credit_codes import build_credit_code
from accounts.models import Industry, Organization, Post, Region, User
from accounts.roles import Role

PERSONAS = ("inspector", "head", "rectifier", "province", "admin")

# Industries supervised by each kind of department (by top-level industry code).
DEPARTMENTS = {
    "应急管理": ["coal-mine", "non-coal-mine", "fireworks", "hazardous-chemicals", "industry-trade", "forest-fire"],
    "住房和城乡建设": ["construction", "self-built-housing", "gas", "building-power"],
    "交通运输": ["road-transport", "waterway-transport"],
    "市场监督管理": ["special-equipment"],
}
DEPARTMENT_SUFFIX = {"province": "厅", "city": "局", "county": "局"}

CITIES = ["430100", "430200", "431300"]  # 长沙市, 株洲市, 娄底市
COUNTIES = ["430181", "430182", "430281", "431382"]  # 浏阳市, 宁乡市, 醴陵市, 涟源市

# (county, name, industries, serial for the credit code)
ENTERPRISES = [
    ("430181", "浏阳演示烟花制造有限公司", ["fireworks-production"], 10000001),
    ("430181", "浏阳演示化工仓储有限公司", ["hazchem-storage"], 10000002),
    ("430182", "宁乡演示建筑工程有限公司", ["construction-housing"], 10000003),
    ("430281", "醴陵演示花炮有限公司", ["fireworks-production"], 10000004),
    ("431382", "涟源演示煤业有限公司", ["coal-mine"], 10000005),
    ("430181", "浏阳演示客运有限公司", ["road-passenger"], 10000006),
]

# Government posts at each city and county: (title, duty, industry codes of the portfolio).
GOVERNMENT_POSTS = [
    ("{head}", Post.Duty.PRINCIPAL, []),
    ("常务副{head}（分管安全生产）", Post.Duty.SAFETY_LEAD, []),
    (
        "副{head}（分管工业和应急）",
        Post.Duty.PORTFOLIO_LEAD,
        ["coal-mine", "non-coal-mine", "fireworks", "hazardous-chemicals", "industry-trade", "special-equipment"],
    ),
    (
        "副{head}（分管住建和交通）",
        Post.Duty.PORTFOLIO_LEAD,
        ["construction", "self-built-housing", "gas", "building-power", "road-transport", "waterway-transport"],
    ),
    ("副{head}（分管自然资源和林业）", Post.Duty.PORTFOLIO_LEAD, ["forest-fire", "fire"]),
]
FAMILY_NAMES = "赵钱孙周吴郑冯蒋沈韩杨朱秦许何吕施张"
GIVEN_NAMES = ["建国", "志强", "秀英", "海燕", "卫东", "晓明", "丽华", "国庆", "文涛", "红梅", "湘平", "振华"]


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
        for index, (title, duty, industries) in enumerate(GOVERNMENT_POSTS, start=1):
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
        for county_code, name, industries, serial in ENTERPRISES:
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
    """Create or refresh the demo organisations, posts and personas; returns what it touched."""
    return DemoSeeder(password).run()
