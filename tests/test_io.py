"""Tests of reading photos and writing files whole (tlc.io).

Tolerances:
- Lossless formats (PNG, TIFF, lossless WebP, BMP) are read back exactly.
- JPEG is lossy: a photo of flat colour blocks is read back within 12 grey
  levels per channel away from block edges (JPEG at quality 95).
- 16-bit PNG: values that are multiples of 257 map exactly to value / 257.
- A reduced photo keeps its aspect ratio within 1 pixel.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from tlc import io
from tlc.errors import ImageError

# Four flat colour blocks, so that RGB order and turns are easy to see.
_RED, _GREEN, _BLUE, _WHITE = (220, 30, 30), (30, 200, 40), (20, 40, 210), (240, 240, 240)


def blocks(rows: int = 120, cols: int = 200) -> np.ndarray:
    """An RGB image: red top-left, green top-right, blue bottom-left, white bottom-right."""
    img = np.zeros((rows, cols, 3), np.uint8)
    img[: rows // 2, : cols // 2] = _RED
    img[: rows // 2, cols // 2 :] = _GREEN
    img[rows // 2 :, : cols // 2] = _BLUE
    img[rows // 2 :, cols // 2 :] = _WHITE
    return img


def centre_colour(img: np.ndarray, quadrant: str) -> np.ndarray:
    """Mean colour at the centre of a quadrant (``tl``, ``tr``, ``bl``, ``br``)."""
    h, w = img.shape[:2]
    r = h // 4 if quadrant[0] == "t" else 3 * h // 4
    c = w // 4 if quadrant[1] == "l" else 3 * w // 4
    return img[r - 3 : r + 4, c - 3 : c + 4].reshape(-1, 3).mean(axis=0)


def write_cv2(path: Path, rgb: np.ndarray, params: list[int] | None = None) -> Path:
    import cv2

    arr = rgb[..., ::-1] if rgb.ndim == 3 and rgb.shape[2] == 3 else rgb
    assert cv2.imwrite(str(path), np.ascontiguousarray(arr), params or [])
    return path


# --------------------------------------------------------------------------- #
# formats
# --------------------------------------------------------------------------- #


@pytest.mark.parametrize(
    ("suffix", "params"),
    [
        (".png", None),
        (".tif", None),
        (".bmp", None),
        (".webp", [64, 101]),  # cv2.IMWRITE_WEBP_QUALITY > 100: lossless
    ],
)
def test_lossless_formats_read_exactly_in_rgb_order(tmp_path, suffix, params):
    img = blocks()
    path = write_cv2(tmp_path / f"plate{suffix}", img, params)
    out = io.read_image(path)
    assert out.dtype == np.uint8
    assert out.shape == img.shape
    np.testing.assert_array_equal(out, img)


def test_jpeg_read_in_rgb_order(tmp_path):
    import cv2

    img = blocks()
    path = write_cv2(tmp_path / "plate.jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 95])
    out = io.read_image(path)
    assert out.shape == img.shape
    for quadrant, colour in (("tl", _RED), ("tr", _GREEN), ("bl", _BLUE), ("br", _WHITE)):
        np.testing.assert_allclose(centre_colour(out, quadrant), colour, atol=12)


def test_jpeg_suffix_case_and_name_do_not_matter(tmp_path):
    # The format is sniffed from the bytes, not from the name.
    img = blocks()
    png = write_cv2(tmp_path / "plate.png", img)
    renamed = tmp_path / "PLATE.JPG"
    png.rename(renamed)
    np.testing.assert_array_equal(io.read_image(renamed), img)


def test_16_bit_png_is_scaled_to_8_bits(tmp_path):
    import cv2

    img16 = np.zeros((80, 90, 3), np.uint16)
    img16[..., 0] = 257 * 10  # B
    img16[..., 1] = 257 * 100  # G
    img16[..., 2] = 65535  # R
    path = tmp_path / "deep.png"
    assert cv2.imwrite(str(path), img16)
    out = io.read_image(path)
    assert out.dtype == np.uint8
    np.testing.assert_array_equal(out[0, 0], [255, 100, 10])


def test_rgba_png_drops_alpha(tmp_path):
    import cv2

    rgba = np.zeros((80, 90, 4), np.uint8)
    rgba[..., :3] = (200, 120, 40)  # RGB
    rgba[..., 3] = 128
    path = tmp_path / "alpha.png"
    assert cv2.imwrite(str(path), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
    out = io.read_image(path)
    assert out.shape == (80, 90, 3)
    np.testing.assert_array_equal(out[40, 40], [200, 120, 40])


# --------------------------------------------------------------------------- #
# EXIF orientation and size
# --------------------------------------------------------------------------- #


def write_jpeg_with_orientation(path: Path, rgb: np.ndarray, orientation: int) -> Path:
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation tag
    Image.fromarray(rgb).save(path, quality=95, exif=exif.tobytes())
    return path


@pytest.mark.parametrize("shape", [(120, 200), (1200, 2000)])
def test_exif_orientation_6_is_applied(tmp_path, shape):
    # Orientation 6: the camera was turned; the stored image must be turned
    # 90 degrees clockwise to stand as the photographer saw it. The large
    # photo goes through the reduced (half-size) JPEG decode.
    stored = blocks(*shape)
    path = write_jpeg_with_orientation(tmp_path / "turned.jpg", stored, 6)
    out = io.read_image(path)
    upright = np.rot90(stored, k=-1)  # clockwise
    ratio = out.shape[0] / upright.shape[0]
    assert out.shape[1] == pytest.approx(upright.shape[1] * ratio, abs=1)
    assert out.shape[0] > out.shape[1]  # stored landscape, upright portrait
    for quadrant in ("tl", "tr", "bl", "br"):
        np.testing.assert_allclose(
            centre_colour(out, quadrant), centre_colour(upright, quadrant), atol=12
        )


def test_large_jpeg_is_reduced_to_max_side(tmp_path):
    img = blocks(1200, 900)
    path = write_cv2(tmp_path / "big.jpg", img)
    out = io.read_image(path, max_side=500)
    assert max(out.shape[:2]) <= 500
    assert out.shape[0] == 500
    assert out.shape[1] == pytest.approx(900 * 500 / 1200, abs=1)
    np.testing.assert_allclose(centre_colour(out, "br"), _WHITE, atol=12)


def test_large_png_is_reduced_to_max_side(tmp_path):
    img = blocks(700, 1000)
    path = write_cv2(tmp_path / "big.png", img)
    out = io.read_image(path, max_side=300)
    assert out.shape[:2] == (210, 300)


def test_small_jpeg_is_decoded_at_full_size(tmp_path):
    # The half-size decode is only for photos that stay large enough.
    img = blocks(400, 600)
    path = write_cv2(tmp_path / "small.jpg", img)
    assert io.read_image(path).shape == img.shape


def test_the_file_is_not_modified(tmp_path):
    path = write_jpeg_with_orientation(tmp_path / "keep.jpg", blocks(1200, 2000), 6)
    before = path.read_bytes()
    stat = path.stat()
    io.read_image(path, max_side=400)
    assert path.read_bytes() == before
    assert path.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["keep.jpg"]


# --------------------------------------------------------------------------- #
# errors
# --------------------------------------------------------------------------- #


def test_missing_file(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        io.read_image(tmp_path / "nope.jpg")


def test_folder(tmp_path):
    with pytest.raises(ImageError, match="is a folder, not an image file"):
        io.read_image(tmp_path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.jpg"
    path.write_bytes(b"")
    with pytest.raises(ImageError, match="the file is empty"):
        io.read_image(path)


@pytest.mark.parametrize(
    "content",
    [b"hello, this is text not a photo\n", b"RIFF\x00\x00\x00\x00WAVEfmt ", b"%PDF-1.7\n"],
)
def test_not_an_image(tmp_path, content):
    path = tmp_path / "plate.jpg"
    path.write_bytes(content)
    with pytest.raises(ImageError, match=r"not an image file \(expected JPEG, PNG"):
        io.read_image(path)


def test_unreadable_file(tmp_path, monkeypatch):
    # Permissions cannot be tested as root; make the open itself fail.
    path = write_cv2(tmp_path / "locked.png", blocks())

    def denied(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "open", denied)
    with pytest.raises(ImageError, match=r"cannot be read \(Permission denied\)"):
        io.read_image(path)


def test_truncated_png(tmp_path):
    data = write_cv2(tmp_path / "whole.png", blocks(300, 400)).read_bytes()
    path = tmp_path / "cut.png"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="PNG file is damaged or truncated"):
        io.read_image(path)


def test_truncated_jpeg(tmp_path):
    # libjpeg decodes a cut-off JPEG with a grey lower part and no error:
    # read_image checks that the file reaches its end-of-image marker.
    rng = np.random.default_rng(0)
    img = rng.integers(0, 255, (300, 400, 3)).astype(np.uint8)
    data = write_cv2(tmp_path / "whole.jpg", img).read_bytes()
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match="JPEG file is truncated"):
        io.read_image(path)


def test_garbage_after_a_jpeg_header(tmp_path):
    path = tmp_path / "broken.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 200)
    with pytest.raises(ImageError, match="JPEG file is truncated"):
        io.read_image(path)


def test_too_small(tmp_path):
    path = write_cv2(tmp_path / "tiny.png", blocks(40, 300))
    with pytest.raises(ImageError, match=r"only 300x40 pixels; .* at least 64x64"):
        io.read_image(path)


def test_max_side_below_minimum():
    with pytest.raises(ValueError, match="max_side must be at least 64, got 10"):
        io.read_image("whatever.jpg", max_side=10)


def _heic_bytes() -> bytes:
    return b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64


def test_heic_without_the_extra(tmp_path, monkeypatch):
    # A None entry in sys.modules makes the import fail as if not installed.
    monkeypatch.setitem(sys.modules, "pillow_heif", None)
    path = tmp_path / "phone.heic"
    path.write_bytes(_heic_bytes())
    with pytest.raises(ImageError, match=r"HEIC photos need the optional extra: pip install"):
        io.read_image(path)


def test_damaged_heic(tmp_path):
    pytest.importorskip("pillow_heif")
    path = tmp_path / "phone.heic"
    path.write_bytes(_heic_bytes())
    with pytest.raises(ImageError, match="HEIC file is damaged and cannot be decoded"):
        io.read_image(path)


def test_heic_is_read(tmp_path):
    pillow_heif = pytest.importorskip("pillow_heif")
    from PIL import Image

    pillow_heif.register_heif_opener()
    path = tmp_path / "phone.heic"
    try:
        Image.fromarray(blocks()).save(path, quality=95)
    except (OSError, ValueError, KeyError):  # pragma: no cover - built without an encoder
        pytest.skip("pillow-heif cannot encode HEIC here")
    out = io.read_image(path)
    assert out.shape == (120, 200, 3)
    np.testing.assert_allclose(centre_colour(out, "tr"), _GREEN, atol=20)


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"\xff\xd8\xff\xe1\x00\x00", "JPEG"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG"),
        (b"II*\x00\x08\x00", "TIFF"),
        (b"MM\x00*\x00\x00", "TIFF"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "WebP"),
        (b"BM\x00\x00", "BMP"),
        (_heic_bytes()[:16], "HEIC"),
        (b"RIFF\x10\x00\x00\x00AVI LIST", None),
        (b"GIF89a\x00\x00", None),
    ],
)
def test_sniff_format(head, kind):
    assert io.sniff_format(head) == kind


# --------------------------------------------------------------------------- #
# writing whole or not at all
# --------------------------------------------------------------------------- #


def test_write_png_round_trip(tmp_path):
    img = blocks()
    path = tmp_path / "out.png"
    io.write_png(path, img)
    np.testing.assert_array_equal(io.read_image(path), img)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.png"]


def test_write_png_encoding_failure_leaves_no_file(tmp_path, monkeypatch):
    import cv2

    monkeypatch.setattr(cv2, "imencode", lambda *a, **k: (False, None))
    path = tmp_path / "out.png"
    with pytest.raises(OSError, match="could not encode PNG"):
        io.write_png(path, blocks())
    assert list(tmp_path.iterdir()) == []


def test_failed_atomic_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "card.txt"
    path.write_text("old", encoding="utf-8")

    def broken_replace(src, dst):
        msg = "disk full"
        raise OSError(msg)

    monkeypatch.setattr(io.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        io.write_text_atomic(path, "new text")
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["card.txt"]  # no temporary file left


def test_failed_atomic_write_of_the_data_leaves_nothing(tmp_path, monkeypatch):
    real = Path.write_bytes

    def half_write(self, data):
        real(self, data[:3])
        msg = "no space left on device"
        raise OSError(msg)

    monkeypatch.setattr(Path, "write_bytes", half_write)
    with pytest.raises(OSError, match="no space left"):
        io.write_bytes_atomic(tmp_path / "a.json", b'{"x": 1}')
    assert list(tmp_path.iterdir()) == []


def test_write_text_atomic_is_utf8(tmp_path):
    path = tmp_path / "carte.txt"
    io.write_text_atomic(path, "cocaïne détectée")
    assert path.read_bytes() == "cocaïne détectée".encode()
