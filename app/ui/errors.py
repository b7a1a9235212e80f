"""The one place where the app turns an error into a dialog: plain words from core's
``user_text``, a next step, and the traceback in the log file (never on screen). An error that
carries the app's own next step (``ModelUnavailable.app_step``) is shown with it instead of the
command-line one: the app points to its menus and buttons, never to a command to type."""

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
    if isinstance(error, ModelUnavailable) and error.app_step:
        return _sentence(error.app_step)
    if isinstance(error, DocumentError):
        return "Fix or replace the file and add it again; the other documents are not affected."
    if isinstance(error, PolicyError):
        return "Open the policy in the Policy library to fix it."
    if isinstance(error, ModelUnavailable):
        return "Open Tools ▸ Models to download, link or import a model, or try the demo."
    if isinstance(error, EngineError):
        return "Try a lower reasoning effort or a shorter document; Settings can change the model."
    if isinstance(error, SafeguardError):
        return ""
    return "This is a bug in Safeguard Desk. The details are in the log file (Help ▸ Open log)."


def app_text(error: BaseException) -> str:
    """The error's one line as the app says it: the problem without the command-line step."""
    if isinstance(error, ModelUnavailable) and error.app_step:
        problem = " ".join(error.problem.split())
        return f"{error.path}: {problem}" if error.path is not None else problem
    return user_text(error)


def _sentence(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def show_error(parent: QWidget | None, title: str, error: BaseException) -> None:
    if isinstance(error, Cancelled):
        return  # the user asked for it: nothing to report
    if isinstance(error, SafeguardError):
        log.info("%s: %s", title, error)
    else:
        log.error("%s", title, exc_info=(type(error), error, error.__traceback__))
    box = QMessageBox(QMessageBox.Icon.Warning, title, app_text(error), parent=parent)
    step = next_step(error)
    if step:
        box.setInformativeText(step)
    box.setObjectName("errorDialog")
    box.open()  # not exec(): the GUI keeps running (and tests are not blocked)
