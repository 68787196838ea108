"""Rating pads → the visitor's score of the visit just served (``qdisplay rating-pad``).

A press (an ``R<counter>:<key>`` line, hardware/rating_pads.py) becomes
``POST /api/v1/counters/<counter>/rating {score, keys}`` with the pad's device
token (a "buttons" device); the server credits it to the visit just finished at
that counter, once (docs/appeals.md). The serial side, the retries while the
server is unreachable and the fault reports are the call buttons' own
(ButtonBridge), with this action instead of "call next".
"""
from __future__ import annotations

import logging

from counter_display.button_bridge import ButtonBridge
from counter_display.server_api import Reply, ServerApi, StatusReporter
from hardware.rating_pads import PAD_SCORES, parse_rating, score_of

log = logging.getLogger(__name__)


def rate_action(api: ServerApi, keys: int):
    """"counter:key" → the rating request for that counter's visit just served."""

    def rate(pressed: str) -> Reply:
        counter, _, key = pressed.partition(":")
        score = score_of(int(key), keys)
        if score is None:
            log.warning("rating pad at counter %s: key %s on a %d-key pad ignored", counter, key, keys)
            return Reply(400, {}, f"no key {key} on a {keys}-key pad")
        return api.post(f"/api/v1/counters/{counter}/rating", {"score": score, "keys": keys})
    return rate


def rating_bridge(api: ServerApi, ports: list[str], keys: int = 5, *, reporter: StatusReporter | None = None,
                  **options) -> ButtonBridge:
    if keys not in PAD_SCORES:
        raise ValueError(f"a rating pad has {' or '.join(map(str, PAD_SCORES))} keys, not {keys}")
    return ButtonBridge(api, ports, reporter=reporter, action=rate_action(api, keys), kind="rating",
                        parse=parse_rating, **options)
