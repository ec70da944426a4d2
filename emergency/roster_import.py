"""Import a month's duty roster from the workbook a bureau keeps: all rows or none, errors by cell.

Columns (found by header, in any order): 日期, 班次 (全天 / 白班 / 夜班; 全天 when empty),
带班领导, 值班人员 (names separated by 、，, or spaces), 值班电话. People are matched by full name or
username among the body's active users.
"""

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from accounts.models import Organization, User
from emergency.duty import put_shift
from emergency.models import DutyShift

MAX_BYTES = 2 * 1024 * 1024  # a month's roster is a few kilobytes
MAX_UNPACKED = 20 * 1024 * 1024
MAX_ROWS = 400
HEADERS = {
    "duty_date": ("日期", "值班日期", "date"),
    "kind": ("班次", "shift"),
    "leading_cadre": ("带班领导", "leading cadre"),
    "officers": ("值班人员", "值班员", "duty officers"),
    "phone": ("值班电话", "电话", "phone"),
}
KINDS = {
    "全天": DutyShift.Kind.FULL_DAY,
    "24小时": DutyShift.Kind.FULL_DAY,
    "": DutyShift.Kind.FULL_DAY,
    "白班": DutyShift.Kind.DAY,
    "日班": DutyShift.Kind.DAY,
    "夜班": DutyShift.Kind.NIGHT,
}
KINDS.update(
    {value.label.lower(): value for value in DutyShift.Kind} | {value.value: value for value in DutyShift.Kind}
)


@dataclass
class RosterRow:
    day: date
    kind: str
    leading_cadre: User | None
    officers: list[User]
    phone: str


@dataclass
class RosterResult:
    errors: list[str] = field(default_factory=list)
    shifts: list[RosterRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.shifts)

    @property
    def count(self) -> int:
        return len(self.shifts)

    @property
    def first_day(self) -> date:
        return min(shift.day for shift in self.shifts)


def _rows(upload) -> list[tuple]:
    if upload.size > MAX_BYTES:
        raise ValueError(_("The file is larger than 2 MB; a month's roster is far smaller."))
    try:
        with zipfile.ZipFile(upload) as archive:
            if sum(entry.file_size for entry in archive.infolist()) > MAX_UNPACKED:
                raise ValueError(_("The workbook unpacks to more than 20 MB; it is not a roster."))
        upload.seek(0)
        book = load_workbook(upload, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError) as error:
        raise ValueError(_("This is not an .xlsx workbook (%(error)s).") % {"error": error}) from error
    sheet = book.worksheets[0]
    sheet.reset_dimensions()  # read every row, whatever the file's <dimension> says
    rows = []
    for row in sheet.iter_rows(values_only=True):
        rows.append(row)
        if len(rows) > MAX_ROWS + 1:
            raise ValueError(_("More than %(max)s rows: import one month at a time.") % {"max": MAX_ROWS})
    book.close()
    return rows


def _person(name: str, people: dict[str, User]) -> User | None:
    return people.get(name.strip())


def import_roster(upload, *, organization: Organization, dry_run: bool = False) -> RosterResult:
    result = RosterResult()
    try:
        rows = _rows(upload)
    except ValueError as error:
        result.errors.append(str(error))
        return result
    if not rows:
        result.errors.append(_("The sheet is empty."))
        return result
    header = [str(cell or "").strip().lower() for cell in rows[0]]
    columns = {}
    for key, names in HEADERS.items():
        found = [index for index, text in enumerate(header) if text in {name.lower() for name in names}]
        if found:
            columns[key] = found[0]
    missing = [HEADERS[key][0] for key in ("duty_date", "leading_cadre", "officers") if key not in columns]
    if missing:
        result.errors.append(_("Row 1: no column %(names)s.") % {"names": "、".join(missing)})
        return result
    people: dict[str, User] = {}
    for user in User.objects.filter(organization=organization, is_active=True):
        people[user.username] = user
        if user.get_full_name():
            people[user.get_full_name()] = user
    for number, row in enumerate(rows[1:], start=2):
        cells = {key: (row[index] if index < len(row) else None) for key, index in columns.items()}
        if all(value in (None, "") for value in cells.values()):
            continue
        errors_before = len(result.errors)
        day = cells["duty_date"]
        if isinstance(day, datetime):
            day = day.date()
        elif isinstance(day, str):
            try:
                day = date.fromisoformat(day.strip().replace("/", "-"))
            except ValueError:
                day = None
        if not isinstance(day, date):
            result.errors.append(
                _("Row %(row)s, 日期: “%(value)s” is not a date (write 2026-10-01).")
                % {"row": number, "value": cells["duty_date"]}
            )
        kind = KINDS.get(str(cells.get("kind") or "").strip().lower())
        if kind is None:
            result.errors.append(
                _("Row %(row)s, 班次: “%(value)s” is not 全天, 白班 or 夜班.")
                % {"row": number, "value": cells.get("kind")}
            )
        leader_name = str(cells["leading_cadre"] or "").strip()
        leader = _person(leader_name, people) if leader_name else None
        if leader_name and leader is None:
            result.errors.append(
                _("Row %(row)s, 带班领导: nobody named “%(name)s” works at %(body)s.")
                % {"row": number, "name": leader_name, "body": organization.name}
            )
        officers = []
        for name in [part for part in re.split(r"[、，,\s]+", str(cells["officers"] or "")) if part]:
            officer = _person(name, people)
            if officer is None:
                result.errors.append(
                    _("Row %(row)s, 值班人员: nobody named “%(name)s” works at %(body)s.")
                    % {"row": number, "name": name, "body": organization.name}
                )
            else:
                officers.append(officer)
        if not officers and len(result.errors) == errors_before:
            result.errors.append(_("Row %(row)s, 值班人员: a shift needs at least one duty officer.") % {"row": number})
        if len(result.errors) == errors_before:
            assert isinstance(day, date) and kind is not None  # checked above
            phone = str(cells.get("phone") or "").strip()[:30]
            result.shifts.append(RosterRow(day=day, kind=kind, leading_cadre=leader, officers=officers, phone=phone))
    keys = [(shift.day, shift.kind) for shift in result.shifts]
    if len(set(keys)) != len(keys):
        result.errors.append(_("The same day and shift appear twice."))
    if result.errors or dry_run:
        return result
    with transaction.atomic():
        for entry in result.shifts:
            put_shift(
                organization,
                entry.day,
                kind=entry.kind,
                leading_cadre=entry.leading_cadre,
                officers=entry.officers,
                phone=entry.phone,
            )
    return result
