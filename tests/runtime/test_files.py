"""Output safety (trust rule 6): only regular files are replaced, modes are private where the
app chose the place, and every OSError is a named error naming the path."""

from __future__ import annotations

import errno
import os
import stat
from contextlib import nullcontext
from pathlib import Path

import pytest

from app.core.errors import DiskFull, NotWritable, OutputError, StorageError
from app.runtime import files
from app.runtime.files import atomic_write, private_dir, refuse_clobbering
from tests.helpers.mounts import tmpfs


def test_a_regular_file_is_replaced_whole(tmp_path: Path) -> None:
    target = tmp_path / "deep" / "r.json"
    atomic_write(target, "one")
    atomic_write(target, b"two")
    assert target.read_text() == "two"
    assert [p.name for p in target.parent.iterdir()] == ["r.json"]  # no partial left


@pytest.mark.parametrize("device", ["/dev/null", "/dev/full", "/dev/zero"])
def test_a_device_is_never_replaced(device: str) -> None:
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    with pytest.raises(OutputError, match="is a device, not a regular file: not written"):
        atomic_write(Path(device), "x")
    assert stat.S_ISCHR(os.stat(device).st_mode)  # still the device


def test_fifo_folder_and_links_to_them_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    link_to_fifo = tmp_path / "to-fifo"
    link_to_fifo.symlink_to(fifo)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    for path, words in (
        (fifo, "is a FIFO"),
        (link_to_fifo, "is a FIFO"),
        (tmp_path, "is a folder"),
        (dangling, "symlink to nothing"),
    ):
        with pytest.raises(OutputError, match=words) as raised:
            atomic_write(path, "x", what="report")
        assert str(path) in str(raised.value)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode) and dangling.is_symlink()


def test_a_symlink_to_a_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, "new")
    assert link.is_symlink() and real.read_text() == "new"


def test_modes_private_umask_and_kept(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "private.json", "x", private=True)
        atomic_write(tmp_path / "chosen.json", "x")
        kept = tmp_path / "kept.json"
        kept.write_text("x")
        os.chmod(kept, 0o640)
        atomic_write(kept, "y", private=True)
    finally:
        os.umask(old)
    mode = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    assert mode == {"private.json": 0o600, "chosen.json": 0o644, "kept.json": 0o640}


def test_private_dir_closes_folders(tmp_path: Path) -> None:
    existing = tmp_path / "home"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    private_dir(existing / "logs" / "deep")
    for folder in (existing, existing / "logs", existing / "logs" / "deep"):
        if folder == existing:
            continue  # only what private_dir made, and the folder asked for
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    private_dir(existing)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o700


@pytest.mark.parametrize("where", ["tmpfs", "patched os.write"])
def test_disk_full_is_named_and_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    small = tmp_path / "small"
    small.mkdir()
    with tmpfs(small, size_kb=64) if where == "tmpfs" else nullcontext(False) as mounted:
        target = small / "r.json"
        target.write_text("old")
        if not mounted:  # no tmpfs here: the kernel's answer, simulated
            real_write = os.write

            def full(descriptor: int, data: bytes) -> int:
                if len(data) > 1000:
                    raise OSError(errno.ENOSPC, "No space left on device")
                return real_write(descriptor, data)

            monkeypatch.setattr(files.os, "write", full)
        with pytest.raises(DiskFull, match="no space left") as raised:
            atomic_write(target, b"x" * 200_000, what="report")
        assert str(target) in str(raised.value)
        assert target.read_text() == "old"
        assert sorted(p.name for p in small.iterdir()) == ["r.json"]


@pytest.mark.parametrize("where", ["tmpfs", "patched os.open"])
def test_read_only_target_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    locked = tmp_path / "ro"
    locked.mkdir()
    with tmpfs(locked, read_only=True) if where == "tmpfs" else nullcontext(False) as mounted:
        if not mounted:

            def refuse(*args: object, **kwargs: object) -> int:
                raise OSError(errno.EROFS, "Read-only file system")

            monkeypatch.setattr(files.os, "open", refuse)
        with pytest.raises(NotWritable, match="read-only") as raised:
            atomic_write(locked / "r.json", "x", what="report")
        assert str(locked / "r.json") in str(raised.value)


def test_a_folder_that_cannot_be_made_is_named(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError) as raised:
        atomic_write(blocker / "sub" / "r.json", "x")
    assert str(blocker / "sub" / "r.json") in str(raised.value)


def test_outputs_never_overwrite_inputs_or_each_other(tmp_path: Path) -> None:
    document = tmp_path / "v.md"
    document.write_text("draft")
    hard = tmp_path / "hard.md"
    os.link(document, hard)
    soft = tmp_path / "soft.md"
    soft.symlink_to(document)
    for path in (document, hard, soft, tmp_path / "." / "v.md"):
        with pytest.raises(OutputError, match="would overwrite an input"):
            refuse_clobbering({"--out": path}, [document])
    out = tmp_path / "r.json"
    with pytest.raises(OutputError, match="--pdf and --out name the same file"):
        refuse_clobbering({"--out": out, "--pdf": tmp_path / "sub" / ".." / "r.json"}, [document])
    refuse_clobbering({"--out": out, "--pdf": tmp_path / "r.pdf"}, [document])  # fine
    assert document.read_text() == "draft"


def test_a_full_data_folder_gives_one_line_and_no_logging_error(tmp_path: Path) -> None:
    """The whole data folder (store, log, heads) on a full disk: one line, exit 2, no traceback
    and no '--- Logging error ---' from the log handler."""
    from tests.helpers.cli import assert_one_line_error, run

    home = tmp_path / "home"
    home.mkdir()
    with tmpfs(home, size_kb=64) as mounted:
        if not mounted:
            pytest.skip("cannot mount a tmpfs here")
        (home / "filler").write_bytes(b"x" * (64 * 1024 - 4096))
        draft = tmp_path / "d.md"
        draft.write_text("Earn a guaranteed return.\n", encoding="utf-8")
        env = os.environ | {"SAFEGUARD_HOME": str(home)}
        old = os.environ.copy()
        os.environ.update(env)
        try:
            result = run("check", str(draft), "--policy", "fin-promo", "--triage-only", "--quiet")
        finally:
            os.environ.clear()
            os.environ.update(old)
    assert "Logging error" not in result.stderr
    assert_one_line_error(result, 2, "no space left")
