"""The demo agency's logo: a bridge ("brug") over a talent, drawn in code as a small PNG.

Agency logos are raster images only (service/platform/logos.py refuses SVG, which can carry
scripts), so the demo draws its own: no image file, no dependency.
"""

import struct
import zlib

SIZE = 64  # pixels; shown at 28 px, sharp on a high-density screen
SAMPLES = 4  # per axis and pixel: smooth edges
TEAL = (15, 118, 110)
AMBER = (245, 184, 65)


def _colour_at(x: float, y: float) -> tuple[int, int, int] | None:
    """The shape's colour at (x, y) in the unit square, or None (transparent)."""
    dx, dy = x - 0.5, y - 0.64
    if y <= 0.64 and 0.27**2 <= dx * dx + dy * dy <= 0.38**2:
        return TEAL  # the arch
    if 0.06 <= x <= 0.94 and 0.64 <= y <= 0.74:
        return TEAL  # the deck
    if (x - 0.5) ** 2 + (y - 0.47) ** 2 <= 0.09**2:
        return AMBER  # the talent the bridge carries
    return None


def _pixel(px: int, py: int) -> bytes:
    hits: dict[tuple[int, int, int], int] = {}
    for sy in range(SAMPLES):
        for sx in range(SAMPLES):
            colour = _colour_at(
                (px + (sx + 0.5) / SAMPLES) / SIZE, (py + (sy + 0.5) / SAMPLES) / SIZE
            )
            if colour is not None:
                hits[colour] = hits.get(colour, 0) + 1
    if not hits:
        return bytes(4)
    colour = max(hits, key=hits.get)
    alpha = round(255 * sum(hits.values()) / SAMPLES**2)
    return bytes((*colour, alpha))


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def demo_logo_png() -> bytes:
    rows = b"".join(b"\x00" + b"".join(_pixel(px, py) for px in range(SIZE)) for py in range(SIZE))
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )
