"""A folder of small drafts for batch tests: half promise a guaranteed return (a violation for
the busy stub server and, with luck, for a model), half are plain."""

from __future__ import annotations

from pathlib import Path

PROMISE = "Earn a guaranteed {rate}% a year with fund {n}."
PLAIN = "Fund {n} may go down as well as up; past returns say nothing about the future."


def drafts(folder: Path, count: int = 8, extra: dict[str, str] | None = None) -> Path:
    """``count`` Markdown drafts named ``draft-01.md`` …, plus ``extra`` (name -> text)."""
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        first = (PROMISE if n % 2 else PLAIN).format(rate=n + 3, n=n)
        text = f"{first}\n\nCall our team on 0100 {n:03d} to open an account.\n"
        (folder / f"draft-{n:02d}.md").write_text(text, encoding="utf-8")
    for name, text in (extra or {}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def promises(path: Path) -> bool:
    return "guaranteed" in path.read_text(encoding="utf-8")
