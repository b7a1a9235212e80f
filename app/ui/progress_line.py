"""The one line under a running check's progress bar: which document of how many, the stage
and policy, the time so far, and whether low-effort answers were escalated. Built from
core's ``ProgressEvent``s (no Qt here: the page redraws it every second for the clock)."""

from __future__ import annotations

from pathlib import Path

from app.core.progress import ProgressEvent

STAGE_WORDS = {
    "document": "Document",
    "reading": "Reading",
    "loading model": "Loading the model",
    "triage": "Triage",
    "reasoning": "Reasoning",
    "checking citations": "Checking citations",
}


class ProgressLine:
    def __init__(self) -> None:
        self.document = ""  # "document 2 of 3: flyer.docx"
        self.stage = "Starting…"
        self.escalations = 0
        self.policy = ""

    def update(self, event: ProgressEvent) -> None:
        if event.stage == "document":
            name = Path(event.message).name
            number = event.done + 1
            self.document = (
                f"Document {number} of {event.total}: {name}" if event.total > 1 else name
            )
            self.stage = "Starting"
            return
        words = STAGE_WORDS.get(event.stage, event.stage.capitalize())
        message = _without_file_name(event.message, self.document)
        if event.stage in ("reasoning", "checking citations") and message.startswith("policy "):
            self.policy = message.removeprefix("policy ")
            of = f" ({event.done + 1} of {event.total})" if event.total > 1 else ""
            message = f"policy {self.policy}{of}" if event.stage == "reasoning" else message
        if "escalated" in message:
            self.escalations += 1
            policy, _, why = message.partition(": escalated")
            why = why.strip(" ()")
            message = (
                f"{policy}: a low-effort answer was unsure ({why}); re-checking it at high effort"
            )
        if message == "done":
            message = ""
        self.stage = f"{words}: {message}" if message else words
        if event.stage == "reading" and message.startswith("OCR"):
            self.stage = message  # "OCR of page 4 (2 of 9 pages without text)"

    def text(self, elapsed_s: float) -> str:
        minutes, seconds = divmod(int(elapsed_s), 60)
        parts = [self.document, self.stage, f"{minutes}:{seconds:02d} elapsed"]
        if self.escalations:
            parts.append(f"{self.escalations} low-effort answer(s) escalated to high effort so far")
        return " · ".join(part for part in parts if part)


def _without_file_name(message: str, document: str) -> str:
    """Reading messages start with the file's name, which the line already shows."""
    name = document.rpartition(": ")[2] if document else ""
    if name and message.startswith(f"{name}: "):
        message = message[len(name) + 2 :]
    elif name and message == name:
        message = ""
    return message.replace(" without text)", " pages without text)")
