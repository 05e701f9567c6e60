"""An image's width and height read from its header, before anything is decoded.

A 1 MB PNG can declare 30,000 x 28,000 pixels and expand to 2.4 GB when decoded, so
:func:`~fer_desktop.core.sources.read_image` asks this module first and refuses (or, for a
JPEG, decodes at a reduced scale) anything over :data:`MAX_IMAGE_PIXELS`. Only the few bytes
of the header are read. PNG, JPEG, BMP, WebP, TIFF, the Netpbm formats (PBM, PGM, PPM: a
100 MB PBM holds 800 MP) and JPEG 2000 (JP2) are understood; anything else is not decoded
at all (:func:`known_format`): OpenCV reads more formats by their content, and a 6 MB
Radiance HDR named ``.png`` decoded to 100 MP, past every limit (audit 44).
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO

MAX_IMAGE_PIXELS = 50_000_000
"""Largest image decoded at full size: 50 megapixels, 150 MB as BGR."""

MAX_IMAGE_FILE_BYTES = 300 * 1024 * 1024
"""Largest image file read at all (a 50 MP image is well under this in any common format)."""

_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE,
                       0xCF})
_HEADER_BYTES = 64
_NETPBM_HEAD_BYTES = 1 << 16  # its size comes after any comments


def known_format(path: str | Path) -> bool:
    """Whether the file starts as one of the formats whose size :func:`header_size` reads
    (a damaged header of one of them included: decoding then says what is wrong)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEADER_BYTES)
    except OSError:
        return True  # unreadable: the reader says so
    if head[:1] == b"P" and head[1:2] in b"123456" and head[2:3].isspace():
        return header_size(path) is not None  # its size past 64 KB of comments: unmeasured
    return head.startswith((b"\x89PNG\r\n\x1a\n", b"\xff\xd8", b"BM", b"II*\x00", b"MM\x00*",
                            b"\x00\x00\x00\x0cjP  \r\n\x87\n")) \
        or (head.startswith(b"RIFF") and head[8:12] == b"WEBP") or _is_avif(head)


def _is_avif(head: bytes) -> bool:
    """An AVIF picture (web downloads, newer phones): an ISO media file whose brands name
    AVIF. OpenCV decodes it; its size is read as any picture's (:func:`_avif_size`)."""
    if head[4:8] != b"ftyp" or len(head) < 16:
        return False
    size = int.from_bytes(head[:4], "big")
    brands = head[8:min(max(size, 16), len(head))]
    return any(brands[i:i + 4] in (b"avif", b"avis") for i in range(0, len(brands) - 3, 4))


def video_container(path: str | Path) -> str:
    """The video format a file's first bytes say it is ("AVI", "MP4 or MOV", "Matroska or
    WebM"), or "": a video named like a picture was "not picture data" (audit 44)."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEADER_BYTES)
    except OSError:
        return ""
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return "AVI"
    if head[4:8] == b"ftyp" and not _is_avif(head):
        return "MP4 or MOV"
    if head.startswith(b"\x1aE\xdf\xa3"):
        return "Matroska or WebM"
    return ""


def header_size(path: str | Path) -> tuple[int, int] | None:
    """(width, height) from the file's header, or None when the format is not one we parse
    or the header is damaged (decoding will then say what is wrong).

    Example:
        >>> header_size("assets/sample.jpg")
        (512, 512)
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(_HEADER_BYTES)
            if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR":
                return struct.unpack(">II", head[16:24])
            if head.startswith(b"\xff\xd8"):
                return _jpeg_size(fh)
            if head.startswith(b"BM") and len(head) >= 26:
                return _bmp_size(head)
            if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
                return _webp_size(head)
            if head[:4] in (b"II*\x00", b"MM\x00*"):
                return _tiff_size(fh, "<" if head[:2] == b"II" else ">")
            if head[:1] == b"P" and head[1:2] in b"123456" and head[2:3].isspace():
                return _netpbm_size(fh)
            if head.startswith(b"\x00\x00\x00\x0cjP  \r\n\x87\n"):
                return _jp2_size(fh)
            if _is_avif(head):
                return _avif_size(fh)
    except (OSError, struct.error, ValueError):
        return None
    return None


_SCAN_BLOCK = 1 << 16
_AVIF_META_BYTES = 1 << 18  # an AVIF's item properties come first, in a few hundred bytes


