"""Agency logos: small raster images, recognised by their content, never by their name.

SVG is refused: it can carry scripts, and the logo is shown on pages of many tenants.
"""

MAX_LOGO_BYTES = 200 * 1024


def image_type(content: bytes) -> str | None:
    """The MIME type of a PNG, JPEG or WebP image, else None."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None
