"""Options several commands share (the model and its engine, reading limits) and the typed
objects they become. Defaults live in ``EngineConfig``/``ExtractionLimits``, not here: a flag
left out means "as Settings say" (and Settings default to the engine config's defaults)."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

from app.cli import output
from app.core.errors import InputError, UsageError
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.core.types import CHECK_EFFORTS

if TYPE_CHECKING:  # the engine service loads the model catalogue: only when a command runs
    from app.core.engine import Engine
    from app.core.settings import Settings
    from app.services.engines import EngineConfig, ModelChoice
    from app.store.repository import Store

SubParsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


MAX_ROW_ID = 2**63 - 1  # SQLite's INTEGER


def row_id(text: str) -> int:
    """A run or finding id: a whole number SQLite can hold (argparse names the flag)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if not 1 <= value <= MAX_ROW_ID:
        raise argparse.ArgumentTypeError(f"{text} is not an id (1 or more, at most {MAX_ROW_ID})")
    return value


def whole(low: int, high: int = MAX_ROW_ID, what: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high]."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} must be from {low} to {high}{what}")
        return value

    return parse


def finite(low: float, high: float = math.inf, *, above: bool = True) -> Callable[[str], float]:
    """An argparse type: a finite number more than ``low`` (``above``) or at least ``low``, and
    at most ``high``. nan and inf are refused: either would switch a limit off."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number") from None
        too_low = value <= low if above else value < low
        if not math.isfinite(value) or too_low or value > high:
            bound = f"more than {low:g}" if above else f"at least {low:g}"
            top = "" if math.isinf(high) else f" and at most {high:g}"
            raise argparse.ArgumentTypeError(f"{text} must be a finite number {bound}{top}")
        return value

    return parse


def server_url(text: str) -> str:
    from app.core.errors import InputError
    from app.core.settings import check_server_url

    try:
        return check_server_url(text)
    except InputError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_model_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--effort",
        choices=CHECK_EFFORTS,
        default="medium",
        help="reasoning effort; auto: high where a policy's screens match, low elsewhere",
    )
    parser.add_argument(
        "--model",
        metavar="NAME|PATH",
        help="catalogue name (gpt-oss-safeguard-20b, smoke-gemma3-270m) or a GGUF file "
        "(default: the model in Settings, else gpt-oss-safeguard-20b)",
    )
    parser.add_argument(
        "--n-ctx",
        type=whole(1, 2**31 - 1),
        metavar="N",
        help="context length in tokens (at most what the model was trained for)",
    )
    parser.add_argument(
        "--gpu-layers",
        type=whole(-1, 100_000),
        metavar="N",
        help="layers to offload to the GPU (-1: all; default: as many as fit)",
    )
    parser.add_argument(
        "--threads", type=whole(0, 4096), metavar="N", help="CPU threads (default: all)"
    )
    parser.add_argument(
        "--server",
        type=server_url,
        metavar="URL",
        help="use an on-prem OpenAI-compatible server (vLLM, llama.cpp server, Ollama) instead "
        "of a local model; its API key: 'model token --server'",
    )
    parser.add_argument(
        "--server-model", metavar="NAME", help="the model name on that server (with --server)"
    )
    parser.add_argument(
        "--seed", type=whole(0, 2**32 - 1), help="sampling seed (default 42: checks replay)"
    )
    parser.add_argument(
        "--temperature",
        type=finite(0.0, 2.0, above=False),
        help="sampling temperature (default: the model's own; gpt-oss 1.0, as its publishers "
        "advise)",
    )
    parser.add_argument(
        "--top-p",
        type=finite(0.0, 1.0, above=False),
        help="nucleus sampling (gpt-oss default 1.0: off)",
    )
    parser.add_argument(
        "--top-k", type=whole(0, 1_000_000), help="top-k sampling (gpt-oss default 0: off)"
    )
    parser.add_argument(
        "--min-p",
        type=finite(0.0, 1.0, above=False),
        help="min-p sampling (gpt-oss default 0.0: off)",
    )


def engine_config(args: argparse.Namespace, settings: Settings) -> EngineConfig:
    """Settings' engine defaults with each flag the user gave on top."""
    from app.services.engines import EngineConfig

    config = EngineConfig.from_settings(settings)
    if args.model:
        config = replace(config, server_url="")  # a local model was asked for by name
    flags = {
        "n_ctx": args.n_ctx,
        "gpu_layers": args.gpu_layers,
        "threads": args.threads,
        "seed": args.seed,
        "temperature": args.temperature,
        "top_p": args.top_p,
        "top_k": args.top_k,
        "min_p": args.min_p,
        "server_url": args.server,
    }
    return replace(config, **{k: v for k, v in flags.items() if v is not None})


