"""Start the desktop app: ``safeguard-desk`` with no command."""

from __future__ import annotations

import logging
import os
import sys

from app.core.errors import SafeguardError, exit_code, user_text
from app.runtime.logs import setup_logging

log = logging.getLogger(__name__)


def run(argv: list[str] | None = None) -> int:
    from PySide6.QtGui import QIcon
    from PySide6.QtWidgets import QApplication

    from app.runtime.resources import assets_dir
    from app.ui.errors import show_error
    from app.ui.main_window import MainWindow
    from app.ui.session import Session

    setup_logging()
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Safeguard Desk")
    app.setWindowIcon(QIcon(str(assets_dir() / "icon.svg")))

    def excepthook(kind: type[BaseException], error: BaseException, tb: object) -> None:
        # A bug in a slot must not take the reviewer's session down: log it, say so, go on.
        log.error("unhandled error", exc_info=(kind, error, tb))  # type: ignore[arg-type]
        show_error(QApplication.activeWindow(), "Something went wrong", error)

    sys.excepthook = excepthook
    try:
        session = Session()
    except SafeguardError as error:  # a tampered store, a missing audit key: say what to do
        log.warning("cannot start", exc_info=True)
        print(f"safeguard-desk: {user_text(error)}", file=sys.stderr)
        if not os.environ.get("SAFEGUARD_SCREENSHOT"):
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.critical(None, "Safeguard Desk cannot start", user_text(error))
        return exit_code(error)
    window = MainWindow(session)
    window.show()
    screenshot = os.environ.get("SAFEGUARD_SCREENSHOT")
    if screenshot:  # a start-up check for installers and frozen builds: show, save, quit
        from PySide6.QtCore import QTimer

        def save_and_quit() -> None:
            window.grab().save(screenshot)
            app.quit()

        QTimer.singleShot(1500, save_and_quit)
    try:
        return app.exec()
    finally:
        session.close()
