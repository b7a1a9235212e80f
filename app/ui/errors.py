"""The one place where the app turns an error into a dialog: plain words from core's
``user_text``, a next step, and the traceback in the log file (never on screen)."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QMessageBox, QWidget

from app.core.errors import (
    Cancelled,
    DocumentError,
    EngineError,
    ModelUnavailable,
    PolicyError,
    SafeguardError,
    user_text,
)

log = logging.getLogger(__name__)


def next_step(error: BaseException) -> str:
    if isinstance(error, DocumentError):
        return "Fix or replace the file and add it again; the other documents are not affected."
    if isinstance(error, PolicyError):
        return "Open the policy in the Policy library to fix it."
    if isinstance(error, ModelUnavailable):
        return "Open Models to download or import a model, or try the demo."
    if isinstance(error, EngineError):
        return "Try a lower reasoning effort or a shorter document; Settings can change the model."
    if isinstance(error, SafeguardError):
        return ""
    return "This is a bug in Safeguard Desk. The details are in the log file (Help ▸ Open log)."


def show_error(parent: QWidget | None, title: str, error: BaseException) -> None:
    if isinstance(error, Cancelled):
        return  # the user asked for it: nothing to report
    if isinstance(error, SafeguardError):
        log.info("%s: %s", title, error)
    else:
        log.error("%s", title, exc_info=(type(error), error, error.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Warning, title, user_text(error), parent=parent)
    step = next_step(error)
    if step:
        box.setInformativeText(step)
    box.setObjectName("errorDialog")
    box.open()  # not exec(): the GUI keeps running (and tests are not blocked)