def model_choice(
    args: argparse.Namespace, *, demo: bool = False, triage_only: bool = False
) -> ModelChoice:
    from app.services.engines import ModelChoice

    return ModelChoice(
        model=args.model, server_model=args.server_model or "", demo=demo, triage_only=triage_only
    )


def parallel(args: argparse.Namespace, configured: int, server_url: str) -> int:
    """Documents in flight at once (0: as many as the server runs). Only a server batches
    requests; llama.cpp in this process has one context and runs one at a time."""
    wanted = getattr(args, "parallel", None)  # the demo has no such flag
    if wanted is not None and wanted < 1:
        raise UsageError("--parallel must be 1 or more")
    if not server_url:
        if wanted is not None and wanted > 1:
            raise UsageError(
                "--parallel needs --server URL: the local llama.cpp engine has one context "
                "and runs one request at a time"
            )
        return 1
    return configured if wanted is None else wanted


def add_limit_options(parser: argparse.ArgumentParser) -> None:
    defaults = DEFAULT_LIMITS
    parser.add_argument(
        "--max-file-mb",
        type=whole(1, 1024 * 1024),
        default=defaults.max_file_mb,
        help="largest file to read",
    )
    parser.add_argument(
        "--max-pages",
        type=whole(1, 10_000_000),
        default=defaults.max_pages,
        help="most PDF pages to read",
    )
    parser.add_argument(
        "--extract-timeout",
        type=finite(0.0, 7 * 24 * 3600.0),
        default=defaults.timeout_s,
        metavar="SECONDS",
        help="stop reading a file after this long",
    )
    parser.add_argument(
        "--no-ocr",
        action="store_true",
        help="do not OCR pages without a text layer (they are listed as not read)",
    )
    parser.add_argument(
        "--max-ocr-pages",
        type=int,
        default=defaults.max_ocr_pages,
        metavar="N",
        help="OCR at most this many pages of a file (the rest are listed as not read)",
    )


def limits(args: argparse.Namespace) -> ExtractionLimits:
    values = {
        "max_file_mb": args.max_file_mb,
        "max_pages": args.max_pages,
        "extract_timeout": args.extract_timeout,
        "max_ocr_pages": args.max_ocr_pages,
    }
    for name, value in values.items():
        if not math.isfinite(value) or value <= 0:  # argparse refused these already
            raise InputError(f"--{name.replace('_', '-')} must be a finite number more than 0")
    return ExtractionLimits(
        max_file_mb=args.max_file_mb,
        max_pages=args.max_pages,
        timeout_s=args.extract_timeout,
        ocr=not args.no_ocr,
        max_ocr_pages=args.max_ocr_pages,
    )


def load_engine_for(args: argparse.Namespace) -> Engine:
    """The engine for ``policy test`` and ``eval``: the model chosen as for a check, loaded."""
    from app.models.catalogue import SMOKE_NOTICE
    from app.runtime.settings import load_settings
    from app.services.engines import choose_model, load_engine

    settings = load_settings()
    config = engine_config(args, settings)
    model = choose_model(model_choice(args), settings, config).ref
    if model.smoke and not args.quiet:
        print(SMOKE_NOTICE, file=sys.stderr)
    return load_engine(model, config, (lambda line: None) if args.quiet else output.to_stderr)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, metavar="PATH", help="the store (default: data dir)")


def with_store(
    handler: Callable[[Store, argparse.Namespace], int], *, for_work: bool = True
) -> Callable[[argparse.Namespace], int]:
    """The command with the store it names (``--db``) opened around it; the reviewer's name
    comes from Settings (default: the OS user). ``for_work=False``: the commands that examine a
    store, which must open even one that fails its checks."""

    def run(args: argparse.Namespace) -> int:
        from app.services.stores import open_store

        store = open_store(args.db, for_work=for_work)
        try:
            return handler(store, args)
        finally:
            store.close()

    return run
