"""Mutated e-mail, HTML, RTF and office files: every reader returns a Document or raises one of
our own DocumentErrors naming the file — never a raw library exception. Office packages are
mutated inside their XML and zipped again (a mutated ZIP is mostly a CRC error, which would
never reach the XML parsers)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.documents import Document
from app.core.errors import DocumentError
from app.ingest import read_document
from tests.helpers.mailgen import make_eml, make_msg
from tests.helpers.officegen import (
    docx_bytes,
    hidden_runs_docx,
    make_odt,
    make_pptx,
    make_rtf,
    make_xlsx,
    numbered_docx,
    tracked_run,
)


def _seeds(folder: Path) -> dict[str, bytes]:
    document = docx.Document()
    paragraph = document.add_paragraph("Fees are ")
    tracked_run(paragraph, "del", "10%", 1)
    tracked_run(paragraph, "ins", "2%", 2)
    document.add_comment(paragraph.runs, text="Check this.", author="Legal")
    inner = make_eml(folder / "inner.eml", body="Inner.")
    return {
        "eml": make_eml(
            folder / "s.eml",
            html="<p>Hello <b>there</b></p>",
            attachments=[("a.txt", b"note"), ("fwd.eml", inner.read_bytes())],
        ).read_bytes(),
        "msg": make_msg(folder / "s.msg", attachments=[("a.txt", b"note")]).read_bytes(),
        "html": b"<html><head><title>T</title></head><body><p style='display:none'>x</p>"
        b"<table><tr><td>a</td><td>b</td></tr></table><ul><li>c</li></ul></body></html>",
        "rtf": make_rtf(folder / "s.rtf").read_bytes(),
        "docx": docx_bytes(document),
        "hidden.docx": hidden_runs_docx(folder / "h.docx").read_bytes(),
        "numbered.docx": numbered_docx(folder / "n.docx", [(0, "a"), (1, "b")]).read_bytes(),
        "odt": make_odt(folder / "s.odt").read_bytes(),
        "pptx": make_pptx(folder / "s.pptx").read_bytes(),
        "xlsx": make_xlsx(folder / "s.xlsx").read_bytes(),
    }


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    return _seeds(tmp_path_factory.mktemp("seeds"))


mutations = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2**31), st.integers(min_value=0, max_value=255)),
    max_size=12,
)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


def mutate(seed: bytes, changes: list[tuple[int, int]], cut: int | None) -> bytes:
    data = bytearray(seed)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data[:cut] if cut else data)


def mutate_member(package: bytes, pick: int, changes: list[tuple[int, int]]) -> bytes:
    """Mutate the bytes of one XML member and zip the package again."""
    with zipfile.ZipFile(io.BytesIO(package)) as source:
        infos = source.infolist()
        members = {info.filename: source.read(info) for info in infos}
    xml = [n for n in members if n.endswith(".xml") or n.endswith(".rels")]
    name = xml[pick % len(xml)]
    members[name] = mutate(members[name], changes, None)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for member, data in members.items():
            target.writestr(member, data)
    return out.getvalue()


def _assert_ours(path: Path) -> None:
    try:
        result = read_document(path)
    except DocumentError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))
    else:
        assert isinstance(result, Document) and result.passages


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["eml", "msg", "html", "rtf"])
@FUZZ
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(min_value=1, max_value=8000)))
def test_mutated_text_and_mail_formats(
    tmp_path: Path,
    seeds: dict[str, bytes],
    kind: str,
    changes: list[tuple[int, int]],
    cut: int | None,
) -> None:
    path = tmp_path / f"fuzz.{kind}"
    path.write_bytes(mutate(seeds[kind], changes, cut))
    _assert_ours(path)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kind", ["docx", "hidden.docx", "numbered.docx", "odt", "pptx", "xlsx"])
@FUZZ
@given(pick=st.integers(min_value=0, max_value=100), changes=mutations)
def test_mutated_office_xml(
    tmp_path: Path, seeds: dict[str, bytes], kind: str, pick: int, changes: list[tuple[int, int]]
) -> None:
    path = tmp_path / f"fuzz.{kind.rsplit('.', 1)[-1]}"
    path.write_bytes(mutate_member(seeds[kind], pick, changes))
    _assert_ours(path)
