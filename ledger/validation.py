"""Import, step two: validating each row as the browser's finding form would, and flagging duplicates.

`check_import` reads the file (`ledger.reading`), resolves the words of each row — industries,
counties, units and campaigns by name or code, levels and sources by label or synonym
(`data/synonyms.json`) — within the importer's own scope, checks the row with `FindingForm`, and
keeps the unsaved hazard it makes. Nothing is written: the writes are
`hazards.workflow.import_findings`.
"""

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter

from accounts.models import Industry, Organization, Region, User
from accounts.scope import counties_for, industries_for, units_for
from hazards.forms import FindingForm
from hazards.models import Hazard, HazardState
from hazards.workflow import ImportedHistory
from inspections.models import Campaign
from ledger.columns import VALUE_SYNONYMS
from ledger.reading import ImportCheck, ImportMapping, ImportRow, cell_text, is_blank, read_import

DATE_PATTERNS = [
    re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: object) -> dt.date | None:
    """A date from an Excel date, an Excel serial number or text in the formats Chinese ledgers use."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value < 2958466:  # Excel's serial days, up to 9999-12-31
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        return None
    text = str(value).strip()
    for pattern in DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            try:
                return dt.date(*(int(part) for part in match.groups()))
            except ValueError:
                return None
    return None


def parse_funds(value: object) -> Decimal | None:
    """An amount in 万元 from a number or text such as “1.5”, “1.5万元” or “1.5万”."""
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, (int, float, Decimal)):
        amount = Decimal(str(value))
    else:
        text = re.sub(r"(万元|万|元)$", "", str(value).strip().replace(",", "").replace("，", ""))
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError from None
    if amount < 0 or amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e10"):
        raise ValueError
    return amount


def name_key(value: object) -> str:
    """Names compared as people mean them: spaces and bracket widths do not matter."""
    text = str(value).strip().replace("（", "(").replace("）", ")")
    return re.sub(r"\s+", "", text).casefold()


def shown_value(value: object) -> str:
    """A cell's value as a page shows it: dates as dates, whole numbers without “.0”."""
    return cell_text(value)


class _Choices:
    """A choice field's accepted words: the stored value, its label in each language, and synonyms."""

    def __init__(self, choices: Sequence[tuple[str, object]], synonyms: dict[str, tuple[str, ...]]) -> None:
        self.values: dict[str, str] = {}
        self.choices = choices
        self.labels = [str(label) for _value, label in choices]
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for value, label in choices:
                    self.values.setdefault(name_key(label), value)
        for value, _label in choices:
            self.values.setdefault(name_key(value), value)
        self.own_words = set(self.values)
        for value, _label in choices:
            for synonym in synonyms.get(value, ()):
                self.values.setdefault(name_key(synonym), value)

    def is_own_word(self, text: str) -> bool:
        """Whether a word is the stored value or a label of a choice (not a synonym or mapping)."""
        return name_key(text) in self.own_words

    def learn(self, words: dict[str, str]) -> None:
        """An organisation's or profile's own words (word key → stored value), taken before the synonyms."""
        known = set(self.values.values())
        self.values.update({word: value for word, value in words.items() if value in known})

    def get(self, text: str) -> str | None:
        return self.values.get(name_key(text))

    def label(self, value: str) -> str:
        return next((str(label) for stored, label in self.choices if stored == value), value)


