"""Where the project and the shared corpus are, for tests."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"


def corpus_file(relative: str) -> Path:
    """A file of ../shared/corpus, or a skip saying why it is absent."""
    path = CORPUS / relative
    if not path.exists():
        pytest.skip(f"shared corpus file {relative} is not present at {CORPUS}")
    return path
