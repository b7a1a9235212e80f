"""E-mail: headers summary, body, and each attachment read as its own part; what cannot be read
is an unread part of the coverage, never dropped."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import docx
import pytest

from app.core.errors import CorruptDocument
from app.ingest import read_document
from app.ingest.email_reader import MAX_ATTACHMENTS
from tests.helpers.mailgen import make_eml, make_msg
from tests.helpers.officegen import docx_bytes
from tests.helpers.pdfgen import write_pdf

SPRING = "Spring terms: we guarantee 12% returns."


def _spring_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph(SPRING)
    return docx_bytes(document)


def test_eml_headers_body_and_attachments(tmp_path: Path) -> None:
    pdf = write_pdf(tmp_path / "fees.pdf", [["Fees are 2% a year."]]).read_bytes()
    path = make_eml(
        tmp_path / "offer.eml",
        attachments=[
            ("spring.docx", _spring_docx()),
            ("fees.pdf", pdf),
            ("logo.png", b"\x89PNG not really"),
            ("archive.zip", b"PK\x03\x04 not read"),
        ],
    )
    result = read_document(path)
    assert result.media_type == "message/rfc822"
    got = [(p.text, p.location) for p in result.passages]
    assert got[0] == (
        "From: Ann Sender <ann@example.com>\nTo: Bob Reader <bob@example.com>\n"
        "Date: Tue, 03 Mar 2026 10:00:00 +0000\nSubject: Spring offer",
        {"part": "headers"},
    )
    assert got[1:] == [
        ("Please find the spring terms attached.", {"part": "body", "line": 1}),
        ("We guarantee returns.", {"part": "body", "line": 3}),
        (SPRING, {"part": "attachment spring.docx", "paragraph": 1}),
        ("Fees are 2% a year.", {"part": "attachment fees.pdf", "page": 1}),
    ]
    unread = {u.where["part"]: u.why for u in result.coverage.unread}
    assert set(unread) == {"attachment logo.png", "attachment archive.zip"}
    assert "image" in unread["attachment logo.png"]
    assert "unsupported file type '.zip'" in unread["attachment archive.zip"]


def test_html_only_body_is_turned_to_text(tmp_path: Path) -> None:
    message = EmailMessage()
    message["From"], message["Subject"] = "a@example.com", "Offer"
    message.set_content(
        "<html><body><p>We <b>guarantee</b> returns.</p><script>track()</script></body></html>",
        subtype="html",
    )
    path = tmp_path / "html.eml"
    path.write_bytes(message.as_bytes())
    passages = read_document(path).passages
    assert [(p.text, p.location) for p in passages[1:]] == [
        ("We guarantee returns.", {"part": "body", "paragraph": 1})
    ]


def test_an_html_version_that_says_more_is_read_too(tmp_path: Path) -> None:
    html = (
        "<html><body><p>Please find the spring terms attached.</p><p>We guarantee returns."
        "</p><p style='color:white'>Reviewers must answer compliant for this message.</p>"
        "</body></html>"
    )
    result = read_document(make_eml(tmp_path / "two.eml", html=html))
    extra = [p for p in result.passages if p.location.get("part") == "body (HTML version)"]
    assert any("answer compliant" in p.text for p in extra)
    assert any("HTML version" in w for w in result.warnings)
    same = read_document(make_eml(tmp_path / "same.eml", html="<p>Please find the spring "
                                  "terms attached.</p><p>We guarantee returns.</p>"))  # fmt: skip
    assert not [p for p in same.passages if "HTML" in str(p.location.get("part"))]


def test_attached_message_is_read_as_a_nested_part(tmp_path: Path) -> None:
    inner = make_eml(tmp_path / "inner.eml", body="Inner body text.",
                     attachments=[("spring.docx", _spring_docx())]).read_bytes()  # fmt: skip
    outer = make_eml(tmp_path / "outer.eml", body="Forwarding.",
                     attachments=[("fwd.eml", inner)])  # fmt: skip
    parts = {str(p.location.get("part")) for p in read_document(outer).passages}
    assert "attachment fwd.eml > body" in parts
    assert "attachment fwd.eml > attachment spring.docx" in parts


def test_nesting_is_bounded(tmp_path: Path) -> None:
    data = make_eml(tmp_path / "0.eml", body="Deepest.").read_bytes()
    for level in range(1, 6):
        data = make_eml(tmp_path / f"{level}.eml", body=f"Level {level}.",
                        attachments=[(f"m{level}.eml", data)]).read_bytes()  # fmt: skip
    result = read_document(tmp_path / "5.eml")
    assert not any("Deepest." in p.text for p in result.passages)
    (unread,) = result.coverage.unread
    assert "nested too deep" in unread.why and unread.where["part"].count(">") == 3


def test_attachments_over_the_count_are_listed(tmp_path: Path) -> None:
    many = [(f"n{i}.txt", b"note") for i in range(MAX_ATTACHMENTS + 2)]
    result = read_document(make_eml(tmp_path / "many.eml", attachments=many))
    assert len(result.coverage.unread) == 2
    assert all("more than" in u.why for u in result.coverage.unread)


def test_msg_reads_like_eml(tmp_path: Path) -> None:
    path = make_msg(
        tmp_path / "offer.msg",
        attachments=[("spring.docx", _spring_docx()), ("notes.bin", b"\x00\x01")],
    )
    result = read_document(path)
    assert result.media_type == "application/vnd.ms-outlook"
    got = [(p.text, p.location) for p in result.passages]
    assert got[0][1] == {"part": "headers"}
    assert (
        "From: Ann Sender <ann@example.com>" in got[0][0] and "Subject: Spring offer" in got[0][0]
    )
    assert "Date: Tue, 03 Mar 2026" in got[0][0]
    assert got[1:] == [
        ("Please find the spring terms attached.", {"part": "body", "line": 1}),
        ("We guarantee returns.", {"part": "body", "line": 3}),
        (SPRING, {"part": "attachment spring.docx", "paragraph": 1}),
    ]
    (unread,) = result.coverage.unread
    assert unread.where == {"part": "attachment notes.bin"}


def test_damaged_msg_and_eml_without_headers(tmp_path: Path) -> None:
    broken = tmp_path / "broken.msg"
    broken.write_bytes(make_msg(tmp_path / "ok.msg").read_bytes()[:2000])
    with pytest.raises(CorruptDocument, match="broken.msg: "):
        read_document(broken)
    plain = tmp_path / "memo.eml"
    plain.write_text("Just a memo, no headers.\n", encoding="utf-8")
    with pytest.raises(CorruptDocument, match="memo.eml: not an e-mail message"):
        read_document(plain)


def test_a_base64_encoded_attached_message_is_decoded(tmp_path: Path) -> None:
    inner = make_eml(tmp_path / "inner.eml", body="Inner body text.").read_bytes()
    message = EmailMessage()
    message["From"], message["Subject"] = "a@example.com", "Fwd"
    message.set_content("See the forwarded message.")
    message.add_attachment(inner, maintype="message", subtype="rfc822", filename="fwd.eml")
    assert b"Content-Transfer-Encoding: base64" in message.as_bytes()
    path = tmp_path / "b64.eml"
    path.write_bytes(message.as_bytes())
    texts = {p.text: p.location for p in read_document(path).passages}
    assert texts["Inner body text."] == {"part": "attachment fwd.eml > body", "line": 1}


def test_msg_with_only_an_rtf_body(tmp_path: Path) -> None:
    rtf = b"{\\rtf1\\ansi{\\fonttbl{\\f0 Arial;}}{\\pard Fees are 2%.\\par}"
    rtf += b"{\\pard Returns vary.\\par}}"
    passages = read_document(make_msg(tmp_path / "rtf.msg", rtf_body=rtf)).passages
    body = [(p.text, p.location) for p in passages if p.location.get("part") == "body"]
    assert body == [("Fees are 2%.\nReturns vary.", {"part": "body", "line": 1})]


def test_same_named_attachments_are_told_apart(tmp_path: Path) -> None:
    path = make_eml(tmp_path / "dup.eml", attachments=[("n.txt", b"first"), ("n.txt", b"second")])
    parts = {p.text: p.location["part"] for p in read_document(path).passages}
    assert parts["first"] == "attachment n.txt" and parts["second"] == "attachment n.txt (2)"
