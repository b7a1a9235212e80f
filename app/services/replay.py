"""``check --replay report.json``: the recorded check's inputs, each checked to be exactly what
was recorded (document, policies, model file), or the reason it cannot be replayed. The report
is read bounded (a regular file of at most ``MAX_REPLAY_BYTES``)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.bounded import read_regular_file
from app.core.engine import CHAT_SAMPLING
from app.core.errors import InputError
from app.core.policy import Policy
from app.ingest.isolated import read_isolated
from app.models.catalogue import ModelRef, resolve_model
from app.models.installed import file_sha256
from app.services.policies import library

MAX_REPLAY_BYTES = 256 * 1024 * 1024  # a report holds the document's text: generous


@dataclass(frozen=True)
class Replay:
    document: Path
    policies: list[Policy]
    model: ModelRef
    settings: dict[str, Any]  # the recorded effort, n_ctx, seed, temperature, cuts


def recorded_check(report_path: Path, password: str | None, model_name: str | None) -> Replay:
    raw = read_regular_file(report_path, MAX_REPLAY_BYTES, "report to replay", InputError)
    try:
        report = json.loads(raw.decode("utf-8-sig"))
        recorded_doc, recorded_model = report["document"], report["model"]
        recorded = recorded_model["settings"]
        settings = {k: recorded[k] for k in ("effort", "n_ctx", "seed", "temperature")}
        # a report from before the cuts were recorded ran llama.cpp with CHAT_SAMPLING's
        llama = recorded_model.get("engine") == "llama.cpp"
        for cut in ("top_p", "top_k", "min_p"):
            settings[cut] = recorded.get(cut, getattr(CHAT_SAMPLING, cut) if llama else None)
        path = Path(recorded_doc["path"])
        recorded_policies = [(p["id"], p["version"], p["sha256"]) for p in report["policies"]]
    except (ValueError, KeyError, TypeError) as error:
        raise InputError(f"not a Safeguard Desk report ({error})", path=report_path) from None
    document = read_isolated(path, password)
    if document.sha256 != recorded_doc["sha256"]:
        raise InputError(
            f"cannot replay: the document changed (sha256 {document.sha256[:16]}…, "
            f"recorded {recorded_doc['sha256'][:16]}…)",
            path=path,
        )
    policies = []
    lib = library()
    for policy_id, version, sha256 in recorded_policies:
        policy = lib.resolve(policy_id)
        if policy.sha256 != sha256:
            raise InputError(
                f"cannot replay: policy '{policy.id}' changed (version {policy.version}"
                f", sha256 {policy.sha256[:16]}…; recorded version "
                f"{version}, {sha256[:16]}…)"
            )
        policies.append(policy)
    model = resolve_model(model_name or recorded_model["name"])
    if file_sha256(model.path) != recorded_model["file_sha256"]:
        raise InputError(
            f"cannot replay: the model file is not the one recorded "
            f"(sha256 {recorded_model['file_sha256'][:16]}…)",
            path=model.path,
        )
    return Replay(path, policies, model, settings)
