"""What the windows share for one run of the app: settings, the store, the policy library and
one loaded engine. The model is chosen and loaded by ``app.services.engines`` exactly as for the
command line; only the session's own choice (the demo) is added here.

The engine is loaded on a worker thread the first time a check needs it and kept for the
next checks (llama.cpp's prefix cache makes the second check of the same policy cheap).
Tests swap ``engine_factory`` for a scripted engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from app.core.engine import Engine, TokenCallback
from app.core.progress import CancelToken, Progress, ProgressEvent
from app.core.settings import Settings
from app.models.catalogue import SMOKE_MODEL, ModelRef
from app.models.installed import list_installed
from app.runtime.settings import load_settings, save_settings
from app.services.checking import CheckRequest, ChecksDone, run_checks
from app.services.engines import EngineConfig, ModelChoice, choose_model, load_engine
from app.services.policies import library
from app.services.stores import open_store, reviewer_name
from app.store.repository import Store

EngineFactory = Callable[[ModelRef, EngineConfig], Engine]
default_engine_factory: EngineFactory = load_engine


class Session:
    def __init__(self, store_path: Path | None = None) -> None:
        self.settings = load_settings()
        self.store = open_store(store_path)
        self.library = library()
        self.engine_factory: EngineFactory = default_engine_factory
        self.session_model = ""  # "demo" picks the smoke model for this session only
        # Where "Found on this computer" looks: the user's home and environment (None); tests
        # give a fake home, as they give a scripted engine.
        self.scan_home: Path | None = None
        self.scan_environ: dict[str, str] | None = None
        self._engine: tuple[str, Engine] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self.store.close()
        with self._lock:
            if self._engine is not None:
                self._engine[1].close()
                self._engine = None

    def open_store(self) -> Store:
        """A connection of its own for a worker thread (SQLite connections belong to one)."""
        return open_store(self.store.path, self.store.actor)

    # models ---------------------------------------------------------------------------------
    def has_model(self) -> bool:
        """Whether a check can start without the welcome page's help."""
        return bool(
            self.session_model
            or self.settings.model
            or self.settings.server_url
            or list_installed(real_only=True)  # a gemma file cannot stand in for the model
        )

    def model(self) -> ModelRef:
        """The model a check uses (``choose_model``: the session's choice first). Raises
        ModelUnavailable when there is none."""
        choice = ModelChoice(model=self.session_model or None)
        return choose_model(choice, self.settings, self.engine_config()).ref

    def model_line(self) -> str:
        """One line naming the model a check will use, for the check page."""
        try:
            model = self.model()
        except Exception as error:
            from app.ui.errors import app_text

            return f"Model: none usable ({app_text(error)}) — open Tools ▸ Models."
        if self.settings.server_url and not self.session_model:
            return f"Model: {model.name} on the server {self.settings.server_url}"
        if model.smoke:
            return f"Model: {model.name} (the smoke-test model: verdicts are meaningless)"
        return f"Model: {model.name}" + (f" — {model.note}" if model.note else "")

    def engine_config(self) -> EngineConfig:
        config = EngineConfig.from_settings(self.settings)
        if self.session_model:  # the demo's smoke model runs here, whatever the settings say
            config = EngineConfig(threads=config.threads)
        return config

    def use_demo_model(self) -> ModelRef:
        self.session_model = SMOKE_MODEL
        return self.model()

    def engine(self) -> Engine:
        """Called on a worker thread; loads the model once and keeps it."""
        model = self.model()
        with self._lock:
            key = f"{model.path}|{model.name}|{self.settings.server_url}"
            if self._engine is None or self._engine[0] != key:
                if self._engine is not None:
                    self._engine[1].close()
                self._engine = (key, self.engine_factory(model, self.engine_config()))
            return self._engine[1]

    def check_work(
        self, paths: list[Path], request: CheckRequest, model_name: str
    ) -> Callable[[Progress, CancelToken, TokenCallback], ChecksDone]:
        """A check of ``paths`` as the worker runs it: on its own store connection, the engine
        loaded when the first readable file needs it."""

        def work(progress: Progress, cancel: CancelToken, on_text: TokenCallback) -> ChecksDone:
            store = self.open_store()  # this thread's own connection

            def engine_for_check() -> Engine:
                progress(ProgressEvent("loading model", 0, 0, model_name))
                return self.engine()

            try:
                return run_checks(
                    paths, request, store, engine_for_check,
                    progress=progress, cancel=cancel, on_text=on_text,
                )  # fmt: skip
            finally:
                store.close()

        return work

    def update_settings(self, settings: Settings) -> None:
        save_settings(settings)
        changed_model = (
            settings.model,
            settings.gpu_layers,
            settings.context_length,
            settings.threads,
        ) != (
            self.settings.model,
            self.settings.gpu_layers,
            self.settings.context_length,
            self.settings.threads,
        )
        self.settings = settings
        self.store.actor = reviewer_name(settings.reviewer)  # decisions from now on
        if changed_model:
            with self._lock:
                if self._engine is not None:
                    self._engine[1].close()
                self._engine = None  # reloaded with the new settings at the next check
