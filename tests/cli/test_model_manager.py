"""``model scan``, ``model import --link``, ``model list`` and ``model download`` end to end, in a
fake home with LM Studio, Ollama and Hugging Face cache folders of small generated GGUFs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.runtime.paths import models_dir
from tests.helpers.cli import assert_one_line_error, run
from tests.helpers.fake_hub import COMMIT, FakeHub, HostedFile
from tests.helpers.gguf_files import model_gguf
from tests.helpers.model_homes import LMSTUDIO_REPO, SCAN_ENV, fake_home

SAFEGUARD_FILE = "gpt-oss-safeguard-20b-MXFP4.gguf"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's home is the fake one (the scan reads $HOME), its HF cache under home/hf."""
    made = fake_home(tmp_path)
    for name in SCAN_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(made))
    monkeypatch.setenv("HF_HOME", str(made / "hf"))
    return made


def lm_studio_file(home: Path) -> Path:
    return home / ".lmstudio" / "models" / LMSTUDIO_REPO / SAFEGUARD_FILE


def table_rows(stdout: str) -> dict[str, list[str]]:
    """The scan table's rows by path (the last column), each cell split on whitespace."""
    rows = {}
    for line in stdout.splitlines():
        cells = line.split()
        if cells and cells[0].replace(".", "", 1).isdigit():  # a row starts with the size
            rows[cells[-1]] = cells[:-1]
    return rows


def test_scan_prints_a_table_of_what_each_file_is(home: Path, tmp_path: Path) -> None:
    extra = tmp_path / "share"
    extra.mkdir()
    model_gguf(extra / "mystery.gguf", name="Some Model")  # gpt-oss layout, no model named
    result = run("model", "scan", "--folder", str(extra))
    assert result.returncode == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header[:4] == ["SIZE", "GiB", "ARCHITECTURE", "QUANT"]
    assert header[4:] == ["CONTEXT", "HARMONY", "LOOKS", "LIKE", "PATH"]
    rows = table_rows(result.stdout)
    lm = rows[str(lm_studio_file(home))]
    assert lm[1:5] == ["gpt-oss", "MXFP4_MOE", "131072", "yes"] and lm[5] == "safeguard"
    gemma = next(
        cells for path, cells in rows.items() if path.endswith("gemma-3-270m-it-Q4_K_M.gguf")
    )
    assert gemma[1:5] == ["gemma3", "Q4_K_M", "32768", "no"] and gemma[5:] == ["not", "gpt-oss"]
    base = next(cells for path, cells in rows.items() if path.endswith("gpt-oss-20b-mxfp4.gguf"))
    assert base[5] == "base"
    ollama = next(cells for path, cells in rows.items() if "/blobs/sha256-" in path)
    assert ollama[5] == "safeguard"  # by its Ollama tag: the file names no model
    assert rows[str(extra / "mystery.gguf")][5:] == ["could", "not", "tell"]
    assert "this is a gemma3 model, not gpt-oss-safeguard: it can only run smoke checks" in (
        result.stdout
    )
    assert "found in Ollama: gpt-oss-safeguard:20b" in result.stdout
    assert "manifest's model blob" in result.stderr  # the gone blob is named, not dropped


def test_link_in_place_then_list_scan_and_remove(home: Path) -> None:
    source = lm_studio_file(home)
    before = source.read_bytes()
    linked = run("model", "import", str(source), "--link", "--quiet")
    assert linked.returncode == 0, linked.stderr
    assert "gpt-oss-safeguard-20b: linked (not copied)" in linked.stdout
    assert not list(models_dir().rglob("*.gguf"))  # nothing copied
    listing = run("model", "list")
    assert listing.returncode == 0, listing.stderr
    line = next(x for x in listing.stdout.splitlines() if "gpt-oss-safeguard-20b" in x)
    assert line.startswith("* ") and f"linked, not copied: {source}" in line
    assert "gpt-oss-safeguard, MXFP4_MOE; sha256 " in listing.stdout
    assert "fit: needs about" in listing.stdout
    scanned = json.loads(run("model", "scan", "--json").stdout)
    entry = next(f for f in scanned["found"] if f["path"] == str(source))
    assert entry["installed_as"] == "gpt-oss-safeguard-20b" and entry["looks_like"] == "safeguard"
    source.write_bytes(before + b"\0")  # LM Studio updated the file
    changed = run("model", "list")
    assert "but unusable" in changed.stdout and "changed since it was imported" in changed.stdout
    assert_one_line_error(
        run("check", "README.md", "--policy", "fin-promo"), 3, "changed", "model verify"
    )
    assert run("model", "remove", "gpt-oss-safeguard-20b").returncode == 0
    assert source.read_bytes() == before + b"\0"  # the file a link points to is never touched


def test_a_gemma_file_is_named_and_never_becomes_the_default(home: Path, tmp_path: Path) -> None:
    gemma = next(home.rglob("gemma-3-270m-it-Q4_K_M.gguf"))
    imported = run("model", "import", str(gemma), "--quiet")
    assert imported.returncode == 0, imported.stderr
    assert "this is a gemma3 model, not gpt-oss-safeguard: it can only run smoke checks" in (
        imported.stdout
    )
    assert "not made the default model" in imported.stdout
    listing = run("model", "list").stdout
    assert not any(line.startswith("* ") for line in listing.splitlines())  # nothing active
    assert_one_line_error(
        run("check", "README.md", "--policy", "fin-promo"), 3, "gpt-oss-safeguard-20b"
    )
    assert_one_line_error(
        run("model", "import", str(gemma), "--name", "gpt-oss-safeguard-20b", "--link"),
        2,
        "cannot be installed as gpt-oss-safeguard-20b",
    )
    base = model_gguf(tmp_path / "gpt-oss-20b.gguf", name="Gpt Oss 20b", basename="gpt-oss")[0]
    accepted = run("model", "import", str(base), "--quiet")
    assert accepted.returncode == 0, accepted.stderr
    assert "not the gpt-oss-safeguard fine-tune" in accepted.stdout
    listing = run("model", "list").stdout
    active = [line for line in listing.splitlines() if line.startswith("* ")]
    assert len(active) == 1 and "gpt-oss-20b" in active[0]  # any gpt-oss, never the gemma


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    fake = FakeHub().start()
    yield fake
    fake.stop()


def test_download_says_which_source_it_used(
    hub: FakeHub, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = model_gguf(tmp_path / "q4.gguf", name="Gpt Oss Safeguard 20b")[0].read_bytes()
    first = {"repo_id": "acme/missing-GGUF", "file": "x.gguf"}
    second = {"repo_id": "acme/safeguard-GGUF", "file": "gpt-oss-safeguard-20b-q4_k_m.gguf"}
    hub.repo_status[first["repo_id"]] = 404
    hub.files[f"{second['repo_id']}/gpt-oss-safeguard-20B-Q4_K_M.gguf"] = HostedFile(data)
    catalogue = tmp_path / "catalogue.json"
    entry = {"architecture": "gpt-oss", "approx_bytes": len(data), "sources": [first, second]}
    catalogue.write_text(json.dumps({"gpt-oss-safeguard-20b": entry}), encoding="utf-8")
    monkeypatch.setenv("SAFEGUARD_CATALOGUE", str(catalogue))
    result = run("model", "download", "--endpoint", hub.url, "--quiet")
    assert result.returncode == 0, result.stderr
    said = result.stdout.strip().splitlines()[-1]
    assert f"source {second['repo_id']} at revision {COMMIT[:12]}" in said
    assert said.endswith("file gpt-oss-safeguard-20B-Q4_K_M.gguf")
