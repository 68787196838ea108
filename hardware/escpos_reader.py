"""Read raw ESC/POS bytes back into what the paper would show.

Tests assert on the ticket *as printed*: text decoded from the code page the bytes
selected, the size and weight of each line, QR payloads, cuts. The reader is
written from the Epson ESC/POS command reference, not from python-escpos, so a
wrong byte in the layout shows up as a wrong ticket here. Unknown commands raise
EscposParseError (strict) rather than being skipped silently.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

# ESC t n -> Python codec, for the pages a Russian office can meet (Epson numbering).
CODEPAGES = {0: "cp437", 2: "cp850", 3: "cp860", 4: "cp863", 5: "cp865", 16: "cp1252",
             17: "cp866", 18: "cp852", 19: "cp858", 46: "cp1251"}
_ALIGN = {0: "left", 1: "center", 2: "right", 48: "left", 49: "center", 50: "right"}
_QR_EC = {48: "L", 49: "M", 50: "Q", 51: "H"}
DEFAULT_LINE_DOTS = 30  # ESC 2 default line spacing (1/6 inch at 180 dpi)


class EscposParseError(ValueError):
    """The bytes are not ESC/POS this reader understands; ``offset`` points at them."""

    def __init__(self, offset: int, problem: str):
        super().__init__(f"byte {offset}: {problem}")
        self.offset = offset


@dataclass(frozen=True)
class Style:
    width: int = 1  # character magnification, 1..8
    height: int = 1
    bold: bool = False
    underline: int = 0
    align: str = "left"
    font: int = 0
    invert: bool = False
    upside_down: bool = False
    user_defined: bool = False  # ESC % 1: characters defined with ESC & print in their own shape


@dataclass(frozen=True)
class Run:
    text: str
    style: Style
    codepage: int


@dataclass(frozen=True)
class TextLine:
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(r.text for r in self.runs)

    def _inked(self) -> list[Run]:
        return [r for r in self.runs if r.text.strip()] or list(self.runs)

    @property
    def width(self) -> int:
        return max((r.style.width for r in self._inked()), default=1)

    @property
    def height(self) -> int:
        return max((r.style.height for r in self._inked()), default=1)

    @property
    def bold(self) -> bool:
        inked = self._inked()
        return bool(inked) and all(r.style.bold for r in inked)

    @property
    def align(self) -> str:
        return self.runs[0].style.align if self.runs else "left"


@dataclass(frozen=True)
class QrCode:
    payload: str
    module_size: int
    error_correction: str
    model: int
    align: str


@dataclass(frozen=True)
class Feed:
    dots: int


@dataclass(frozen=True)
class Cut:
    partial: bool


@dataclass(frozen=True)
class Image:
    width: int
    height: int
    align: str


Element = TextLine | QrCode | Feed | Cut | Image


@dataclass
class Receipt:
    """What the bytes print, in order, plus the commands a test may want to see."""

    elements: list[Element] = field(default_factory=list)
    codepages: list[int] = field(default_factory=list)  # every ESC t n, in order
    status_queries: list[int] = field(default_factory=list)  # every DLE EOT n
    resets: int = 0  # ESC @ count
    # ESC & glyphs: character code -> columns, each a tuple of 0/1 dots from the top
    user_chars: dict[int, tuple[tuple[int, ...], ...]] = field(default_factory=dict)

    def shape_of(self, run: Run, char: str) -> tuple[tuple[int, ...], ...] | None:
        """The dots the printer draws for ``char`` of ``run`` if it is a user-defined character."""
        if not run.style.user_defined:
            return None
        code = char.encode(CODEPAGES.get(run.codepage, "cp437"), errors="replace")[0]
        return self.user_chars.get(code)

    @property
    def lines(self) -> list[TextLine]:
        return [e for e in self.elements if isinstance(e, TextLine)]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def qr_codes(self) -> list[QrCode]:
        return [e for e in self.elements if isinstance(e, QrCode)]

    @property
    def cuts(self) -> list[Cut]:
        return [e for e in self.elements if isinstance(e, Cut)]

    def line_with(self, fragment: str) -> TextLine:
        """The first line containing ``fragment``; AssertionError lists the text if none."""
        for line in self.lines:
            if fragment in line.text:
                return line
        raise AssertionError(f"no printed line contains {fragment!r}; printed:\n{self.text}")


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0
        self.receipt = Receipt()
        self.style, self.codepage = Style(), 0
        self.runs: list[Run] = []
        self.pending = bytearray()
        self.qr_store: bytes | None = None
        self.qr = {"model": 2, "size": 3, "ec": "L"}

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise EscposParseError(self.pos, f"command truncated (needs {n} more bytes)")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    # text buffer ---------------------------------------------------------------
    def close_run(self) -> None:
        if self.pending:
            codec = CODEPAGES.get(self.codepage)
            if codec is None:
                raise EscposParseError(self.pos, f"text in unknown code page {self.codepage}")
            self.runs.append(Run(bytes(self.pending).decode(codec), self.style, self.codepage))
            self.pending.clear()

    def set_style(self, **changes: object) -> None:
        self.close_run()
        self.style = replace(self.style, **changes)

    def end_line(self, force: bool = True) -> None:
        self.close_run()
        if self.runs or force:
            self.receipt.elements.append(TextLine(tuple(self.runs)))
        self.runs = []

    # commands ------------------------------------------------------------------
    def run(self) -> Receipt:
        while self.pos < len(self.data):
            b = self.byte()
            if b == 0x0A:
                self.end_line()
            elif b == 0x0D:
                pass
            elif b == 0x1B:
                self.esc(self.byte())
            elif b == 0x1D:
                self.gs(self.byte())
            elif b == 0x10:
                self.dle(self.byte())
            elif b == 0x09 or b >= 0x20:
                self.pending.append(b)
            else:
                raise EscposParseError(self.pos - 1, f"unexpected control byte 0x{b:02x}")
        self.end_line(force=False)
        return self.receipt

    def esc(self, c: int) -> None:
        ch = chr(c)
        if ch == "@":
            self.end_line(force=False)
            self.style, self.codepage = Style(), 0
            self.receipt.resets += 1
        elif ch == "t":
            self.close_run()
            self.codepage = self.byte()
            self.receipt.codepages.append(self.codepage)
        elif ch == "!":
            n = self.byte()
            self.set_style(font=n & 1, bold=bool(n & 0x08), height=2 if n & 0x10 else 1,
                           width=2 if n & 0x20 else 1, underline=1 if n & 0x80 else 0)
        elif ch == "E":
            self.set_style(bold=bool(self.byte() & 1))
        elif ch == "G":
            self.byte()  # double-strike: looks like bold on paper; not tracked
        elif ch == "-":
            self.set_style(underline=self.byte() % 48)
        elif ch == "M":
            self.set_style(font=self.byte() % 48)
        elif ch == "a":
            n = self.byte()
            if n not in _ALIGN:
                raise EscposParseError(self.pos - 1, f"bad ESC a value {n}")
            self.set_style(align=_ALIGN[n])
        elif ch == "{":
            self.set_style(upside_down=bool(self.byte() & 1))
        elif ch == "%":
            self.set_style(user_defined=bool(self.byte() & 1))
        elif ch == "&":
            self.define_chars()
        elif ch == "d":
            n = self.byte()
            if self.pending or self.runs:
                self.end_line()
                n -= 1
            if n > 0:
                self.receipt.elements.append(Feed(n * DEFAULT_LINE_DOTS))
        elif ch == "J":
            self.end_line(force=False)
            self.receipt.elements.append(Feed(self.byte()))
        elif ch == "2":
            pass  # default line spacing
        elif ch in " 3=U":  # character spacing, line spacing, peripheral, unidirectional
            self.byte()
        elif ch == "p":
            self.take(3)
        else:
            raise EscposParseError(self.pos - 2, f"unknown command ESC {ch!r} (0x{c:02x})")

    def define_chars(self) -> None:
        """ESC & y c1 c2 [x d1 … d(y·x)]…: glyphs for codes c1..c2, y bytes tall, column by column."""
        y, c1, c2 = self.byte(), self.byte(), self.byte()
        if y not in (2, 3) or not 32 <= c1 <= c2 <= 126:
            raise EscposParseError(self.pos - 3, f"bad ESC & header y={y} c1={c1} c2={c2}")
        for code in range(c1, c2 + 1):
            x = self.byte()
            data = self.take(y * x)
            columns = []
            for col in range(x):
                chunk = data[col * y:(col + 1) * y]
                columns.append(tuple((b >> (7 - bit)) & 1 for b in chunk for bit in range(8)))
            self.receipt.user_chars[code] = tuple(columns)

    def gs(self, c: int) -> None:
        ch = chr(c)
        if ch == "!":
            n = self.byte()
            self.set_style(width=(n >> 4) + 1, height=(n & 0x0F) + 1)
        elif ch == "B":
            self.set_style(invert=bool(self.byte() & 1))
        elif ch in "bhwHf":
            self.byte()
        elif ch == "V":
            m = self.byte()
            if m in (65, 66, 97, 98, 103, 104):
                self.byte()
            elif m not in (0, 1, 48, 49):
                raise EscposParseError(self.pos - 1, f"bad GS V mode {m}")
            self.end_line(force=False)
            self.receipt.elements.append(Cut(partial=m in (1, 49, 66, 98, 104)))
        elif ch == "(":
            fn_group = chr(self.byte())
            length = int.from_bytes(self.take(2), "little")
            body = self.take(length)
            if fn_group == "k":
                self.two_d_code(body)
            # other GS ( groups (graphics 'L', etc.) print nothing we track
        elif ch == "v":
            if self.byte() != 0x30:
                raise EscposParseError(self.pos - 1, "bad GS v raster command")
            _mode, xl, xh, yl, yh = self.take(5)
            width_bytes, height = xl + 256 * xh, yl + 256 * yh
            self.take(width_bytes * height)
            self.end_line(force=False)
            self.receipt.elements.append(Image(width_bytes * 8, height, self.style.align))
        else:
            raise EscposParseError(self.pos - 2, f"unknown command GS {ch!r} (0x{c:02x})")

    def two_d_code(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 0x31:  # cn = '1': QR code
            return
        fn, args = body[1], body[2:]
        if fn == 0x41:  # 'A' model
            self.qr["model"] = args[0] - 48
        elif fn == 0x43:  # 'C' module size
            self.qr["size"] = args[0]
        elif fn == 0x45:  # 'E' error correction
            self.qr["ec"] = _QR_EC.get(args[0], "?")
        elif fn == 0x50:  # 'P' store data (m = '0')
            self.qr_store = bytes(args[1:])
        elif fn == 0x51:  # 'Q' print the stored symbol
            if self.qr_store is None:
                raise EscposParseError(self.pos, "QR print without stored data")
            self.end_line(force=False)
            self.receipt.elements.append(QrCode(
                self.qr_store.decode("utf-8"), int(self.qr["size"]), str(self.qr["ec"]),
                int(self.qr["model"]), self.style.align))

    def dle(self, c: int) -> None:
        if c == 0x04:  # DLE EOT n: real-time status request
            self.receipt.status_queries.append(self.byte())
        elif c in (0x05, 0x14):
            self.take(1 if c == 0x05 else 3)
        else:
            raise EscposParseError(self.pos - 2, f"unknown command DLE 0x{c:02x}")


def parse_escpos(data: bytes) -> Receipt:
    """Parse one ESC/POS byte stream into the Receipt it would print."""
    return _Reader(bytes(data)).run()