def _avif_size(fh: BinaryIO) -> tuple[int, int] | None:
    """The largest image spatial extent (``ispe``) an AVIF's properties give: each image item
    (the picture, a grid's tiles and the grid itself, an alpha plane, a thumbnail) has one,
    so the largest bounds what decoding makes."""
    fh.seek(0)
    data = fh.read(_AVIF_META_BYTES)
    sizes, at = [], data.find(b"ispe")
    while at >= 4:
        if at + 16 <= len(data):  # the box's version and flags, then width and height
            sizes.append(struct.unpack(">II", data[at + 8:at + 16]))
        at = data.find(b"ispe", at + 4)
    return max(sizes, key=lambda wh: wh[0] * wh[1]) if sizes else None


def _next_marker(fh: BinaryIO) -> int | None:
    """The code of the next marker from ``fh``'s position, which is left just after it,
    skipping what libjpeg's ``next_marker`` skips: bytes that are not 0xFF, fill 0xFFs, and
    0xFF 0x00 pairs. libjpeg decodes a picture whole past such junk, so the size check must
    find its frame header too: one stray byte (audit 37), then four ("00 FF 00 00") or a
    megabyte of them (review 37), let a picture over the limit be decoded at full size."""
    carry = b""  # 0xFFs that ended the block before: the code is in this one
    while block := fh.read(_SCAN_BLOCK):
        data = carry + block
        at = data.find(b"\xff")
        while at >= 0:
            end = at
            while end < len(data) and data[end] == 0xFF:
                end += 1
            if end == len(data):
                carry = b"\xff"
                break
            if data[end] != 0x00:
                fh.seek(end + 1 - len(data), 1)
                return data[end]
            at = data.find(b"\xff", end + 1)
        else:
            carry = b""
    return None


def _jpeg_size(fh: BinaryIO) -> tuple[int, int] | None:
    fh.seek(2)
    for _ in range(10_000):  # markers before the frame header; bounded against junk
        marker = _next_marker(fh)
        if marker is None or marker in (0xD9, 0xDA):  # the end, or the pixels: no frame
            return None
        if marker == 0xD8 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue  # markers without a length
        length_bytes = fh.read(2)
        if len(length_bytes) < 2:
            return None
        (length,) = struct.unpack(">H", length_bytes)
        if marker in _JPEG_SOF:
            data = fh.read(5)
            if len(data) < 5:
                return None
            height, width = struct.unpack(">HH", data[1:5])
            return width, height
        fh.seek(length - 2, 1)
    return None


def jpeg_orientation(path: str | Path) -> int:
    """The EXIF orientation of a JPEG (1: as stored; 5 to 8: turned a quarter, which the
    decoder applies), 1 where it has none or it cannot be read."""
    try:
        with open(path, "rb") as fh:
            fh.seek(2)
            for _ in range(64):  # APP1 comes first, after at most a few other segments
                marker = _next_marker(fh)
                if marker is None or marker in (0xD9, 0xDA) or marker in _JPEG_SOF:
                    return 1
                if marker == 0xD8 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
                    continue
                (length,) = struct.unpack(">H", fh.read(2))
                if length < 2:  # a length of 0 or 1 read the whole file (review 60)
                    return 1
                if marker != 0xE1:
                    fh.seek(length - 2, 1)
                    continue
                segment = fh.read(length - 2)
                if segment.startswith(b"Exif\0\0"):
                    return _exif_orientation(segment[6:])
    except (OSError, struct.error, ValueError):
        pass
    return 1


def _exif_orientation(tiff: bytes) -> int:
    order = "<" if tiff[:2] == b"II" else ">"
    (offset,) = struct.unpack(order + "I", tiff[4:8])
    (count,) = struct.unpack(order + "H", tiff[offset:offset + 2])
    for i in range(min(count, 1000)):
        entry = tiff[offset + 2 + 12 * i:offset + 14 + 12 * i]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag == 0x0112 and kind == 3:  # Orientation, a SHORT
            value = struct.unpack(order + "H", entry[8:10])[0]
            return value if 1 <= value <= 8 else 1
    return 1


def _bmp_size(head: bytes) -> tuple[int, int]:
    (header_len,) = struct.unpack("<I", head[14:18])
    if header_len == 12:  # OS/2 BITMAPCOREHEADER: 16-bit sizes
        width, height = struct.unpack("<HH", head[18:22])
    else:
        width, height = struct.unpack("<ii", head[18:26])
    return abs(width), abs(height)


