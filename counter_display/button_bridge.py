"""Call-button pads → "call the next visitor" on the server (``qdisplay buttons``).

A press of counter N's button (a ``BN`` line on the pad's serial line, read
by :class:`~hardware.button_pads.ButtonPadListener`) becomes
``POST /api/v1/counters/N/next`` with the buttons device's token. Presses go
through a small pool of worker threads, so a slow answer for one counter
never delays another counter's button, and the serial reader never waits
for the network.

If the server cannot be reached, a press is retried for ``press_ttl_s``
(a few seconds) and then dropped: calling a visitor a minute after the
button was pressed would surprise everyone. An unplugged or lost pad is
reported to the server as a device fault and reopened with backoff by the
listener; the other pads (and the rest of the hall) carry on.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from counter_display.server_api import Reply, ServerApi, StatusReporter
from hardware.button_pads import ButtonPadListener
from hardware.serial_port import DeviceFault, parse_serial_spec

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PressResult:
    counter_id: str
    reply: Reply
    attempts: int
    latency_s: float

    @property
    def called(self) -> str | None:
        """The ticket number called, or None (nobody waiting, counter closed, refused)."""
        return self.reply.body.get("number") if self.reply.status == 200 else None


def component_for(port_spec: str, kind: str = "buttons") -> str:
    spec = parse_serial_spec(port_spec)
    return f"{kind} {spec.port.rsplit('/', 1)[-1]}"[:40]


class ButtonBridge:
    """Listens on each pad's port; ``on_result(PressResult)`` sees every press's outcome."""

    def __init__(self, api: ServerApi, ports: list[str], *, reporter: StatusReporter | None = None,
                 press_ttl_s: float = 5.0, retry_s: float = 0.5,
                 on_result: Callable[[PressResult], None] | None = None,
                 listener_factory: Callable[..., ButtonPadListener] = ButtonPadListener,
                 action: Callable[[str], Reply] | None = None, kind: str = "buttons",
                 **listener_options):
        self.api, self.reporter = api, reporter
        # what a press does on the server: call the next visitor (rating pads: rating_bridge.py)
        self.action = action or api.call_next
        self.kind = kind
        self.press_ttl_s, self.retry_s = press_ttl_s, retry_s
        self.on_result = on_result
        self.results: list[PressResult] = []
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="press")
        self.listeners = [
            listener_factory(port, self._pressed, self._fault_cb(port), on_connect=self._ok_cb(port),
                             **listener_options)
            for port in ports
        ]

    def start(self) -> None:
        for listener in self.listeners:
            listener.start()

    def stop(self) -> None:
        for listener in self.listeners:
            listener.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def _pressed(self, counter_id: str) -> None:
        self._pool.submit(self.press, counter_id, time.monotonic())

    def press(self, counter_id: str, pressed_at: float | None = None) -> PressResult:
        """Call the next visitor at ``counter_id``; retries only while the server is unreachable."""
        pressed_at = time.monotonic() if pressed_at is None else pressed_at
        attempts = 0
        while True:
            attempts += 1
            reply = self.action(counter_id)
            if reply.status != 0 and reply.status < 500:
                break
            if time.monotonic() - pressed_at + self.retry_s > self.press_ttl_s:
                break
            time.sleep(self.retry_s)
        result = PressResult(counter_id, reply, attempts, time.monotonic() - pressed_at)
        self._log(result)
        self.results.append(result)
        if self.on_result is not None:
            try:
                self.on_result(result)
            except Exception:
                log.exception("press result callback failed")
        return result

    @staticmethod
    def _log(result: PressResult) -> None:
        status = result.reply.status
        if status == 200:
            log.info("button at counter %s: called %s", result.counter_id, result.called)
        elif status == 204:
            log.info("button at counter %s: nobody is waiting", result.counter_id)
        elif 200 <= status < 300:
            log.info("button %s: done", result.counter_id)
        elif status == 0:
            log.warning("button at counter %s: dropped after %d attempts, %s", result.counter_id,
                        result.attempts, result.reply.message)
        else:
            log.warning("button at counter %s: server said %s %s", result.counter_id, status,
                        result.reply.message)

    def _fault_cb(self, port: str) -> Callable[[DeviceFault], None]:
        component = component_for(port, self.kind)

        def fault(f: DeviceFault) -> None:
            if self.reporter is not None:
                self.reporter.fault(component, f.reason)
        return fault

    def _ok_cb(self, port: str) -> Callable[[], None]:
        component = component_for(port, self.kind)

        def ok() -> None:
            if self.reporter is not None:
                self.reporter.ok(component)
        return ok
