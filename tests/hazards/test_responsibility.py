"""The responsibility chain under 一岗双责 (DESIGN.md section 5): resolved from posts, snapshotted on assign.

The hazard is in 浏阳市 (430181), fireworks production (烟花爆竹生产, a sub-category of 烟花爆竹), at
an enterprise of 浏阳. Its four layers are the enterprise, the department supervising fireworks,
the territorial leaders (government and party committee) and the leader whose portfolio holds
fireworks — at the county when it has them, else walking up to 长沙市 (430100), then the province.
"""

import re
from collections import defaultdict

import pytest
from django.utils import translation

from accounts.models import Organization, Post
from accounts.roles import Role
from hazards import workflow
from hazards.models import Hazard
from hazards.responsibility import candidates, current_holders, resolve_chain
from hazards.transitions import HazardError
from tests.factories import EnterpriseFactory, HazardFactory, OrganizationFactory, PostFactory, UserFactory, region
from tests.hazards.workflow_helpers import in_days

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

LIUYANG, CHANGSHA, HUNAN = "430181", "430100", "430000"
NAMES = {LIUYANG: "浏阳市", CHANGSHA: "长沙市", HUNAN: "湖南省"}


def person(last_name: str, first_name: str, **fields):
    return UserFactory(last_name=last_name, first_name=first_name, **fields)


def territory(code: str, *, department=True, government=True, party=True, portfolio=True) -> dict:
    """The bodies and posts of one level: 应急管理局 (fireworks), 人民政府, 党委, with their holders."""
    name = NAMES[code]
    posts = {}
    if department:
        bureau = OrganizationFactory(name=f"{name}应急管理局烟花爆竹科", region=region(code), industries=["fireworks"])
        posts["department"] = PostFactory(
            title="局长", duty=Post.Duty.PRINCIPAL, organization=bureau, holder=person("陈", f"局长{code}")
        )
        posts["department_deputy"] = PostFactory(
            title="副局长", duty=Post.Duty.SAFETY_LEAD, organization=bureau, holder=person("何", f"副局长{code}")
        )
    government_body = OrganizationFactory(
        name=f"{name}人民政府", region=region(code), kind=Organization.Kind.GOVERNMENT
    )
    if government:
        posts["government"] = PostFactory(
            title="常务副职（分管安全生产）",
            duty=Post.Duty.SAFETY_LEAD,
            organization=government_body,
            holder=person("周", f"常务{code}"),
        )
    if party:
        committee = OrganizationFactory(
            name=f"中共{name}委员会", region=region(code), kind=Organization.Kind.PARTY_COMMITTEE
        )
        posts["party"] = PostFactory(
            title="书记", duty=Post.Duty.PRINCIPAL, organization=committee, holder=person("吴", f"书记{code}")
        )
    if portfolio:
        posts["portfolio"] = PostFactory(
            title="副职（分管烟花爆竹）",
            duty=Post.Duty.PORTFOLIO_LEAD,
            organization=government_body,
            industries=["fireworks"],
            holder=person("郑", f"分管{code}"),
        )
        # A leader of another portfolio answers for other industries, not this one.
        PostFactory(
            title="副职（分管住建）",
            duty=Post.Duty.PORTFOLIO_LEAD,
            organization=government_body,
            industries=["construction"],
            holder=person("冯", f"住建{code}"),
        )
    return posts


@pytest.fixture
def enterprise():
    return EnterpriseFactory(name="浏阳市花炮制造有限公司", region=region(LIUYANG), industries=["fireworks-production"])


@pytest.fixture
def enterprise_posts(enterprise):
    return {
        "principal": PostFactory(
            title="法定代表人",
            duty=Post.Duty.PRINCIPAL,
            organization=enterprise,
            holder=person("刘", "总", organization=enterprise),
        ),
        "safety_officer": PostFactory(
            title="专职安全员",
            duty=Post.Duty.SAFETY_OFFICER,
            organization=enterprise,
            holder=person("孙", "安全", organization=enterprise),
        ),
    }


