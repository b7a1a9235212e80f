"""The reader's speed on the 352-page corpus book against bare pypdf, from one run; OCR
seconds per page separately (the corpus' scans).

    .venv/bin/python -m benchmarks.pdf_speed [--rounds 3]

Bare pypdf: PdfReader and extract_text() on every page, nothing else. Ours: the whole
`extract` path, read_isolated (the reader child process with its limits, pypdf, form values,
hidden-text scan, layout signals, page clean-up, passages), as the CLI runs it, with OCR off
for the ratio: the book's cover is a picture without text, and OCR'ing it takes seconds that
bare pypdf never spends (it returns nothing for that page). OCR is timed on its own after.
Each side is timed over the same rounds, interleaved, and the best round is compared.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from pypdf import PdfReader

from app.core.limits import ExtractionLimits
from app.ingest.isolated import read_isolated

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "docs"
BOOK = "pdfjs__freeculture.pdf"
BLANK = CORPUS / "pdfminer__dmca.pdf"  # a small text PDF: the reader process' start-up cost
SCANS = ["ocrmypdf__linn.pdf", "ocrmypdf__c02-22.pdf", "ocrmypdf__rotated_skew.pdf"]


def bare(path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds)."""
    started, cpu = time.perf_counter(), time.process_time()
    for page in PdfReader(path).pages:
        page.extract_text()
    return time.perf_counter() - started, time.process_time() - cpu


NO_OCR = ExtractionLimits(ocr=False)


def ours(path: Path, limits: ExtractionLimits = NO_OCR) -> float:
    started = time.perf_counter()
    read_isolated(path, limits=limits)
    return time.perf_counter() - started


def ours_cpu(path: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the reader process and its page helper)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = ours(path)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    args = parser.parse_args()
    book = args.corpus / BOOK
    if not book.exists():
        raise SystemExit(f"corpus book not found: {book}")
    bare_runs, our_runs = [], []
    for _ in range(args.rounds):  # interleaved, so a busy moment hits both sides alike
        bare_runs.append(bare(book))
        our_runs.append(ours_cpu(book))
    bare_s, ours_s = [w for w, _ in bare_runs], [w for w, _ in our_runs]
    bare_cpu, ours_cpu_s = min(c for _, c in bare_runs), min(c for _, c in our_runs)
    pages = len(PdfReader(book).pages)
    load = os.getloadavg()[0]
    print(
        f"{BOOK}: {pages} pages, best of {args.rounds}; load {load:.1f} on {os.cpu_count()} cores"
    )
    print(f"  bare pypdf   {min(bare_s):6.2f} s")
    print(f"  ours extract {min(ours_s):6.2f} s   ratio {min(ours_s) / min(bare_s):.2f}x (OCR off)")
    print(
        f"  CPU seconds: bare {bare_cpu:.2f}, ours {ours_cpu_s:.2f} (reader process start-up and "
        f"page helper included), ratio {ours_cpu_s / bare_cpu:.2f}x"
    )
    with_ocr = read_isolated(book)
    seconds = ours(book, ExtractionLimits()) - min(ours_s)
    print(f"  with OCR: pages {list(with_ocr.coverage.ocr)} OCR'd, {seconds:.1f} s more")
    for name in SCANS:
        path = args.corpus / name
        if path.exists():
            seconds = ours(path, ExtractionLimits()) - ours(BLANK)
            count = len(PdfReader(path).pages)
            print(f"  OCR {name}: {seconds / count:.1f} s/page (less a 1-page read's start-up)")


if __name__ == "__main__":
    main()
