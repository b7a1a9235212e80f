"""The main window: welcome (first run), Checks (every earlier check: the start page once
anything was checked), new check, result. Menus reach the policy library, settings, models,
the log and the auditor tab."""

from __future__ import annotations

import logging

from PySide6.QtCore import QUrl
from PySide6.QtGui import QAction, QCloseEvent, QDesktopServices, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from app.runtime.paths import logs_dir
from app.services.checking import ChecksDone
from app.ui.check_page import CheckPage
from app.ui.checks_page import ChecksPage
from app.ui.errors import show_error
from app.ui.result_page import ResultPage
from app.ui.session import Session
from app.ui.welcome import WelcomePage
from app.ui.widgets import STYLE

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.setWindowTitle("Safeguard Desk")
        self.setStyleSheet(STYLE)
        self.resize(1280, 820)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.welcome = WelcomePage(session)
        self.check_page = CheckPage(session)
        self.result_page = ResultPage(session)
        self.checks_page = ChecksPage(session)
        for page in (self.welcome, self.checks_page, self.check_page, self.result_page):
            self.stack.addWidget(page)
        self.welcome.model_ready.connect(self.show_check)
        self.welcome.demo_chosen.connect(self.open_demo)
        self.check_page.finished.connect(self._on_check_finished)
        self.check_page.show_checks.connect(self.show_checks)
        self.result_page.new_check.connect(self.new_check)
        self.result_page.show_checks.connect(self.show_checks)
        self.result_page.recheck_encoding.connect(self.recheck_encoding)
        self.checks_page.open_run.connect(self.open_run)
        self.checks_page.new_check.connect(self.new_check)
        self._build_menus()
        if session.store.history():  # anything checked before: the list of checks first
            self.show_checks()
        elif session.has_model():
            self.show_check()
        else:
            self.stack.setCurrentWidget(self.welcome)
        for run_id in session.store.recovered:
            self.statusBar().showMessage(
                f"Run {run_id} was interrupted earlier and is marked incomplete.", 15000
            )

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        new = QAction("&New check", self, shortcut=QKeySequence(QKeySequence.StandardKey.New))
        new.triggered.connect(self.new_check)
        add = QAction("&Add documents…", self, shortcut=QKeySequence(QKeySequence.StandardKey.Open))
        add.triggered.connect(self._add_documents)
        quit_action = QAction("&Quit", self, shortcut=QKeySequence(QKeySequence.StandardKey.Quit))
        quit_action.triggered.connect(self.close)
        for action in (new, add):
            file_menu.addAction(action)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        view = self.menuBar().addMenu("&View")
        checks = QAction("&Checks (every check)", self, shortcut=QKeySequence("Ctrl+Shift+H"))
        checks.triggered.connect(self.show_checks)
        view.addAction(checks)
        self.auditor_action = QAction("&Auditor tab (model reasoning)", self, checkable=True)
        self.auditor_action.toggled.connect(self.result_page.show_auditor_tab)
        view.addAction(self.auditor_action)
        tools = self.menuBar().addMenu("&Tools")
        policies = QAction("&Policy library…", self)
        policies.triggered.connect(self.open_policy_library)
        settings = QAction("&Settings…", self)
        settings.triggered.connect(self.open_settings)
        models = QAction("&Models…", self)
        models.triggered.connect(self.open_models)
        for action in (policies, settings, models):
            tools.addAction(action)
        help_menu = self.menuBar().addMenu("&Help")
        open_log = QAction("Open &log folder", self)
        open_log.triggered.connect(
            lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(logs_dir())))
        )
        help_menu.addAction(open_log)

    def show_check(self) -> None:
        self.check_page.refresh_policies()
        self.check_page.refresh_cases()
        self.stack.setCurrentWidget(self.check_page)

    def new_check(self) -> None:
        """A clean check page: no document list, progress or reasoning of the last check (a
        running check is kept). Finished checks stay reachable from Checks."""
        self.check_page.clear()
        self.show_check()

    def show_checks(self) -> None:
        self.checks_page.refresh()
        self.stack.setCurrentWidget(self.checks_page)

    def recheck_encoding(self, run_id: int) -> None:
        """A text file whose encoding was guessed: a new check of it, the encoding chosen."""
        run = self.session.store.run(run_id)
        self.new_check()
        self.check_page.set_policies([policy["id"] for policy in run.policies])
        self.check_page.add_documents([run.document_path], choose_encoding=True)

    def open_run(self, run_id: int) -> None:
        self.result_page.show_runs([run_id])
        self.stack.setCurrentWidget(self.result_page)

    def open_demo(self) -> None:
        from app.services.demo import DEMO_POLICIES, demo_document

        try:
            self.session.use_demo_model()
        except Exception as error:
            show_error(self, "The demo model is not available", error)
            return
        self.check_page.add_documents([demo_document()])
        self.show_check()
        self.check_page.set_policies(list(DEMO_POLICIES))

    def _add_documents(self) -> None:
        self.show_check()
        self.check_page.choose_documents()

    def _on_check_finished(self, outcome: ChecksDone) -> None:
        if outcome.run_ids:
            not_checked = [
                f"{error.path.name if error.path else ''}: {error.detail}"
                for error in outcome.errors
            ]
            self.result_page.show_runs(outcome.run_ids, not_checked)
            self.stack.setCurrentWidget(self.result_page)

    def open_policy_library(self) -> None:
        from app.ui.policy_editor import PolicyLibraryDialog

        dialog = PolicyLibraryDialog(self.session, self)
        dialog.finished.connect(lambda _code: self.check_page.refresh_policies())
        dialog.open()

    def open_models(self) -> None:
        from app.ui.model_manager import ModelManagerDialog

        self.models_dialog = ModelManagerDialog(self.session, self)
        self.models_dialog.changed.connect(self._models_changed)
        self.models_dialog.open()

    def _models_changed(self) -> None:
        """A model was installed, removed or made active: leave the welcome page once one is
        usable, and let the check page name the active model."""
        if self.stack.currentWidget() is self.welcome and self.session.has_model():
            self.show_check()
        else:
            self.check_page.refresh_policies()

    def open_settings(self) -> None:
        from app.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self.session, self)
        dialog.open()

    def closeEvent(self, event: QCloseEvent) -> None:
        job = self.check_page.job
        if job is not None and not job.done:
            answer = QMessageBox.question(
                self,
                "A check is running",
                "Stop the running check and quit? Finished documents are saved; the one in "
                "progress is marked incomplete.",
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
            job.cancel()
            job.wait(30)
        event.accept()
