"""WCAG 2.1 AA contrast of every colour pair the pages draw text or controls with."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

CSS = Path(__file__).parents[2] / "queue_server/web/static/web.css"
AA_TEXT = 4.5
AA_LARGE_OR_UI = 3.0

# (foreground, background, minimum): text on its background, control edges and focus rings on theirs
PAIRS = [
    ("ink", "page", AA_TEXT), ("ink", "panel", AA_TEXT), ("muted", "panel", AA_TEXT), ("muted", "page", AA_TEXT),
    ("bar-ink", "bar", AA_TEXT), ("bar-ink", "primary", AA_TEXT),
    ("primary-ink", "primary", AA_TEXT), ("primary-ink", "primary-hover", AA_TEXT),
    ("btn-ink", "btn", AA_TEXT), ("btn-ink", "btn-hover", AA_TEXT), ("off-ink", "off", AA_TEXT),
    ("link", "panel", AA_TEXT), ("link", "page", AA_TEXT),
    ("ok-ink", "ok", AA_TEXT), ("near-ink", "near", AA_TEXT), ("over-ink", "over", AA_TEXT),
    ("banner-ink", "banner", AA_TEXT), ("error-ink", "error", AA_TEXT), ("info-ink", "info", AA_TEXT),
    ("pressed-ink", "pressed", AA_TEXT), ("ok", "panel", AA_TEXT), ("error-ink", "panel", AA_TEXT),
    ("edge", "panel", AA_LARGE_OR_UI), ("edge", "btn", AA_LARGE_OR_UI),
    ("focus", "panel", AA_LARGE_OR_UI), ("focus", "page", AA_LARGE_OR_UI), ("focus", "info", AA_LARGE_OR_UI),
    ("focus", "btn", AA_LARGE_OR_UI), ("banner", "bar", AA_LARGE_OR_UI),
]


def palette() -> dict[str, str]:
    text = CSS.read_text(encoding="utf-8")
    root = text[text.index(":root"):text.index("}", text.index(":root"))]
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})\s*;", root))


def luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.03928 else ((s + 0.055) / 1.055) ** 2.4
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_matches_known_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("fg,bg,minimum", PAIRS, ids=[f"{f}-on-{b}" for f, b, _ in PAIRS])
def test_pair_meets_wcag_aa(fg, bg, minimum):
    colours = palette()
    ratio = contrast(colours[fg], colours[bg])
    assert ratio >= minimum, f"{fg} {colours[fg]} on {bg} {colours[bg]}: {ratio:.2f} < {minimum}"


def test_every_colour_in_the_stylesheet_comes_from_the_palette():
    """No stray hex colours outside :root, so the pairs above are all there is."""
    text = CSS.read_text(encoding="utf-8")
    body = text[text.index("}", text.index(":root")) + 1:]
    assert re.findall(r"#[0-9a-fA-F]{3,6}\b", body) == []
