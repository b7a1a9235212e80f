"""``check DIR/``: every supported file under the folders given, as a queue in the store that
survives a restart; one report per document and a summary table at the end."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import InputError
from app.core.policy import Policy
from app.runtime.files import atomic_write
from app.store import batches
from app.store.repository import Store


def expand(paths: list[Path]) -> tuple[list[Path], bool]:
    """Files as given, folders replaced by their supported files (recursively, sorted).
    Returns (files, whether any folder was given)."""
    from app.ingest import FORMAT_NAMES, supported  # pypdf and friends: only for a folder

    files: list[Path] = []
    any_folder = False
    for path in paths:
        if path.is_dir():
            any_folder = True
            found = sorted(p for p in path.rglob("*") if p.is_file() and supported(p))
            if not found:
                raise InputError(f"no files Safeguard Desk reads ({FORMAT_NAMES})", path=path)
            files.extend(found)
        else:
            files.append(path)
    return files, any_folder


def batch_key(files: list[Path], policies: list[Policy], model_name: str, effort: str) -> str:
    identity = {
        "files": [str(p.resolve()) for p in files],
        "policies": [(p.id, p.sha256) for p in policies],
        "model": model_name,
        "effort": effort,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class SummaryRow:
    path: Path
    verdict: str  # the run's verdict, "failed" (the server kept failing), or "unreadable"
    findings: int | None
    run_id: int | None
    problem: str


class Batch:
    """The queue for one ``check`` over folders; ``pending`` is what is left to do."""

    def __init__(
        self, store: Store, files: list[Path], policies: list[Policy], model_name: str, effort: str
    ) -> None:
        self.store = store
        self.id, self.resumed = batches.open_batch(
            store, batch_key(files, policies, model_name, effort), files
        )
        # Runs that completed while the process died before ticking their item off: done,
        # not checked again (their reports are written from the store: ``recovered``).
        self.recovered: list[batches.BatchItem] = []
        for item in batches.items(store, self.id) if self.resumed else []:
            pending_run = item.run_id if item.status == "pending" else None
            if pending_run is not None and store.run(pending_run).status == "complete":
                batches.mark(store, item.id, "done", pending_run)
                self.recovered.append(item)
        self.items = batches.items(store, self.id)
        self.done_before = sum(1 for item in self.items if item.status != "pending")

    @property
    def pending(self) -> list[batches.BatchItem]:
        return [item for item in self.items if item.status == "pending"]

    def started(self, item: batches.BatchItem, run_id: int) -> None:
        run_started(self.store, item, run_id)

    def done(self, item: batches.BatchItem, run_id: int) -> None:
        batches.mark(self.store, item.id, "done", run_id)

    def failed(self, item: batches.BatchItem, message: str, run_id: int | None = None) -> None:
        """Unreadable (no run), or checked and failed (the server kept failing: its run)."""
        batches.mark(self.store, item.id, "failed", run_id, message)

    def statuses(self) -> list[batches.BatchItem]:
        return batches.items(self.store, self.id)

    def finish(self, out: Path | None) -> tuple[list[SummaryRow], Path | None]:
        """Close the batch; the summary rows (files done before a restart included) and, with
        ``out``, the ``summary.tsv`` written there."""
        batches.finish(self.store, self.id)
        rows: list[SummaryRow] = []
        for item in batches.items(self.store, self.id):
            if item.run_id is not None:
                run = self.store.run(item.run_id)
                if run.verdict is None:  # the check failed (the server kept failing)
                    rows.append(SummaryRow(item.path, "failed", None, item.run_id, item.message))
                    continue
                count = len(self.store.findings(item.run_id))
                rows.append(SummaryRow(item.path, run.verdict, count, item.run_id, ""))
            else:
                rows.append(SummaryRow(item.path, "unreadable", None, None, item.message))
        if out is None:
            return rows, None
        summary = out / "summary.tsv"
        lines = ["file\tverdict\tfindings\trun\tproblem"]
        lines += [
            "\t".join(
                (
                    str(row.path),
                    row.verdict,
                    "" if row.findings is None else str(row.findings),
                    "" if row.run_id is None else str(row.run_id),
                    row.problem,
                )
            )
            for row in rows
        ]
        atomic_write(summary, "\n".join(lines) + "\n")
        return rows, summary


def run_started(store: Store, item: batches.BatchItem, run_id: int) -> None:
    """The item's run, recorded when it starts (the item stays pending): a restart after the
    run completed but before the item was ticked off finds it done (``Batch.recovered``)."""
    batches.mark(store, item.id, "pending", run_id)


def report_name(out: Path, path: Path, suffix: str) -> Path:
    """One report per document inside the ``--out`` folder; files of the same name in
    different folders do not overwrite each other."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:6]
    return out / f"{path.stem}.{digest}{suffix}"