@pytest.fixture
def hazard(enterprise):
    return HazardFactory(unit=enterprise)


def layers(chain: list[dict]) -> dict[str, set[int | None]]:
    """Post ids per layer of a chain."""
    by_layer = defaultdict(set)
    for entry in chain:
        by_layer[entry["layer"]].add(entry["post_id"])
    return dict(by_layer)


def entries(chain: list[dict]) -> list[tuple]:
    """Who a chain names, layer by layer, whatever the order within a layer."""
    return sorted((entry["layer"], entry["organization_id"], entry["post_id"] or 0) for entry in chain)


def regions_of(chain: list[dict]) -> dict[str, set[str]]:
    by_layer = defaultdict(set)
    for entry in chain:
        by_layer[entry["layer"]].add(entry["region"])
    return dict(by_layer)


# --- Resolving -------------------------------------------------------------------------------


def test_with_everyone_at_the_county_the_four_layers_are_all_at_the_county(hazard, enterprise_posts):
    county = territory(LIUYANG)
    territory(CHANGSHA)  # a level above that must not be reached

    chain = resolve_chain(hazard)

    assert layers(chain) == {
        "enterprise": {enterprise_posts["principal"].pk, enterprise_posts["safety_officer"].pk},
        "department": {county["department"].pk},
        "territorial": {county["government"].pk, county["party"].pk},
        "leadership": {county["portfolio"].pk},
    }
    assert regions_of(chain) == {
        layer: {"浏阳市"} for layer in ("enterprise", "department", "territorial", "leadership")
    }
    principal = next(entry for entry in chain if entry["post_id"] == enterprise_posts["principal"].pk)
    assert (principal["person"], principal["user_id"]) == ("刘总", enterprise_posts["principal"].holder_id)
    assert principal["organization"] == "浏阳市花炮制造有限公司"


def test_without_county_posts_the_chain_walks_up_to_the_city(hazard, enterprise_posts):
    city = territory(CHANGSHA)
    territory(HUNAN)

    chain = resolve_chain(hazard)

    assert layers(chain)["department"] == {city["department"].pk}
    assert layers(chain)["territorial"] == {city["government"].pk, city["party"].pk}
    assert layers(chain)["leadership"] == {city["portfolio"].pk}
    assert regions_of(chain)["department"] == regions_of(chain)["territorial"] == {"长沙市"}
    assert regions_of(chain)["leadership"] == {"长沙市"}
    # The enterprise is where it is, whatever level its supervisors are at.
    assert regions_of(chain)["enterprise"] == {"浏阳市"}


def test_without_county_or_city_posts_the_chain_walks_up_to_the_province(hazard, enterprise_posts):
    province = territory(HUNAN)

    chain = resolve_chain(hazard)

    assert layers(chain)["department"] == {province["department"].pk}
    assert layers(chain)["territorial"] == {province["government"].pk, province["party"].pk}
    assert layers(chain)["leadership"] == {province["portfolio"].pk}
    for layer in ("department", "territorial", "leadership"):
        assert regions_of(chain)[layer] == {"湖南省"}


def test_each_layer_walks_up_on_its_own(hazard, enterprise_posts):
    """No fireworks department at the county: that layer comes from the city, the others stay at the county."""
    county = territory(LIUYANG, department=False)
    city = territory(CHANGSHA)

    chain = resolve_chain(hazard)

    assert layers(chain)["department"] == {city["department"].pk}
    assert layers(chain)["territorial"] == {county["government"].pk, county["party"].pk}
    assert layers(chain)["leadership"] == {county["portfolio"].pk}


