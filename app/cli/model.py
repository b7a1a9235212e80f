"""``safeguard-desk model …``: list, download, import, verify, remove, token."""

from __future__ import annotations

import argparse
import getpass
import sys

from app.cli import options, output
from app.cli.options import SubParsers
from app.cli.output import ProgressPrinter
from app.core.errors import ModelUnavailable, UsageError
from app.models.names import DEFAULT_MODEL


def add_parsers(commands: SubParsers) -> None:
    model = commands.add_parser("model", help="download, import, verify and remove models")
    actions = model.add_subparsers(dest="model_command", metavar="ACTION")
    actions.add_parser(
        "list", help="catalogue and installed models, with a fit estimate"
    ).set_defaults(handler=lambda args: _list())
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
    from app.models import installed
    from app.models.catalogue import catalogue
    from app.models.fit import detect_gpu, estimate_for_entry

    gpu = detect_gpu()
    entries = catalogue()
    present = {item.name: item for item in installed.list_installed()}
    for name, entry in entries.items():
        if entry.get("python_package"):
            state = "from Python package " + str(entry["python_package"])
        elif name in present:
            state = f"installed ({present[name].size / 2**30:.2f} GiB)"
        else:
            state = f"not installed (about {entry['approx_bytes'] / 2**30:.1f} GiB to download)"
        print(f"{name:<24} {state}")
        if "shape" in entry:
            print(f"{'':<24} {estimate_for_entry(entry, gpu).summary()}")
    for name, item in present.items():
        if name not in entries:
            print(
                f"{name:<24} imported: {item.architecture}, {item.parameters / 1e9:.2f} B "
                f"parameters, {item.quantization} ({item.size / 2**30:.2f} GiB)"
            )
    return 0


def _download(args: argparse.Namespace) -> int:
    from app.models.catalogue import catalogue
    from app.models.download import download
    from app.models.fit import ModelShape, detect_gpu, estimate
    from app.runtime.secrets import get_token

    entry = catalogue().get(args.name)
    if entry is None or not (entry.get("sources") or entry.get("repo_id")):
        raise ModelUnavailable(f"'{args.name}' is not a downloadable catalogue model")
    if "shape" in entry:
        fit = estimate(
            ModelShape.from_catalogue(entry), default_ctx=entry.get("n_ctx", 8192), gpu=detect_gpu()
        )
        print(f"{args.name}: {fit.summary()}", file=sys.stderr)
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
    print(f"{item.name}: installed {item.path} ({item.size / 2**30:.2f} GiB, sha256 {item.sha256})")
    return 0


def _import(args: argparse.Namespace) -> int:
    from pathlib import Path

    from app.models import installed
    from app.models.catalogue import catalogue

    source = Path(args.file).expanduser()
    name = args.name
    expected = None
    entries = catalogue()
    for entry_name, entry in entries.items():
        if entry.get("filename") == source.name and (name in (None, entry_name)):
            name, expected = entry_name, entry.get("sha256")
    printer = ProgressPrinter(quiet=args.quiet)
    try:
        item = installed.import_model(source, name, expected_sha256=expected, progress=printer)
    finally:
        printer.done()
    print(
        f"{item.name}: installed {item.path} — {item.architecture}, "
        f"{item.parameters / 1e9:.2f} B parameters, {item.quantization}, context "
        f"{item.context_length}; sha256 {item.sha256}"
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
