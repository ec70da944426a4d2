"""A photo as it leaves the product (download "with facts", the hazard's print page): the stored
photo, shrunk to a print size, with a white band under it stating the hazard, when it was taken,
where and who uploaded it (hazards.photo_facts.stamp_lines).

The stored original is never altered: the stamped copy is made on request, in memory, from the
file. The file goes through the upload's own checks first (hazards.uploads.check_upload: its size,
its content, the pixel limit read from the header), so a crafted or oversized file stored before a
check tightened is refused with the rule, never decoded whole. The JPEG decoder is asked for a
reduced image (draft) before anything is decoded, as for the thumbnail.

The text is drawn in Noto Sans CJK, found with fontconfig (`fc-match`) unless PHOTO_STAMP_FONT names
a file: Chinese must render, and Pillow's built-in font has no CJK glyphs.
"""

import functools
import io
import shutil
import subprocess

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont, ImageOps, UnidentifiedImageError

from hazards.models import Attachment
from hazards.photo_facts import stamp_lines
from hazards.uploads import check_upload

PRINT_SIZE = (1600, 1600)  # about 13.5 cm at 300 dpi on the long side: enough for an A4 page
MIN_WIDTH = 720  # a narrow photo gets a wider band, so that the facts stay legible
BAND_COLOUR, TEXT_COLOUR = (255, 255, 255), (0, 0, 0)
FONT_QUERY = "Noto Sans CJK SC:lang=zh-cn"


class StampError(Exception):
    """The photo cannot be printed with its facts; the message says why, for the user."""


@functools.cache
def font_location() -> tuple[str, int]:
    """The font file and its index in a collection (.ttc): the setting, else fontconfig's match."""
    configured = getattr(settings, "PHOTO_STAMP_FONT", "")
    if configured:
        return configured, 0
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise StampError(_("No font for Chinese text is installed on the server (fontconfig is missing)."))
    found = subprocess.run(  # noqa: S603 - a fixed program and pattern, no user input
        [fc_match, "-f", "%{file}|%{index}", FONT_QUERY], capture_output=True, text=True, timeout=10, check=False
    ).stdout
    path, _sep, index = found.partition("|")
    if not path:
        raise StampError(_("No font for Chinese text is installed on the server."))
    return path, int(index or 0)


def _font(size: int) -> ImageFont.FreeTypeFont:
    path, index = font_location()
    return ImageFont.truetype(path, size=size, index=index)


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """Break a line where it no longer fits; Chinese has no spaces, so by character."""
    lines, current = [], ""
    for character in text:
        if current and font.getlength(current + character) > width:
            lines.append(current)
            current = character.lstrip()
        else:
            current += character
    return [*lines, current] if current else lines


def _print_copy(attachment: Attachment) -> Image.Image:
    """The stored photo, upright and at most PRINT_SIZE, decoded reduced; StampError when it cannot be."""
    try:
        stored = attachment.file.open("rb")
    except OSError:  # the file is gone from the storage: say so, not a 500
        raise StampError(_("%(name)s cannot be read as a photo.") % {"name": attachment.original_name}) from None
    with stored:
        # Named as the user knows it, for the checks' messages.
        photo = File(stored, name=attachment.original_name)
        try:
            sniffed = check_upload(photo)
        except ValidationError as error:
            raise StampError(" ".join(error.messages)) from None
        if not sniffed.is_image:
            raise StampError(_("%(name)s is not a photo.") % {"name": attachment.original_name})
        try:
            photo.seek(0)
            with Image.open(photo) as original:
                original.draft("RGB", PRINT_SIZE)  # the JPEG decoder reduces by 1/2…1/8 before decoding
                original.thumbnail(PRINT_SIZE)
                image = ImageOps.exif_transpose(original)
                return image.convert("RGB") if image.mode != "RGB" else image.copy()
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
            raise StampError(_("%(name)s cannot be read as a photo.") % {"name": attachment.original_name}) from None


def stamp(image: Image.Image, lines: list[str]) -> Image.Image:
    """The image with a white band under it carrying `lines` in black, wrapped to its width."""
    width = max(image.width, MIN_WIDTH)
    font_size = max(18, width // 42)
    font = _font(font_size)
    margin = font_size
    wrapped = [part for line in lines for part in _wrap(line, font, width - 2 * margin)]
    line_height = round(font_size * 1.45)
    band_height = 2 * margin + line_height * len(wrapped)
    stamped = Image.new("RGB", (width, image.height + band_height), BAND_COLOUR)
    stamped.paste(image, ((width - image.width) // 2, 0))
    draw = ImageDraw.Draw(stamped)
    draw.line([(0, image.height), (width, image.height)], fill=TEXT_COLOUR, width=max(1, font_size // 12))
    for index, line in enumerate(wrapped):
        draw.text((margin, image.height + margin + index * line_height), line, font=font, fill=TEXT_COLOUR)
    return stamped


def stamped_photo(attachment: Attachment) -> bytes:
    """The photo as a JPEG with its facts in a band under it; raises StampError, saying why."""
    image = _print_copy(attachment)
    output = io.BytesIO()
    stamp(image, stamp_lines(attachment)).save(output, "JPEG", quality=88)
    return output.getvalue()


def stamped_file_name(attachment: Attachment) -> str:
    stem = attachment.original_name.rsplit(".", 1)[0] or "photo"
    number = attachment.hazard.number if attachment.hazard is not None else ""
    return "-".join(part for part in (number, stem, _("with facts")) if part) + ".jpg"
