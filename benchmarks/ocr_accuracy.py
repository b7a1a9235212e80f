"""OCR word accuracy and seconds per page on scans of known text, from one run.

    .venv/bin/python -m benchmarks.ocr_accuracy

Each page is the same known text set in a standard PDF font, rendered to a 200 dpi greyscale
'scan' (tests/helpers/pdfmake.py), put into a PDF with no text layer and read by the real
reader path (render with PDFium at the reader's DPI, RapidOCR, layout). Word accuracy: the share
of the reference's words that come back in order.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from app.ingest import ocr
from tests.helpers import pdfmake
from tests.helpers.ocr_accuracy import word_accuracy

LINES = [
    *pdfmake.KNOWN_TEXT,
    "The adviser must explain each charge before the client signs anything.",
    "Personal data is kept for six years and then deleted or anonymised.",
    "Clause 4.2 (b): a 30-day cooling-off period applies to every contract.",
]
CASES = [
    ("Helvetica 12 pt", {"font": "Helvetica", "size": 12}, {}),
    ("Times-Roman 12 pt", {"font": "Times-Roman", "size": 12}, {}),
    ("Courier 11 pt", {"font": "Courier", "size": 11}, {}),
    ("Times-Roman 9 pt", {"font": "Times-Roman", "size": 9}, {}),
    ("Helvetica, skewed 3 degrees", {"font": "Helvetica", "size": 12}, {"skew": 3.0}),
    ("Helvetica, low contrast", {"font": "Helvetica", "size": 12}, {"contrast": 0.3}),
]


def main() -> None:
    reference = " ".join(LINES)
    with tempfile.TemporaryDirectory() as folder:
        pages = []
        for _, text_options, scan_options in CASES:
            source = pdfmake.text_page_pdf(LINES, **text_options)  # type: ignore[arg-type]
            pages.append(pdfmake.scan_image(source, **scan_options))  # type: ignore[arg-type]
        path = pdfmake.write_pages(Path(folder) / "scans.pdf", pages)
        data = path.read_bytes()
        started = time.perf_counter()
        ocr.ocr_pages(data, None, [1], time.monotonic() + 600)  # loads the models once
        load = time.perf_counter() - started
        print(f"OCR engine: rapidocr, render {ocr.DPI} dpi; models loaded in {load:.1f} s")
        print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"{'page':34} {'word accuracy':>14} {'s/page':>8} {'CPU s':>7}")
        total = cpu = 0.0
        for number, (name, _, _) in enumerate(CASES, start=1):
            started, used = time.perf_counter(), time.process_time()
            result = ocr.ocr_pages(data, None, [number], time.monotonic() + 600)[number]
            seconds, used = time.perf_counter() - started, time.process_time() - used
            total, cpu = total + seconds, cpu + used
            read = " ".join(" ".join(para.lines) for para in result.paras)
            accuracy = word_accuracy(reference, read)
            print(f"{name:34} {accuracy:>13.1%} {seconds:>8.2f} {used:>7.2f}")
        print(f"{'mean':34} {'':>14} {total / len(CASES):>8.2f} {cpu / len(CASES):>7.2f}")


if __name__ == "__main__":
    main()
