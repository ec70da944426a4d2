"""Photos and documents: judged by their bytes, not their names; thumbnails; never a public URL.

Through the recording page an upload survives a form returned with errors: it is kept by token,
shown as a thumbnail, and joins the hazard when the corrected form is saved.
"""

import io
import os
import struct
import subprocess
import sys
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation
from PIL import Image

from hazards.models import Attachment, Hazard, HazardEvent
from hazards.uploads import store_upload
from tests.factories import HazardFactory, industry

# Deadlines, found-on dates and "overdue" are relative to today: a fixed today (tests/conftest.py).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


def image_bytes(image_format: str, size=(800, 600)) -> bytes:
    output = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(output, image_format)
    return output.getvalue()


def docx_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
    return output.getvalue()


def plain_zip_bytes() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("readme.txt", "not an office file")
    return output.getvalue()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200 + b"This program cannot be run"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# Accepted by content


@pytest.mark.parametrize(
    ("image_format", "content_type", "suffix"),
    [("JPEG", "image/jpeg", ".jpg"), ("PNG", "image/png", ".png"), ("WEBP", "image/webp", ".webp")],
)
def test_photos_are_accepted_by_their_content_and_get_a_thumbnail(inspector, image_format, content_type, suffix):
    # The name says nothing: a phone may call a JPEG "IMG_0001" with no suffix at all.
    attachment = store_upload(
        upload("IMG_0001", image_bytes(image_format)), user=inspector, stage=Attachment.Stage.BEFORE
    )
    assert attachment.content_type == content_type
    assert attachment.is_image
    assert attachment.file.name.endswith(suffix)
    assert attachment.original_name == "IMG_0001"
    assert attachment.hazard is None
    assert attachment.uploaded_by == inspector
    with attachment.thumbnail.open("rb") as thumbnail, Image.open(thumbnail) as image:
        assert image.format == "JPEG"
        assert max(image.size) <= 480


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("整改报告.pdf", PDF, "application/pdf"),
        (
            "整改方案.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_documents_are_accepted_without_a_thumbnail(inspector, name, content, content_type):
    attachment = store_upload(upload(name, content), user=inspector, stage=Attachment.Stage.DOCUMENT)
    assert attachment.content_type == content_type
    assert not attachment.is_image
    assert not attachment.thumbnail
    assert attachment.size == len(content)


def test_the_stored_name_is_random_and_never_the_uploaded_one(inspector):
    attachment = store_upload(
        upload("../../etc/现场.png", image_bytes("PNG")), user=inspector, stage=Attachment.Stage.BEFORE
    )
    assert attachment.file.name.startswith("hazards/")
    assert ".." not in attachment.file.name
    assert "现场" not in attachment.file.name


# Refused, saying why


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", "这不是照片，只是一段文字。".encode()),
        ("photo.jpg", EXE),
        ("setup.exe", EXE),
        ("archive.docx", plain_zip_bytes()),
        ("broken.png", image_bytes("PNG")[:40]),
    ],
    ids=["text-named-jpg", "exe-named-jpg", "exe", "zip-named-docx", "truncated-png"],
)
def test_files_that_are_not_photos_or_documents_are_refused_whatever_their_name(inspector, name, content):
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        store_upload(upload(name, content, "image/jpeg"), user=inspector, stage=Attachment.Stage.BEFORE)
    assert refused.value.code == "bad_type"
    message = refused.value.messages[0]
    assert name in message
    assert "not a photo" in message
    assert not Attachment.objects.exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(settings, inspector):
    settings.ATTACHMENT_MAX_BYTES = 1024
    content = image_bytes("PNG", size=(400, 400))
    assert len(content) > 1024
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        store_upload(upload("big.png", content), user=inspector, stage=Attachment.Stage.BEFORE)
    assert refused.value.code == "too_large"
    assert "big.png" in refused.value.messages[0]
    assert "1.0\xa0KB" in refused.value.messages[0]
    assert not Attachment.objects.exists()


# Served only through the views, which check scope


def test_a_thumbnail_is_served_as_jpeg_and_the_photo_as_itself(client, inspector):
    hazard = HazardFactory(found_by=inspector)
    attachment = store_upload(upload("现场.webp", image_bytes("WEBP")), user=inspector, stage=Attachment.Stage.BEFORE)
    Attachment.objects.filter(pk=attachment.pk).update(hazard=hazard)
    client.force_login(inspector)

    thumbnail = client.get(f"/hazards/attachments/{attachment.pk}/thumbnail/")
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/jpeg"
    assert b"".join(thumbnail.streaming_content).startswith(b"\xff\xd8")
    photo = client.get(f"/hazards/attachments/{attachment.pk}/")
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/webp"
    assert "private" in photo["Cache-Control"]
    assert b"".join(photo.streaming_content) == image_bytes("WEBP")


