"""The tampering table (issue 16): every way of changing the record behind the application's
back, each detected by ``audit verify`` or ``report verify`` with its own message.

Each case starts from a store holding one of everything (``tests/helpers/stores.populate``),
changes it, and runs the command in this process (the memory keyring is this process's)."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from app import cli
from app.runtime import secrets
from app.runtime.heads import heads_dir
from app.store import audit
from app.store.db import connect
from tests.helpers.keyring import MemoryKeyring
from tests.helpers.stores import Populated, edit, populate

KEY_NAME = (secrets.SERVICE, secrets.AUDIT_KEY)


@dataclass(frozen=True)
class World:
    populated: Populated
    keyring: MemoryKeyring
    folder: Path


Tamper = Callable[[World], None]


def sql(*statements: str) -> Tamper:
    return lambda world: edit(world.populated.db, *statements)


def truncate(world: World) -> None:
    for suffix in ("", "-wal", "-shm"):
        path = Path(f"{world.populated.db}{suffix}")
        if path.exists():
            path.write_bytes(b"")


def replace_with_early_copy(world: World) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{world.populated.db}{suffix}").unlink(missing_ok=True)
    shutil.copy(world.populated.early_copy, world.populated.db)


def replace_with_foreign_store(world: World) -> None:
    """A store another installation (another key) wrote, copied over ours."""
    foreign = world.folder / "foreign.sqlite3"
    connection = connect(foreign)
    with connection:
        audit.append(connection, b"f" * 32, "mallory", "run.started", "run:1", {})
    connection.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{world.populated.db}{suffix}").unlink(missing_ok=True)
    shutil.copy(foreign, world.populated.db)


def delete_outside_head(world: World) -> None:
    for head in heads_dir().iterdir():
        head.unlink()


def set_key(value: str) -> Tamper:
    def change(world: World) -> None:
        world.keyring.secrets[KEY_NAME] = value

    return change


def delete_key(world: World) -> None:
    del world.keyring.secrets[KEY_NAME]


FINDING = "SELECT run_id, position, policy_id, policy_version, section, passage, passage_text, "
FINDING_REST = (
    "location_json, quote, quote_verified, severity, confidence, rationale, remediation, "
    "layer, model_verdict, carried_from FROM findings WHERE id=1"
)
FINDING_COLUMNS = FINDING.replace("SELECT ", "") + FINDING_REST.split(" FROM")[0]

# (case, tampering, exit code, words the one error line must hold)
AUDIT_CASES: list[tuple[str, Tamper, int, str]] = [
    ("case renamed", sql("UPDATE cases SET name='other'"), 1, "cases row 1 was changed"),
    ("document sha256", sql("UPDATE documents SET sha256='0000'"), 1, "documents row 1 was"),
    ("document path", sql("UPDATE documents SET path='x.txt'"), 1, "documents row 1 was changed"),
    (
        "document inserted",
        sql(
            "INSERT INTO documents(sha256, path, media_type, pages) "
            "VALUES ('e', 'f', 'text/plain', 1)"
        ),
        1,
        "documents row 2 is in no audit entry",
    ),
    ("run verdict", sql("UPDATE runs SET verdict='compliant'"), 1, "runs row 1 was changed"),
    ("run settings", sql("UPDATE runs SET settings_json='{}'"), 1, "runs row 1 was changed"),
    ("run policies", sql("UPDATE runs SET policies_json='[]'"), 1, "runs row 1 was changed"),
    (
        "run report",
        sql("UPDATE runs SET report_json=replace(report_json, 'violation', 'compliant')"),
        1,
        "runs row 1 was changed",
    ),
    ("run deleted", sql("DELETE FROM runs"), 1, "runs row 1 is missing"),
    ("finding text", sql("UPDATE findings SET rationale='fine' WHERE id=1"), 1, "findings row 1"),
    ("finding severity", sql("UPDATE findings SET severity='low' WHERE id=1"), 1, "findings row 1"),
    ("finding deleted", sql("DELETE FROM findings WHERE id=2"), 1, "findings row 2 is missing"),
    (
        "finding inserted",
        sql(f"INSERT INTO findings({FINDING_COLUMNS}) {FINDING}{FINDING_REST}"),
        1,
        "findings row 3 is in no audit entry",
    ),
    (
        "decision flipped",
        sql("UPDATE decisions SET decision='reject' WHERE id=1"),
        1,
        "decisions row 1 was changed after audit entry",
    ),
    ("decision deleted", sql("DELETE FROM decisions WHERE id=2"), 1, "decisions row 2 is missing"),
    (
        "decision forged",
        sql(
            "INSERT INTO decisions(finding_id, decision, note, reviewer, decided_at) "
            "VALUES (2, 'reject', 'forged', 'mallory', '2026-01-01')"
        ),
        1,
        "decisions row 3 is in no audit entry",
    ),
    (
        "policy test edited",
        sql("UPDATE policy_tests SET metrics_json='{}'"),
        1,
        "policy_tests row 1 was changed",
    ),
    (
        "batch item edited",
        sql("UPDATE batch_items SET status='failed' WHERE id=1"),
        1,
        "batch_items row 1 was changed",
    ),
    ("export edited", sql("UPDATE exports SET file_sha256='0'"), 1, "exports row 1 was changed"),
    ("export deleted", sql("DELETE FROM exports"), 1, "exports row 1 is missing"),
    (
        "entry edited",
        sql(
            "UPDATE audit_log SET payload=replace(payload, 'clear breach', 'no breach') "
            "WHERE action='finding.decided'"
        ),
        1,
        "was changed (finding.decided)",
    ),
    ("entry deleted", sql("DELETE FROM audit_log WHERE seq=2"), 1, "audit entry 2 is missing"),
    (
        "entries cut off the end",
        sql("DELETE FROM audit_log WHERE seq=(SELECT max(seq) FROM audit_log)"),
        1,
        "entries cut off the end",
    ),
    (
        "log deleted with its head",
        sql("DELETE FROM audit_log", "DELETE FROM meta WHERE key='audit_head'"),
        1,
        "the store has 0 entries but this installation signed",
    ),
    (
        "outside head deleted",
        delete_outside_head,
        1,
        "audit head kept outside the store is missing",
    ),
    ("db truncated", truncate, 1, "the store has 0 entries but this installation signed"),
    ("db replaced by an older copy", replace_with_early_copy, 1, "but this installation signed"),
    ("db replaced by another's", replace_with_foreign_store, 1, "not signed by this installation"),
    ("key deleted", delete_key, 2, "audit key is missing"),
    ("key changed", set_key("ab" * 32), 2, "not signed with this installation's audit key"),
    ("key garbled", set_key("not hex"), 2, "is not a valid key"),
]


@pytest.fixture
def world(tmp_path: Path, memory_keyring: MemoryKeyring) -> World:
    return World(populate(tmp_path), memory_keyring, tmp_path)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    return code, captured.out, captured.err


def error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("safeguard-desk:")]
    assert len(lines) == 1, err
    return lines[0]


def test_the_untouched_store_verifies(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "audit", "verify", "--db", str(world.populated.db))
    assert code == 0, err
    assert f"audit log intact: {world.populated.entries} entries" in out
    code, out, err = run(capsys, "report", "verify", str(world.populated.pdf), "--db",
                         str(world.populated.db))  # fmt: skip
    assert code == 0 and "verified" in out and "audit trail intact" in out, err


@pytest.mark.parametrize(
    ("tamper", "code", "words"),
    [case[1:] for case in AUDIT_CASES],
    ids=[case[0] for case in AUDIT_CASES],
)
def test_tampering_is_detected(
    world: World, capsys: pytest.CaptureFixture[str], tamper: Tamper, code: int, words: str
) -> None:
    tamper(world)
    got, _, err = run(capsys, "audit", "verify", "--db", str(world.populated.db))
    assert got == code, err
    assert words in error_line(err)
    # and nothing is exported from it: exit 2 naming the problem, no file written
    target = world.folder / "after.pdf"
    got, _, err = run(capsys, "report", "pdf", "1", "--out", str(target), "--db",
                      str(world.populated.db))  # fmt: skip
    assert got == 2 and not target.exists(), err
    error_line(err)


def test_many_problems_are_listed_after_the_first(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(world.populated.db, "UPDATE findings SET severity='low'", "DELETE FROM decisions")
    code, _, err = run(capsys, "audit", "verify", "--db", str(world.populated.db))
    assert code == 1
    assert "findings row 1 was changed" in error_line(err)
    assert "also: findings row 2 was changed" in err and "decisions row 1 is missing" in err


def test_work_on_a_cut_store_is_refused_with_the_next_step(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    replace_with_early_copy(world)
    code, _, err = run(capsys, "review", "list", "--db", str(world.populated.db))
    line = error_line(err)
    assert code == 2 and "but this installation signed" in line and "audit adopt" in line
    # a restore on purpose is accepted explicitly, and the log says so
    code, out, err = run(capsys, "audit", "adopt", "--db", str(world.populated.db))
    assert code == 0 and "adopted" in out, err
    code, out, _ = run(capsys, "audit", "verify", "--db", str(world.populated.db))
    assert code == 0
    connection = connect(world.populated.db)
    (entry,) = audit.entries(connection, "store.adopted")
    assert json.loads(entry["payload"])["replaced_head"]["entries"] == world.populated.entries
    connection.close()


def _overlay_white_box(pdf: Path) -> bytes:
    """The genuine PDF with a white box drawn over page 1 (attachment kept)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer, pagesize=A4)
    drawing.setFillColorRGB(1, 1, 1)
    drawing.rect(0, 300, 600, 400, stroke=0, fill=1)
    drawing.save()
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.pages[0].merge_page(PdfReader(io.BytesIO(buffer.getvalue())).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _new_pdf_with_genuine_attachment(pdf: Path) -> bytes:
    """A brand-new PDF saying COMPLIANT, carrying the genuine report.json."""
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    drawing = canvas.Canvas(buffer)
    drawing.drawString(72, 720, "COMPLIANT - 0 findings")
    drawing.save()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.add_attachment("report.json", PdfReader(pdf).attachments["report.json"][0])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _changed_attachment(pdf: Path) -> bytes:
    reader = PdfReader(pdf)
    report = json.loads(reader.attachments["report.json"][0])
    report["verdict"] = "compliant"
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.add_attachment("report.json", json.dumps(report).encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _changed_metadata(pdf: Path) -> bytes:
    writer = PdfWriter(clone_from=PdfReader(pdf))
    writer.add_metadata({"/Title": "Compliance audit report (approved)"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _appended_byte(pdf: Path) -> bytes:
    return pdf.read_bytes() + b"\n"


PDF_CASES: list[tuple[str, Callable[[Path], bytes], str]] = [
    ("pages changed (white box)", _overlay_white_box, "the file's bytes differ from that export"),
    (
        "PDF replaced, attachment copied",
        _new_pdf_with_genuine_attachment,
        "another PDF carrying a copied attachment",
    ),
    ("attachment changed", _changed_attachment, "its attached report matches no export"),
    ("metadata changed", _changed_metadata, "the file's bytes differ from that export"),
    ("a byte appended", _appended_byte, "the file's bytes differ from that export"),
]


@pytest.mark.parametrize(
    ("forge", "words"), [c[1:] for c in PDF_CASES], ids=[c[0] for c in PDF_CASES]
)
def test_a_changed_pdf_fails_report_verify(
    world: World, capsys: pytest.CaptureFixture[str], forge: Callable[[Path], bytes], words: str
) -> None:
    forged = world.folder / "forged.pdf"
    forged.write_bytes(forge(world.populated.pdf))
    code, _, err = run(capsys, "report", "verify", str(forged), "--db", str(world.populated.db))
    assert code == 1, err
    assert words in error_line(err)


def test_a_genuine_pdf_from_a_tampered_store_fails(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    edit(world.populated.db, "UPDATE findings SET severity='low' WHERE id=1")
    code, _, err = run(capsys, "report", "verify", str(world.populated.pdf), "--db",
                       str(world.populated.db))  # fmt: skip
    assert code == 1 and "but the store fails verification: findings row 1" in error_line(err)


def test_report_verify_refuses_what_is_not_a_pdf_before_reading(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    text = world.folder / "report.pdf.txt"
    text.write_text("COMPLIANT", encoding="utf-8")
    db = ["--db", str(world.populated.db)]
    code, _, err = run(capsys, "report", "verify", str(text), *db)
    assert code == 2 and "not a PDF" in error_line(err)
    code, _, err = run(capsys, "report", "verify", "/dev/zero", *db)
    assert code == 2 and "is a device" in error_line(err)
    fifo = world.folder / "fifo.pdf"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "report", "verify", str(fifo), *db)
    assert code == 2 and "FIFO" in error_line(err)


def test_there_are_at_least_the_26_cases_the_issue_lists() -> None:
    assert len(AUDIT_CASES) + len(PDF_CASES) >= 26


def test_a_corrupt_page_is_a_damaged_store_with_the_next_step(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    data = bytearray(world.populated.db.read_bytes())
    for offset in range(4096, len(data), 4096):  # every page but the header's
        data[offset + 8 : offset + 200] = b"\xa5" * 192
    world.populated.db.write_bytes(bytes(data))
    code, _, err = run(capsys, "review", "list", "--db", str(world.populated.db))
    line = error_line(err)
    assert code == 2 and "the store is damaged" in line and "restore it from a backup" in line
