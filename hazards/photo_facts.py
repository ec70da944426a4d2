"""The facts a photo carries: when it was taken (EXIF), and where (EXIF GPS, or the phone's position
given with the user's consent when the photo was taken in the browser)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

if TYPE_CHECKING:
    from hazards.models import Attachment

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
DATETIME_ORIGINAL, DATETIME = 0x9003, 0x0132
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4
SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class PhotoFacts:
    taken_at: datetime | None = None
    latitude: Decimal | None = None
    longitude: Decimal | None = None


def _degrees(value, ref: str) -> Decimal | None:
    try:
        degrees, minutes, seconds = (Decimal(str(float(part))) for part in value)
    except (TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        return None
    result = degrees + minutes / 60 + seconds / 3600
    return (-result if ref in ("S", "W") else result).quantize(SIX_PLACES)


def parse_position(text: str) -> tuple[Decimal, Decimal] | None:
    """ "lat,lon" as the browser sent it; None unless both are numbers on the globe."""
    try:
        latitude, longitude = (Decimal(part.strip()).quantize(SIX_PLACES) for part in text.split(","))
    except (ValueError, InvalidOperation):
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    return latitude, longitude


def read_photo_facts(upload: UploadedFile) -> PhotoFacts:
    """The time taken and the GPS position in the photo's EXIF, where it has them."""
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError):
        return PhotoFacts()
    finally:
        upload.seek(0)
    taken_at = None
    stamp = exif.get_ifd(EXIF_IFD).get(DATETIME_ORIGINAL) or exif.get(DATETIME)
    if isinstance(stamp, str):
        try:
            # EXIF keeps the camera's local time without a zone: the phones here are on Beijing time.
            taken_at = datetime.strptime(stamp.strip(), "%Y:%m:%d %H:%M:%S").replace(
                tzinfo=ZoneInfo(settings.TIME_ZONE)
            )
        except ValueError:
            taken_at = None
    gps = exif.get_ifd(GPS_IFD)
    latitude = longitude = None
    if GPS_LATITUDE in gps and GPS_LONGITUDE in gps:
        latitude = _degrees(gps[GPS_LATITUDE], gps.get(GPS_LATITUDE_REF, "N"))
        longitude = _degrees(gps[GPS_LONGITUDE], gps.get(GPS_LONGITUDE_REF, "E"))
    return PhotoFacts(taken_at=taken_at, latitude=latitude, longitude=longitude)


# --- The facts in words: the thumbnail's caption and the band stamped on a printed photo --------------


def taken_text(attachment: "Attachment") -> str:
    """When the photo was taken (EXIF), else when it was uploaded, in local time to the minute."""
    moment = attachment.taken_at or attachment.uploaded_at
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def position_text(attachment: "Attachment") -> str:
    """The GPS position to five places (about a metre), or "" when the phone gave none."""
    if attachment.latitude is None or attachment.longitude is None:
        return ""
    return _("GPS %(lat).5f, %(lon).5f") % {"lat": attachment.latitude, "lon": attachment.longitude}


def uploader_text(attachment: "Attachment") -> str:
    return attachment.uploaded_by.get_full_name() or attachment.uploaded_by.username


def stamp_lines(attachment: "Attachment") -> list[str]:
    """The facts printed under a photo that leaves the product: the hazard, when, where, who.

    Said in full, with what is missing said as missing: on paper nobody can hover for a tooltip.
    """
    hazard = attachment.hazard
    number = hazard.number if hazard is not None else _("not yet on a hazard")
    moment = taken_text(attachment)
    if attachment.taken_at:
        when = _("Taken %(moment)s (from the photo)") % {"moment": moment}
    else:
        when = _("Uploaded %(moment)s (the photo carries no time taken)") % {"moment": moment}
    organization = attachment.uploaded_by.organization
    who = uploader_text(attachment) + (f"（{organization.name}）" if organization is not None else "")
    return [
        _("Hazard %(number)s · %(stage)s") % {"number": number, "stage": attachment.get_stage_display()},
        when,
        position_text(attachment) or _("Position: not given"),
        _("Uploaded by %(person)s") % {"person": who},
    ]
