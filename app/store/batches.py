"""A batch queue in the store: ``check DIR/`` records every file first, then ticks them off.
A batch interrupted by a crash or Ctrl+C is found again by its key (the same files, policies,
model and settings) and resumes with the files not done yet."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.core.clock import utc_now
from app.store.base import StoreBase
from app.store.db import transaction


@dataclass(frozen=True)
class BatchItem:
    id: int
    position: int
    path: Path
    status: str  # pending | done | failed
    run_id: int | None
    message: str


def _now() -> str:
    return utc_now()


def open_batch(store: StoreBase, key: str, paths: list[Path]) -> tuple[int, bool]:
    """The unfinished batch with this key (resumed: True), or a new one holding ``paths``."""
    db = store.db
    row = db.execute(
        "SELECT id FROM batches WHERE key=? AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
        (key,),
    ).fetchone()
    if row is not None:
        return int(row["id"]), True
    with transaction(db):
        cursor = db.execute("INSERT INTO batches(key, created_at) VALUES (?, ?)", (key, _now()))
        batch_id = int(cursor.lastrowid or 0)
        db.executemany(
            "INSERT INTO batch_items(batch_id, position, path, status) VALUES (?, ?, ?, 'pending')",
            [(batch_id, number, str(path)) for number, path in enumerate(paths, start=1)],
        )
        item_ids = db.execute("SELECT id FROM batch_items WHERE batch_id=?", (batch_id,))
        store._audit(
            "batch.opened",
            f"batch:{batch_id}",
            {"files": len(paths)},
            [("batches", batch_id), *(("batch_items", int(r[0])) for r in item_ids)],
        )
    return batch_id, False


def items(store: StoreBase, batch_id: int) -> list[BatchItem]:
    rows = store.db.execute(
        "SELECT * FROM batch_items WHERE batch_id=? ORDER BY position", (batch_id,)
    ).fetchall()
    return [
        BatchItem(r["id"], r["position"], Path(r["path"]), r["status"], r["run_id"], r["message"])
        for r in rows
    ]


def mark(
    store: StoreBase, item_id: int, status: str, run_id: int | None, message: str = ""
) -> None:
    with transaction(store.db):
        store.db.execute(
            "UPDATE batch_items SET status=?, run_id=?, message=? WHERE id=?",
            (status, run_id, message, item_id),
        )
        store._audit(
            "batch.item", f"batch_item:{item_id}", {"status": status, "run": run_id},
            [("batch_items", item_id)],
        )  # fmt: skip


def finish(store: StoreBase, batch_id: int) -> None:
    with transaction(store.db):
        store.db.execute("UPDATE batches SET finished_at=? WHERE id=?", (_now(), batch_id))
        store._audit("batch.finished", f"batch:{batch_id}", {}, [("batches", batch_id)])
