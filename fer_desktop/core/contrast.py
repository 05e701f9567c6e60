"""WCAG contrast between two colours (Qt-free): text must reach 4.5:1 on its background.

The formula is WCAG 2.x's: relative luminance from linearised sRGB, then
(lighter + 0.05) / (darker + 0.05). Used by the tests that keep the window's text readable.
"""

from __future__ import annotations

MIN_TEXT_CONTRAST = 4.5


def _channel(value: int) -> float:
    c = value / 255.0
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(hex_rgb: str) -> float:
    """Relative luminance of "#rrggbb" (0 black .. 1 white)."""
    r, g, b = (int(hex_rgb.lstrip("#")[i:i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(foreground: str, background: str) -> float:
    """1.0 (same) .. 21.0 (black on white)."""
    a, b = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (a + 0.05) / (b + 0.05)
