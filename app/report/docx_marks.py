"""Comment markers in a paragraph's runs: cut a run where a quote starts and ends (both halves
keep a copy of its ``w:rPr``, so every character keeps its formatting) and put
``commentRangeStart``/``commentRangeEnd`` around the quote and the ``commentReference`` run
after it. Optionally the suggested fix as a tracked change: the quote's runs inside ``w:del``
(their text as ``w:delText``) and the fix in a ``w:ins`` after them. And the ``w:comment``
element itself, one paragraph per line of the note."""

from __future__ import annotations

import copy
import re
from typing import Any

from lxml import etree  # type: ignore[import-untyped]

from app.core.clock import as_utc
from app.report.annotation import Note, Placement
from app.report.docx_text import Atom, W

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_CONTENT = (f"{W}t", f"{W}tab", f"{W}br", f"{W}cr")


def split_before(atom: Atom) -> Any:
    """Cut ``atom``'s run so that ``atom`` is the first content of a run; returns that run."""
    run, node = atom.run, atom.node
    if atom.offset:
        tail = copy.deepcopy(node)
        tail.text = node.text[atom.offset :]
        node.text = node.text[: atom.offset]
        for piece in (node, tail):
            piece.set(XML_SPACE, "preserve")  # the cut may leave a space at an edge
        node.addnext(tail)
        node = tail
    before = [c for c in _contents(run)]
    index = before.index(node)
    if not any(c.tag in _CONTENT for c in before[:index]):
        return run  # nothing of the run's text comes before: no cut needed
    second = run.makeelement(run.tag, dict(run.attrib))
    properties = run.find(f"{W}rPr")
    if properties is not None:
        second.append(copy.deepcopy(properties))
    for child in before[index:]:
        second.append(child)  # moves it
    run.addnext(second)
    return second


def split_after(atom: Atom) -> Any:
    """Cut ``atom``'s run right after ``atom``; returns the run that ends with it."""
    run, node = atom.run, atom.node
    if node.tag == f"{W}t" and atom.offset + 1 < len(node.text or ""):
        tail = copy.deepcopy(node)
        tail.text = node.text[atom.offset + 1 :]
        node.text = node.text[: atom.offset + 1]
        for piece in (node, tail):
            piece.set(XML_SPACE, "preserve")
        node.addnext(tail)
    contents = _contents(run)
    rest = contents[contents.index(node) + 1 :]
    if not any(c.tag in _CONTENT for c in rest):
        return run
    second = run.makeelement(run.tag, dict(run.attrib))
    properties = run.find(f"{W}rPr")
    if properties is not None:
        second.append(copy.deepcopy(properties))
    for child in rest:
        second.append(child)
    run.addnext(second)
    return run


def _contents(run: Any) -> list[Any]:
    return [c for c in run.iterchildren() if c.tag != f"{W}rPr"]


def marker(tag: str, comment_id: int) -> Any:
    return etree.Element(f"{W}{tag}", {f"{W}id": str(comment_id)})


def reference_run(comment_id: int) -> Any:
    run = etree.Element(f"{W}r")
    properties = etree.SubElement(run, f"{W}rPr")
    etree.SubElement(properties, f"{W}rStyle", {f"{W}val": "CommentReference"})
    etree.SubElement(run, f"{W}commentReference", {f"{W}id": str(comment_id)})
    return run


def paragraph_child(element: Any, paragraph: Any) -> Any:
    """The ancestor of ``element`` (itself included) that is a direct child of ``paragraph``."""
    while element.getparent() is not paragraph:
        element = element.getparent()
    return element


def mark_range(first: Any, last: Any, paragraph: Any, comment_id: int) -> None:
    """Comment markers around the runs ``first``..``last`` (the reference after ``last``)."""
    first.addprevious(marker("commentRangeStart", comment_id))
    last.addnext(marker("commentRangeEnd", comment_id))
    paragraph_child(last.getnext(), paragraph).addnext(reference_run(comment_id))


