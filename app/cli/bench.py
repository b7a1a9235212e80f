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
    bench.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
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
