"""``safeguard-desk model …``: list, download, import, verify, remove, token."""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from app.cli import options, output
from app.cli.options import SubParsers
from app.cli.output import ProgressPrinter
from app.core.errors import ModelUnavailable, UsageError
from app.models.names import DEFAULT_MODEL


def add_parsers(commands: SubParsers) -> None:
    model = commands.add_parser("model", help="download, import, verify and remove models")
    actions = model.add_subparsers(dest="model_command", metavar="ACTION")
    actions.add_parser(
        "list", help="catalogue and installed models: the active one, what each is, its fit"
    ).set_defaults(handler=lambda args: _list())
    scan = actions.add_parser(
        "scan", help="find GGUF models already on this computer (LM Studio, Ollama, HF cache)"
    )
    scan.add_argument(
        "--folder", action="append", default=[], metavar="DIR", help="also search DIR (repeatable)"
    )
    scan.add_argument("--json", action="store_true", help="print JSON")
    scan.set_defaults(handler=_scan)
    download = actions.add_parser("download", help="download a catalogue model once")
    download.add_argument("name", nargs="?", default=DEFAULT_MODEL)
    download.add_argument("--endpoint", help="hub or mirror URL (default: $HF_ENDPOINT or the hub)")
    download.add_argument(
        "--timeout", type=options.finite(0.0, 3600.0), default=15.0, help="network timeout, seconds"
    )
    download.add_argument("--quiet", action="store_true")
    download.set_defaults(handler=_download)
    imported = actions.add_parser("import", help="install a GGUF file (from a USB stick, say)")
    imported.add_argument("file")
    imported.add_argument(
        "--name", help="name to install it under (default: catalogue match or the file name)"
    )
    imported.add_argument(
        "--link",
        action="store_true",
        help="register the file where it is (hashed once, never copied; LM Studio's or "
        "Ollama's copy, a share) instead of copying it into the data folder",
    )
    imported.add_argument("--quiet", action="store_true")
    imported.set_defaults(handler=_import)
    verify = actions.add_parser("verify", help="re-hash an installed model")
    verify.add_argument("name", nargs="?", default=DEFAULT_MODEL)
    verify.set_defaults(handler=_verify)
    remove = actions.add_parser("remove", help="delete an installed model")
    remove.add_argument("name")
    remove.set_defaults(handler=_remove)
    token = actions.add_parser("token", help="store a hub access token (read from stdin)")
    token.add_argument("--clear", action="store_true", help="forget the stored token")
    token.add_argument(
        "--server",
        action="store_true",
        help="the on-prem server's API key instead (check --server)",
    )
    token.set_defaults(handler=_token)


def _verify(args: argparse.Namespace) -> int:
    from app.models import installed

    item = installed.verify(args.name, ProgressPrinter())
    print(f"{item.name}: OK, sha256 {item.sha256}")
    return 0


def _remove(args: argparse.Namespace) -> int:
    from app.models import installed
    from app.models.catalogue import catalogue

    if catalogue().get(args.name, {}).get("python_package"):
        raise UsageError(f"'{args.name}' comes from a Python package; uninstall it with pip")
    print(f"removed {installed.remove(args.name)}")
    return 0


def _list() -> int:
    from app.runtime.settings import load_settings
    from app.services.models import model_rows

    for row in model_rows(load_settings()):
        mark = "*" if row.active else " "
        print(f"{mark} {row.name:<24} {_state(row)}")
        if row.usable or row.problem:
            what = ", ".join(x for x in (row.label, row.quantization) if x)
            print(f"  {'':<24} {what}" + (f"; sha256 {row.sha256}" if row.sha256 else ""))
        for line in (row.note, row.problem and f"cannot be used: {row.problem}"):
            if line:
                print(f"  {'':<24} {line}")
        if row.fit is not None:
            print(f"  {'':<24} fit: {row.fit.summary()}")
    print("(* the active model: what a check uses unless --model says otherwise)")
    return 0


def _state(row: Any) -> str:
    size = f"{row.size / 2**30:.2f} GiB"
    if row.state == "not installed":
        return f"not installed (about {row.size / 2**30:.1f} GiB to download)"
    if row.state == "package":
        return f"from its Python package ({size})"
    if row.state == "linked":
        return f"linked, not copied: {row.path} ({size})"
    if row.state == "unusable":
        return f"installed ({size}) but unusable"
    return f"installed ({size})" + (" (active)" if row.active else "")


