"""``safeguard-desk bench``: naive loop vs our pipeline, and our overhead over bare llama.cpp."""

from __future__ import annotations

import argparse
import json
from typing import Any

from app.cli import options, output
from app.cli.options import SubParsers

BENCH_POLICY = "fin-promo"
SECOND_POLICY = "ad-claims"  # with fin-promo: the multi-policy trade-off


def add_parsers(commands: SubParsers) -> None:
    bench = commands.add_parser(
        "bench", help="measure naive vs pipeline prompt tokens and time on this machine"
    )
    bench.add_argument(
        "--model", help="model (default: gpt-oss-safeguard-20b, else the smoke model)"
    )
    bench.add_argument("--effort", default="low", choices=("low", "medium", "high"))
    bench.add_argument(
        "--threads", type=options.whole(0, 4096), default=0, help="CPU threads (default: all)"
    )
    bench.add_argument(
        "--gpu-layers",
        type=options.whole(-1, 100_000),
        help="layers on the GPU (-1: all; default: as many as fit)",
    )
    bench.add_argument("--json", action="store_true", help="print one JSON object")
    bench.add_argument(
        "--server",
        metavar="URL",
        help="measure a batch on an OpenAI-compatible server instead: documents per minute "
        "at each --parallel level",
    )
    bench.add_argument("--server-model", metavar="NAME", help="the model name on that server")
    bench.add_argument(
        "--parallel",
        default="1,2,4",
        metavar="N,N,...",
        help="with --server: documents in flight at once, one batch per count (default 1,2,4)",
    )
    bench.add_argument(
        "--documents", type=int, default=8, metavar="N", help="with --server: documents a batch"
    )
    bench.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.server:
        return _server(args)
    from app.core.policy import load_policy
    from app.inference.bench import run_bench
    from app.models.catalogue import SMOKE_NOTICE, default_or_smoke, resolve_model
    from app.runtime.resources import bundled_policies_dir
    from app.services.engines import EngineConfig, llama_settings

    model = resolve_model(args.model) if args.model else default_or_smoke()[0]
    if model.smoke and not args.json:
        output.note(f"{SMOKE_NOTICE}; the speed figures are still real")
    policy = load_policy(bundled_policies_dir() / BENCH_POLICY / "policy.md")
    second = load_policy(bundled_policies_dir() / SECOND_POLICY / "policy.md")
    settings = llama_settings(
        model, EngineConfig(n_ctx=8192, gpu_layers=args.gpu_layers, threads=args.threads)
    )
    if not args.json:
        output.to_stderr(
            f"bench: {model.name}, 10 passages, policy {policy.id}; a few minutes on a CPU"
        )
    result = run_bench(settings, policy, args.effort, second)
    if args.json:
        print(json.dumps(result))
        return 0
    _print_table(result)
    return 0


def _print_table(result: dict[str, Any]) -> None:
    naive, ours = result["naive"], result["ours"]
    print(
        f"model {result['model']}, effort {result['effort']}, {result['passages']} passages, "
        f"policy {result['policy']}"
    )
    print(f"{'':<8}{'requests':>10}{'prompt tokens':>15}{'wall s':>10}")
    for name, row in (("naive", naive), ("ours", ours)):
        print(f"{name:<8}{row['requests']:>10}{row['prompt_tokens']:>15}{row['wall_s']:>10.1f}")
    print(
        f"prompt tokens ratio {result['prompt_tokens_ratio']}x, wall ratio "
        f"{result['wall_ratio']}x, overhead {result['overhead']:.1%} of bare llama-cpp-python"
    )
    print(
        f"next document, same policy: {ours['next_document_prompt_tokens']} of "
        f"{ours['next_document_prompt_tokens_total']} prompt tokens evaluated (prefix reused)"
    )
    multi = result["multi_policy"]
    if multi:
        sep, comb = multi["separate"], multi["combined"]
        print(
            f"two policies ({' + '.join(multi['policies'])}): separate {sep['prompt_tokens']} "
            f"prompt tokens / {sep['wall_s']:.1f} s / {sep['findings']} findings; combined "
            f"{comb['prompt_tokens']} / {comb['wall_s']:.1f} s / {comb['findings']} findings"
        )


def _server(args: argparse.Namespace) -> int:
    """One run of a batch at each --parallel level against the server."""
    from app.core.errors import UsageError
    from app.core.policy import load_policy
    from app.runtime.resources import bundled_policies_dir
    from app.runtime.settings import load_settings
    from app.services.server_bench import bench_engine, parse_levels, run_server_bench

    levels = parse_levels(args.parallel)
    if args.documents < 1:
        raise UsageError("--documents must be 1 or more")
    name = args.server_model or load_settings().server_model
    if not name:
        raise UsageError("--server needs --server-model NAME (the model's name there)")
    engine = bench_engine(args.server, name)
    policy = load_policy(bundled_policies_dir() / BENCH_POLICY / "policy.md")
    if not args.json:
        output.to_stderr(
            f"bench: {args.documents} documents at --parallel {args.parallel} on {args.server} "
            f"({name}), policy {policy.id}, effort {args.effort}"
        )
    result = run_server_bench(
        engine, policy, levels, documents=args.documents, effort=args.effort,
        progress=output.ProgressPrinter(quiet=args.json),
    )  # fmt: skip
    if args.json:
        print(json.dumps(result))
        return 0
    print(
        f"{result['engine']}, model {result['model']}, {result['documents']} documents, "
        f"policy {result['policy']}, effort {result['effort']}, seed {result['seed']}"
    )
    print(f"{'parallel':>8}{'wall s':>9}{'docs/min':>10}{'ratio':>8}{'same findings':>15}")
    for level in result["levels"]:
        same = f"{level['same_findings']}/{level['checked']}"
        failed = f"  ({level['failed']} failed)" if level["failed"] else ""
        print(
            f"{level['parallel']:>8}{level['wall_s']:>9.1f}{level['documents_per_minute']:>10.1f}"
            f"{level['ratio']:>7.2f}x{same:>15}{failed}"
        )
    print(f"ratio and findings against --parallel {result['baseline']}, from this one run")
    return 0
