"""Issue 13 item 13: a photo that leaves the product carries its facts — the hazard's number, when it
was taken, where, and who uploaded it — stamped in a band under the picture, on the download "with
facts" and on the hazard's print page; the stored original is never altered and stays downloadable
as uploaded. A crafted file is refused with the rule, never a 500; out of scope is a 404."""

import hashlib
import io
import struct
import zlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image, ImageChops, ImageDraw

from hazards import photo_stamp
from hazards.models import Attachment
from hazards.photo_facts import stamp_lines
from hazards.uploads import store_upload
from tests.hazards.workflow_helpers import move_to, report

pytestmark = pytest.mark.usefixtures("frozen_today")

GREEN = (10, 160, 60)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def jpeg(*, size=(800, 600), taken: str | None = "2026:06:14 09:30:00", gps: bool = True, name="现场.jpg"):
    exif = Image.Exif()
    if taken:
        exif[0x8769] = {0x9003: taken}
    if gps:  # 28°9'36"N 113°37'48"E: 浏阳
        exif[0x8825] = {1: "N", 2: (28.0, 9.0, 36.0), 3: "E", 4: (113.0, 37.0, 48.0)}
    output = io.BytesIO()
    Image.new("RGB", size, GREEN).save(output, "JPEG", exif=exif, quality=95)
    return SimpleUploadedFile(name, output.getvalue(), content_type="image/jpeg")


def photo_of(hazard, user, upload=None, stage=Attachment.Stage.BEFORE) -> Attachment:
    photo = store_upload(upload or jpeg(), user=user, stage=stage)
    Attachment.objects.filter(pk=photo.pk).update(hazard=hazard)
    photo.refresh_from_db()
    return photo


def dark_pixels(image: Image.Image) -> int:
    """Near-black pixels: the text (and rule) drawn on the white band; the green photo has none."""
    return sum(image.convert("L").histogram()[:64])


def test_the_facts_printed_under_a_photo_name_the_hazard_when_where_and_who(inspector):
    hazard = report(inspector)
    photo = photo_of(hazard, inspector)

    lines = stamp_lines(photo)

    assert lines == [
        f"隐患 {hazard.number} · 整改前",
        "拍摄于 2026-06-14 09:30（照片记录）",
        "GPS 28.16000, 113.63000",
        f"上传人：{inspector.get_full_name()}（浏阳市应急管理局）",
    ]


def test_missing_facts_are_said_missing_on_paper(inspector):
    hazard = report(inspector)
    photo = photo_of(hazard, inspector, jpeg(taken=None, gps=False))

    with translation.override("en"):
        lines = stamp_lines(photo)

    assert lines[1].startswith("Uploaded ") and "carries no time taken" in lines[1]
    assert lines[2] == "Position: not given"


def test_the_stamped_photo_is_the_picture_with_a_band_of_text_under_it(client, inspector, head):
    hazard = report(inspector)
    photo = photo_of(hazard, inspector)
    client.force_login(head)

    response = client.get(f"/hazards/attachments/{photo.pk}/facts.jpg")

    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert hazard.number in response["Content-Disposition"] and "inline" in response["Content-Disposition"]
    stamped = Image.open(io.BytesIO(response.content))
    assert stamped.width == 800 and stamped.height > 600 + 4 * 18  # four lines of at least 18 px
    picture, band = stamped.crop((0, 0, 800, 600)), stamped.crop((0, 602, 800, stamped.height))
    # The picture is the photo, untouched by the band; the band is white paper with dark text on it.
    assert max(abs(a - b) for a, b in zip(picture.resize((1, 1)).getpixel((0, 0)), GREEN, strict=True)) <= 3
    assert dark_pixels(picture) == 0
    assert dark_pixels(band) > 2000
    assert band.convert("L").histogram()[255] + band.convert("L").histogram()[254] > band.width * band.height / 2


def test_chinese_renders_in_the_band_not_as_empty_boxes():
    # Pillow's own font has no CJK glyphs: every character would be the same box. Noto CJK draws each its own.
    font = photo_stamp._font(40)
    drawn = []
    for character in "隐患整改":
        canvas = Image.new("L", (60, 60), 255)
        ImageDraw.Draw(canvas).text((5, 0), character, font=font, fill=0)
        drawn.append(canvas)
    assert all(ImageChops.difference(drawn[0], other).getbbox() for other in drawn[1:])
    assert "CJK" in font.getname()[0]


def test_a_long_fact_wraps_inside_a_narrow_photo(inspector, head):
    hazard = report(inspector)
    photo = photo_of(hazard, inspector, jpeg(size=(120, 90)))
    lines = [*stamp_lines(photo), "很长的单位名称" * 20]

    stamped = photo_stamp.stamp(Image.new("RGB", (120, 90), GREEN), lines)

    assert stamped.width == photo_stamp.MIN_WIDTH  # a narrow photo gets a band wide enough to read
    assert stamped.height > 90 + 6 * 18  # the long line took more than one line


