"""Photos and documents of hazards: checked by content, not by name; thumbnails for images.

An upload is saved as an Attachment without a hazard, identified by a token, as soon as it
arrives; the form that carried it refers to it by token, so a form returned with errors keeps its
photos, and the hazard claims them when it is saved.
"""

import io
import uuid
import warnings
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from accounts.models import User
from hazards.models import Attachment
from hazards.photo_facts import read_photo_facts

try:  # HEIC/HEIF photos from phones, when the library is installed.
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - pillow-heif is in requirements.txt
    HEIF_SUPPORTED = False

IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "HEIF": "image/heic"}
OOXML_TYPES = {
    "word/": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "xl/": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "ppt/": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "pptx"),
}
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc, .xls, .ppt
THUMBNAIL_SIZE = (480, 480)


class TooManyPixels(Exception):
    """An image whose declared size is above ATTACHMENT_MAX_PIXELS (a decompression bomb, or no photo)."""

    def __init__(self, width: int | None = None, height: int | None = None):
        super().__init__(width, height)
        self.width = width
        self.height = height


@dataclass(frozen=True)
class Sniffed:
    content_type: str
    extension: str
    is_image: bool


def sniff(head: bytes, upload: File) -> Sniffed | None:
    """What the file really is, from its bytes: an image Pillow can decode, a PDF or an Office file."""
    if head.startswith(b"%PDF-"):
        return Sniffed("application/pdf", "pdf", False)
    if head.startswith(OLE2_SIGNATURE):
        return Sniffed("application/vnd.ms-office", "doc", False)
    if head.startswith(b"PK\x03\x04"):
        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            for prefix, (content_type, extension) in OOXML_TYPES.items():
                if any(name.startswith(prefix) for name in names):
                    return Sniffed(content_type, extension, False)
        return None
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its own limit and twice that; here anything above ours is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > settings.ATTACHMENT_MAX_PIXELS:
                    raise TooManyPixels(width, height)
                image_format = image.format
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        # Raised by Image.open from the header alone, before a pixel is decoded.
        raise TooManyPixels() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None
    if image_format not in IMAGE_FORMATS:
        return None
    extension = {"JPEG": "jpg", "HEIF": "heic"}.get(image_format, image_format.lower())
    return Sniffed(IMAGE_FORMATS[image_format], extension, True)


def make_thumbnail(upload: UploadedFile) -> bytes:
    """A small JPEG of the photo, upright.

    The photo is shrunk before anything else touches its pixels: thumbnail() asks the JPEG decoder
    for a 1/2–1/8 scale image (draft()) and reduces by whole factors (reduce()) before resampling;
    turning it upright happens on the thumbnail. Turning the full-size image first decoded it
    whole and copied it: +275 MB for a 12000×12000 photo.
    """
    upload.seek(0)
    with Image.open(upload) as original:
        original.thumbnail(THUMBNAIL_SIZE)
        image = ImageOps.exif_transpose(original)
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        output = io.BytesIO()
        image.save(output, "JPEG", quality=80)
    return output.getvalue()


def too_many_pixels_message(name: str, error: TooManyPixels) -> str:
    limit = settings.ATTACHMENT_MAX_PIXELS / 1_000_000
    if error.width is None:
        return _("%(name)s declares an image far larger than any photo; the limit is %(limit)s megapixels.") % {
            "name": name,
            "limit": f"{limit:g}",
        }
    return _("%(name)s is %(width)d × %(height)d pixels; the limit is %(limit)s megapixels.") % {
        "name": name,
        "width": error.width,
        "height": error.height,
        "limit": f"{limit:g}",
    }


def check_upload(upload: File) -> Sniffed:
    """Refuse a file that is too large or is not an image or document we accept, saying why.

    Also the check of a stored photo before it is printed with its facts (hazards.photo_stamp)."""
    limit = settings.ATTACHMENT_MAX_BYTES
    # A file Django received always has a size and a name (the stubs allow None for files in general).
    assert upload.size is not None and upload.name is not None
    if upload.size > limit:
        raise ValidationError(
            _("%(name)s is %(size)s; the limit is %(limit)s per file.")
            % {"name": upload.name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    try:
        sniffed = sniff(head, upload)
    except TooManyPixels as error:
        raise ValidationError(too_many_pixels_message(upload.name, error), code="too_many_pixels") from None
    upload.seek(0)
    if sniffed is None:
        raise ValidationError(
            _(
                "%(name)s is not a photo (JPEG, PNG, WebP, HEIC) or a document (PDF, Word, Excel, PowerPoint), "
                "whatever its name says."
            )
            % {"name": upload.name},
            code="bad_type",
        )
    return sniffed


def store_upload(
    upload: UploadedFile, *, user: User, stage: str, position: tuple[Decimal, Decimal] | None = None
) -> Attachment:
    """Check and keep an upload as a pending attachment (no hazard yet); raises ValidationError.

    A photo keeps its facts: the time taken from its EXIF, and its GPS position from the EXIF or,
    failing that, `position` (the phone's, given with the user's consent when it was taken)."""
    sniffed = check_upload(upload)
    assert upload.size is not None and upload.name is not None  # checked by check_upload
    attachment = Attachment(
        stage=stage,
        original_name=upload.name[:255],
        content_type=sniffed.content_type,
        size=upload.size,
        uploaded_by=user,
    )
    upload.seek(0)
    attachment.file.save(f"upload.{sniffed.extension}", upload, save=False)
    if sniffed.is_image:
        attachment.thumbnail.save("thumbnail.jpg", ContentFile(make_thumbnail(upload)), save=False)
        facts = read_photo_facts(upload)
        attachment.taken_at = facts.taken_at
        attachment.latitude, attachment.longitude = (
            (facts.latitude, facts.longitude) if facts.latitude is not None else position or (None, None)
        )
    attachment.save()
    return attachment


def pending_uploads(tokens: Iterable[object], *, user: User) -> QuerySet[Attachment]:
    """The user's own unclaimed uploads among these tokens (others' tokens are ignored)."""
    valid: list[str] = []
    for token in tokens:
        try:
            valid.append(str(uuid.UUID(str(token))))
        except ValueError:
            continue
    return Attachment.objects.filter(token__in=valid, uploaded_by=user, hazard__isnull=True)