def mark_paragraphs(first: Any, last: Any, comment_id: int) -> None:
    """Comment markers around the whole of the paragraphs ``first``..``last``."""
    properties = first.find(f"{W}pPr")
    start = marker("commentRangeStart", comment_id)
    if properties is not None:
        properties.addnext(start)
    else:
        first.insert(0, start)
    last.append(marker("commentRangeEnd", comment_id))
    last.append(reference_run(comment_id))


def mark_point(paragraph: Any, comment_id: int) -> None:
    """A comment without range at the start of ``paragraph``."""
    properties = paragraph.find(f"{W}pPr")
    markers = [
        marker("commentRangeStart", comment_id),
        marker("commentRangeEnd", comment_id),
        reference_run(comment_id),
    ]
    if properties is not None:
        for element in reversed(markers):
            properties.addnext(element)
    else:
        for element in reversed(markers):
            paragraph.insert(0, element)


def suggest(first: Any, last: Any, fix: str, change_id: int, author: str, date: str) -> bool:
    """The runs ``first``..``last`` (siblings) as a tracked deletion followed by a tracked
    insertion of ``fix``. Refused (False) when the runs are not plain siblings outside other
    tracked changes: a suggestion must never rewrite text that already carries one."""
    parent = first.getparent()
    if parent is not last.getparent() or parent.tag in (f"{W}ins", f"{W}del", f"{W}moveTo"):
        return False
    runs: list[Any] = []
    node = first
    while node is not None:
        if node.tag != f"{W}r":
            return False  # something else (a field, a hyperlink) between the quote's runs
        runs.append(node)
        if node is last:
            break
        node = node.getnext()
    else:
        return False
    attributes = {f"{W}author": author, f"{W}date": date}
    deletion = first.makeelement(f"{W}del", {f"{W}id": str(change_id), **attributes})
    first.addprevious(deletion)
    for run in runs:
        for text in run.iterchildren(f"{W}t"):
            text.tag = f"{W}delText"
        deletion.append(run)
    insertion = first.makeelement(f"{W}ins", {f"{W}id": str(change_id + 1), **attributes})
    added = copy.deepcopy(runs[0])
    for child in _contents(added):
        added.remove(child)
    text = added.makeelement(f"{W}t", {XML_SPACE: "preserve"})
    text.text = fix
    added.append(text)
    insertion.append(added)
    deletion.addnext(insertion)
    return True


def word_date(iso: str) -> str:
    """Word's w:date: UTC, seconds, a trailing Z (it rejects fractions and offsets)."""
    return as_utc(iso).strftime("%Y-%m-%dT%H:%M:%SZ")


def comment_element(comment_id: int, note: Note, placement: Placement, remark: str) -> Any:
    comment = etree.Element(
        f"{W}comment",
        {
            f"{W}id": str(comment_id),
            f"{W}author": note.author,
            f"{W}date": word_date(note.date),
            f"{W}initials": "SD",
        },
    )
    for index, line in enumerate(note.lines(placement, remark)):
        paragraph = etree.SubElement(comment, f"{W}p")
        if index == 0:  # Word expects the comment's mark first in its first paragraph
            mark = etree.SubElement(paragraph, f"{W}r")
            etree.SubElement(
                etree.SubElement(mark, f"{W}rPr"), f"{W}rStyle", {f"{W}val": "CommentReference"}
            )
            etree.SubElement(mark, f"{W}annotationRef")
        run = etree.SubElement(paragraph, f"{W}r")
        if index == 0:
            etree.SubElement(etree.SubElement(run, f"{W}rPr"), f"{W}b")
        text = etree.SubElement(
            run, f"{W}t", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"}
        )
        text.text = xml_safe(line)
    return comment


def xml_safe(text: str) -> str:
    """Model text may hold control characters XML 1.0 cannot carry."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
