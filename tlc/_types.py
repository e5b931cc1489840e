"""Small helpers shared by the result types: JSON-safe rounding."""

from __future__ import annotations

import math
from typing import Any


def r3(value: float | None) -> float | None:
    """Round to 3 decimals for JSON; ``None`` and non-finite values give ``None``."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 3)


def r2(value: float | None) -> float | None:
    """Round to 2 decimals for JSON; ``None`` and non-finite values give ``None``."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 2)


def hex_colour(rgb: tuple[int, int, int] | None) -> str | None:
    """``(255, 0, 10)`` -> ``"#ff000a"``."""
    if rgb is None:
        return None
    return "#{:02x}{:02x}{:02x}".format(*(max(0, min(255, int(c))) for c in rgb))


def parse_hex(text: str | None) -> tuple[int, int, int] | None:
    """``"#ff000a"`` -> ``(255, 0, 10)``; ``None`` stays ``None``."""
    if not text:
        return None
    t = text.lstrip("#")
    return (int(t[0:2], 16), int(t[2:4], 16), int(t[4:6], 16))


def get(d: dict[str, Any], key: str, default: Any = None) -> Any:
    """``d.get(key, default)`` that also maps an explicit ``None`` to the default."""
    value = d.get(key, default)
    return default if value is None else value
