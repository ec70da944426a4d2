"""The unified social credit code (统一社会信用代码) of GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division (6,
GB/T 2260), organisation code (9, GB 11714) and a check character computed modulo 31 over an
alphabet of digits and 21 capital letters (no I, O, Z, S, V).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {char: index for index, char in enumerate(ALPHABET)}


def check_character(first17: str) -> str:
    """The 18th character for the given first 17."""
    total = sum(_VALUE[char] * weight for char, weight in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(value: str) -> None:
    """Refuse a code that is not 18 characters of the GB 32100 alphabet with a correct check character."""
    code = value.strip().upper()
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="credit_code_length",
            params={"count": len(code)},
        )
    bad = sorted({char for char in code if char not in _VALUE})
    if bad:
        raise ValidationError(
            _("A unified social credit code cannot contain %(chars)s (the letters I, O, Z, S and V are never used)."),
            code="credit_code_chars",
            params={"chars": "、".join(bad)},
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _(
                "Characters 3 to 8 of a unified social credit code are the administrative division code and must be digits."
            ),
            code="credit_code_region",
        )
    expected = check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong: please check it for a typing error."),
            code="credit_code_checksum",
        )


ORGANIZATION_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def build_credit_code(*, region_code: str, serial: int, kind_prefix: str = "91") -> str:
    """A well-formed code for demo and test data: prefix, division, organisation code (GB 11714), check.

    `kind_prefix` is the registration authority and type: 91 an enterprise registered with market
    regulation, 11 a government body.
    """
    base = f"{serial:08d}"[-8:]
    total = sum(int(digit) * weight for digit, weight in zip(base, ORGANIZATION_CODE_WEIGHTS, strict=True))
    remainder = 11 - total % 11
    organization_check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    first17 = f"{kind_prefix}{region_code}{base}{organization_check}"
    return first17 + check_character(first17)
