"""The responsibility chain of a hazard under 一岗双责 (DESIGN.md section 5).

For a hazard in county R, industry I, unit U the chain has four layers, each resolved from
organisations and posts, walking up the region tree (county → city → province) when a level has
no match:

1. enterprise main responsibility — U's principal and safety officer: always people of the unit,
   never a government body's staff; empty (and the pages warn) when U has none registered, or the
   hazard is at a site that is no registered enterprise;
2. departmental supervision — the department at R whose industries include I;
3. territorial management — R's government post in charge of work safety, and the party
   committee's principal (党政同责);
4. leadership — the leader at R whose portfolio includes I.

The chain is stored on the hazard as a snapshot: people change posts, the ledger must show who
answered at the time.
"""

from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import F, Func, Q, QuerySet, TextField
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, Post, Region, User
from accounts.roles import Role
from hazards.models import Hazard
from hazards.visibility import AmongValues
from hunan_safety.compiled import CompiledQuery

LAYERS = {
    "enterprise": _("Enterprise main responsibility"),
    "department": _("Departmental supervision"),
    "territorial": _("Territorial management"),
    "leadership": _("Leadership (one post, two responsibilities)"),
}


@dataclass
class ChainEntry:
    layer: str
    organization: str
    organization_id: int
    post: str = ""
    post_id: int | None = None
    person: str = ""
    user_id: int | None = None
    phone: str = ""
    region: str = ""

    @classmethod
    def from_post(cls, layer: str, post: Post) -> "ChainEntry":
        holder = post.holder
        return cls(
            layer=layer,
            organization=post.organization.name,
            organization_id=post.organization_id,
            post=post.title,
            post_id=post.pk,
            person=holder.get_full_name() or holder.username if holder else "",
            user_id=holder.pk if holder else None,
            phone=post.phone or (holder.phone if holder else "") or post.organization.phone,
            region=post.region.name,
        )

    @classmethod
    def from_organization(cls, layer: str, organization: Organization) -> "ChainEntry":
        return cls(
            layer=layer,
            organization=organization.name,
            organization_id=organization.pk,
            phone=organization.phone,
            region=organization.region.name,
        )


# What an entry reads as in a ledger cell, in this order, blanks left out: "岳麓区应急管理局 局长 张三 0731-…".
ENTRY_WORDS = ("organization", "post", "person", "phone")


