"""Brand colours: #rrggbb only, and dark enough for white text (WCAG contrast ≥ 4.5:1).

An agency's colour fills the header of its clients' pages and the band of their emails,
both with white text on it.
"""

import re

from marshmallow import ValidationError, fields

from service.validation import N_

HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
MIN_CONTRAST = 4.5  # WCAG AA for normal text


def is_hex_colour(value: str | None) -> bool:
    return value is not None and HEX_COLOUR.fullmatch(value) is not None


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _luminance(colour: str) -> float:
    """Relative luminance, as WCAG 2 defines it."""

    def linear(channel: int) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in _channels(colour))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    return 1.05 / (_luminance(colour) + 0.05)


def darker(colour: str, factor: float = 0.75) -> str:
    """The same hue, darker: white text on it reads at least as well."""
    return "#" + "".join(f"{round(channel * factor):02x}" for channel in _channels(colour))


def readable(colour: str) -> str:
    """``colour`` (lower case) if white text on it passes, else the nearest darker shade that
    does: a colour saved before the contrast rule still gives a readable header."""
    colour = colour.lower()
    while contrast_with_white(colour) < MIN_CONTRAST:
        colour = darker(colour, 0.9)
    return colour


def _validate(value: str) -> None:
    if not is_hex_colour(value):
        raise ValidationError(N_("Enter a colour as # and six hex digits, like #0f766e."))
    if contrast_with_white(value) < MIN_CONTRAST:
        raise ValidationError(
            N_(
                "This colour is too light for the white text on it (contrast below 4.5:1). "
                "Choose a darker colour."
            )
        )


def brand_colour_field() -> fields.String:
    """An optional brand colour: #rrggbb, readable under white text."""
    return fields.String(
        load_default=None,
        validate=_validate,
        error_messages={"invalid": N_("Enter a colour as # and six hex digits, like #0f766e.")},
    )
