"""Draw the app icon and write it in every format the builds need.

``python packaging/make_icons.py`` writes ``assets/icon.png`` (512 px, the window icon and the
Linux desktop icon), ``assets/icon.ico`` (Windows, 16-256 px), ``assets/icon.icns`` (macOS) and
``assets/icon.svg`` (the same drawing as a vector, for Linux icon themes). The drawing is ours:
a rounded square with a smiling face inside a detector's corner brackets. The files are
committed, so a build never needs to run this; run it again only to change the icon.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

ASSETS = Path(__file__).resolve().parent.parent / "assets"
CANVAS = 1024  # drawn at this size (supersampled), then scaled down
TOP, BOTTOM = (79, 70, 229), (14, 165, 233)  # indigo -> sky blue
FACE, INK, BRACKET = (253, 230, 138), (30, 27, 75), (255, 255, 255)

# Geometry in units of the canvas side (shared by the PNG and the SVG).
MARGIN, RADIUS = 0.06, 0.20
FACE_CX, FACE_CY, FACE_R = 0.5, 0.5, 0.255
EYE_DX, EYE_Y, EYE_RX, EYE_RY = 0.085, 0.455, 0.030, 0.045
SMILE_R, SMILE_CY, SMILE_W = 0.135, 0.50, 0.036
BRACKET_IN, BRACKET_LEN, BRACKET_W = 0.19, 0.12, 0.042


def _gradient(size: int) -> Image.Image:
    t = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
    rows = (1 - t) * np.array(TOP, np.float32) + t * np.array(BOTTOM, np.float32)
    return Image.fromarray(np.repeat(rows, size, axis=1).round().astype(np.uint8), "RGB")


def _bracket_lines(s: float) -> list[tuple[tuple[float, float], ...]]:
    """Four L-shaped corners of a face box, as polylines in pixels of a side ``s``."""
    lo, hi, n = BRACKET_IN * s, (1 - BRACKET_IN) * s, BRACKET_LEN * s
    return [((lo, lo + n), (lo, lo), (lo + n, lo)), ((hi - n, lo), (hi, lo), (hi, lo + n)),
            ((lo, hi - n), (lo, hi), (lo + n, hi)), ((hi - n, hi), (hi, hi), (hi, hi - n))]


def draw_icon(size: int = CANVAS) -> Image.Image:
    """The icon as an RGBA image of ``size`` pixels (drawn at 1024 and scaled)."""
    s = CANVAS
    image = Image.new("RGBA", (s, s), (0, 0, 0, 0))
    mask = Image.new("L", (s, s), 0)
    box = (MARGIN * s, MARGIN * s, (1 - MARGIN) * s, (1 - MARGIN) * s)
    ImageDraw.Draw(mask).rounded_rectangle(box, radius=RADIUS * s, fill=255)
    image.paste(_gradient(s), (0, 0), mask)
    draw = ImageDraw.Draw(image)
    width = round(BRACKET_W * s)
    for line in _bracket_lines(s):
        draw.line(line, fill=BRACKET, width=width, joint="curve")
        for x, y in (line[0], line[-1]):  # round caps
            draw.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2),
                         fill=BRACKET)
    cx, cy, r = FACE_CX * s, FACE_CY * s, FACE_R * s
    draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=FACE)
    for side in (-1, 1):
        ex = cx + side * EYE_DX * s
        draw.ellipse((ex - EYE_RX * s, EYE_Y * s - EYE_RY * s, ex + EYE_RX * s,
                      EYE_Y * s + EYE_RY * s), fill=INK)
    sr, sy = SMILE_R * s, SMILE_CY * s
    draw.arc((cx - sr, sy - sr, cx + sr, sy + sr), start=25, end=155, fill=INK,
             width=round(SMILE_W * s))
    return image if size == s else image.resize((size, size), Image.Resampling.LANCZOS)


def icon_svg() -> str:
    """The same drawing as SVG (viewBox 0..1024)."""
    s = CANVAS
    m, r = MARGIN * s, RADIUS * s
    brackets = "".join(
        f'<polyline points="{" ".join(f"{x:.0f},{y:.0f}" for x, y in line)}"/>'
        for line in _bracket_lines(s))
    cx, cy, fr = FACE_CX * s, FACE_CY * s, FACE_R * s
    eyes = "".join(
        f'<ellipse cx="{cx + side * EYE_DX * s:.0f}" cy="{EYE_Y * s:.0f}" '
        f'rx="{EYE_RX * s:.0f}" ry="{EYE_RY * s:.0f}"/>' for side in (-1, 1))
    sr, sy = SMILE_R * s, SMILE_CY * s
    a0, a1 = np.radians(25), np.radians(155)
    x0, y0 = cx + sr * np.cos(a0), sy + sr * np.sin(a0)
    x1, y1 = cx + sr * np.cos(a1), sy + sr * np.sin(a1)
    hexa = "#{:02x}{:02x}{:02x}".format
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} {s}" width="{s}" '
        f'height="{s}">\n'
        f'<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1">'
        f'<stop offset="0" stop-color="{hexa(*TOP)}"/>'
        f'<stop offset="1" stop-color="{hexa(*BOTTOM)}"/></linearGradient></defs>\n'
        f'<rect x="{m:.0f}" y="{m:.0f}" width="{s - 2 * m:.0f}" height="{s - 2 * m:.0f}" '
        f'rx="{r:.0f}" fill="url(#bg)"/>\n'
        f'<g fill="none" stroke="{hexa(*BRACKET)}" stroke-width="{BRACKET_W * s:.0f}" '
        f'stroke-linecap="round" stroke-linejoin="round">{brackets}</g>\n'
        f'<circle cx="{cx:.0f}" cy="{cy:.0f}" r="{fr:.0f}" fill="{hexa(*FACE)}"/>\n'
        f'<g fill="{hexa(*INK)}">{eyes}</g>\n'
        f'<path d="M {x0:.1f} {y0:.1f} A {sr:.0f} {sr:.0f} 0 0 1 {x1:.1f} {y1:.1f}" '
        f'fill="none" stroke="{hexa(*INK)}" stroke-width="{SMILE_W * s:.0f}"/>\n'
        f'</svg>\n')


def main() -> int:
    ASSETS.mkdir(exist_ok=True)
    big = draw_icon(CANVAS)
    big.resize((512, 512), Image.Resampling.LANCZOS).save(ASSETS / "icon.png", optimize=True)
    sizes = [(n, n) for n in (16, 24, 32, 48, 64, 128, 256)]
    big.save(ASSETS / "icon.ico", sizes=sizes)
    big.save(ASSETS / "icon.icns")
    (ASSETS / "icon.svg").write_text(icon_svg(), encoding="utf-8")
    for name in ("icon.png", "icon.ico", "icon.icns", "icon.svg"):
        print(f"wrote {ASSETS / name} ({(ASSETS / name).stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
