"""What the customer and the head are told about appeals: slips, e-mails, the digest.

§7.3: the customer learns at once that the appeal is registered — a printed slip
at the counter (its code, the answer date, the QR of the status page) and an
e-mail when they gave an address. §7.6: an extension is notified in writing;
§7.7–7.8: the decision goes out in writing with the answer and, where the
customer may turn next. The head gets a morning digest of appeals due soon and
overdue. E-mails leave through the office's one Notifier (never from a request),
whose every outcome is journaled (`message.sent` / `message.failed`).
"""
from __future__ import annotations

from datetime import datetime

from ..adapters.notify import Delivery, Message, Notifier
from ..appeal_words import N_, due_date_words, gettext, local_time, word
from ..domain import events as ev
from ..domain.appeals import Appeal, spaced_code
from ..domain.events import Event

ACK, EXTENSION, ANSWER, DIGEST = "appeal.ack", "appeal.extension", "appeal.answer", "appeals.digest"

# Every sentence below is a msgid of queue_server.po (tests/test_appeals_i18n.py keeps it complete).
TEXTS = {
    "ack_subject": N_("Your appeal {code} is registered"),
    "ack_body": N_("Your appeal ({kind}) is registered on {registered}.\nIts code: {code}.\n"
                   "The answer is due by {due}.\n\nThe status of the appeal: {url}\nGive the code when you call us."),
    "mail_footer": N_("This letter was sent automatically."),
    "ext_subject": N_("The answer to your appeal {code} is due by {due}"),
    "ext_body": N_("The time to consider your appeal {code} is extended by {days} days, "
                   "to {due}.\nReason: {reason}\n\nThe status of the appeal: {url}"),
    "answer_subject": N_("The answer to your appeal {code}"),
    "answer_body": N_("Your appeal {code} has been considered. Decision: {decision}.\n\n{answer}\n\n"
                      "If you do not accept this decision, tell us (give the code {code}): the appeal stays "
                      "open and is considered again. You may also turn to the company's head office or to the "
                      "bodies that oversee energy companies.\n\nThe status of the appeal: {url}"),
    "digest_subject": N_("Appeals on {date}: {overdue} overdue, {soon} due soon"),
    "digest_overdue": N_("Overdue"),
    "digest_soon": N_("Due within {days} days"),
    "digest_line": N_("{code} · {kind} · {topic} · due {due}"),
    "digest_none": N_("none"),
    "slip_title": N_("Appeal registered"),
    "slip_kind": N_("Kind"),
    "slip_topic": N_("Topic"),
    "slip_service": N_("Service"),
    "slip_registered": N_("Registered"),
    "slip_due": N_("Answer due by"),
    "slip_qr": N_("Scan the code or open the link to see the status"),
    "slip_footer": N_("Keep this slip and give the code when you call us."),
}


def status_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/a/{code}"


