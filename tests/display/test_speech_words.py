"""The words a visitor hears: numbers, ticket letters, the phrase in both languages."""
import pytest

from counter_display.speech_text import (
    CAPTION,
    LOCALE_DIR,
    SPOKEN,
    compose_call,
    letter_token,
    number_parts,
    number_words,
)
from queue_server.i18n import po_messages


@pytest.mark.parametrize(
    "n, words",
    [
        (1, "один"),
        (12, "двенадцать"),
        (21, "двадцать один"),
        (100, "сто"),
        (112, "сто двенадцать"),
        (1000, "тысяча"),
        (1001, "тысяча один"),
        (2000, "две тысячи"),
        (2345, "две тысячи триста сорок пять"),
        (0, "ноль"),
    ],
)
def test_russian_number_words(n, words):
    assert number_words(n, "ru") == words


@pytest.mark.parametrize(
    "n, words",
    [(1, "one"), (21, "twenty one"), (112, "one hundred twelve"), (1000, "one thousand"), (105, "one hundred five")],
)
def test_english_number_words(n, words):
    assert number_words(n, "en") == words


def test_numbers_split_into_recordable_pieces():
    assert number_parts(112) == [100, 12]
    assert number_parts(121) == [100, 20, 1]
    assert number_parts(2005) == [2000, 5]
    assert number_parts(10) == [10]


@pytest.mark.parametrize(
    "letter, lang, spoken, key",
    [
        ("А", "ru", "А", "letter_А"),
        ("Б", "ru", "Бэ", "letter_Б"),
        ("л", "ru", "Эль", "letter_Л"),
        ("A", "ru", "А", "letter_А"),  # Latin A printed by mistake looks and sounds Cyrillic
        ("А", "en", "A", "letter_A"),
        ("Б", "en", "B", "letter_B"),
    ],
)
def test_ticket_letters_are_read_by_name(letter, lang, spoken, key):
    token = letter_token(letter, lang)
    assert (token.text, token.key) == (spoken, key)


def test_russian_call_text_caption_and_fragments():
    call = compose_call("А112", "3", "ru")
    assert call.text == "Талон А сто двенадцать — окно номер три"
    assert call.caption == "Талон А112 — окно 3"
    assert call.fragment_keys == ["ticket", "letter_А", "100", "12", "counter", "3"]


def test_english_call_when_the_ticket_was_taken_in_english():
    call = compose_call("А112", "3", "en")
    assert call.text == "Ticket A one hundred twelve, counter three"
    assert call.caption == "Ticket А112 — counter 3"


def test_unknown_language_falls_back_to_russian():
    assert compose_call("Б5", "2", "de").text == "Талон Бэ пять — окно номер два"


@pytest.mark.parametrize("lang", ["ru", "en"])
def test_catalogs_translate_every_phrase_and_keep_placeholders(lang):
    messages = po_messages(LOCALE_DIR / lang / "LC_MESSAGES" / "counter_display.po")
    for msgid in (SPOKEN, CAPTION):
        assert "{ticket}" in messages[msgid] and "{counter}" in messages[msgid]
