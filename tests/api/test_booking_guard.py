"""What stops a script booking the office out: a rate per address and a proof of work.

Each refusal is tested on a real server with small limits from office.toml."""
from __future__ import annotations

import hashlib

import pytest
import requests
from live_office import start_live_office, stop_live_office

from queue_server.api.booking_guard import BookingGuard, leading_zero_bits, solve


@pytest.fixture
def guarded(office_dir, clock, request):
    """A live office whose [booking] limits are the test's parameter (per minute, free per hour)."""
    per_minute, free = getattr(request, "param", (8, 2))
    with (office_dir / "office.toml").open("a", encoding="utf-8") as fh:
        fh.write(f"\n[booking]\npublic_per_minute = {per_minute}\nunchallenged_per_hour = {free}\n"
                 "challenge_bits = 10\n")
    live = start_live_office(office_dir, clock)
    yield live
    stop_live_office(live)


def post_booking(live, i: int, proof: str | None = None) -> requests.Response:
    headers = {"Accept-Language": "en", **({"X-Proof-Of-Work": proof} if proof else {})}
    return requests.post(f"{live.url}/api/v1/bookings", headers=headers, timeout=5, json={
        "service_id": "consultation", "start": f"2026-11-21T{9 + i:02d}:00:00+03:00", "name": "Скрипт",
        "phone": f"+7912000000{i}"})


def test_a_flood_from_one_address_is_told_to_wait_and_staff_are_not(guarded):
    live = guarded
    answers = [requests.get(f"{live.url}/api/v1/slots?service_id=reception&date=2026-11-21", timeout=5)
               for _ in range(12)]
    codes = [r.status_code for r in answers]
    assert codes[:8] == [200] * 8 and set(codes[8:]) == {429}
    refused = answers[-1]
    assert refused.json()["error"]["code"] == "too_many_requests"
    assert int(refused.json()["error"]["details"]["retry_after_s"]) >= 1
    # a code guessed by the same address is refused before it is looked up
    assert requests.get(f"{live.url}/api/v1/bookings/ABCDEFGH", timeout=5).status_code == 429
    # staff and the kiosk are not held to the public's rate
    assert live.get("/api/v1/bookings", "op1").status_code == 200
    assert live.get("/api/v1/slots?service_id=reception&date=2026-11-21", "kiosk").status_code == 200


@pytest.mark.parametrize("guarded", [(60, 2)], indirect=True)
def test_past_the_free_bookings_an_address_must_solve_a_challenge(guarded):
    live = guarded
    assert [post_booking(live, i).status_code for i in range(2)] == [201, 201]
    refused = post_booking(live, 2)
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "challenge_required"
    challenge = requests.get(f"{live.url}/api/v1/bookings/challenge", timeout=5).json()
    assert challenge["bits"] == 10 and challenge["expires_in_s"] == 600
    nonce = solve(challenge["challenge"], 10)
    proof = f"{challenge['challenge']}:{nonce}"
    assert post_booking(live, 2, proof).status_code == 201
    # each challenge is good once
    used = post_booking(live, 3, proof)
    assert used.status_code == 429 and used.json()["error"]["details"]["problem"] == "used"
    # a forged or unsolved one is refused
    forged = challenge["challenge"].rsplit(".", 1)[0] + ".00000000000000000000000000000000"
    assert post_booking(live, 3, f"{forged}:{nonce}").json()["error"]["details"]["problem"] == "not ours"
    fresh = requests.get(f"{live.url}/api/v1/bookings/challenge", timeout=5).json()["challenge"]
    wrong = next(str(n) for n in range(10_000)
                 if leading_zero_bits(hashlib.sha256(f"{fresh}:{n}".encode()).digest()) < 10)
    assert post_booking(live, 3, f"{fresh}:{wrong}").json()["error"]["details"]["problem"] == "not solved"
    assert post_booking(live, 3, "garbage").json()["error"]["details"]["problem"] == "missing"
    # an expired one (the office's clock moved on ten minutes and more)
    live.app.clock.advance(601)
    assert post_booking(live, 3, f"{fresh}:{solve(fresh, 10)}").json()["error"]["details"]["problem"] == "expired"


def test_the_office_wide_valve_asks_everyone_once_bookings_pour_in():
    """Many addresses together (a botnet): past ten addresses' worth of free bookings an
    hour, every public booking needs the proof of work."""
    from datetime import UTC, datetime

    t = [0.0]
    guard = BookingGuard(2, 8, lambda: datetime(2026, 11, 20, tzinfo=UTC), monotonic=lambda: t[0])
    for i in range(20):
        assert not guard.needs_proof(f"10.0.0.{i}")
        guard.booked(f"10.0.0.{i}")
    assert guard.needs_proof("10.0.1.1")
    t[0] += 3601  # an hour later the window has moved on
    assert not guard.needs_proof("10.0.1.1")