def test_the_stored_original_is_never_altered_and_stays_downloadable(client, inspector, head):
    hazard = report(inspector)
    upload = jpeg()
    photo = photo_of(hazard, inspector, upload)
    before = hashlib.sha256(photo.file.open("rb").read()).hexdigest()
    client.force_login(head)

    client.get(f"/hazards/attachments/{photo.pk}/facts.jpg")
    original = client.get(f"/hazards/attachments/{photo.pk}/")

    assert hashlib.sha256(b"".join(original.streaming_content)).hexdigest() == before
    photo.file.open("rb")
    assert hashlib.sha256(photo.file.read()).hexdigest() == before
    assert hashlib.sha256(upload.file.getvalue()).hexdigest() == before


def test_the_hazard_page_opens_photos_with_their_facts_and_offers_the_original(client, inspector, head):
    hazard = report(inspector)
    photo = photo_of(hazard, inspector)
    client.force_login(head)

    html = client.get(f"/hazards/{hazard.pk}/").content.decode()

    assert f'href="/hazards/attachments/{photo.pk}/facts.jpg"' in html
    assert f'href="/hazards/attachments/{photo.pk}/" target="_blank" rel="noopener" data-testid="original"' in html
    assert f'href="/hazards/{hazard.pk}/print/"' in html


def test_the_print_page_shows_every_photo_stamped_round_by_round(client, inspector, head, rectifier):
    hazard = report(inspector, unit=rectifier.organization)
    before = photo_of(hazard, inspector)
    move_to(hazard, "submitted", head=head, rectifier=rectifier)
    after = Attachment.objects.get(hazard=hazard, stage=Attachment.Stage.AFTER)
    client.force_login(head)

    html = client.get(f"/hazards/{hazard.pk}/print/").content.decode()

    assert hazard.number in html
    assert f'src="/hazards/attachments/{before.pk}/facts.jpg"' in html
    round_one = html[html.index('data-testid="print-round-1"') :]
    assert f'src="/hazards/attachments/{after.pk}/facts.jpg"' in round_one
    assert "<script>" not in html and "style=" not in html  # strict CSP


@pytest.mark.parametrize("path", ["/hazards/attachments/{photo}/facts.jpg", "/hazards/{hazard}/print/"])
def test_out_of_scope_is_a_404(client, inspector, rectifier, path):
    # A unit sees nothing of a finding that is not assigned to it.
    hazard = report(inspector)
    photo = photo_of(hazard, inspector)
    client.force_login(rectifier)

    assert client.get(path.format(photo=photo.pk, hazard=hazard.pk)).status_code == 404


def test_a_document_has_no_stamped_copy(client, inspector, head):
    hazard = report(inspector)
    document = photo_of(
        hazard, inspector, SimpleUploadedFile("记录.pdf", b"%PDF-1.4\n%%EOF\n"), stage=Attachment.Stage.DOCUMENT
    )
    client.force_login(head)

    assert client.get(f"/hazards/attachments/{document.pk}/facts.jpg").status_code == 404


def png_declaring(width: int, height: int) -> bytes:
    """A PNG whose header declares a huge image, with one tiny compressed row: a decompression bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 16)) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (png_declaring(60_000, 60_000), "上限为 50 百万像素"),
        (jpeg().read()[:400], "不是照片"),
        (b"not an image at all", "不是照片"),
    ],
    ids=["bomb", "truncated", "not-an-image"],
)
def test_a_crafted_stored_file_is_refused_with_the_rule_not_a_500(client, inspector, head, content, says):
    # Stored as if it had got past an older check: the print copy checks again before decoding.
    hazard = report(inspector)
    photo = Attachment(
        hazard=hazard, stage="before", original_name="证据.png", content_type="image/png", size=len(content)
    )
    photo.uploaded_by = inspector
    photo.file.save("upload.png", ContentFile(content), save=True)
    client.force_login(head)

    response = client.get(f"/hazards/attachments/{photo.pk}/facts.jpg")

    assert response.status_code == 422
    assert "证据.png" in response.content.decode() and says in response.content.decode()


def test_a_photo_missing_from_the_storage_is_refused_with_a_message(client, inspector, head):
    hazard = report(inspector)
    photo = photo_of(hazard, inspector)
    photo.file.storage.delete(photo.file.name)
    client.force_login(head)

    response = client.get(f"/hazards/attachments/{photo.pk}/facts.jpg")

    assert response.status_code == 422 and "无法作为照片读取" in response.content.decode()
