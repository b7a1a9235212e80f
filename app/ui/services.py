"""What the windows share: settings, the store, the policy library and one loaded engine.

The engine is loaded on a worker thread the first time a check needs it and kept for the
next checks (llama.cpp's prefix cache makes the second check of the same policy cheap).
Tests swap ``engine_factory`` for a scripted engine.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from app.core.engine import Engine
from app.core.errors import ModelUnavailable
from app.core.library import PolicyLibrary
from app.core.paths import user_policies_dir
from app.core.settings import Settings, load_settings, save_settings
from app.engines import EngineOptions, load_engine, server_engine
from app.models.catalogue import (
    DEFAULT_MODEL,
    SMOKE_MODEL,
    ModelRef,
    remote_model,
    resolve_model,
)
from app.models.installed import list_installed
from app.resources import bundled_policies_dir
from app.store.repository import Store

EngineFactory = Callable[[ModelRef, Settings], Engine]


def default_engine_factory(model: ModelRef, settings: Settings) -> Engine:
    if settings.server_url:
        return server_engine(settings.server_url, settings.server_model, settings.context_length)
    options = EngineOptions(
        n_ctx=settings.context_length or None,
        gpu_layers=settings.gpu_layers,
        threads=settings.threads or EngineOptions().threads,
    )
    return load_engine(model, options)


class Services:
    def __init__(self, store_path: Path | None = None) -> None:
        self.settings = load_settings()
        self.store = Store(store_path)
        self.library = PolicyLibrary([user_policies_dir(), bundled_policies_dir()])
        self.engine_factory: EngineFactory = default_engine_factory
        self.session_model = ""  # "demo" picks the smoke model for this session only
        self._engine: tuple[str, Engine] | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        self.store.close()

    # models ---------------------------------------------------------------------------------
    def has_model(self) -> bool:
        """Whether a check can start without the welcome page's help."""
        return bool(
            self.session_model
            or self.settings.model
            or self.settings.server_url
            or list_installed()
        )

    def model(self) -> ModelRef:
        """The model a check uses: the session's choice, the settings', the default, or any
        installed model. Raises ModelUnavailable when there is none."""
        if self.settings.server_url and not self.session_model:
            return remote_model(self.settings.server_model)
        for ref in (self.session_model, self.settings.model, DEFAULT_MODEL):
            if ref:
                try:
                    return resolve_model(ref)
                except ModelUnavailable:
                    if ref != DEFAULT_MODEL:
                        raise
        for item in list_installed():
            return resolve_model(item.name)
        raise ModelUnavailable("no model is installed; download or import one first")

    def use_demo_model(self) -> ModelRef:
        self.session_model = SMOKE_MODEL
        return self.model()

    def engine(self) -> Engine:
        """Called on a worker thread; loads the model once and keeps it."""
        model = self.model()
        with self._lock:
            key = f"{model.path}|{model.name}|{self.settings.server_url}"
            if self._engine is None or self._engine[0] != key:
                self._engine = (key, self.engine_factory(model, self.settings))
            return self._engine[1]

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
        if changed_model:
            with self._lock:
                self._engine = None  # reloaded with the new settings at the next check