class _Resolver:
    """Turns the words of a ledger into the user's industries, counties, units and campaigns (queries once)."""

    def __init__(self, actor: User, rows: list[ImportRow], mapping: ImportMapping) -> None:
        self.actor = actor
        self.industries = self._industries(industries_for(actor), mapping.values.get("industry", {}))
        self.all_industries = self._industries(Industry.objects.select_related("parent"), {})
        counties = list(counties_for(actor).select_related("parent"))
        self.counties = self._counties(counties)
        self.all_counties = self._counties(Region.objects.filter(level=Region.Level.COUNTY).select_related("parent"))
        self.campaigns = {name_key(campaign.name): campaign for campaign in Campaign.objects.filter(is_active=True)}
        self.levels = _Choices(Hazard.Level.choices, VALUE_SYNONYMS["level"])
        self.kinds = _Choices(Hazard.Kind.choices, VALUE_SYNONYMS["kind"])
        self.sources = _Choices(Hazard.Source.choices, VALUE_SYNONYMS["source"])
        for name, choices in (("level", self.levels), ("kind", self.kinds), ("source", self.sources)):
            choices.learn(mapping.values.get(name, {}))
        self.yes_no = _Choices([("yes", _("Yes")), ("no", _("No"))], VALUE_SYNONYMS["yes_no"])
        self.yes_no.learn(mapping.values.get("yes_no", {}))
        self.states = _Choices(HazardState.choices, VALUE_SYNONYMS["state"])
        self.states.learn(mapping.values.get("state", {}))
        self.units = self._units(rows)
        self.registered_names = self._registered_names(rows)
        self.colleagues = self._colleagues(rows)
        # The objects the rows may name, by primary key, for the finding form (no query per row).
        self.form: _ImportedFindingForm | None = None
        self.known: dict[str, dict[str, Any]] = {
            "industry": {str(industry.pk): industry for industry in self.industries.values()},
            "region": {str(county.pk): county for county in self.counties.values()},
            "unit": {str(unit.pk): unit for units in self.units.values() for unit in units},
            "campaign": {str(campaign.pk): campaign for campaign in self.campaigns.values()},
        }

    @staticmethod
    def _industries(industries: Iterable[Industry], own_words: dict[str, str]) -> dict[str, Industry]:
        """Word → industry: its code and names, the synonyms of data/synonyms.json, and the organisation's own words."""
        found: dict[str, Industry] = {}
        by_code: dict[str, Industry] = {}
        for industry in industries:
            by_code[industry.code] = industry
            names = [industry.code, industry.name_zh, industry.name_en]
            parent = industry.parent  # fetched with the industry (select_related): no query
            if parent is not None:
                names += [f"{parent.name_zh}·{industry.name_zh}", f"{parent.name_en}·{industry.name_en}"]
            for name in names:
                found.setdefault(name_key(name).replace("·", ""), industry)
        for word, code in own_words.items():
            if code in by_code:
                found[word] = by_code[code]
        for code, words in VALUE_SYNONYMS["industry"].items():
            for word in words:
                if code in by_code:
                    found.setdefault(name_key(word).replace("·", ""), by_code[code])
        return found

    @staticmethod
    def _counties(counties: Iterable[Region]) -> dict[str, Region]:
        found: dict[str, Region] = {}
        for county in counties:
            city = county.parent.name if county.parent is not None else ""  # fetched with the county
            for name in (county.code, county.name, f"{city}{county.name}", f"湖南省{city}{county.name}"):
                found.setdefault(name_key(name), county)
        return found

    def _units(self, rows: list[ImportRow]) -> dict[str, list[Organization]]:
        words = set()
        for row in rows:
            for key in ("unit", "credit_code", "rectifying_unit"):
                if not is_blank(row.values.get(key)):
                    words.add(cell_text(row.values[key]))
        if not words:
            return {}
        codes = {word.upper() for word in words if len(word) == 18}
        # Names as written, without spaces, and with either width of brackets: one query however many rows.
        names = set()
        for word in words:
            for variant in (word, re.sub(r"\s+", "", word)):
                names |= {
                    variant,
                    variant.replace("(", "（").replace(")", "）"),
                    variant.replace("（", "(").replace("）", ")"),
                }
        units = units_for(self.actor).filter(Q(name__in=names) | Q(credit_code__in=codes))
        found: dict[str, list[Organization]] = defaultdict(list)
        for unit in units:
            found[name_key(unit.name)].append(unit)
            if unit.credit_code:
                found[name_key(unit.credit_code)].append(unit)
        return found

    def _registered_names(self, rows: list[ImportRow]) -> set[str]:
        """The unit names of the file that name a registered unit anywhere, in scope or not (one query)."""
        words = {cell_text(row.values["unit"]) for row in rows if not is_blank(row.values.get("unit"))}
        if not words:
            return set()
        names = Organization.objects.filter(name__in=words | {re.sub(r"\s+", "", word) for word in words})
        return {name_key(name) for name in names.values_list("name", flat=True)}

    def _colleagues(self, rows: list[ImportRow]) -> dict[str, User]:
        """Active users of the importer's organisation by full name and username, when the file names people."""
        if self.actor.organization_id is None or not any(
            not is_blank(row.values.get(key)) for row in rows for key in ("finder", "reviewer")
        ):
            return {}
        found: dict[str, User] = {}
        for person in User.objects.filter(organization_id=self.actor.organization_id, is_active=True):
            for name in (person.username, f"{person.last_name}{person.first_name}"):
                if name:
                    found.setdefault(name_key(name), person)
        return found

    def finding_form(self, data: MultiValueDict) -> "_ImportedFindingForm":
        if self.form is None:
            self.form = _ImportedFindingForm(data, MultiValueDict(), user=self.actor, known=self.known)
        else:
            self.form.rebind(data)
        return self.form

    def colleague(self, name: str) -> User | None:
        return self.colleagues.get(name_key(name))

    def is_registered(self, text: str) -> bool:
        return name_key(text) in self.units or name_key(text) in self.registered_names

    def industry(self, text: str) -> tuple[Industry | None, str]:
        key = name_key(text).replace("·", "")
        if key in self.industries:
            return self.industries[key], ""
        if key in self.all_industries:
            return None, _("“%(value)s” is outside the industries you may record.") % {"value": text}
        return None, _("“%(value)s” is not an industry of the taxonomy (see the allowed values in the template).") % {
            "value": text
        }

    def is_known_industry(self, text: str) -> bool:
        return name_key(text).replace("·", "") in self.all_industries

    def county(self, text: str, city: str = "") -> tuple[Region | None, str]:
        key = name_key(text)
        county = self.counties.get(key) or (self.counties.get(name_key(city) + key) if city else None)
        if county is not None:
            return county, ""
        if key in self.all_counties:
            return None, _("%(value)s is outside your jurisdiction.") % {"value": text}
        return None, _("“%(value)s” is not a county of Hunan (write its name or six-digit code).") % {"value": text}

    def unit(self, text: str, county: Region | None) -> tuple[Organization | None, str]:
        candidates = list({unit.pk: unit for unit in self.units.get(name_key(text), [])}.values())
        if len(candidates) > 1 and county is not None:
            candidates = [unit for unit in candidates if unit.region_id == county.pk] or candidates
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            return None, _("Several units are called “%(value)s”: write the unified social credit code instead.") % {
                "value": text
            }
        return None, _(
            "No registered unit “%(value)s” in your jurisdiction: write its exact name or its unified social credit "
            "code, or put the place in the Site column."
        ) % {"value": text}