def test_a_county_government_without_a_leader_for_safety_does_not_leave_the_territorial_layer_empty(
    hazard, enterprise_posts
):
    """The county's 人民政府 has only its principal (not in charge of safety) and no party post:
    the county has no match for this layer, so the chain must walk up rather than name nobody."""
    body = OrganizationFactory(name="浏阳市人民政府办公室", region=region(LIUYANG), kind=Organization.Kind.GOVERNMENT)
    PostFactory(title="市长", duty=Post.Duty.PRINCIPAL, organization=body)
    city = territory(CHANGSHA)

    chain = resolve_chain(hazard)

    assert layers(chain).get("territorial"), "nobody answers for territorial management"
    assert city["government"].pk in layers(chain)["territorial"]


def test_a_department_of_the_parent_industry_supervises_the_sub_category(hazard, enterprise_posts):
    # 烟花爆竹 (the parent) matches 烟花爆竹生产; 烟花爆竹零售 (a sibling) and 危险化学品 do not.
    sibling = OrganizationFactory(name="浏阳市商务局", region=region(LIUYANG), industries=["fireworks-retail"])
    PostFactory(title="局长", duty=Post.Duty.PRINCIPAL, organization=sibling)
    chemicals = OrganizationFactory(
        name="浏阳市化工园区管委会", region=region(LIUYANG), industries=["hazardous-chemicals"]
    )
    PostFactory(title="主任", duty=Post.Duty.PRINCIPAL, organization=chemicals)
    parent = OrganizationFactory(name="浏阳市应急管理局", region=region(LIUYANG), industries=["fireworks"])
    principal = PostFactory(title="局长", duty=Post.Duty.PRINCIPAL, organization=parent)

    chain = resolve_chain(hazard)

    assert layers(chain)["department"] == {principal.pk}
    assert {post.organization_id for post in candidates(hazard)["department"]} == {parent.pk}


def test_an_enterprise_without_a_registered_contact_leaves_its_layer_empty_and_the_pages_warn(
    hazard, enterprise, head, client
):
    territory(LIUYANG)
    chain = resolve_chain(hazard)
    assert [entry for entry in chain if entry["layer"] == "enterprise"] == []
    assert {entry["layer"] for entry in chain} == {"department", "territorial", "leadership"}

    client.force_login(head)
    before = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="enterprise-contact-missing"' in before  # in the assign form
    workflow.assign(actor=head, hazard_id=hazard.pk, deadline=in_days(30), rectifying_unit=enterprise)
    after = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert 'data-testid="enterprise-contact-missing"' in after  # on the chain
    assert "企业没有登记主要负责人或安全管理人员" in after


def test_the_enterprise_layer_names_only_people_of_the_enterprise(hazard, enterprise_posts, head, client):
    territory(LIUYANG)
    chain = resolve_chain(hazard)
    named = {entry["post_id"] for entry in chain if entry["layer"] == "enterprise"}
    assert named == {enterprise_posts["principal"].pk, enterprise_posts["safety_officer"].pk}
    client.force_login(head)
    assert 'data-testid="enterprise-contact-missing"' not in client.get(f"/hazards/{hazard.pk}/").content.decode()


def test_a_government_body_is_never_the_rectifying_unit_of_an_enterprises_hazard(hazard, head):
    bureau = territory(LIUYANG)["department"].organization
    before = Hazard.objects.get(pk=hazard.pk).version

    with translation.override("en"), pytest.raises(HazardError, match="rectified by that enterprise"):
        workflow.assign(actor=head, hazard_id=hazard.pk, deadline=in_days(30), rectifying_unit=bureau)

    assert Hazard.objects.get(pk=hazard.pk).version == before


def test_a_site_put_right_by_a_department_names_nobody_of_the_department_for_an_enterprise(head):
    county = territory(LIUYANG)
    bureau = county["department"].organization
    house = HazardFactory(unit=None, site_name="浏阳某自建房")

    workflow.assign(actor=head, hazard_id=house.pk, deadline=in_days(30), rectifying_unit=bureau)

    chain = Hazard.objects.get(pk=house.pk).responsibility_chain
    assert [entry for entry in chain if entry["layer"] == "enterprise"] == []
    assert county["department"].pk in {entry["post_id"] for entry in chain if entry["layer"] == "department"}


