"""One vocabulary: the console and the reports name every appeal kind, topic and outcome alike.

The console said «заявление» where the report said «Заявка»; an office head reading
the report and a clerk choosing in the console must see the same words.
"""
from __future__ import annotations

import pytest

from queue_server.domain.catalog import APPEAL_KINDS, APPEAL_TOPICS, OUTCOMES
from queue_server.reports import labels as report_labels
from queue_server.web.lang import KIND_LABELS, OUTCOME_LABELS, TOPIC_LABELS, page_gettext


@pytest.mark.parametrize("lang", ["ru", "en"])
@pytest.mark.parametrize(("codes", "console", "report"), [
    (APPEAL_KINDS, KIND_LABELS, report_labels.APPEAL_KINDS),
    (APPEAL_TOPICS, TOPIC_LABELS, report_labels.APPEAL_TOPICS),
    (OUTCOMES, OUTCOME_LABELS, report_labels.OUTCOMES),
], ids=["kinds", "topics", "outcomes"])
def test_console_and_report_use_the_same_words(lang, codes, console, report):
    web = page_gettext(lang)
    rep = report_labels.translator(lang)
    for code in codes:
        assert web(console[code]).casefold() == rep(report[code]).casefold(), (lang, code)