class ChainLayerText(Func):
    """The entries of one layer of a hazard's responsibility chain, as text (ENTRY_WORDS, one entry a
    line), computed by the database: the Excel export reads 100,000 chains without decoding one."""

    output_field = TextField()

    def __init__(self, layer: str):
        self.layer = layer
        super().__init__(F("responsibility_chain"))

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:
        chain, params = compiler.compile(self.source_expressions[0])
        words = ", ".join(f"NULLIF(entry->>'{word}', '')" for word in ENTRY_WORDS)
        return (
            f"COALESCE((SELECT string_agg(concat_ws(' ', {words}), E'\\n' ORDER BY position)"
            f" FROM jsonb_array_elements(CASE jsonb_typeof({chain}) WHEN 'array' THEN {chain} END)"
            " WITH ORDINALITY AS chain(entry, position) WHERE entry->>'layer' = %s), '')",
            [*params, *params, self.layer],
        )

    def as_sql(self, compiler: Any, connection: Any, **extra_context: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        # SQLite (3.40 has no concat_ws): each word that is there with a space before it, the first space cut.
        chain, params = compiler.compile(self.source_expressions[0])
        words = " || ".join(
            f"CASE WHEN json_extract(value, '$.{word}') <> '' THEN ' ' || json_extract(value, '$.{word}') ELSE '' END"
            for word in ENTRY_WORDS
        )
        return (
            f"COALESCE((SELECT group_concat(substr({words}, 2), char(10))"
            f" FROM json_each(CASE json_type({chain}) WHEN 'array' THEN {chain} END)"
            " WHERE json_extract(value, '$.layer') = %s), '')",
            [*params, *params, self.layer],
        )


def _industry_ids(hazard: Hazard) -> list[int]:
    """The hazard's industry and its parent: a department of 烟花爆竹 supervises 烟花爆竹生产."""
    return [pk for pk in (hazard.industry_id, hazard.industry.parent_id) if pk]


def _levels(region: Region) -> list[Region]:
    return region.ancestors()  # county, city, province


def _posts() -> QuerySet[Post]:
    return Post.objects.filter(is_active=True).select_related("organization", "holder", "region")


def enterprise_of(hazard: Hazard) -> Organization | None:
    """The enterprise that bears the main responsibility (企业主体责任), if the hazard is at one."""
    for unit in (hazard.rectifying_unit, hazard.unit):
        if unit is not None and unit.kind == Organization.Kind.ENTERPRISE:
            return unit
    return None


def lacks_enterprise_contact(hazard: Hazard, chain: list[dict[str, Any]]) -> bool:
    """True when the hazard is at an enterprise but its chain names nobody of it: the pages warn."""
    return enterprise_of(hazard) is not None and not any(
        entry["layer"] == "enterprise" and entry.get("person") for entry in chain
    )


def candidates(hazard: Hazard) -> dict[str, QuerySet[Post]]:
    """For each layer, the posts that could answer for this hazard (for the head to choose from)."""
    regions = [region.pk for region in _levels(hazard.region)]
    industries = _industry_ids(hazard)
    unit = enterprise_of(hazard)
    territorial = Q(organization__kind__in=Organization.TERRITORIAL_KINDS, region_id__in=regions)
    return {
        "enterprise": _posts().filter(organization=unit) if unit else Post.objects.none(),
        "department": _posts()
        .filter(
            organization__kind=Organization.Kind.DEPARTMENT,
            organization__industries__in=industries,
            region_id__in=regions,
        )
        .distinct(),
        "territorial": _posts().filter(territorial, duty__in=[Post.Duty.SAFETY_LEAD, Post.Duty.PRINCIPAL]),
        "leadership": _posts().filter(territorial, duty=Post.Duty.PORTFOLIO_LEAD, industries__in=industries).distinct(),
    }


def _nearest(posts: list[Post], regions: list[Region]) -> list[Post]:
    """The posts at the nearest level that has any: walking up from the county."""
    for region in regions:
        found = [post for post in posts if post.region_id == region.pk]
        if found:
            return found
    return []


def resolve_chain(hazard: Hazard) -> list[dict[str, Any]]:
    """The four layers for this hazard, as snapshot entries (dicts), nearest level first."""
    regions = _levels(hazard.region)
    industries = set(_industry_ids(hazard))
    pools = {layer: list(queryset) for layer, queryset in candidates(hazard).items()}
    chain: list[ChainEntry] = []

    # Only people of the enterprise answer for it; a unit without a registered principal or safety
    # officer leaves the layer empty rather than naming someone else (the pages say so).
    enterprise = [
        post
        for post in pools["enterprise"]
        if post.duty in (Post.Duty.PRINCIPAL, Post.Duty.SAFETY_OFFICER) and post.holder_id is not None
    ]
    chain += [ChainEntry.from_post("enterprise", post) for post in enterprise]

    # The department at the nearest level that has one for this industry; its principal answers.
    for region in regions:
        body = (
            Organization.objects.filter(
                kind=Organization.Kind.DEPARTMENT, region=region, industries__in=industries, is_active=True
            )
            .select_related("region")
            .order_by("pk")
            .first()
        )
        if body is None:
            continue
        posts = [post for post in pools["department"] if post.organization_id == body.pk]
        principals = [post for post in posts if post.duty == Post.Duty.PRINCIPAL] or posts[:1]
        if principals:
            chain.append(ChainEntry.from_post("department", principals[0]))
        else:
            chain.append(ChainEntry.from_organization("department", body))
        break

    # 党政同责: the government's leader for safety and the party committee's principal, each at the
    # nearest level that has one.
    government = _nearest(
        [
            post
            for post in pools["territorial"]
            if post.organization.kind == Organization.Kind.GOVERNMENT and post.duty == Post.Duty.SAFETY_LEAD
        ],
        regions,
    )
    party = _nearest(
        [
            post
            for post in pools["territorial"]
            if post.organization.kind == Organization.Kind.PARTY_COMMITTEE and post.duty == Post.Duty.PRINCIPAL
        ],
        regions,
    )
    chain += [ChainEntry.from_post("territorial", post) for post in (government[:1] + party[:1])]

    leadership = _nearest(pools["leadership"], regions)
    chain += [ChainEntry.from_post("leadership", post) for post in leadership[:1]]
    return [asdict(entry) for entry in chain]


def supervising_heads(hazard: Hazard) -> list[int]:
    """The heads of the department supervising the hazard's industry at the nearest level, and of the
    one at the level above: told at once when a major hazard is reported."""
    industries = _industry_ids(hazard)
    departments = Organization.objects.filter(
        kind=Organization.Kind.DEPARTMENT, industries__in=industries, is_active=True
    ).values_list("pk", "region_id")
    by_region: dict[str, set[int]] = {}
    for pk, region_id in departments:
        by_region.setdefault(region_id, set()).add(pk)
    levels = [by_region[region.pk] for region in _levels(hazard.region) if region.pk in by_region]
    bodies = set().union(*levels[:2])
    return list(
        User.objects.filter(organization_id__in=bodies, is_active=True, groups__name=Role.DEPARTMENT_HEAD)
        .values_list("pk", flat=True)
        .distinct()
    )


def chain_from_posts(hazard: Hazard, chosen: dict[str, list[Post]]) -> list[dict[str, Any]]:
    """A snapshot from the posts a head chose in the assign form, layer by layer."""
    entries: list[dict[str, Any]] = []
    for layer in LAYERS:
        entries += [asdict(ChainEntry.from_post(layer, post)) for post in chosen.get(layer, [])]
    return entries


# Compiled once: a chain's posts go to the database as one array parameter (hunan_safety/compiled.py).
_POSTS = CompiledQuery(
    lambda post_ids: Post.objects.filter(AmongValues("id", post_ids)).select_related("holder"), lists=("post_ids",)
)


def current_holders(chain: list[dict[str, Any]]) -> dict[int, str]:
    """Who holds each post of the snapshot now (post id → name), in one query."""
    post_ids = [entry["post_id"] for entry in chain if entry.get("post_id")]
    posts = _POSTS.run(post_ids=post_ids) if post_ids else []
    return {post.pk: (post.holder.get_full_name() or post.holder.username) if post.holder else "" for post in posts}