def test_candidates_offer_every_level_for_the_head_to_choose(hazard, enterprise_posts):
    county = territory(LIUYANG)
    city = territory(CHANGSHA)
    offered = {layer: set(posts.values_list("pk", flat=True)) for layer, posts in candidates(hazard).items()}
    assert {county["department"].pk, county["department_deputy"].pk, city["department"].pk} <= offered["department"]
    assert {county["government"].pk, county["party"].pk, city["government"].pk} <= offered["territorial"]
    assert {county["portfolio"].pk, city["portfolio"].pk} == offered["leadership"]
    assert set(offered["enterprise"]) == {post.pk for post in enterprise_posts.values()}


# --- The snapshot ----------------------------------------------------------------------------


def test_the_chain_is_stored_on_assign_and_keeps_who_answered_then(hazard, enterprise, enterprise_posts, head, client):
    county = territory(LIUYANG)
    workflow.assign(actor=head, hazard_id=hazard.pk, deadline=in_days(30), rectifying_unit=enterprise)
    hazard.refresh_from_db()
    stored = hazard.responsibility_chain
    assert layers(stored) == layers(resolve_chain(hazard))
    old_holder = county["party"].holder

    # The party secretary changes; the ledger keeps who answered at assignment.
    successor = person("王", "五")
    Post.objects.filter(pk=county["party"].pk).update(holder=successor)
    hazard.refresh_from_db()

    assert hazard.responsibility_chain == stored
    party_entry = next(entry for entry in stored if entry["post_id"] == county["party"].pk)
    assert (party_entry["person"], party_entry["user_id"]) == (old_holder.get_full_name(), old_holder.pk)
    assert current_holders(stored)[county["party"].pk] == "王五"

    client.cookies["django_language"] = "en"
    client.force_login(head)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    chain_card = page[page.index('data-testid="responsibility-chain"') :]
    assert old_holder.get_full_name() in chain_card
    assert "Now held by 王五" in chain_card
    # Posts whose holder did not change say nothing more.
    assert chain_card.count("Now held by") == 1


def test_a_post_left_vacant_is_shown_as_such(hazard, enterprise, enterprise_posts, head, client):
    county = territory(LIUYANG)
    workflow.assign(actor=head, hazard_id=hazard.pk, deadline=in_days(30), rectifying_unit=enterprise)
    Post.objects.filter(pk=county["portfolio"].pk).update(holder=None)

    client.cookies["django_language"] = "en"
    client.force_login(head)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert "The post is now vacant" in page


def checked_posts(page: str) -> dict[str, list[int]]:
    """The chain checkboxes of the assign form that are ticked when the page opens."""
    ticked = defaultdict(list)
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="assign-(chain_[a-z]+)"', tag)
        if name and re.search(r"\schecked\b", tag):
            ticked[name.group(1)].append(int(re.search(r'value="(\d+)"', tag).group(1)))
    return dict(ticked)


def assign_form(hazard: Hazard, unit, **chain) -> dict:
    data = {
        "assign-version": hazard.version,
        "assign-rectifying_unit": unit.pk,
        "assign-deadline": in_days(30).isoformat(),
        "assign-measures": "",
    }
    data.update({f"assign-{field}": post_ids for field, post_ids in chain.items()})
    return data


def test_the_head_can_change_the_chain_in_the_assign_form(hazard, enterprise, enterprise_posts, head, client):
    county = territory(LIUYANG)
    city = territory(CHANGSHA)
    client.force_login(head)
    chosen = {
        "chain_enterprise": [enterprise_posts["safety_officer"].pk],
        "chain_department": [county["department_deputy"].pk],
        "chain_territorial": [city["government"].pk, county["party"].pk],
        "chain_leadership": [],
    }

    response = client.post(f"/hazards/{hazard.pk}/act/assign/", assign_form(hazard, enterprise, **chosen))

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert layers(hazard.responsibility_chain) == {
        "enterprise": {enterprise_posts["safety_officer"].pk},
        "department": {county["department_deputy"].pk},
        "territorial": {city["government"].pk, county["party"].pk},
    }
    named = {
        enterprise_posts["safety_officer"].holder_id,
        county["department_deputy"].holder_id,
        city["government"].holder_id,
        county["party"].holder_id,
    }
    assert set(hazard.named_users.values_list("pk", flat=True)) == named