def _webp_size(head: bytes) -> tuple[int, int] | None:
    chunk = head[12:16]
    if chunk == b"VP8 ":
        width, height = struct.unpack("<HH", head[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L":
        (bits,) = struct.unpack("<I", head[21:25])
        return 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF)
    if chunk == b"VP8X":
        width = int.from_bytes(head[24:27], "little") + 1
        height = int.from_bytes(head[27:30], "little") + 1
        return width, height
    return None


def _tiff_size(fh: BinaryIO, order: str) -> tuple[int, int] | None:
    fh.seek(4)
    (offset,) = struct.unpack(order + "I", fh.read(4))
    fh.seek(offset)
    (count,) = struct.unpack(order + "H", fh.read(2))
    size: dict[int, int] = {}
    for _ in range(min(count, 1000)):
        tag, kind, _n, value = struct.unpack(order + "HHI4s", fh.read(12))
        if tag in (256, 257):
            if kind == 3:  # SHORT
                size[tag] = struct.unpack(order + "H", value[:2])[0]
            elif kind == 4:  # LONG
                size[tag] = struct.unpack(order + "I", value)[0]
    if 256 in size and 257 in size:
        return size[256], size[257]
    return None


MAX_PAGES_COUNTED = 10_000  # a chain of IFDs longer than this is counted as this many


def tiff_pages(path: str | Path) -> int:
    """How many pages (images) a TIFF holds, by walking its chain of image directories; 1 for
    any other picture, a damaged chain, or a file that cannot be read. The app decodes a
    TIFF's first page only (``cv2.imdecode``; reading every page as a picture of its own is
    not done yet): a scanned 4-page document was analysed as one picture, unsaid.

    Example:
        >>> tiff_pages("assets/sample.jpg")
        1
    """
    pages = 0
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
            if len(head) < 8 or head[:4] not in (b"II*\x00", b"MM\x00*"):
                return 1
            order = "<" if head[:2] == b"II" else ">"
            (offset,) = struct.unpack(order + "I", head[4:8])
            seen: set[int] = set()
            while offset and offset % 2 == 0 and offset not in seen \
                    and len(seen) < MAX_PAGES_COUNTED:
                seen.add(offset)  # a chain that loops back is counted once round
                fh.seek(offset)
                raw = fh.read(2)
                if len(raw) < 2:
                    break
                (count,) = struct.unpack(order + "H", raw)
                entries = fh.read(12 * count + 4)
                if len(entries) < 12 * count + 4:
                    break  # a pointer past the end (OpenCV still reads the page before)
                pages += not _reduced_image(entries, count, order)
                (offset,) = struct.unpack(order + "I", entries[-4:])
    except (OSError, struct.error, ValueError):
        return 1
    return max(1, pages)


def _reduced_image(entries: bytes, count: int, order: str) -> bool:
    """Whether an image directory is a reduced copy of another (NewSubfileType, tag 254, bit
    0: a thumbnail a scanner or a camera writes), not a page."""
    for k in range(count):
        tag, kind, _n, value = struct.unpack(order + "HHI4s", entries[12 * k:12 * k + 12])
        if tag == 254:
            number = struct.unpack(order + ("H" if kind == 3 else "I"),
                                   value[:2] if kind == 3 else value)[0]
            return bool(number & 1)
    return False




def webp_frames(path: str | Path) -> int:
    """How many frames an animated WebP holds (its ANMF chunks); 1 for a still one, any
    other picture, or a file that cannot be read. The app decodes the first only (OpenCV):
    a sticker or web animation was analysed as a still, unsaid (audit 49)."""
    frames = 0
    try:
        with open(path, "rb") as fh:
            head = fh.read(12)
            if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WEBP":
                return 1
            while frames < MAX_PAGES_COUNTED and len(chunk := fh.read(8)) == 8:
                (size,) = struct.unpack("<I", chunk[4:8])
                frames += chunk[:4] == b"ANMF"
                fh.seek(size + (size & 1), 1)  # chunks are padded to an even size
    except OSError:
        return 1
    return max(1, frames)


def unread_note(path: str | Path) -> str:
    """The words for a picture of which the app reads only the first image (a TIFF of
    several pages, an animated WebP); "" for any other."""
    if (pages := tiff_pages(path)) > 1:
        return pages_note(pages)
    if (frames := webp_frames(path)) > 1:
        return (f"is animated ({frames} frames); only the first is read (save it as a GIF or "
                "a video to play it)")
    return ""


def pages_note(pages: int) -> str:
    """The words for a picture file of several pages, of which the app reads the first."""
    return (f"holds {pages} pages; only the first is read (save each page as a "
            "picture of its own to see it)")


def _netpbm_size(fh: BinaryIO) -> tuple[int, int] | None:
    """PBM/PGM/PPM: "P4", then width and height as text, each after blanks or # comments
    (read to their end, up to 64 KB: a comment over the 1,024 bytes read before hid the
    size, and a 81 MP picture was decoded whole, audit 44)."""
    fh.seek(2)
    numbers: list[int] = []
    text = fh.read(_NETPBM_HEAD_BYTES)
    for line in text.split(b"\n"):
        for word in line.split(b"#", 1)[0].split():
            if not word.isdigit():
                return None
            numbers.append(int(word))
            if len(numbers) == 2:
                return numbers[0], numbers[1]
    return None


def _jp2_size(fh: BinaryIO) -> tuple[int, int] | None:
    """JPEG 2000 (JP2): the image header box ("ihdr": height, then width) in the first boxes."""
    fh.seek(0)
    head = fh.read(1024)
    at = head.find(b"ihdr")
    if at < 0 or len(head) < at + 12:
        return None
    height, width = struct.unpack(">II", head[at + 4:at + 12])
    return width, height


def megapixels(width: int, height: int) -> str:
    """"840 MP" style text for messages."""
    return f"{width * height / 1e6:.0f} MP" if width * height >= 1e6 else \
        f"{width * height / 1e6:.1f} MP"


SLOW_IMAGE_PIXELS = 20_000_000
"""From this size on (as decoded), finding the faces takes about a second a pass on a laptop
core (a 36 MP picture: 0.8-1.9 s, measured here), so the window says why the answer is slow."""


def is_jpeg(path: str | Path) -> bool:
    """The file starts like a JPEG (False when it cannot be read)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(2) == b"\xff\xd8"
    except OSError:
        return False


def decoded_at_half_size(width: int, height: int, jpeg: bool) -> bool:
    """The one rule of :func:`~fer_desktop.core.sources.read_image`: a JPEG over
    :data:`MAX_IMAGE_PIXELS`, up to four times that, is decoded at half size (libjpeg scales
    while decoding, rounding up); anything else over the limit is refused."""
    return jpeg and MAX_IMAGE_PIXELS < width * height <= 4 * MAX_IMAGE_PIXELS


def pixel_scale(path: str | Path) -> float:
    """The picture's own pixels per pixel decoded: 2.0 for one decoded at half size, else 1.0.
    The boxes of its faces are written in its own pixels: a 7000 x 8000 photo's face at
    (1210, 762) was written at (605, 381), with nothing said (audit 49)."""
    size = header_size(path)
    return 2.0 if size is not None and decoded_at_half_size(*size, is_jpeg(path)) else 1.0


def size_note(path: str | Path) -> str:
    """A few words on a picture large enough to be slow, shown reduced, or of several images
    (a TIFF's pages, an animated WebP's frames: the first is shown); "" otherwise.

    Example:
        >>> size_note("assets/sample.jpg")
        ''
    """
    unread = unread_note(path)
    size = _size_words(path)
    return f"{size}; {unread}" if size and unread else size or unread


def _size_words(path: str | Path) -> str:
    size = header_size(path)
    if size is None:
        return ""
    width, height = size
    if is_jpeg(path) and jpeg_orientation(path) in (5, 6, 7, 8):  # shown turned a quarter:
        width, height = height, width  # "9000 x 12000" of a picture shown 12000 wide (audit 58)
    if decoded_at_half_size(width, height, is_jpeg(path)):
        shown = ((width + 1) // 2, (height + 1) // 2)
        slow = shown[0] * shown[1] >= SLOW_IMAGE_PIXELS
        return (f"{width} x {height} pixels, shown at half size ({shown[0]} x {shown[1]})"
                + (", so each option change takes a moment" if slow else ""))
    if width * height >= SLOW_IMAGE_PIXELS:
        return (f"{width} x {height} pixels ({megapixels(width, height)}), so each option "
                "change takes a moment")
    return ""