def test_a_document_is_downloaded_and_has_no_thumbnail(client, inspector):
    hazard = HazardFactory(found_by=inspector)
    attachment = store_upload(upload("整改报告.pdf", PDF), user=inspector, stage=Attachment.Stage.DOCUMENT)
    Attachment.objects.filter(pk=attachment.pk).update(hazard=hazard)
    client.force_login(inspector)

    response = client.get(f"/hazards/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert client.get(f"/hazards/attachments/{attachment.pk}/thumbnail/").status_code == 404


def test_files_are_never_under_a_public_url(client, inspector, media_root):
    hazard = HazardFactory(found_by=inspector)
    attachment = store_upload(upload("现场.png", image_bytes("PNG")), user=inspector, stage=Attachment.Stage.BEFORE)
    Attachment.objects.filter(pk=attachment.pk).update(hazard=hazard)
    assert (media_root / attachment.file.name).exists()

    for path in [attachment.file.name, attachment.thumbnail.name]:
        for url in [f"/media/{path}", f"/{path}", attachment.file.url]:
            anonymous = client.get(url)
            assert anonymous.status_code in (302, 404), url
            if anonymous.status_code == 302:
                assert anonymous["Location"].startswith("/accounts/login/")
    client.force_login(inspector)
    for url in [f"/media/{attachment.file.name}", f"/{attachment.file.name}"]:
        assert client.get(url).status_code == 404, url


def test_the_download_checks_scope(client, inspector, head, rectifier):
    construction_finding = HazardFactory(found_by=inspector, industry=industry("construction-housing"))
    attachment = store_upload(upload("现场.png", image_bytes("PNG")), user=inspector, stage=Attachment.Stage.BEFORE)
    Attachment.objects.filter(pk=attachment.pk).update(hazard=construction_finding)
    # 长沙市's fireworks and chemicals head does not supervise construction; the unit is not assigned it.
    for outsider in (head, rectifier):
        client.force_login(outsider)
        assert client.get(f"/hazards/attachments/{attachment.pk}/").status_code == 404
        assert client.get(f"/hazards/attachments/{attachment.pk}/thumbnail/").status_code == 404
    client.force_login(inspector)
    assert client.get(f"/hazards/attachments/{attachment.pk}/").status_code == 200


# Through the recording page


def finding_data(**overrides) -> dict:
    data = {
        "title": "成品仓库超量储存",
        "description": "1号成品仓库存放量超过核定药量。",
        "industry": industry("fireworks-production").pk,
        "level": Hazard.Level.MAJOR,
        "kind": Hazard.Kind.THING_STATE,
        "legal_basis": "烟花爆竹生产经营单位重大生产安全事故隐患判定标准 第三条",
        "major_reason": "成品仓库超量储存，一旦起火后果严重",
        "source": Hazard.Source.INSPECTION,
        "region": "430181",
        "site_name": "浏阳某烟花厂",
        "location": "1号成品仓库",
        "found_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def test_a_form_with_errors_keeps_every_value_and_the_good_photo(client, inspector):
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    good = upload("现场照片.jpg", image_bytes("JPEG"), "image/jpeg")
    bad = upload("notes.jpg", b"just some text, not a photo", "image/jpeg")

    response = client.post("/hazards/new/", finding_data(description="", photos=[bad, good]))

    assert response.status_code == 200
    assert not Hazard.objects.exists()
    form = response.context["form"]
    assert "description" in form.errors
    assert any("notes.jpg" in error and "not a photo" in error for error in form.errors["photos"])
    html = response.content.decode()
    # The error is shown in the photo field's block, beside its input.
    photo_block = html[html.index("data-photo-field") :]
    photo_block = photo_block[: photo_block.index("form-text")]
    assert "notes.jpg" in photo_block
    assert "invalid-feedback" in photo_block
    # Every typed value is still there.
    for value in ["成品仓库超量储存", "浏阳某烟花厂", "1号成品仓库", "重大生产安全事故隐患判定标准"]:
        assert value in html, value
    # The good photo is kept as a token with its thumbnail; the bad one is not kept at all.
    kept = Attachment.objects.get()
    assert kept.original_name == "现场照片.jpg"
    assert kept.hazard is None
    assert f'name="photos_kept" value="{kept.token}"' in photo_block
    assert f'src="/hazards/attachments/{kept.pk}/thumbnail/"' in photo_block
    assert client.get(f"/hazards/attachments/{kept.pk}/thumbnail/")["Content-Type"] == "image/jpeg"

    # Corrected and sent again with the token alone: the photo joins the new hazard.
    response = client.post("/hazards/new/", finding_data(photos_kept=[str(kept.token)]))

    hazard = Hazard.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/hazards/{hazard.pk}/"
    assert list(hazard.attachments.all()) == [kept]
    assert hazard.title == "成品仓库超量储存"
    assert hazard.level == Hazard.Level.MAJOR
    assert list(hazard.events.values_list("action", flat=True)) == [HazardEvent.Action.REPORT]
    detail = client.get(response["Location"]).content.decode()
    assert f"/hazards/attachments/{kept.pk}/thumbnail/" in detail


def test_a_kept_token_of_someone_else_is_ignored(client, inspector, head):
    theirs = store_upload(upload("别人的.png", image_bytes("PNG")), user=head, stage=Attachment.Stage.BEFORE)
    client.force_login(inspector)
    response = client.post("/hazards/new/", finding_data(photos_kept=[str(theirs.token), "not-a-token"]))
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.hazard is None
    assert not Hazard.objects.get().attachments.exists()


def test_a_document_is_accepted_through_the_page(client, inspector):
    client.force_login(inspector)
    report = upload("检查记录.docx", docx_bytes())
    response = client.post("/hazards/new/", finding_data(photos=[report]))
    assert response.status_code == 302
    attachment = Hazard.objects.get().attachments.get()
    assert attachment.content_type.endswith("wordprocessingml.document")
    assert attachment.original_name == "检查记录.docx"


def test_too_many_files_are_refused(client, settings, inspector):
    settings.ATTACHMENT_MAX_FILES = 2
    client.force_login(inspector)
    photos = [upload(f"{n}.png", image_bytes("PNG", size=(8, 8))) for n in range(3)]
    response = client.post("/hazards/new/", finding_data(photos=photos))
    assert response.status_code == 200
    assert "photos" in response.context["form"].errors
    assert not Hazard.objects.exists()


# Images that would cost more memory than a photo ever should


def png_declaring(width: int, height: int) -> bytes:
    """A few hundred bytes of PNG whose header declares width × height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 300))
        + chunk(b"IEND", b"")
    )


def test_a_crafted_photo_declaring_900_million_pixels_is_refused_with_the_limit(client, inspector):
    bomb = png_declaring(30000, 30000)
    assert len(bomb) < 400
    client.force_login(inspector)
    client.cookies["django_language"] = "en"
    response = client.post("/hazards/new/", finding_data(photos=[upload("bomb.png", bomb, "image/png")]))
    assert response.status_code == 200
    [error] = response.context["form"].errors["photos"]
    assert error == "bomb.png declares an image far larger than any photo; the limit is 50 megapixels."
    assert not Attachment.objects.exists()


def test_a_photo_over_the_pixel_setting_is_refused_with_its_size(settings, inspector):
    settings.ATTACHMENT_MAX_PIXELS = 1_000_000
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        store_upload(upload("big.png", image_bytes("PNG", size=(1200, 900))), user=inspector, stage="before")
    assert refused.value.messages == ["big.png is 1200 × 900 pixels; the limit is 1 megapixels."]
    # At the limit it is a photo like any other.
    assert store_upload(upload("ok.png", image_bytes("PNG", size=(1000, 1000))), user=inspector, stage="before").pk


THUMBNAIL_PEAK = """
import sys
import django
django.setup()
from django.core.files.uploadedfile import SimpleUploadedFile
from hazards.uploads import make_thumbnail

def peak_kb():
    # VmHWM, the peak resident size of this process's own memory (ru_maxrss would count the
    # parent's memory: it survives exec on Linux).
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

photo = SimpleUploadedFile("photo.jpg", open(sys.argv[1], "rb").read())
before = peak_kb()
thumbnail = make_thumbnail(photo)
print(peak_kb() - before, len(thumbnail))
"""


def test_a_48_megapixel_photo_is_thumbnailed_without_decoding_it_whole(tmp_path):
    # 8000 × 6000 grey pixels are 48 MB decoded (RGB: 144 MB); the JPEG decoder's 1/8 draft is 0.75 MB.
    photo = tmp_path / "photo.jpg"
    Image.new("L", (8000, 6000), 128).save(photo, "JPEG", quality=70)
    result = subprocess.run(
        [sys.executable, "-c", THUMBNAIL_PEAK, str(photo)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "hunan_safety.settings"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    growth_kb, thumbnail_bytes = map(int, result.stdout.split())
    assert thumbnail_bytes > 0
    assert growth_kb < 16 * 1024, f"peak memory grew by {growth_kb // 1024} MB"
