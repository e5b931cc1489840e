"""Reading photos: the only module that opens image files.

``read_image`` returns an RGB array with the EXIF orientation applied, at a
resolution that the analysis needs and no more: a 12-megapixel phone photo is
decoded at half size by libjpeg itself (``IMREAD_REDUCED_COLOR_2``), which is
about five times faster than a full decode and still gives the plate several
pixels per millimetre.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from tlc.errors import ImageError

#: File name endings that ``read_image`` accepts.
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".heic", ".heif")

#: Smallest accepted image side, in pixels: below this no plate can be measured.
MIN_SIDE = 64

#: Longest side kept for analysis; larger photos are decoded or resized down to it.
DEFAULT_MAX_SIDE = 2200

# Magic numbers of the formats we read, to tell "not an image" from "broken image".
_MAGIC = (
    (b"\xff\xd8\xff", "JPEG"),
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"RIFF", "WebP"),
    (b"BM", "BMP"),
)


def _quiet_opencv(cv2: object) -> None:
    # libtiff and libpng print harmless warnings on stderr for unknown tags;
    # staff should see only our messages.
    try:
        cv2.utils.logging.setLogLevel(cv2.utils.logging.LOG_LEVEL_ERROR)  # type: ignore[attr-defined]
    except AttributeError:  # pragma: no cover - very old OpenCV
        pass


def sniff_format(head: bytes) -> str | None:
    """Return the image format named by the first bytes of a file, or None.

    Parameters
    ----------
    head : bytes
        At least the first 12 bytes of the file.
    """
    for magic, name in _MAGIC:
        if head.startswith(magic):
            if name == "WebP" and head[8:12] != b"WEBP":
                return None
            return name
    if head[4:8] == b"ftyp" and head[8:12] in (
        b"heic",
        b"heix",
        b"mif1",
        b"msf1",
        b"heim",
        b"hevc",
    ):
        return "HEIC"
    return None


def read_image(path: str | os.PathLike[str], *, max_side: int = DEFAULT_MAX_SIDE) -> np.ndarray:
    """Read a photo as an RGB array, with its EXIF orientation applied.

    The file is only read, never written.

    Parameters
    ----------
    path : str or path-like
        A JPEG, PNG, TIFF, WebP or BMP file (HEIC too when ``pillow-heif`` is
        installed: ``pip install "tlc-drugcheck[heic]"``).
    max_side : int, optional
        Longest side of the returned image; larger photos are reduced (the
        analysis does not need more, and it keeps ``tlc analyse`` under a second).

    Returns
    -------
    image : (M, N, 3) ndarray of uint8
        The photo in RGB order, upright as the camera's EXIF tag says.

    Raises
    ------
    ImageError
        If the file is missing, a directory, empty, not an image, truncated,
        or smaller than ``MIN_SIDE`` pixels.
    """
    if max_side < MIN_SIDE:
        msg = f"max_side must be at least {MIN_SIDE}, got {max_side}"
        raise ValueError(msg)
    p = Path(path)
    if not p.exists():
        msg = f"{p}: no such file"
        raise ImageError(msg)
    if p.is_dir():
        msg = f"{p}: is a folder, not an image file"
        raise ImageError(msg)
    try:
        with p.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        msg = f"{p}: cannot be read ({exc.strerror or exc})"
        raise ImageError(msg) from exc
    if not head:
        msg = f"{p}: the file is empty"
        raise ImageError(msg)
    kind = sniff_format(head)
    if kind is None:
        msg = f"{p}: not an image file (expected JPEG, PNG, TIFF, WebP or HEIC)"
        raise ImageError(msg)
    image = _read_heic(p) if kind == "HEIC" else _read_opencv(p, kind, max_side)
    if image.shape[0] < MIN_SIDE or image.shape[1] < MIN_SIDE:
        msg = (
            f"{p}: the image is only {image.shape[1]}x{image.shape[0]} pixels; "
            f"a photo of a plate needs at least {MIN_SIDE}x{MIN_SIDE}"
        )
        raise ImageError(msg)
    return _limit_size(image, max_side)


def _read_opencv(p: Path, kind: str, max_side: int) -> np.ndarray:
    import cv2

    _quiet_opencv(cv2)
    bgr = None
    if kind == "JPEG":
        # libjpeg decodes a cut-off file without an error (the missing part
        # comes out grey), and the analysis would then fail with a misleading
        # message: check that the file reaches its end first.
        check_jpeg_complete(p)
        # Decode at half size first: libjpeg scales in the DCT, so this costs
        # a fraction of a full decode. Small photos are decoded again in full.
        bgr = cv2.imread(str(p), cv2.IMREAD_REDUCED_COLOR_2)
        if bgr is not None and max(bgr.shape[:2]) < max_side // 2:
            bgr = None
    if bgr is None:
        bgr = cv2.imread(str(p), cv2.IMREAD_COLOR)
    if bgr is None or bgr.size == 0:
        msg = f"{p}: the {kind} file is damaged or truncated and cannot be decoded"
        raise ImageError(msg)
    if bgr.dtype != np.uint8:  # 16-bit PNG/TIFF
        bgr = (bgr / 257.0).round().astype(np.uint8)
    return np.ascontiguousarray(bgr[:, :, ::-1])


def _read_heic(p: Path) -> np.ndarray:
    try:
        import pillow_heif
        from PIL import Image, ImageOps
    except ImportError as exc:
        msg = f'{p}: HEIC photos need the optional extra: pip install "tlc-drugcheck[heic]"'
        raise ImageError(msg) from exc
    pillow_heif.register_heif_opener()
    try:
        with Image.open(p) as im:
            upright = ImageOps.exif_transpose(im)
            return np.asarray(upright.convert("RGB"))
    except Exception as exc:  # pillow raises many kinds for broken files
        msg = f"{p}: the HEIC file is damaged and cannot be decoded"
        raise ImageError(msg) from exc


def _limit_size(image: np.ndarray, max_side: int) -> np.ndarray:
    side = max(image.shape[:2])
    if side <= max_side:
        return image
    import cv2

    scale = max_side / side
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def write_png(path: str | os.PathLike[str], image: np.ndarray) -> None:
    """Write an RGB image as PNG, whole or not at all.

    The image is encoded in memory and moved into place with an atomic rename,
    so a crash never leaves half a file.

    Parameters
    ----------
    path : str or path-like
        Destination; its folder must exist.
    image : (M, N, 3) ndarray of uint8
        RGB image.
    """
    import cv2

    # Compression level 3 of 9 with run-length matching only: the same pixels
    # (PNG is lossless), in 30 ms instead of 55 ms for the annotated 12 MP
    # plate (the default matching at level 3), and a file 12 % smaller.
    ok, buf = cv2.imencode(
        ".png",
        np.ascontiguousarray(image[:, :, ::-1]),
        [cv2.IMWRITE_PNG_COMPRESSION, 3, cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE],
    )
    if not ok:  # pragma: no cover - encoder failure on valid uint8 is not seen
        msg = f"{path}: could not encode PNG"
        raise OSError(msg)
    write_bytes_atomic(path, buf.tobytes())


def write_bytes_atomic(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` whole or not at all (temporary file + rename)."""
    p = Path(path)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, p)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_text_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` whole or not at all."""
    write_bytes_atomic(path, text.encode("utf-8"))


def check_jpeg_complete(path: str | os.PathLike[str]) -> None:
    """Refuse a JPEG file that stops before its end-of-image marker.

    OpenCV decodes a truncated JPEG without an error: libjpeg prints "Premature
    end of JPEG file" on stderr and fills the missing part with grey, and the
    analysis then fails later with a misleading message (no baseline). This
    walks the file's marker segments, skipping the compressed data, up to the
    end-of-image marker; data after it (phone makers append some) is ignored.
    Files that are not JPEG, or that cannot be read, are left to
    :func:`tlc.io.read_image` to report.

    Raises
    ------
    ImageError
        If the file is a JPEG that ends before its end-of-image marker.
    """
    try:
        p = Path(path)
        data = p.read_bytes() if p.is_file() else b""
    except OSError:
        return
    if not data.startswith(b"\xff\xd8\xff") or jpeg_ends(data):
        return
    msg = f"{path}: the JPEG file is truncated (cut off before its end); copy the photo again"
    raise ImageError(msg)


def jpeg_ends(data: bytes) -> bool:
    """Whether JPEG ``data`` reaches its end-of-image marker (FF D9)."""
    # Marker segments: FF xx, then a two-byte length (except standalone markers).
    # After SOS (FF DA) comes compressed data, in which FF is followed by 00
    # (a stuffed byte) or D0-D7 (restart markers) only; the next other marker
    # ends the scan. EOI is FF D9.
    n = len(data)
    i = 2
    while i + 1 < n:
        if data[i] != 0xFF:
            i += 1  # tolerate stray bytes between segments, as libjpeg does
            continue
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker == 0xD9:
            return True
        if marker in (0x01, *range(0xD0, 0xD8)):
            i += 2
            continue
        if i + 3 >= n:
            return False
        length = (data[i + 2] << 8) | data[i + 3]
        i += 2 + length
        if marker == 0xDA:
            while True:
                j = data.find(b"\xff", i)
                if j < 0 or j + 1 >= n:
                    return False
                nxt = data[j + 1]
                if nxt == 0x00 or 0xD0 <= nxt <= 0xD7 or nxt == 0xFF:
                    i = j + 1 if nxt == 0xFF else j + 2
                    continue
                i = j
                break
    return False
