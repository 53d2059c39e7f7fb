"""How many pixels decoding a collection of images costs, and how many it may.

The cap is checked from the images' headers before anything is decoded
(:func:`clustering.images.decode_images`).
"""

from __future__ import annotations

__all__ = ["KEEP_UP_TO", "MAX_TOTAL_PIXELS", "PIXELS_PER_BYTE", "decoded_pixels", "over_cap",
           "pixel_cap"]

MAX_TOTAL_PIXELS = 10_000_000_000
"""Pixels a collection may need decoded in all, however few bytes its files hold (10
gigapixels: ~800 twelve-megapixel PNGs, or some 50,000 such JPEG photos, which decode at 1/8
of their side, :func:`decoded_pixels`). Checked from the headers before anything is decoded,
so a small zip of huge, highly compressible images cannot make the server decode for hours;
larger collections may decode :data:`PIXELS_PER_BYTE` (:func:`pixel_cap`)."""
PIXELS_PER_BYTE = 10
"""Pixels a collection may need decoded for each byte of its image files, past
:data:`MAX_TOTAL_PIXELS` (a decompression bomb declares thousands a byte)."""
KEEP_UP_TO = 64
"""Images this small (all of one size) are kept at their size; larger ones are reduced."""


def pixel_cap(stored: int) -> int:
    """Pixels a collection whose image files hold ``stored`` bytes may need decoded.

    :data:`MAX_TOTAL_PIXELS`, or :data:`PIXELS_PER_BYTE` for each byte where that is more:
    decoding is then bounded by the data really there (a microscope's 16-bit TIFFs hold
    about 2 bytes a pixel, a photo's PNG 1 or 2), while a small zip of huge, highly
    compressible images (thousands of pixels a byte) meets the fixed cap. An upload, at most
    1 GiB, can reach about 10,700 million pixels.

    Examples
    --------
    >>> pixel_cap(10_000) == MAX_TOTAL_PIXELS, pixel_cap(40 * 2**30) // 10**6
    (True, 429496)
    """
    return max(MAX_TOTAL_PIXELS, PIXELS_PER_BYTE * stored)


def decoded_pixels(width_height: tuple[int, int], jpeg: bool, side: int) -> int:
    """Pixels decoding one image costs when it is brought to ``side`` px.

    A JPEG larger than :data:`KEEP_UP_TO` is decoded at 1/2, 1/4 or 1/8 of its size (the
    largest that keeps it at ``side`` or more, as Pillow's ``draft`` picks), so a 12-megapixel
    photo reduced to 96 px decodes 0.19 million pixels; any other image whole.

    Examples
    --------
    >>> decoded_pixels((4000, 3000), True, 96), decoded_pixels((4000, 3000), False, 96)
    (187500, 12000000)
    >>> decoded_pixels((200, 150), True, 48), decoded_pixels((60, 60), True, 32)
    (7500, 3600)
    """
    width, height = width_height
    if not jpeg or max(width, height) <= KEEP_UP_TO:
        return width * height
    fits = min(width // side, height // side)
    scale = next((s for s in (8, 4, 2) if fits >= s), 1)
    return -(-width // scale) * -(-height // scale)


def over_cap(count: int, total: int, stored: int) -> str | None:
    """Why ``count`` images are refused (None: they are not).

    They need ``total`` pixels decoded, and their files hold ``stored`` bytes.

    Examples
    --------
    >>> over_cap(4, 16 * 10**9, 30_000)[:79]
    'The 4 images hold 16,000 million pixels to decode, more than the 10,000 million'
    >>> over_cap(9, 200 * 10**9, 4 * 2**30).split(" than the ")[1].split(";")[0]
    '42,950 million clusterlab decodes for their 4,096 MB of files (10 pixels a byte)'
    >>> over_cap(4, 10**9, 30_000) is None
    True
    """
    cap = pixel_cap(stored)
    if total <= cap:
        return None
    said = "" if cap == MAX_TOTAL_PIXELS else (
        f" for their {stored / 2**20:,.0f} MB of files ({PIXELS_PER_BYTE} pixels a byte)")
    return (f"The {count:,} images hold {total / 1e6:,.0f} million pixels to decode, more than "
            f"the {cap / 1e6:,.0f} million clusterlab decodes{said}; resize them first (e.g. "
            "to 256 px on the long side) or split the collection.")