def _scan(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.runtime.settings import load_settings
    from app.services.models import found_models

    found, result = found_models(load_settings(), [Path(f).expanduser() for f in args.folder])
    if args.json:
        data = result.to_dict()
        for entry, item in zip(data["found"], found, strict=True):  # type: ignore[call-overload]
            entry["installed_as"] = item.installed_as
        output.print_json(data)
        return 0
    if not found:
        searched = ", ".join(str(p) for p in result.searched) or "no model folder exists"
        print(f"no GGUF model found (searched: {searched})")
    else:
        print(SCAN_ROW.format("SIZE GiB", "ARCHITECTURE", "QUANT", "CONTEXT", "HARMONY",
                              "LOOKS LIKE", "PATH"))  # fmt: skip
    for item in found:
        f = item.found
        print(
            SCAN_ROW.format(
                f"{f.size / 2**30:.2f}", f.architecture or "?", f.quantization or "?",
                f.context_length, "yes" if f.identity.harmony else "no", f.identity.looks_like,
                f.path,
            )
        )  # fmt: skip
        print(f"    found in {f.where}")
        if f.identity.note:
            print(f"    {f.identity.note}")
        if item.installed_as:
            print(f"    already installed as {item.installed_as}")
        elif f.identity.real:
            command = f"safeguard-desk model import '{f.path}' --link --name {f.suggested_name}"
            print(f"    to use it in place: {command}")
    for skipped in result.skipped:
        output.note(f"skipped {skipped.path}: {skipped.reason}")
    return 0


SCAN_ROW = "{:>8}  {:<12}  {:<10}  {:>7}  {:<7}  {:<14}  {}"


def _download(args: argparse.Namespace) -> int:
    from app.models.catalogue import catalogue
    from app.models.download import download
    from app.models.fit import detect_gpu, estimate_for_entry
    from app.runtime.secrets import get_token

    entry = catalogue().get(args.name)
    if entry is None or not (entry.get("sources") or entry.get("repo_id")):
        raise ModelUnavailable(f"'{args.name}' is not a downloadable catalogue model")
    if "shape" in entry:
        print(f"{args.name}: {estimate_for_entry(entry, detect_gpu()).summary()}", file=sys.stderr)
    printer = ProgressPrinter(quiet=args.quiet)
    try:
        item = download(
            args.name,
            entry,
            endpoint=args.endpoint,
            token=get_token(),
            timeout=args.timeout,
            progress=printer,
        )
    finally:
        printer.done()
    files = ", ".join(p.file.rsplit("/", 1)[-1] for p in item.parts) or item.path.name
    print(
        f"{item.name}: installed {item.path} ({item.size / 2**30:.2f} GiB, sha256 {item.sha256})"
        f"; source {item.repo_id} at revision {item.revision[:12] or 'main'}, file {files}"
    )
    if item.note:
        print(f"{item.name}: {item.note}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.models import installed

    source = Path(args.file).expanduser()
    printer = ProgressPrinter(quiet=args.quiet)
    try:
        item = installed.import_model(source, args.name, link=args.link, progress=printer)
    finally:
        printer.done()
    how = "linked (not copied)" if item.linked else "installed"
    print(
        f"{item.name}: {how} {item.path} — {item.architecture}, "
        f"{item.parameters / 1e9:.2f} B parameters, {item.quantization}, context "
        f"{item.context_length}; sha256 {item.sha256}"
    )
    if item.note:
        print(f"{item.name}: {item.note}")
    if item.kind == "other":
        print(
            f"{item.name}: not made the default model; it runs only when asked for by name "
            f"(--model {item.name})"
        )
    return 0


def _token(args: argparse.Namespace) -> int:
    from app.runtime.secrets import HUB_TOKEN, SERVER_KEY, clear_secret, set_secret

    name = SERVER_KEY if args.server else HUB_TOKEN
    if args.clear:
        clear_secret(name)
        print("token removed")
        return 0
    prompt = "Server API key: " if args.server else "Hub access token: "
    token = getpass.getpass(prompt) if sys.stdin.isatty() else sys.stdin.readline()
    if not token.strip():
        raise UsageError("no token given")
    warning = set_secret(name, token)
    if warning:
        output.warn(warning)
    print("token stored")
    return 0
