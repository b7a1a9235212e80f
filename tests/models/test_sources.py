"""Catalogue sources against the fake hub in the layouts the real hub publishes: names with
capitals, split GGUFs, a first source that is not there, mirrors without LFS metadata."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.core.errors import DownloadFailed
from app.core.progress import ProgressEvent
from app.models.catalogue import DEFAULT_MODEL, catalogue, resolve_model, sources
from app.models.download import discard_partial, download
from app.models.gguf_header import read_header
from app.models.installed import load_installed
from tests.helpers.fake_hub import COMMIT, FakeHub, HostedFile
from tests.helpers.gguf_files import Q4_K_M, model_gguf, small_gguf

LMSTUDIO = {"repo_id": "lmstudio-community/gpt-oss-safeguard-20b-GGUF",
            "file": "gpt-oss-safeguard-20b-mxfp4.gguf", "quantization": "MXFP4"}  # fmt: skip
UNSLOTH = {"repo_id": "unsloth/gpt-oss-safeguard-20b-GGUF",
           "file": "gpt-oss-safeguard-20b-Q4_K_M.gguf", "quantization": "Q4_K_M"}  # fmt: skip


@pytest.fixture(scope="module")
def safeguard(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("gguf") / "safeguard.gguf"
    model_gguf(path, name="Gpt Oss Safeguard 20b", basename="gpt-oss-safeguard", tensor_kb=512)
    return path.read_bytes()


@pytest.fixture(scope="module")
def quantised(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("gguf") / "q4.gguf"
    model_gguf(path, name="Gpt Oss Safeguard 20b", file_type=Q4_K_M)
    return path.read_bytes()


@pytest.fixture(scope="module")
def split_parts(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    folder = tmp_path_factory.mktemp("split")
    files = model_gguf(folder / "gpt-oss-safeguard-120b-MXFP4.gguf", name="Gpt Oss Safeguard 120b",
                       parts=3)  # fmt: skip
    return [f.read_bytes() for f in files]


@pytest.fixture
def hub() -> Iterator[FakeHub]:
    fake = FakeHub().start()
    yield fake
    fake.stop()


def entry(*candidates: dict[str, Any]) -> dict[str, Any]:
    return {"architecture": "gpt-oss", "approx_bytes": 1, "sources": list(candidates)}


def host(hub: FakeHub, repo: str, files: dict[str, bytes], **knobs: Any) -> None:
    hub.files |= {f"{repo}/{name}": HostedFile(data, **knobs) for name, data in files.items()}
    hub.files[f"{repo}/README.md"] = HostedFile(b"# model card\n", lfs=False)


def test_the_bundled_catalogue_lists_the_published_sources() -> None:
    found = sources(catalogue()[DEFAULT_MODEL])
    assert [s.repo_id for s in found] == [
        "lmstudio-community/gpt-oss-safeguard-20b-GGUF",
        "unsloth/gpt-oss-safeguard-20b-GGUF",
    ]
    assert found[0].file == "gpt-oss-safeguard-20b-MXFP4.gguf" and found[0].quantization == "MXFP4"
    assert (found[1].bytes, found[1].sha256[:12]) == (11_624_759_232, "7c70a6d00294")
    assert all("ggml-org" not in s.repo_id for s in found)


def test_a_name_with_capitals_matches_case_insensitively(hub: FakeHub, safeguard: bytes) -> None:
    host(hub, LMSTUDIO["repo_id"], {"gpt-oss-safeguard-20b-MXFP4.gguf": safeguard})
    events: list[ProgressEvent] = []
    item = download(DEFAULT_MODEL, entry(LMSTUDIO), endpoint=hub.url, progress=events.append)
    assert item.file == "gpt-oss-safeguard-20b-MXFP4.gguf"  # the hub's spelling is kept
    assert item.path.read_bytes() == safeguard
    assert item.sha256 == hashlib.sha256(safeguard).hexdigest()  # from the hub's LFS metadata
    assert (item.repo_id, item.revision, item.kind, item.note) == (
        LMSTUDIO["repo_id"], COMMIT, "safeguard", "",
    )  # fmt: skip
    used = [e.message for e in events if e.stage == "source"]
    assert len(used) == 1 and used[0].startswith(f"using {LMSTUDIO['repo_id']}")


@pytest.mark.parametrize("status", [404, 401])  # the hub says 401 to anonymous missing repos
def test_a_missing_first_source_falls_back_to_the_next(
    hub: FakeHub, quantised: bytes, status: int
) -> None:
    hub.repo_status[LMSTUDIO["repo_id"]] = status
    host(hub, UNSLOTH["repo_id"], {UNSLOTH["file"]: quantised})
    events: list[ProgressEvent] = []
    item = download(
        DEFAULT_MODEL, entry(LMSTUDIO, UNSLOTH), endpoint=hub.url, progress=events.append
    )
    assert item.repo_id == UNSLOTH["repo_id"] and item.quantization == "Q4_K_M"
    said = " | ".join(e.message for e in events if e.stage in ("contacting hub", "source"))
    assert f"{LMSTUDIO['repo_id']}/{LMSTUDIO['file']}: no such repo (HTTP {status})" in said
    assert f"using {UNSLOTH['repo_id']}" in said
    assert resolve_model(DEFAULT_MODEL).path == item.path


def test_a_repo_without_the_file_falls_back(hub: FakeHub, quantised: bytes) -> None:
    host(hub, LMSTUDIO["repo_id"], {"gpt-oss-safeguard-20b-Q8_0.gguf": quantised})
    host(hub, UNSLOTH["repo_id"], {UNSLOTH["file"]: quantised})
    item = download(DEFAULT_MODEL, entry(LMSTUDIO, UNSLOTH), endpoint=hub.url)
    assert item.repo_id == UNSLOTH["repo_id"]


@pytest.mark.parametrize(
    ("published", "reason"),
    [
        ({"sha256": "ab" * 32}, "the published one abababab"),
        ({"bytes": 12}, "the published one 12"),
    ],
)
def test_a_file_that_differs_from_the_published_one_is_not_taken(
    hub: FakeHub, quantised: bytes, published: dict[str, Any], reason: str
) -> None:
    host(hub, UNSLOTH["repo_id"], {UNSLOTH["file"]: quantised})
    with pytest.raises(DownloadFailed, match=reason) as info:
        download(DEFAULT_MODEL, entry(UNSLOTH | published), endpoint=hub.url)
    assert info.value.exit_code == 3 and "no source of" in str(info.value)
    assert not [p for p in hub.paths() if p.startswith("/cdn/")]  # nothing fetched


def test_the_published_checksum_is_accepted(hub: FakeHub, quantised: bytes) -> None:
    published = {"sha256": hashlib.sha256(quantised).hexdigest(), "bytes": len(quantised)}
    host(hub, UNSLOTH["repo_id"], {UNSLOTH["file"]: quantised})
    assert download(DEFAULT_MODEL, entry(UNSLOTH | published), endpoint=hub.url).size == len(
        quantised
    )


def test_split_gguf_downloads_every_part_and_loads_from_the_first(
    hub: FakeHub, split_parts: list[bytes]
) -> None:
    repo = "lmstudio-community/gpt-oss-safeguard-120b-GGUF"
    names = [f"gpt-oss-safeguard-120b-MXFP4-{k:05d}-of-00003.gguf" for k in (1, 2, 3)]
    host(hub, repo, dict(zip(names, split_parts, strict=True)))
    source = {"repo_id": repo, "file": "gpt-oss-safeguard-120b-mxfp4-*.gguf"}
    events: list[ProgressEvent] = []
    item = download(DEFAULT_MODEL, entry(source), endpoint=hub.url, progress=events.append)
    assert [p.file for p in item.parts] == names and item.file == names[0]
    assert [p.read_bytes() for p in item.part_paths] == split_parts
    assert [p.sha256 for p in item.parts] == [hashlib.sha256(b).hexdigest() for b in split_parts]
    assert item.size == sum(len(b) for b in split_parts)
    assert resolve_model(DEFAULT_MODEL).path == item.part_paths[0]  # llama.cpp gets part 1
    assert read_header(item.path).metadata["split.count"] == 3
    last = [e for e in events if e.stage == "downloading"][-1]
    assert last.done == last.total == item.size  # one progress bar over all parts
    assert load_installed(DEFAULT_MODEL) == item


def test_a_split_model_with_a_part_missing_is_not_taken(
    hub: FakeHub, split_parts: list[bytes]
) -> None:
    repo = "acme/big-GGUF"
    host(hub, repo, {f"big-{k:05d}-of-00003.gguf": split_parts[k - 1] for k in (1, 3)})
    with pytest.raises(DownloadFailed, match="a 3-part model with only parts 1, 3"):
        download(DEFAULT_MODEL, entry({"repo_id": repo, "file": "big-00001-of-00003.gguf"}),
                 endpoint=hub.url)  # fmt: skip


def test_a_listing_without_lfs_metadata_asks_paths_info(hub: FakeHub, safeguard: bytes) -> None:
    hub.listing_lfs = False
    host(hub, LMSTUDIO["repo_id"], {"gpt-oss-safeguard-20b-MXFP4.gguf": safeguard})
    item = download(DEFAULT_MODEL, entry(LMSTUDIO), endpoint=hub.url)
    assert item.sha256 == hashlib.sha256(safeguard).hexdigest()
    assert f"/api/models/{LMSTUDIO['repo_id']}/paths-info/{COMMIT}" in hub.api_paths()


@pytest.mark.parametrize(
    ("files", "knobs", "reason"),
    [
        ({"a-Q4_K_M.gguf": b"x", "a-Q8_0.gguf": b"y"}, {}, "2 files match a-\\*.gguf"),
        ({"a-Q4_K_M.gguf": b"x"}, {"lfs": False}, "publishes no sha256 for a-Q4_K_M.gguf"),
    ],
)
def test_sources_that_cannot_be_trusted_say_why(
    hub: FakeHub, files: dict[str, bytes], knobs: dict[str, Any], reason: str
) -> None:
    host(hub, "acme/a-GGUF", files, **knobs)
    with pytest.raises(DownloadFailed, match=reason):
        download("a", entry({"repo_id": "acme/a-GGUF", "file": "a-*.gguf"}), endpoint=hub.url)


def test_a_gated_repo_suggests_a_token(hub: FakeHub) -> None:
    hub.repo_status[LMSTUDIO["repo_id"]] = 403
    with pytest.raises(DownloadFailed, match="access denied .*model token") as info:
        download(DEFAULT_MODEL, entry(LMSTUDIO), endpoint=hub.url)
    assert "\n" not in str(info.value)


def test_a_file_that_is_not_gpt_oss_is_not_installed_as_the_real_model(
    hub: FakeHub, tmp_path: Path
) -> None:
    gemma = small_gguf(tmp_path / "g.gguf", megabytes=1, architecture="gemma3")
    host(hub, LMSTUDIO["repo_id"], {"gpt-oss-safeguard-20b-MXFP4.gguf": gemma})
    with pytest.raises(DownloadFailed, match="this is a gemma3 model, not gpt-oss-safeguard"):
        download(DEFAULT_MODEL, entry(LMSTUDIO), endpoint=hub.url)
    assert load_installed(DEFAULT_MODEL) is None


def test_discard_partial_forgets_every_unfinished_file(isolated_home: Path) -> None:
    folder = isolated_home / "models" / DEFAULT_MODEL
    folder.mkdir(parents=True)
    for name in ("a.gguf.part", "a.gguf.part.json", "b-00001-of-00002.gguf.part", "keep.gguf"):
        (folder / name).write_bytes(b"x")
    discard_partial(DEFAULT_MODEL, catalogue()[DEFAULT_MODEL])
    assert [p.name for p in folder.iterdir()] == ["keep.gguf"]


def test_the_fake_hub_speaks_what_the_hub_client_reads(hub: FakeHub, safeguard: bytes) -> None:
    """The public client itself reads the fake's tree and paths-info answers."""
    from huggingface_hub import HfApi

    host(hub, LMSTUDIO["repo_id"], {"sub/Model-MXFP4.gguf": safeguard})
    api = HfApi(endpoint=hub.url, token=False)
    assert sorted(api.list_repo_files(LMSTUDIO["repo_id"])) == ["README.md", "sub/Model-MXFP4.gguf"]
    (info,) = api.get_paths_info(LMSTUDIO["repo_id"], ["sub/Model-MXFP4.gguf", "absent"])
    assert info.lfs is not None and info.lfs.sha256 == hashlib.sha256(safeguard).hexdigest()
    siblings = api.model_info(LMSTUDIO["repo_id"], files_metadata=True).siblings or []
    assert {s.rfilename: bool(s.lfs) for s in siblings} == {
        "README.md": False, "sub/Model-MXFP4.gguf": True,
    }  # fmt: skip
