"""List numbers as Word shows them ("3.2 (a)"), computed from numbering.xml; python-docx does
not do this, and without the numbers "clause 3.2 (a)" in a policy cannot be matched to the text.

A paragraph is numbered by its own ``w:numPr`` or its style's (``basedOn`` chain followed).
``w:num`` points at an ``w:abstractNum`` (through ``numStyleLink`` where the list is a style);
each level has a start, a number format and a level text such as ``%1.%2``. Lists that share an
abstractNum share counters, as in Word, unless a ``w:num`` restarts a level (``startOverride``):
then that ``w:num`` counts on its own. A level restarts when a higher level is used, unless its
``lvlRestart`` says otherwise. Formats beyond decimal, letters, roman numerals, zero-padded and
ordinal numbers, bullets and none are shown as decimal numbers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Bullets drawn from the Symbol and Wingdings fonts' private-use code points, as Word shows them.
_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓"}
_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


@dataclass
class Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # lvlRestart: None = after any higher level; 0 = never
    legal: bool = False  # isLgl: numbers of higher levels shown as decimal
    suffix: str = "tab"


@dataclass
class _List:
    levels: dict[int, Level] = field(default_factory=dict)
    style_link: str = ""  # numStyleLink: the levels live in the list the style points at


def _val(element: Any, tag: str) -> str | None:
    child = element.find(f"{W}{tag}") if element is not None else None
    return None if child is None else child.get(f"{W}val")


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _level(element: Any) -> Level:
    restart = _val(element, "lvlRestart")
    legal = element.find(f"{W}isLgl")
    return Level(
        start=_int(_val(element, "start"), 1),
        fmt=_val(element, "numFmt") or "decimal",
        text=_val(element, "lvlText") or "",
        restart=None if restart is None else _int(restart, 0),
        legal=legal is not None and legal.get(f"{W}val", "1") not in ("0", "false", "off"),
        suffix=_val(element, "suff") or "tab",
    )


class Numbering:
    def __init__(self, numbering: Any, styles: Any) -> None:
        """``numbering``/``styles``: the parsed numbering.xml and styles.xml (or None)."""
        self.lists: dict[str, _List] = {}
        self.nums: dict[str, tuple[str, dict[int, Level], set[int]]] = {}
        self.styles: dict[str, tuple[str, Any]] = {}  # id -> (basedOn, pPr)
        self.counters: dict[str, list[int | None]] = {}
        if styles is not None:
            for style in styles.iter(f"{W}style"):
                based = _val(style, "basedOn") or ""
                self.styles[style.get(f"{W}styleId", "")] = (based, style.find(f"{W}pPr"))
        if numbering is None:
            return
        for abstract in numbering.iter(f"{W}abstractNum"):
            item = _List(style_link=_val(abstract, "numStyleLink") or "")
            for lvl in abstract.iter(f"{W}lvl"):
                item.levels[_int(lvl.get(f"{W}ilvl"), 0)] = _level(lvl)
            self.lists[abstract.get(f"{W}abstractNumId", "")] = item
        for num in numbering.iter(f"{W}num"):
            overrides: dict[int, Level] = {}
            restarts: set[int] = set()
            for override in num.iter(f"{W}lvlOverride"):
                ilvl = _int(override.get(f"{W}ilvl"), 0)
                lvl = override.find(f"{W}lvl")
                if lvl is not None:
                    overrides[ilvl] = _level(lvl)
                start = _val(override, "startOverride")
                if start is not None:
                    base = overrides.get(ilvl, Level(text=""))
                    overrides[ilvl] = _with_start(base, _int(start, 1))
                    restarts.add(ilvl)
            abstract_id = _val(num, "abstractNumId") or ""
            self.nums[num.get(f"{W}numId", "")] = (abstract_id, overrides, restarts)

    def label(self, paragraph: Any) -> str:
        """The number Word shows before this paragraph, followed by its separator ('' when
        not numbered). Call once per paragraph, in document order: counters advance."""
        num_id, ilvl = self._num_pr(paragraph)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id, overrides, restarts = self.nums[num_id]
        levels = self._levels(abstract_id)
        if not levels and not overrides:
            return ""
        merged = {**levels, **{k: self._merge(levels.get(k), v) for k, v in overrides.items()}}
        key = f"num {num_id}" if restarts else f"abstract {abstract_id}"
        counters = self.counters.setdefault(key, [None] * 10)
        level = merged.get(ilvl, Level())
        current = counters[ilvl]
        counters[ilvl] = level.start if current is None else current + 1
        for deeper in range(ilvl + 1, 10):
            restart = merged.get(deeper, Level()).restart
            if restart is None or (restart != 0 and ilvl + 1 <= restart):
                counters[deeper] = None
        text = level.text
        if level.fmt == "bullet":
            text = "".join(_BULLETS.get(c, "•" if "\uf000" <= c <= "\uf0ff" else c) for c in text)
        elif level.fmt == "none" and "%" not in text:
            pass
        else:
            for k in range(9, 0, -1):
                if f"%{k}" in text:
                    ref = merged.get(k - 1, Level())
                    value = counters[k - 1]
                    shown = ref.start if value is None else value
                    fmt = "decimal" if level.legal and k - 1 < ilvl else ref.fmt
                    text = text.replace(f"%{k}", _format(shown, fmt))
        text = text.strip()
        if not text:
            return ""
        return text + ("" if level.suffix == "nothing" else " ")

    def _levels(self, abstract_id: str, depth: int = 0) -> dict[int, Level]:
        item = self.lists.get(abstract_id)
        if item is None:
            return {}
        if item.style_link and depth < 5:
            linked_num = self._style_num(item.style_link)
            if linked_num in self.nums:
                return self._levels(self.nums[linked_num][0], depth + 1)
        return item.levels

    def _style_num(self, style_id: str) -> str:
        return self._from_styles(style_id)[0] or ""

    def _num_pr(self, paragraph: Any) -> tuple[str | None, int]:
        ppr = paragraph.find(f"{W}pPr")
        num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
        num_id = _val(num_pr, "numId") if num_pr is not None else None
        ilvl = _val(num_pr, "ilvl") if num_pr is not None else None
        if num_id is None and ppr is not None:
            style = _val(ppr, "pStyle")
            if style:
                num_id, style_ilvl = self._from_styles(style)
                ilvl = ilvl if ilvl is not None else style_ilvl
        return num_id, _int(ilvl, 0)

    def _from_styles(self, style_id: str) -> tuple[str | None, str | None]:
        seen: set[str] = set()
        while style_id and style_id not in seen and style_id in self.styles:
            seen.add(style_id)
            based, ppr = self.styles[style_id]
            num_pr = ppr.find(f"{W}numPr") if ppr is not None else None
            if num_pr is not None and _val(num_pr, "numId") is not None:
                return _val(num_pr, "numId"), _val(num_pr, "ilvl")
            style_id = based
        return None, None

    @staticmethod
    def _merge(base: Level | None, override: Level) -> Level:
        return override if base is None or override.text else _with_start(base, override.start)


def _with_start(level: Level, start: int) -> Level:
    return Level(start, level.fmt, level.text, level.restart, level.legal, level.suffix)


def _format(value: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1) if value > 0 else ""
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "ordinal":
        suffix = (
            "th" if 10 <= value % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(value % 10, "th")
        )
        return f"{value}{suffix}"
    if fmt == "none":
        return ""
    return str(value)


def _roman(value: int) -> str:
    if value <= 0:
        return str(value)
    out = []
    for number, letters in _ROMAN:
        while value >= number:
            out.append(letters)
            value -= number
    return "".join(out)
