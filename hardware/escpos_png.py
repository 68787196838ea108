"""Draw a parsed ESC/POS Receipt as a PNG: a picture of the paper, made from the bytes.

Used for the docs screenshots and for eyeballing layout changes without a printer.
Font A is drawn as a 12 x 24 dot cell with DejaVu Sans Mono (same family as
DejaVu Sans, but monospaced like the printer's own font, so a line that wraps on
paper wraps here too); GS ! magnification stretches the cell like the printer does.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from hardware.escpos_reader import Cut, Feed, QrCode, Receipt, Run, TextLine
from hardware.escpos_reader import Image as RasterImage

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
CELL_W, CELL_H = 12, 24  # font A, dots
LINE_GAP = 6  # dots between text lines at the default 30-dot spacing
PAPER_PAD = 16  # unprintable margin each side, dots
SHADOW = (215, 215, 215)


@lru_cache(maxsize=8)
def _font(bold: bool, px: int, mono: bool = True) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    names = ["DejaVuSansMono", "DejaVuSans"] if mono else ["DejaVuSans"]
    for name in names:
        path = FONT_DIR / f"{name}{'-Bold' if bold else ''}.ttf"
        if path.exists():
            return ImageFont.truetype(str(path), px)
    return ImageFont.load_default(px)


def _run_image(run: Run, scale: int, receipt: Receipt | None = None) -> Image.Image:
    cell_w, cell_h = CELL_W * scale, CELL_H * scale
    text = run.text.replace("\t", "    ")
    ink, paper = (255, 0) if run.style.invert else (0, 255)
    img = Image.new("L", (max(1, len(text)) * cell_w, cell_h), paper)
    draw = ImageDraw.Draw(img)
    font = _font(run.style.bold, round(cell_w / 0.602))  # Mono advance is 0.602 em
    for i, char in enumerate(text):
        shape = receipt.shape_of(run, char) if receipt is not None else None
        if shape is not None:  # a user-defined character: the printer draws exactly these dots
            for x, column in enumerate(shape):
                for y, dot in enumerate(column):
                    if dot:
                        draw.rectangle([i * cell_w + x * scale, y * scale,
                                        i * cell_w + (x + 1) * scale - 1, (y + 1) * scale - 1], fill=ink)
            continue
        draw.text((i * cell_w + cell_w / 2, cell_h * 0.8), char, font=font, fill=ink, anchor="ms")
    if run.style.underline:
        draw.line([(0, cell_h - scale), (img.width, cell_h - scale)], fill=ink,
                  width=run.style.underline * scale)
    img = img.resize((img.width * run.style.width, cell_h * run.style.height), Image.LANCZOS)
    return img.rotate(180) if run.style.upside_down else img


def _line_image(line: TextLine, scale: int, receipt: Receipt | None = None) -> Image.Image:
    height = (CELL_H * line.height + LINE_GAP) * scale
    parts = [_run_image(r, scale, receipt) for r in line.runs if r.text]
    img = Image.new("L", (max(1, sum(p.width for p in parts)), height), 255)
    x = 0
    for part in parts:
        img.paste(part, (x, height - LINE_GAP * scale - part.height))
        x += part.width
    return img


def _qr_image(code: QrCode, scale: int) -> Image.Image:
    try:
        import qrcode
        from qrcode.constants import (
            ERROR_CORRECT_H,
            ERROR_CORRECT_L,
            ERROR_CORRECT_M,
            ERROR_CORRECT_Q,
        )
    except ImportError:  # draw a labelled box rather than fail the whole picture
        img = Image.new("L", (200 * scale, 200 * scale), 255)
        ImageDraw.Draw(img).rectangle([0, 0, img.width - 1, img.height - 1], outline=0)
        return img
    levels = {"L": ERROR_CORRECT_L, "M": ERROR_CORRECT_M, "Q": ERROR_CORRECT_Q,
              "H": ERROR_CORRECT_H}
    qr = qrcode.QRCode(error_correction=levels.get(code.error_correction, ERROR_CORRECT_M),
                       box_size=code.module_size * scale, border=0)
    qr.add_data(code.payload)
    qr.make(fit=True)
    return qr.make_image(fill_color="black", back_color="white").get_image().convert("L")


def _cut_image(paper_px: int, scale: int, partial: bool) -> Image.Image:
    img = Image.new("L", (paper_px, 20 * scale), 255)
    draw = ImageDraw.Draw(img)
    y = img.height // 2
    label = "\u2702 " + ("partial cut" if partial else "cut")
    font = _font(False, 14 * scale, mono=False)
    draw.text((4 * scale, y), label, font=font, fill=80, anchor="lm")
    start = 10 * scale + int(draw.textlength(label, font=font))
    for x in range(start, paper_px, 12 * scale):
        draw.line([(x, y), (x + 6 * scale, y)], fill=110, width=scale)
    return img


def receipt_png(receipt: Receipt, paper_dots: int, scale: int = 2) -> Image.Image:
    """The receipt on white paper ``paper_dots`` wide (384 = 58 mm, 576 = 80 mm)."""
    width = paper_dots * scale
    pieces: list[tuple[Image.Image, str]] = []
    for element in receipt.elements:
        if isinstance(element, TextLine):
            pieces.append((_line_image(element, scale, receipt), element.align))
        elif isinstance(element, QrCode):
            pieces.append((_qr_image(element, scale), element.align))
        elif isinstance(element, Feed):
            pieces.append((Image.new("L", (1, element.dots * scale), 255), "left"))
        elif isinstance(element, Cut):
            pieces.append((_cut_image(width, scale, element.partial), "left"))
        elif isinstance(element, RasterImage):
            box = Image.new("L", (element.width * scale, element.height * scale), 200)
            pieces.append((box, element.align))
    pad = PAPER_PAD * scale
    body_h = sum(p.height for p, _ in pieces) + pad
    sheet = Image.new("RGB", (width + 2 * pad + 2 * scale, body_h + 2 * scale), SHADOW)
    paper = Image.new("L", (width + 2 * pad, body_h), 255)
    y = pad
    for piece, align in pieces:
        if piece.width > width:  # wider than the print head: the printer would clip it
            piece = piece.crop((0, 0, width, piece.height))
        x = {"center": (width - piece.width) // 2, "right": width - piece.width}.get(align, 0)
        paper.paste(piece, (pad + x, y))
        y += piece.height
    sheet.paste(paper.convert("RGB"), (0, 0))
    return sheet