class _ImportedFindingForm(FindingForm):
    """The browser's finding form, its references taken from those the import looked up once.

    Each row's industry, county, unit and campaign was resolved within the importer's scope by the
    same querysets (`_Resolver`): looking each up again and checking that it exists cost ~7
    queries a row, minutes for 5,000 rows. The model's check constraints (funds, deadline, unit or
    site) are the import's own checks before, and the database's on insert.
    """

    REFERENCES = ("industry", "region", "unit", "campaign")

    def __init__(self, *args: Any, known: dict[str, dict[str, Any]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.REFERENCES:
            self.fields[name].to_python = partial(_known_choice, self.fields[name], known[name])  # type: ignore[method-assign]

    def rebind(self, data: MultiValueDict) -> None:
        """The same form for the next row: its fields and querysets are built once per import, not per row."""
        self.data = data
        self.is_bound = True
        self._errors = None
        self._bound_fields_cache: dict[str, Any] = {}
        self.instance = Hazard()

    def _get_validation_exclusions(self) -> set[str]:
        return {*super()._get_validation_exclusions(), *self.REFERENCES}  # type: ignore[misc]  # not in the stubs

    def _post_clean(self) -> None:
        self.instance.validate_constraints = lambda exclude=None: None
        try:
            super()._post_clean()  # type: ignore[misc]  # not in the stubs
        finally:
            del self.instance.validate_constraints


def _known_choice(field: Any, objects: dict[str, Any], value: Any) -> Any:
    if value in field.empty_values:
        return None
    try:
        return objects[str(value)]
    except KeyError:
        raise ValidationError(field.error_messages["invalid_choice"], code="invalid_choice") from None


# Which column holds each field of the finding form, with fallbacks when a file lacks that column.
FIELD_COLUMNS = {
    "title": ("title",),
    "description": ("description", "title"),
    "industry": ("industry",),
    "level": ("level",),
    "kind": ("kind",),
    "legal_basis": ("legal_basis",),
    "source": ("source",),
    "campaign": ("campaign",),
    "region": ("county",),
    "unit": ("unit", "credit_code"),
    "site_name": ("site", "unit", "credit_code"),
    "location": ("location",),
    "found_on": ("found_on",),
}


def check_import(stream: BinaryIO, *, actor: User, file_name: str, mapping: ImportMapping | None = None) -> ImportCheck:
    """Read and validate a ledger file as `actor` would record its findings; nothing is written.

    Every row is checked with the browser's own finding form (scope of counties, industries and
    units included); likely duplicates (same unit or site, same title, found within 30 days of a
    finding already on the ledger or of an earlier row) are flagged.
    """
    mapping = mapping or ImportMapping()
    check = read_import(stream, file_name=file_name, column_mapping=mapping.columns)
    if check.error:
        return check
    resolver = _Resolver(actor, check.rows, mapping)
    index_of = {key: index for index, key in check.columns.items()}
    for row in check.rows:
        _validate(row, resolver, index_of, actor, check)
    _flag_duplicates(check, actor)
    return check


def _read_as(check: ImportCheck, field: str, text: str, shown: str) -> None:
    """Note a value read in the ledger's own words (shown in the dry run)."""
    check.mapped_values.setdefault((field, text), shown)


def _validate(row: ImportRow, resolver: _Resolver, index_of: dict[str, int], actor: User, check: ImportCheck) -> None:
    """Check one row as the browser's finding form would, naming the cell of each problem; keep its hazard."""

    def cell(key: str) -> str:
        index = index_of.get(key)
        return f"{get_column_letter(index + 1)}{row.number}" if index is not None else str(row.number)

    def fail(key: str, message: str) -> None:
        if key in index_of:
            row.bad_columns.add(index_of[key])
        row.errors.append(f"{cell(key)}: {message}")

    values = {key: value for key, value in row.values.items() if not is_blank(value)}
    data: MultiValueDict[str, Any] = MultiValueDict()
    for key in ("title", "legal_basis", "location"):
        if key in values:
            data[key] = cell_text(values[key])
    data["site_name"] = cell_text(values.get("site", ""))
    data["description"] = cell_text(values.get("description") or values.get("title") or "")
    for key, choices, default in (
        ("level", resolver.levels, Hazard.Level.GENERAL),
        ("kind", resolver.kinds, Hazard.Kind.THING_STATE),
        ("source", resolver.sources, Hazard.Source.INSPECTION),
    ):
        if key not in values:
            data[key] = default
            continue
        text = cell_text(values[key])
        value = choices.get(text)
        if value is None:
            check.unknown_values.setdefault((key, text), []).append(row.number)
            fail(
                key,
                _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "、".join(choices.labels)},
            )
        else:
            data[key] = value
            if not choices.is_own_word(text):
                _read_as(check, key, text, choices.label(value))
    if "industry" in values:
        text = cell_text(values["industry"])
        industry, message = resolver.industry(text)
        if industry is None:
            if not resolver.is_known_industry(text):
                check.unknown_values.setdefault(("industry", text), []).append(row.number)
            fail("industry", message)
        else:
            data["industry"] = str(industry.pk)
            if name_key(text).replace("·", "") not in (name_key(industry.name_zh), name_key(industry.name_en)):
                _read_as(check, "industry", text, industry.name)
    county = None
    if "county" in values:
        county, message = resolver.county(cell_text(values["county"]), cell_text(row.values.get("city", "")))
        if county is None:
            fail("county", message)
        else:
            data["region"] = county.pk
    for key in ("unit", "credit_code"):
        if key in values:
            text = cell_text(values[key])
            unit, message = resolver.unit(text, county)
            if unit is None and key == "unit" and county is not None and not resolver.is_registered(text):
                # A unit the register does not know (a shop, a site, a self-built house): recorded as a site.
                check.unregistered.setdefault(text, []).append(row.number)
                row.unregistered_unit, row.unregistered_key = text, f"{county.pk}:{name_key(text)}"
                if not data["site_name"]:
                    data["site_name"] = text
                continue
            if unit is None:
                fail(key, message)
            elif "unit" in data and data["unit"] != str(unit.pk):
                fail(key, _("The unit's name and credit code name two different units."))
            else:
                data["unit"] = str(unit.pk)
    if "campaign" in values:
        campaign = resolver.campaigns.get(name_key(values["campaign"]))
        if campaign is None:
            fail("campaign", _("No active campaign is called “%(value)s”.") % {"value": cell_text(values["campaign"])})
        else:
            data["campaign"] = str(campaign.pk)
    found_on = None
    if "found_on" in values:
        found_on = parse_date(values["found_on"])
        if found_on is None:
            fail(
                "found_on",
                _("“%(value)s” is not a date (write it as 2026-03-05).") % {"value": cell_text(values["found_on"])},
            )
        else:
            data["found_on"] = found_on.isoformat()
            row.values["found_on"] = found_on
    plan: dict[str, Any] = {}
    if "deadline" in values:
        deadline = parse_date(values["deadline"])
        if deadline is None:
            fail(
                "deadline",
                _("“%(value)s” is not a date (write it as 2026-03-05).") % {"value": cell_text(values["deadline"])},
            )
        elif found_on is not None and deadline < found_on:
            fail("deadline", _("The deadline is before the date found."))
        else:
            plan["deadline"] = deadline
            row.values["deadline"] = deadline
    if "funds" in values:
        try:
            plan["funds"] = parse_funds(values["funds"])
        except ValueError:
            fail(
                "funds",
                _("“%(value)s” is not an amount of 10,000 yuan (a number, zero or more, two decimals at most).")
                % {"value": cell_text(values["funds"])},
            )
    if "rectifying_unit" in values:
        unit, message = resolver.unit(cell_text(values["rectifying_unit"]), county)
        if unit is None:
            fail("rectifying_unit", message)
        else:
            plan["rectifying_unit"] = unit
    for key, limit in (("measures", None), ("responsible_person", 100)):
        if key in values:
            text = cell_text(values[key])
            if limit and len(text) > limit:
                fail(key, _("At most %(limit)d characters.") % {"limit": limit})
            plan[key] = text

    form = resolver.finding_form(data)
    if not form.is_valid():
        for name, messages in form.errors.items():
            if name == "__all__":
                row.errors += [f"{row.number}: {message}" for message in messages]
                continue
            keys = FIELD_COLUMNS.get(name, ())
            key = next((key for key in keys if key in index_of), keys[0] if keys else "")
            if any(error.startswith(cell(key)) for error in row.errors):
                continue  # already said more precisely
            for form_message in messages:
                fail(key, str(form_message))
    history = _history(values, found_on, resolver, check, fail)
    if row.errors:
        return
    hazard = form.save(commit=False)
    for name, value in plan.items():
        setattr(hazard, name, value)
    if "finder" in values:
        finder = cell_text(values["finder"])
        person = resolver.colleague(finder)
        if person is not None:
            hazard.found_by = person
        else:
            hazard.finder_name = finder[:100]
    hazard.remarks = cell_text(values.get("remarks", ""))
    row.hazard = hazard
    row.history = history


def _history(
    values: dict[str, Any], found_on: dt.date | None, resolver: "_Resolver", check: ImportCheck, fail: Any
) -> ImportedHistory | None:
    """What a past row says happened after the finding (README: "Historical ledgers"), or None."""
    if not ({"rectified", "state", "review_date", "review_result"} & set(values)) or found_on is None:
        return None
    today = timezone.localdate()

    def day(key: str) -> dt.date | None:
        if key not in values:
            return None
        value = parse_date(values[key])
        if value is None:
            fail(key, _("“%(value)s” is not a date (write it as 2026-03-05).") % {"value": cell_text(values[key])})
        elif value > today:
            fail(key, _("This date is in the future."))
        elif value < found_on:
            fail(key, _("This date is before the date found."))
        return value

    def yes_no(key: str) -> bool | None:
        if key not in values:
            return None
        text = cell_text(values[key])
        answer = resolver.yes_no.get(text)
        if answer is None:
            check.unknown_values.setdefault(("yes_no", text), [])
            fail(key, _("“%(value)s” is not one of: %(choices)s.") % {"value": text, "choices": "是、否、√、×"})
            return None
        if not resolver.yes_no.is_own_word(text):
            _read_as(check, "yes_no", text, resolver.yes_no.label(answer))
        return answer == "yes"

    rectified, reviewed_on, passed = yes_no("rectified"), day("review_date"), yes_no("review_result")
    if "state" in values:
        # A state column says as much as 整改情况: rectified once submitted; accepted only with a review record.
        text = cell_text(values["state"])
        state = resolver.states.get(text)
        if state is None:
            check.unknown_values.setdefault(("state", text), [])
            fail(
                "state",
                _("“%(value)s” is not one of: %(choices)s.")
                % {"value": text, "choices": "、".join(resolver.states.labels)},
            )
        else:
            if not resolver.states.is_own_word(text):
                _read_as(check, "state", text, resolver.states.label(state))
            rectified = rectified or state in (HazardState.SUBMITTED, HazardState.VERIFIED, HazardState.CLOSED)
    reviewer = cell_text(values.get("reviewer", ""))
    accepted = reviewed_on is not None and passed is not False
    if not (rectified or accepted):
        return None
    notes = [
        f"{check.headers_by_key.get(key, key)}: {cell_text(values[key])}"
        for key in ("rectified", "review_result")
        if key in values
    ]
    opinion = "；".join([*notes, *([_("Reviewer: %(name)s") % {"name": reviewer}] if reviewer else [])])
    deadline = parse_date(values["deadline"]) if "deadline" in values else None
    rectified_on = reviewed_on or (deadline if deadline and deadline <= today else found_on)
    return ImportedHistory(
        rectified_on=rectified_on,
        accepted_on=reviewed_on if accepted else None,
        acceptor=resolver.colleague(reviewer) if reviewer else None,
        opinion=opinion or _("Accepted, as the imported ledger records."),
        note=_("As the imported ledger says: %(notes)s") % {"notes": "；".join(notes)} if notes else "",
    )


DUPLICATE_WINDOW = dt.timedelta(days=30)


def _place_key(hazard: Hazard) -> tuple:
    return ("unit", hazard.unit_id) if hazard.unit_id else ("site", name_key(hazard.site_name))


def _flag_duplicates(check: ImportCheck, actor: User) -> None:
    """Same unit (or site), same title, found within 30 days: of a hazard on the ledger, or of an earlier row."""
    valid = [(row, hazard) for row in check.rows if (hazard := row.hazard) is not None]
    if not valid:
        return
    titles = {hazard.title.strip() for _row, hazard in valid}
    dates = [hazard.found_on for _row, hazard in valid]
    existing = (
        Hazard.objects.visible_to(actor)
        .exclude(state=HazardState.VOID)
        .filter(
            title__in=titles, found_on__gte=min(dates) - DUPLICATE_WINDOW, found_on__lte=max(dates) + DUPLICATE_WINDOW
        )
        .values_list("number", "title", "unit_id", "site_name", "found_on")
    )
    on_ledger: dict[tuple, list[tuple[dt.date, str]]] = defaultdict(list)
    for number, title, unit_id, site_name, found_on in existing:
        place = ("unit", unit_id) if unit_id else ("site", name_key(site_name))
        on_ledger[(place, title.strip())].append((found_on, number))
    in_file: dict[tuple, list[tuple[dt.date, int]]] = defaultdict(list)
    for row, hazard in valid:
        key = (_place_key(hazard), hazard.title.strip())
        found_on = hazard.found_on
        match = next((number for day, number in on_ledger.get(key, []) if abs(day - found_on) <= DUPLICATE_WINDOW), "")
        if not match:
            earlier = next((number for day, number in in_file[key] if abs(day - found_on) <= DUPLICATE_WINDOW), None)
            match = _("row %(row)d") % {"row": earlier} if earlier else ""
        row.duplicate_of = match
        in_file[key].append((found_on, row.number))
