"""Column and value mapping, once: the upload page asks about what it does not know, keeps the answer for the
organisation, and the next file of the same shape imports without asking; administrators share named
profiles, which the command takes with --profile."""

import pytest
from django.core.management import CommandError, call_command

from hazards.models import Hazard
from ledger.models import ImportProfile
from tests.ledger.test_import import page_text, upload, workbook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

# An enterprise check export: 检查项 is the hazard, 检查区域 the location, 责任区域 the county; 防火 an industry word.
HEADERS = ["检查项", "行业", "责任区域", "检查对象", "检查区域", "检查日期"]


def rows(title: str = "灭火器过期") -> list[list]:
    return [
        [title, "烟花爆竹零售", "浏阳市", "浏阳某零售点", "仓库", "2026-06-01"],
        [f"{title}二", "花炮零售", "浏阳市", "浏阳某零售点", "门店", "2026-06-02"],
    ]


def test_an_unfamiliar_ledger_asks_once_and_the_next_of_its_shape_imports_without_asking(client, inspector):
    client.force_login(inspector)
    response = upload(client, workbook(rows(), HEADERS))
    text = page_text(response)
    assert response.status_code == 400 and Hazard.objects.count() == 0
    assert "has no column for: Hazard" in text
    assert "Column A “检查项”" in text and "Column C “责任区域”" in text and "e.g. 灭火器过期、灭火器过期二" in text
    token = response.context["token"]
    # The columns first (a required one is missing, so the rows cannot be read yet) …
    response = client.post(
        "/hazards/import/",
        {"token": token, "action": "map", "column_0": "title", "column_2": "county", "column_4": "location"},
    )
    assert response.context["check"].columns == {
        0: "title",
        1: "industry",
        2: "county",
        3: "site",
        4: "location",
        5: "found_on",
    }
    # … then the word no industry has.
    assert response.context["check"].unknown_values == {("industry", "花炮零售"): [3]}
    assert "Industry: “花炮零售”" in page_text(response)
    response = client.post("/hazards/import/", {"token": token, "action": "map", "value_0": "fireworks-retail"})
    check = response.context["check"]
    assert check.is_valid and check.mapped_values == {("industry", "花炮零售"): "Fireworks retail"}
    assert "花炮零售 → Fireworks retail" in page_text(response)
    assert client.post("/hazards/import/", {"token": token, "action": "import"}).status_code == 302
    assert sorted(Hazard.objects.values_list("location", flat=True)) == ["仓库", "门店"]
    own = ImportProfile.objects.get(organization=inspector.organization)
    assert own.columns == {"检查项": "title", "责任区域": "county", "检查区域": "location"}
    assert own.values == {"industry": {"花炮零售": "fireworks-retail"}}
    # The next file of the same shape: no question, straight in.
    assert upload(client, workbook(rows("通道堵塞"), HEADERS)).status_code == 302
    assert Hazard.objects.count() == 4


def test_a_column_left_out_is_not_asked_about_again(client, inspector):
    headers = ["隐患名称", "行业", "县区", "场所", "排查日期", "内部编号"]
    data = [["灭火器过期", "烟花爆竹零售", "浏阳市", "浏阳某零售点", "2026-06-01", "X-1"]]
    client.force_login(inspector)
    first = upload(client, workbook(data, headers))
    assert first.status_code == 200 and Hazard.objects.count() == 0
    assert "Column F “内部编号”" in page_text(first) and "map them above, or import it without them" in page_text(first)
    client.post("/hazards/import/", {"token": first.context["token"], "action": "map", "column_5": ""})
    assert ImportProfile.objects.get(organization=inspector.organization).columns == {"内部编号": ""}
    again = upload(client, workbook(data, headers))
    assert again.status_code == 302 and Hazard.objects.count() == 1


def test_the_mapping_is_the_organisations_and_another_ones_users_are_asked(client, inspector, head):
    ImportProfile.objects.create(organization=head.organization, columns={"检查项": "title"})
    client.force_login(inspector)
    assert "has no column for: Hazard" in page_text(upload(client, workbook(rows(), HEADERS)))


def test_a_named_profile_maps_on_the_page_and_in_the_command(client, inspector, tmp_path, capsys):
    ImportProfile.objects.create(
        name="某企业检查导出",
        columns={"检查项": "title", "责任区域": "county", "检查区域": "location"},
        values={"industry": {"花炮零售": "fireworks-retail"}},
    )
    path = tmp_path / "export.xlsx"
    path.write_bytes(workbook(rows(), HEADERS))
    with pytest.raises(CommandError, match="no import profile named 'nope' \\(there are: 某企业检查导出\\)"):
        call_command("import_ledger", str(path), "--user", "inspector", "--profile", "nope")
    call_command("import_ledger", str(path), "--user", "inspector", "--profile", "某企业检查导出", "--language", "en")
    assert "2 findings imported" in capsys.readouterr().out
    client.force_login(inspector)
    profile = ImportProfile.objects.get(name="某企业检查导出")
    response = client.post(
        "/hazards/import/",
        {"file": _file(workbook(rows("另一批"), HEADERS)), "profile": profile.pk, "action": "import"},
    )
    assert response.status_code == 302 and Hazard.objects.count() == 4


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("export.xlsx", content)
