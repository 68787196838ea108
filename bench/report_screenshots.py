"""The report pages shown in docs/reports.md, from the synthetic office of bench_reports.

    python -m bench.report_screenshots      # writes docs/screenshots/report-*.png

A day of 700 visits (and a week of them for the period report) through the real
PDF writer, each page rendered by pdftoppm, as a reader sees it.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

from queue_server.reports import daily_report, period_report
from queue_server.reports.pdf_export import to_pdf

from .reports_synth import journal, synth_catalog

DOCS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
DAY = date(2024, 3, 5)


def pages(pdf: bytes, folder: Path, stem: str) -> list[Path]:
    path = folder / f"{stem}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(folder / stem)], check=True)
    return sorted(folder.glob(f"{stem}-*.png"))


def main() -> int:
    catalog = synth_catalog()
    day = journal(DAY, 1, 700)
    week = journal(DAY, 7, 700)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        ru = pages(to_pdf(daily_report(day, catalog, DAY), "ru"), folder, "ru")
        en = pages(to_pdf(daily_report(day, catalog, DAY), "en"), folder, "en")
        period = pages(to_pdf(period_report(week, catalog, DAY, date(2024, 3, 11)), "ru"), folder, "period")
        for src, name in ((ru[0], "report-daily-ru.png"), (ru[1], "report-daily-ru-2.png"),
                          (en[0], "report-daily-en.png"), (period[0], "report-period-ru.png")):
            (DOCS / name).write_bytes(src.read_bytes())
            print(DOCS / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
