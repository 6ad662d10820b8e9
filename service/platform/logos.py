"""Agency logos: small raster images, recognised by their content, never by their name.

SVG is refused: it can carry scripts, and the logo is shown on pages of many tenants.
"""

from flask import Response, current_app, request
from flask_babel import gettext as _

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


def logo_errors(logo: bytes | None) -> list[str]:
    """Why an uploaded logo (None: nothing uploaded) is refused, in the user's language."""
    if logo is None:
        return []
    if len(logo) > MAX_LOGO_BYTES:
        return [_("The logo is larger than %(size)s KB.", size=MAX_LOGO_BYTES // 1024)]
    if image_type(logo) is None:
        return [_("Upload the logo as a PNG, JPEG or WebP image.")]
    return []


def read_upload(upload) -> bytes | None:
    """The uploaded file's content, or None when no file was chosen. One byte over the
    limit is enough to refuse: a huge upload is never read whole."""
    if upload is None or not upload.filename:
        return None
    return upload.stream.read(MAX_LOGO_BYTES + 1)


def logo_response(content: bytes, mime_type: str) -> Response:
    """A stored logo as an image that nothing can run (no sniffing, no policy to do anything)
    and that a browser keeps but checks again (it may change: ETag, no-cache)."""
    response = current_app.response_class(content, mimetype=mime_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    response.headers["Cache-Control"] = "private, no-cache"
    response.add_etag()
    return response.make_conditional(request)
