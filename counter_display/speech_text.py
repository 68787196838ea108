"""What a call says, as words: "Талон Бэ сто двенадцать — окно номер три".

A call is composed once, as a sequence of :class:`Token`\\s, and every engine
uses the same sequence: text engines (espeak-ng, Qt) join the tokens' text,
the fragment engine plays one recorded WAV per token key. So the words a
visitor hears, the caption the board shows and the recordings an office makes
cannot drift apart.

The phrase around the numbers comes from the gettext catalogs in
``counter_display/locale`` (msgids are English); numbers are read with
num2words and cut into the pieces a speaker would record (112 → "100", "12").
"""
from __future__ import annotations

import re
import string
from dataclasses import dataclass
from pathlib import Path

from num2words import num2words

from client_common.i18n import normalize_language, translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "counter_display"

SPOKEN = "Ticket {ticket}, counter number {counter}"
CAPTION = "Ticket {ticket} — counter {counter}"

# How a Russian announcer reads the letter of a ticket.
RU_LETTERS = {
    "А": "А", "Б": "Бэ", "В": "Вэ", "Г": "Гэ", "Д": "Дэ", "Е": "Е", "Ё": "Ё", "Ж": "Жэ",
    "З": "Зэ", "И": "И", "Й": "И краткое", "К": "Ка", "Л": "Эль", "М": "Эм", "Н": "Эн",
    "О": "О", "П": "Пэ", "Р": "Эр", "С": "Эс", "Т": "Тэ", "У": "У", "Ф": "Эф", "Х": "Ха",
    "Ц": "Цэ", "Ч": "Че", "Ш": "Ша", "Щ": "Ща", "Ъ": "Твёрдый знак", "Ы": "Ы",
    "Ь": "Мягкий знак", "Э": "Э", "Ю": "Ю", "Я": "Я",
}
# A Latin letter that looks Cyrillic is read as the visitor sees it on the ticket.
LATIN_LOOKALIKES = dict(zip("ABCEHKMOPTXY", "АВСЕНКМОРТХУ", strict=True))
RU_LATIN_NAMES = {
    "D": "Ди", "F": "Эф", "G": "Джи", "I": "Ай", "J": "Джей", "L": "Эль", "N": "Эн",
    "Q": "Кью", "R": "Ар", "S": "Эс", "U": "Ю", "V": "Ви", "W": "Дабл-ю", "Z": "Зед",
}
# An English visitor is told the Latin letter closest to the printed one.
EN_FROM_CYRILLIC = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "Zh", "З": "Z",
    "И": "I", "Й": "Y", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R",
    "С": "S", "Т": "T", "У": "U", "Ф": "F", "Х": "Kh", "Ц": "Ts", "Ч": "Ch", "Ш": "Sh",
    "Щ": "Shch", "Ы": "Y", "Э": "E", "Ю": "Yu", "Я": "Ya",
}
_RUN = re.compile(r"\d+|[^\W\d_]+")
_PUNCT_START = re.compile(r"^[,.;:!?]")


@dataclass(frozen=True)
class Token:
    """One spoken piece: ``kind`` is word/letter/number/text, ``key`` names its fragment."""

    kind: str
    key: str
    text: str


@dataclass(frozen=True)
class Utterance:
    lang: str
    tokens: tuple[Token, ...]
    caption: str

    @property
    def text(self) -> str:
        """The sentence as a text-to-speech engine should read it."""
        out = ""
        for token in self.tokens:
            sep = "" if not out or _PUNCT_START.match(token.text) else " "
            out += sep + token.text
        return out

    @property
    def fragment_keys(self) -> list[str]:
        return [t.key for t in self.tokens if t.key]


def gettext_for(lang: str):
    return translations(str(LOCALE_DIR), DOMAIN, normalize_language(lang)).gettext


def number_parts(n: int) -> list[int]:
    """The pieces a number is spoken in: 112 → [100, 12], 2345 → [2000, 300, 40, 5].

    Numbers of 10 000 and more stay whole (no office prints such tickets).
    """
    if n <= 0 or n >= 10000:
        return [max(n, 0)]
    thousands, rest = divmod(n, 1000)
    hundreds, rest = divmod(rest, 100)
    parts = [p for p in (thousands * 1000, hundreds * 100) if p]
    if 0 < rest < 20:
        parts.append(rest)
    elif rest:
        parts += [p for p in (rest - rest % 10, rest % 10) if p]
    return parts


def _part_words(n: int, lang: str) -> str:
    words = num2words(n, lang=lang)
    if lang == "ru" and words.startswith("одна тысяча"):
        words = words[len("одна ") :]  # "тысяча сто", as people say it
    if lang == "en":
        words = words.replace(" and ", " ").replace(",", "")  # "one hundred twelve"
    return words


def number_words(n: int, lang: str = "ru") -> str:
    """112 → "сто двенадцать" / "one hundred twelve"."""
    lang = normalize_language(lang)
    return " ".join(_part_words(p, lang) for p in number_parts(n))


def letter_token(ch: str, lang: str = "ru") -> Token:
    """How one ticket letter is read; the key is the letter as the language writes it."""
    lang, ch = normalize_language(lang), ch.upper()
    if lang == "en":
        latin = EN_FROM_CYRILLIC.get(ch, ch)
        return Token("letter", f"letter_{latin}", latin)
    cyr = LATIN_LOOKALIKES.get(ch, ch)
    if cyr in RU_LETTERS:
        return Token("letter", f"letter_{cyr}", RU_LETTERS[cyr])
    return Token("letter", f"letter_{ch}", RU_LATIN_NAMES.get(ch, ch))


def code_tokens(code: str, lang: str = "ru") -> list[Token]:
    """A ticket number or counter id ("А112", "3", "12Б") → letter and number tokens."""
    lang = normalize_language(lang)
    tokens: list[Token] = []
    for run in _RUN.findall(code):
        if run.isdigit():
            tokens += [Token("number", str(p), _part_words(p, lang)) for p in number_parts(int(run))]
        elif len(run) <= 3:
            tokens += [letter_token(ch, lang) for ch in run]
        else:  # a named counter such as "Касса": read as a word
            tokens.append(Token("text", f"word_{run.lower()}", run))
    return tokens


def _template(msgid: str, lang: str) -> str:
    translated = gettext_for(lang)(msgid)
    fields = {f for _, f, _, _ in string.Formatter().parse(translated) if f}
    return translated if fields == {"ticket", "counter"} else msgid  # a broken translation


def compose_call(number: str, counter: str, lang: str = "ru") -> Utterance:
    """Tokens and caption for "ticket ``number``, go to counter ``counter``"."""
    lang = normalize_language(lang)
    tokens: list[Token] = []
    values = {"ticket": code_tokens(number, lang), "counter": code_tokens(counter, lang)}
    for literal, field, _, _ in string.Formatter().parse(_template(SPOKEN, lang)):
        words = literal.strip()
        if words:
            has_words = any(ch.isalpha() for ch in words)
            key = (field or "end") if has_words else ""
            tokens.append(Token("word" if has_words else "pause", key, words))
        if field:
            tokens += values[field]
    caption = _template(CAPTION, lang).format(ticket=number.strip(), counter=counter.strip())
    return Utterance(lang, tuple(tokens), caption)
