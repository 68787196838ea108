"""The report's table of device downtime (reports/devices.py): one row per device that was down."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from queue_server.domain.events import parse_at

from .labels import N_, translator, word
from .layout import INT, MIN, TEXT, Column, Section

DEVICE_KINDS = {"kiosk": N_("Kiosk"), "display": N_("Display"), "buttons": N_("Button pad")}


def device_sections(report: dict, lang: str) -> list[Section]:
    devices = report.get("devices")
    if devices is None:
        return []
    _ = translator(lang)
    several = any("office" in d for d in devices)  # a company report: each row its office's zone
    zone = None if several else ZoneInfo(report.get("tz") or "UTC")
    day = report.get("date") if report.get("kind") != "period" else None  # a daily report's own day
    cols = [Column("device", _("Device"), TEXT), Column("kind", _("Kind"), TEXT),
            Column("outages", _("Times down"), INT), Column("down_s", _("Down in working hours"), MIN),
            Column("when", _("Down (from – to)"), TEXT)]
    rows = []
    for d in devices:
        here = zone or ZoneInfo(d.get("tz") or "UTC")
        spans = "; ".join(f"{_when(p['from'], here, day)} – "
                          f"{_when(p['to'], here, day) if p['to'] else _('still down')}" for p in d["periods"])
        name = f"{d['office']}: {d['device']}" if several else d["device"]
        rows.append([name, word(DEVICE_KINDS, d["kind"], _) if d["kind"] else "", d["outages"],
                     d["down_s"], spans])
    return [Section("devices", _("Devices down (no heartbeat)"), cols, rows)]


def _when(iso: str, zone: ZoneInfo, day: str | None) -> str:
    """"10:02" on the daily report's own day, "04.03 18:29" on any other."""
    local: datetime = parse_at(iso).astimezone(zone)
    return local.strftime("%H:%M" if local.date().isoformat() == day else "%d.%m %H:%M")
