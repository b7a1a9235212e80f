from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import CorruptDocument, NoTextLayer
from app.ingest import read_document
from tests.helpers.paths import corpus_file


def test_paragraphs_with_first_line_locations(tmp_path: Path) -> None:
    path = tmp_path / "draft.md"
    path.write_text(
        "# Title\n\nFirst para line one\nline two\n\n\n\nSecond para\n", encoding="utf-8"
    )
    document = read_document(path)
    assert document.media_type == "text/markdown"
    assert [(p.id, p.text, p.location) for p in document.passages] == [
        ("P1", "# Title", {"line": 1}),
        ("P2", "First para line one\nline two", {"line": 3}),
        ("P3", "Second para", {"line": 8}),
    ]
    assert document.pages == 1
    assert len(document.sha256) == 64


def test_ids_are_stable_for_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("one\n\ntwo\n", encoding="utf-8")
    assert read_document(path) == read_document(path)


def test_crlf_and_utf16_bom(tmp_path: Path) -> None:
    path = tmp_path / "win.txt"
    path.write_bytes("Zeile eins\r\n\r\nZweite Zeile – Größe\r\n".encode("utf-16"))
    document = read_document(path)
    assert [p.text for p in document.passages] == ["Zeile eins", "Zweite Zeile – Größe"]
    assert document.passages[1].location == {"line": 3}


def test_legacy_encoding_is_detected_and_warned(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes(
        "Le délai de conservation des données est illimité, à notre discrétion.".encode("cp1252")
    )
    document = read_document(path)
    assert "données" in document.passages[0].text
    assert any("decoded as" in w for w in document.warnings)


def test_long_blocks_are_cut_at_line_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "long.txt"
    path.write_text("\n".join(f"line {i} " + "x" * 90 for i in range(1, 41)), encoding="utf-8")
    passages = read_document(path).passages
    assert len(passages) > 1
    assert all(len(p.text) <= 1500 for p in passages)
    assert passages[1].location["line"] == passages[0].text.count("\n") + 2


def test_empty_and_blank_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(CorruptDocument, match="empty"):
        read_document(empty)
    blank = tmp_path / "blank.txt"
    blank.write_text("\n\n   \n", encoding="utf-8")
    with pytest.raises(NoTextLayer, match="no text"):
        read_document(blank)


def test_binary_named_txt(tmp_path: Path) -> None:
    path = tmp_path / "image.txt"
    path.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(CorruptDocument, match="image.txt: binary data"):
        read_document(path)


def test_shift_jis_corpus_file() -> None:
    document = read_document(corpus_file("docs/chardet__shiftjis_gutenberg_ude_4.txt"))
    text = " ".join(p.text for p in document.passages)
    assert "の" in text  # Japanese came out as Japanese, not mojibake


def test_the_document_says_the_encoding_and_whether_it_was_guessed(tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Café crème: les données sont conservées.".encode("cp1252"))
    guessed = read_document(path)
    assert guessed.encoding_guessed and guessed.encoding
    assert guessed.to_json()["encoding"] == {"name": guessed.encoding, "guessed": True}
    plain = tmp_path / "utf8.txt"
    plain.write_text("Café crème.", encoding="utf-8")
    assert read_document(plain).to_json()["encoding"] == {"name": "utf-8", "guessed": False}


def test_an_explicit_encoding_overrides_the_guess(tmp_path: Path) -> None:
    from app.ingest.text import read_text

    data = "Café crème, où êtes-vous?".encode("cp1252")
    document = read_text(tmp_path / "x.txt", data, "0" * 64, "text/plain", encoding="cp1252")
    assert document.passages[0].text == "Café crème, où êtes-vous?"
    assert document.encoding == "cp1252" and not document.encoding_guessed
    assert document.warnings == ()
    with pytest.raises(CorruptDocument, match="unknown text encoding 'klingon'"):
        read_text(tmp_path / "x.txt", data, "0" * 64, "text/plain", encoding="klingon")


def test_long_paragraphs_are_cut_at_sentence_ends(tmp_path: Path) -> None:
    path = tmp_path / "prose.txt"
    sentence = "This sentence is part of one very long paragraph of prose.\n"
    path.write_text(sentence * 60, encoding="utf-8")
    passages = read_document(path).passages
    assert len(passages) == 3
    assert all(p.text.endswith("prose.") for p in passages)
    assert [p.location["line"] for p in passages] == [1, 26, 51]
