"""How the plate was seen, and where it is darker (or brighter) than itself.

Shared by :mod:`tlc.lines`, :mod:`tlc.lanes` and :mod:`tlc.spots`: every
detection works on a *contrast map*, the relative change of the plate's
brightness against its own local background, so that uneven light, vignetting
and the plate's colour drop out.
"""

from __future__ import annotations

import numpy as np

MODES = ("uv254", "stain", "uv365")

#: Structures smaller than this (mm) are removed when estimating the plate's background.
BACKGROUND_MM = 14.0

#: Bands along the plate's top and bottom edges, and its sides, that are ignored (mm).
EDGE_ENDS_MM = 1.2
EDGE_SIDES_MM = 2.0


#: A blue-violet plate darker than this (CIELAB lightness, 0-100) glows under
#: UV 365 however pale its colour: a stained plate is white, or magenta when
#: permanganate dyed it all over (which may be darker: ``tlc.pipeline.DYED_PLATE_L``).
DARK_PLATE_L = 35.0


def detect_mode(plate_image: np.ndarray) -> str:
    """Tell how the plate was photographed, from its colour.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
        The rectified plate, RGB.

    Returns
    -------
    str
        ``"uv365"`` for a dark plate (bright spots), ``"uv254"`` for a
        saturated green fluorescent plate (dark spots), ``"stain"`` otherwise
        (a white plate with coloured spots).
    """
    import cv2

    h, w = plate_image.shape[:2]
    core = plate_image[h // 8 : h - h // 8, w // 8 : w - w // 8]
    hsv = cv2.cvtColor(core, cv2.COLOR_RGB2HSV)
    value = float(np.median(hsv[:, :, 2]))
    sat = float(np.median(hsv[:, :, 1]))
    hue = float(np.median(hsv[:, :, 0]))  # OpenCV hue: 0-180, green ~60
    # Under a 365 nm lamp the plate itself glows a blue-violet, dim or (with
    # a strong lamp or a long exposure) quite bright, or not at all; its
    # spots are the bright things. A stained plate is never that saturated
    # a blue (on 100 synthetic plates: stain at most 85, UV 365 at least 110).
    if value < 80 or (105 <= hue <= 145 and sat > 100 and value < 235):
        return "uv365"
    # A dim glow, pale in colour: blue-violet and darker than any stained
    # plate (dyed all over, a permanganate plate is magenta, hue over 145).
    # Lightness, not the brightest channel: here the blue channel alone is bright.
    if 105 <= hue <= 145:
        lightness = float(np.median(cv2.cvtColor(core, cv2.COLOR_RGB2LAB)[:, :, 0])) / 2.55
        if lightness < DARK_PLATE_L:
            return "uv365"
    if sat > 90 and 35 <= hue <= 95:
        return "uv254"
    return "stain"


def background(plate_image: np.ndarray, *, px_per_mm: float, bright: bool = False) -> np.ndarray:
    """The plate's own local brightness, with spots and lines left out.

    A percentile over a window ``BACKGROUND_MM`` wide, computed on a copy
    reduced to about one pixel per 2 mm (the background is smooth, and
    this keeps it fast), then enlarged and smoothed. Used for bright spots
    (dark ones use a closing, below); the 65th percentile stays on the plain
    plate even where dark spots fill a third of the window, and bright spots
    are rare and small.

    Returns
    -------
    (H, W, 3) ndarray of float32
    """
    import cv2

    if not bright:
        # Dark spots: a closing (the local maximum over a square larger than any
        # spot) takes them out; its slight upward bias is the same everywhere.
        k = max(3, int(BACKGROUND_MM * px_per_mm) | 1)
        small = cv2.resize(plate_image, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        se = cv2.getStructuringElement(cv2.MORPH_RECT, (k // 2 | 1, k // 2 | 1))
        bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, se).astype(np.float32)
        bg = cv2.GaussianBlur(bg, (0, 0), k / 6)
        return cv2.resize(
            bg, (plate_image.shape[1], plate_image.shape[0]), interpolation=cv2.INTER_LINEAR
        )
    h, w = plate_image.shape[:2]
    step = max(1.0, 2.0 * px_per_mm)  # reduce to ~1 px per 2 mm
    sh, sw = max(4, round(h / step)), max(4, round(w / step))
    small = cv2.resize(plate_image, (sw, sh), interpolation=cv2.INTER_AREA).astype(np.float32)
    k = max(3, round(BACKGROUND_MM * sh / (h / px_per_mm)) | 1)
    pad = k // 2
    padded = np.pad(small, ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(0, 1))
    # for bright spots on a plate dense with dark ones, a low percentile would
    # fall on the dark spots and make the plain plate look bright
    q = 65
    bg = np.percentile(windows.reshape(sh, sw, 3, k * k), q, axis=3).astype(np.float32)
    bg = cv2.GaussianBlur(bg, (0, 0), 1.0)
    return cv2.resize(bg, (w, h), interpolation=cv2.INTER_CUBIC)


#: Most values :func:`robust_sigma` reads; larger arrays are sampled evenly.
ROBUST_SAMPLE = 100_000


def robust_sigma(values: np.ndarray) -> float:
    """The spread of ``values`` as a standard deviation, from their median absolute deviation.

    Spots, strokes and lines are outliers in a map or a profile; the median
    absolute deviation (times 1.4826, the factor for normal noise) measures
    the noise around them without being pulled up by them.

    Parameters
    ----------
    values : ndarray
        Any shape, not empty.

    Returns
    -------
    float
        0 for constant values.
    """
    flat = np.ravel(values)
    if flat.size > ROBUST_SAMPLE:
        # a whole map: a regular sample of it measures the same spread, in a
        # fraction of the time (two medians of a plate's 600 000 values took
        # 6 ms, and an analysis takes about 15)
        flat = flat[:: flat.size // ROBUST_SAMPLE]
    return 1.4826 * float(np.median(np.abs(flat - np.median(flat))))


def profile_noise(profile: np.ndarray) -> float:
    """The noise of a 1-D profile, from its row-to-row differences.

    Differencing removes the profile's slow course and its peaks stand out
    as outliers, so :func:`robust_sigma` of the differences, over sqrt(2),
    is the noise of one value.

    Parameters
    ----------
    profile : (N,) ndarray, N >= 2

    Returns
    -------
    float
    """
    return robust_sigma(np.diff(profile)) / np.sqrt(2)


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur that stays fast for a large ``sigma``.

    A wide Gaussian needs no full resolution: the image is reduced, blurred
    with a small kernel and enlarged again (cubic), which costs a fraction of
    a full-size convolution and differs from it by far less than the noise.
    """
    import cv2

    if sigma <= 8:
        return cv2.GaussianBlur(image, (0, 0), sigma)
    f = sigma / 4.0
    h, w = image.shape[:2]
    small = cv2.resize(
        image, (max(2, round(w / f)), max(2, round(h / f))), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), 4.0)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)


def pencil_strokes(dark_map: np.ndarray, *, px_per_mm: float) -> np.ndarray:
    """The thin dark features of a dark-feature map: pencil writing, ticks, rings.

    A white top-hat with a 1 mm disc keeps what is narrower than 1 mm in
    some direction (pencil strokes, 0.3-0.5 mm) and drops spots and the
    plate's slow changes.

    Parameters
    ----------
    dark_map : (H, W) ndarray of float32
        Dark-feature contrast map (:func:`contrast`).
    px_per_mm : float

    Returns
    -------
    (H, W) ndarray of float32
    """
    import cv2

    k = max(3, round(1.0 * px_per_mm) | 1)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    return cv2.morphologyEx(dark_map, cv2.MORPH_TOPHAT, disc)


def contrast(
    plate_image: np.ndarray, *, mode: str, px_per_mm: float, bright: bool | None = None
) -> np.ndarray:
    """Relative contrast of every pixel against the plate's local background.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
        The rectified plate, RGB.
    mode : {"uv254", "stain", "uv365"}
    px_per_mm : float
    bright : bool, optional
        Look for features brighter than the plate (the default for
        ``uv365``) instead of darker ones.

    Returns
    -------
    (H, W) ndarray of float32
        0 on clean plate, up to 1 for a feature fully dark (or fully bright);
        negative values are the opposite polarity.

    Raises
    ------
    ValueError
        If ``mode`` is not one of ``MODES``.
    """
    if mode not in MODES:
        msg = f"mode must be one of {', '.join(MODES)}, got {mode!r}"
        raise ValueError(msg)
    if bright is None:
        bright = mode == "uv365"
    return _maps(plate_image, mode=mode, px_per_mm=px_per_mm, bright=bright)[0]


def glow(plate_image: np.ndarray, *, px_per_mm: float) -> tuple[np.ndarray, np.ndarray]:
    """Under UV 254, the bright-feature map, and the same with a shift to blue counted.

    A substance glowing blue under the 254 nm lamp brightens the blue
    channel while the green glow it covers fades: in the brightness the two
    cancel. The second map also counts blue growing brighter, and brighter
    than green (a pale or white patch brightens green as much: its shift is
    no glow). Both from one background, as :func:`contrast` with
    ``bright=True`` computes it.

    Parameters
    ----------
    plate_image : (H, W, 3) ndarray of uint8
        The rectified plate, RGB.
    px_per_mm : float

    Returns
    -------
    ((H, W) ndarray of float32, (H, W) ndarray of float32)
        ``contrast(plate_image, mode="uv254", bright=True)``, and the same or
        the shift to blue, whichever is stronger.
    """
    return _maps(plate_image, mode="uv254", px_per_mm=px_per_mm, bright=True, blue=True)


def _maps(
    plate_image: np.ndarray, *, mode: str, px_per_mm: float, bright: bool, blue: bool = False
) -> tuple[np.ndarray, ...]:
    # the contrast map, and with ``blue`` the blue-shift map too
    import cv2

    img = cv2.GaussianBlur(plate_image.astype(np.float32), (0, 0), 0.6)
    bg = background(plate_image, px_per_mm=px_per_mm, bright=bright)
    if bright:
        room = np.maximum(255.0 - bg, 40.0)
        rel = (img - bg) / room
    else:
        rel = (bg - img) / np.maximum(bg, 30.0)
    if mode == "stain" and not bright:
        # A coloured spot darkens one or two channels only: take the channel
        # that changed most, so yellow and pink spots are not diluted.
        out = rel.max(axis=2)
    else:
        weights = np.maximum(bg if not bright else room, 1.0)
        out = (rel * weights).sum(axis=2) / weights.sum(axis=2)
    maps = [out]
    if blue:
        # Green's room is small on a glowing plate: the difference is halved.
        shift = np.minimum(rel[..., 2], 0.5 * (rel[..., 2] - rel[..., 1]))
        maps.append(np.maximum(out, shift))
    # The plate's own edges (and any sliver of background the outline let in)
    # are not spots or lines.
    ends = max(1, round(EDGE_ENDS_MM * px_per_mm))
    sides = max(1, round(EDGE_SIDES_MM * px_per_mm))
    for m in maps:
        m[:ends] = 0
        m[-ends:] = 0
        m[:, :sides] = 0
        m[:, -sides:] = 0
    return tuple(m.astype(np.float32) for m in maps)
