"""``check DIR/``: every supported file under the folders given, as a queue in the store that
survives a restart; one report per document and a summary table at the end."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

from app.core.errors import InputError
from app.core.policy import Policy
from app.ingest import supported
from app.models.catalogue import ModelRef
from app.store import batches
from app.store.repository import Store


def expand(paths: list[Path]) -> tuple[list[Path], bool]:
    """Files as given, folders replaced by their supported files (recursively, sorted).
    Returns (files, whether any folder was given)."""
    files: list[Path] = []
    any_folder = False
    for path in paths:
        if path.is_dir():
            any_folder = True
            found = sorted(p for p in path.rglob("*") if p.is_file() and supported(p))
            if not found:
                raise InputError("no PDF, DOCX, TXT or Markdown files in this folder", path=path)
            files.extend(found)
        else:
            files.append(path)
    return files, any_folder


def batch_key(files: list[Path], policies: list[Policy], model: ModelRef, effort: str) -> str:
    identity = {
        "files": [str(p.resolve()) for p in files],
        "policies": [(p.id, p.sha256) for p in policies],
        "model": model.name,
        "effort": effort,
    }
    return hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()


class Batch:
    """The queue for one ``check`` over folders; ``pending`` is what is left to do."""

    def __init__(
        self, store: Store, files: list[Path], policies: list[Policy], model: ModelRef, effort: str
    ) -> None:
        self.store = store
        self.id, resumed = batches.open_batch(
            store.db, batch_key(files, policies, model, effort), files
        )
        self.items = batches.items(store.db, self.id)
        done = sum(1 for item in self.items if item.status != "pending")
        if resumed:
            print(
                f"note: resuming batch {self.id}: {done} of {len(self.items)} files were "
                "already done",
                file=sys.stderr,
            )

    @property
    def pending(self) -> list[batches.BatchItem]:
        return [item for item in self.items if item.status == "pending"]

    def done(self, item: batches.BatchItem, run_id: int) -> None:
        batches.mark(self.store.db, item.id, "done", run_id)

    def failed(self, item: batches.BatchItem, message: str) -> None:
        batches.mark(self.store.db, item.id, "failed", None, message)

    def statuses(self) -> list[batches.BatchItem]:
        return batches.items(self.store.db, self.id)

    def finish(self, out: Path | None) -> None:
        batches.finish(self.store.db, self.id)
        rows: list[tuple[Path, str, str, str, str]] = []
        for item in batches.items(self.store.db, self.id):
            if item.run_id is not None:
                run = self.store.run(item.run_id)
                count = len(self.store.findings(item.run_id))
                rows.append((item.path, run["verdict"], str(count), str(item.run_id), ""))
            else:
                rows.append((item.path, "unreadable", "", "", item.message))
        print(f"\nbatch {self.id}: {len(rows)} files")
        print(f"{'verdict':<13}{'findings':>9}{'run':>7}  file")
        for path, verdict, found, run_id, message in rows:
            extra = f"  ({message})" if message else ""
            print(f"{verdict:<13}{found:>9}{run_id:>7}  {path}{extra}")
        if out is not None:
            out.mkdir(parents=True, exist_ok=True)
            summary = out / "summary.tsv"
            lines = ["file\tverdict\tfindings\trun\tproblem"]
            lines += ["\t".join(map(str, row)) for row in rows]
            summary.write_text("\n".join(lines) + "\n", encoding="utf-8")
            print(f"summary: {summary}")


def report_name(out: Path, path: Path, suffix: str) -> Path:
    """One report per document inside the ``--out`` folder; files of the same name in
    different folders do not overwrite each other."""
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:6]
    return out / f"{path.stem}.{digest}{suffix}"