class AppealNotices:
    """Builds the texts in the office's language and hands e-mails to the Notifier."""

    def __init__(self, notifier: Notifier, office_name: str, tz: str, lang: str, base_url: str):
        self.notifier, self.office_name, self.tz, self.lang, self.base_url = notifier, office_name, tz, lang, base_url

    def url(self, code: str) -> str:
        return status_url(self.base_url, code)

    def after(self, events: list[Event], find) -> int:
        """E-mail the customer about what `events` did to their appeals (`find(code)` gives
        the appeal as it is now); returns how many messages were handed over."""
        sent = 0
        for e in events:
            appeal = find(e.data.get("code") or "") if e.type.startswith("appeal.") else None
            email = appeal.contact.get("email") if appeal is not None else None
            if not email or not self.notifier.enabled("email"):
                continue
            message = self._message(e, appeal, email)
            if message is not None:
                purpose = {ev.APPEAL_REGISTERED: ACK, ev.APPEAL_EXTENDED: EXTENSION}.get(e.type, ANSWER)
                self.notifier.submit(Delivery("email", message, {"purpose": purpose, "ref": f"appeal:{appeal.code}"}))
                sent += 1
        return sent

    def _message(self, e: Event, a: Appeal, to: str) -> Message | None:
        about = {ev.APPEAL_REGISTERED: "ack", ev.APPEAL_EXTENDED: "extension", ev.APPEAL_DECIDED: "answer"}.get(e.type)
        if about is None:
            return None
        subject, body = self.letter(a, about, e.data)
        footer = gettext(self.lang)(TEXTS["mail_footer"])
        return Message(to, f"{self.office_name}\n\n{body}\n\n{footer}", subject)

    def letter(self, a: Appeal, about: str, data: dict | None = None) -> tuple[str, str]:
        """(subject, text) of the acknowledgement, the extension notice or the answer: the e-mail's
        words, and the printable letter's for the post. `data`: the event's (else the appeal's
        latest extension or decision)."""
        _ = gettext(self.lang)
        common = {"code": spaced_code(a.code), "url": self.url(a.code), "due": due_date_words(a.due_date, self.lang)}
        if about == "extension":
            d = data or next((h for h in reversed(a.history) if h["type"] == ev.APPEAL_EXTENDED), {})
            return (_(TEXTS["ext_subject"]).format(**common),
                    _(TEXTS["ext_body"]).format(days=d.get("days", 0), reason=d.get("reason", ""), **common))
        if about == "answer":
            d = data or {"decision": a.decision, "answer": a.answer}
            return (_(TEXTS["answer_subject"]).format(**common), _(TEXTS["answer_body"]).format(
                decision=word("decision", d.get("decision"), self.lang), answer=d.get("answer") or "", **common))
        return (_(TEXTS["ack_subject"]).format(**common), _(TEXTS["ack_body"]).format(
            kind=word("kind", a.kind, self.lang), registered=local_time(a.registered_at, self.tz, self.lang), **common))

    def slip_lines(self, a: Appeal, service_name: str | None) -> dict:
        """The slip's words (hardware.slip_layout.SlipData's fields): no name, no contact."""
        _ = gettext(self.lang)
        lines = [(_(TEXTS["slip_kind"]), word("kind", a.kind, self.lang)),
                 (_(TEXTS["slip_topic"]), word("topic", a.topic, self.lang))]
        if service_name:
            lines.append((_(TEXTS["slip_service"]), service_name))
        lines += [(_(TEXTS["slip_registered"]), local_time(a.registered_at, self.tz, self.lang)),
                  (_(TEXTS["slip_due"]), due_date_words(a.due_date, self.lang))]
        return {"office": self.office_name, "title": _(TEXTS["slip_title"]), "code": spaced_code(a.code),
                "lines": tuple(lines), "qr_url": self.url(a.code), "qr_caption": _(TEXTS["slip_qr"]),
                "footer": _(TEXTS["slip_footer"])}

    def digest(self, appeals: list[Appeal], now: datetime, soon_days: int, to: list[str]) -> int:
        """The head's morning e-mail: overdue appeals and those due within `soon_days`."""
        if not to or not self.notifier.enabled("email"):
            return 0
        _ = gettext(self.lang)
        overdue = [a for a in appeals if a.overdue(now)]
        soon = [a for a in appeals if a.due_within(now, soon_days, self.tz)]

        def lines(items: list[Appeal]) -> str:
            if not items:
                return "  " + _(TEXTS["digest_none"])
            return "\n".join("  " + _(TEXTS["digest_line"]).format(
                code=spaced_code(a.code), kind=word("kind", a.kind, self.lang),
                topic=word("topic", a.topic, self.lang), due=due_date_words(a.due_date, self.lang))
                for a in sorted(items, key=lambda a: a.due_at))

        day = local_time(now, self.tz, self.lang).split(" ")[0]
        subject = _(TEXTS["digest_subject"]).format(date=day, overdue=len(overdue), soon=len(soon))
        body = (f"{self.office_name}\n\n{_(TEXTS['digest_overdue'])}:\n{lines(overdue)}\n\n"
                f"{_(TEXTS['digest_soon']).format(days=soon_days)}:\n{lines(soon)}\n\n{self.base_url.rstrip('/')}/appeals")
        for address in to:
            self.notifier.submit(Delivery("email", Message(address, body, subject),
                                          {"purpose": DIGEST, "ref": f"digest:{day}"}))
        return len(to)