def test_the_assign_form_proposes_the_resolved_chain(hazard, enterprise, enterprise_posts, head, client):
    county = territory(LIUYANG)
    client.force_login(head)
    page = client.get(f"/hazards/{hazard.pk}/").content.decode()
    assert {field: sorted(ids) for field, ids in checked_posts(page).items()} == {
        "chain_enterprise": sorted([enterprise_posts["principal"].pk, enterprise_posts["safety_officer"].pk]),
        "chain_department": [county["department"].pk],
        "chain_territorial": sorted([county["government"].pk, county["party"].pk]),
        "chain_leadership": [county["portfolio"].pk],
    }


def test_assigning_with_the_proposed_chain_unchanged_stores_the_resolved_chain(hazard, enterprise, head, client):
    """The supervising department has no posts: the resolved chain names the body itself, and leaving
    the form as proposed must not drop it (nor any other entry that is not a post)."""
    territory(LIUYANG, department=False)
    OrganizationFactory(name="浏阳市应急管理局烟花爆竹科", region=region(LIUYANG), industries=["fireworks"])
    resolved = resolve_chain(hazard)
    assert any(entry["layer"] == "department" and entry["post_id"] is None for entry in resolved)
    client.force_login(head)
    proposed = checked_posts(client.get(f"/hazards/{hazard.pk}/").content.decode())

    response = client.post(f"/hazards/{hazard.pk}/act/assign/", assign_form(hazard, enterprise, **proposed))

    assert response.status_code == 302
    hazard.refresh_from_db()
    assert layers(hazard.responsibility_chain).get("department"), "the supervising body was dropped from the chain"
    assert entries(hazard.responsibility_chain) == entries(resolve_chain(hazard))


# --- Who the chain lets see the hazard -------------------------------------------------------


def test_people_named_on_the_chain_see_the_hazard(hazard, enterprise, enterprise_posts, head):
    county = territory(LIUYANG)
    # Leaders named on a chain have no role that would let them see a 浏阳 fireworks hazard otherwise.
    secretary = county["party"].holder
    outsider = person("赵", "旁观")
    assert not Hazard.objects.visible_to(secretary).filter(pk=hazard.pk).exists()

    workflow.assign(actor=head, hazard_id=hazard.pk, deadline=in_days(30), rectifying_unit=enterprise)

    for post in (county["party"], county["government"], county["portfolio"], enterprise_posts["principal"]):
        assert Hazard.objects.visible_to(post.holder).filter(pk=hazard.pk).exists(), post
    assert not Hazard.objects.visible_to(outsider).filter(pk=hazard.pk).exists()
    # A successor in the post is not named on the snapshot.
    successor = person("王", "五")
    Post.objects.filter(pk=county["party"].pk).update(holder=successor)
    assert not Hazard.objects.visible_to(successor).filter(pk=hazard.pk).exists()


def test_people_named_on_the_chain_are_told_of_the_assignment(
    hazard, enterprise, enterprise_posts, head, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    county = territory(LIUYANG)
    member = UserFactory(organization=enterprise, roles=[Role.RECTIFYING_UNIT])
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(actor=head, hazard_id=hazard.pk, deadline=in_days(30), rectifying_unit=enterprise)

    told = set(Notification.objects.filter(hazard=hazard, action="assign").values_list("recipient", flat=True))
    assert {member.pk, county["party"].holder_id, county["portfolio"].holder_id} <= told
