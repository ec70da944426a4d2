"""Issue 13 item 13: a photo carries its facts — when it was taken (EXIF, else the upload), where (EXIF
GPS, or the phone's position given with consent), and who — shown on its thumbnail; before and after
stand side by side on the hazard's page and in the acceptance form."""

import io
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from hazards.models import Attachment
from hazards.uploads import store_upload
from tests.hazards.workflow_helpers import element, move_to, report, text

pytestmark = pytest.mark.usefixtures("frozen_today")

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(*, taken: str | None = None, gps: bool = False, name: str = "现场.jpg") -> SimpleUploadedFile:
    exif = Image.Exif()
    if taken:
        exif[0x8769] = {0x9003: taken}
    if gps:  # 28°9'36"N 113°37'48"E: 浏阳
        exif[0x8825] = {1: "N", 2: (28.0, 9.0, 36.0), 3: "E", 4: (113.0, 37.0, 48.0)}
    output = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 160, 60)).save(output, "JPEG", exif=exif)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def test_a_photo_keeps_the_time_and_place_in_its_exif(inspector):
    photo = store_upload(jpeg(taken="2026:06:14 09:30:00", gps=True), user=inspector, stage="before")

    assert photo.taken_at == datetime(2026, 6, 14, 9, 30, tzinfo=SHANGHAI)
    assert (photo.latitude, photo.longitude) == (Decimal("28.160000"), Decimal("113.630000"))


def test_the_phones_position_is_kept_only_when_given_and_never_over_the_exif(inspector):
    plain = store_upload(jpeg(), user=inspector, stage="before")
    located = store_upload(jpeg(), user=inspector, stage="before", position=(Decimal("28.1"), Decimal("113.6")))
    exif = store_upload(jpeg(gps=True), user=inspector, stage="before", position=(Decimal("1"), Decimal("2")))

    assert (plain.taken_at, plain.latitude) == (None, None)
    assert (located.latitude, located.longitude) == (Decimal("28.1"), Decimal("113.6"))
    assert exif.latitude == Decimal("28.160000")


def test_the_form_takes_the_position_the_phone_gave_with_consent(client, inspector, head, rectifier):
    hazard = move_to(report(inspector, unit=rectifier.organization), "rectifying", head=head, rectifier=rectifier)
    client.force_login(rectifier)

    client.post(
        f"/hazards/{hazard.pk}/act/submit/",
        {
            "submit-version": hazard.version,
            "submit-completion_report": "已整改。",
            "submit-after_photos": jpeg(name="整改后.jpg"),
            "submit-after_photos_position": "28.151234,113.632100",
        },
    )
    bad = client.post(
        f"/hazards/{hazard.pk}/act/submit/",
        {
            "submit-version": 0,
            "submit-after_photos": jpeg(name="乱码.jpg"),
            "submit-after_photos_position": "北纬,东经",
        },
    )

    after = Attachment.objects.get(original_name="整改后.jpg")
    assert (after.latitude, after.longitude) == (Decimal("28.151234"), Decimal("113.632100"))
    assert bad.status_code == 400 and Attachment.objects.get(original_name="乱码.jpg").latitude is None


def test_each_thumbnail_says_when_where_and_who(client, inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    photo = store_upload(jpeg(taken="2026:06:14 09:30:00", gps=True), user=inspector, stage="before")
    Attachment.objects.filter(pk=photo.pk).update(hazard=hazard)
    client.force_login(head)

    caption = text(element(client.get(f"/hazards/{hazard.pk}/").content.decode(), "<figcaption", "</figcaption>"))

    assert "2026-06-14 09:30" in caption and inspector.get_full_name() in caption and "28.16000, 113.63000" in caption


def test_before_and_after_stand_side_by_side_on_the_page_and_in_the_acceptance_form(client, inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    photo = store_upload(jpeg(name="整改前.jpg"), user=inspector, stage="before")
    Attachment.objects.filter(pk=photo.pk).update(hazard=hazard)
    move_to(hazard, "submitted", head=head, rectifier=rectifier)
    client.force_login(head)

    html = client.get(f"/hazards/{hazard.pk}/").content.decode()

    assert html.count('data-testid="before-after"') == 2
    form = html[html.index('id="action-verify"') :]
    pair = element(form, 'data-testid="before-after"', "</form>")
    assert "整改前.jpg" in pair and "after.png" in pair and "第1次提交" in text(pair)
