#!/usr/bin/env bash
# Install Safeguard Desk from this offline bundle. Never touches the network.
#
#   ./install.sh               verify every file, install, import the bundled model, add a menu entry
#   ./install.sh --uninstall   remove the app, its menu entry and launcher; keep your data
#   ./install.sh --uninstall --purge   ... and delete your data too (models, store, logs)
#
# SAFEGUARD_PREFIX   where the app goes (default ~/.local/share/safeguard-desk-app)
# PYTHON             the Python to use (default python3; the same minor version the bundle was
#                    built for, see BUNDLE-INFO.txt)
set -euo pipefail

BUNDLE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="${SAFEGUARD_PREFIX:-$HOME/.local/share/safeguard-desk-app}"
PY="${PYTHON:-python3}"
APPS="${XDG_DATA_HOME:-$HOME/.local/share}/applications"
BIN="$HOME/.local/bin"
say() { echo "install: $*" >&2; }
fail() { echo "install: $*" >&2; exit 2; }

uninstall() {
    local purge="$1"
    rm -rf "$PREFIX"
    rm -f "$APPS/safeguard-desk.desktop" "$BIN/safeguard-desk"
    say "removed the app ($PREFIX), its menu entry and launcher"
    if [ "$purge" = yes ]; then
        local data="${SAFEGUARD_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}/safeguard-desk}"
        rm -rf "$data"
        say "removed your data ($data)"
    else
        say "your data (models, checks, audit log) is kept; --uninstall --purge deletes it"
    fi
}

case "${1:-}" in
    --uninstall)
        if [ "${2:-}" = --purge ]; then uninstall yes; else uninstall no; fi
        exit 0 ;;
    "") ;;
    *) fail "unknown option $1 (use --uninstall [--purge])" ;;
esac

command -v "$PY" >/dev/null || fail "no $PY found; install Python $(sed -n 's/^python=//p' "$BUNDLE/BUNDLE-INFO.txt") first"
want="$(sed -n 's/^python=//p' "$BUNDLE/BUNDLE-INFO.txt")"
have="$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
[ "$want" = "$have" ] || fail "this bundle was built for Python $want, but $PY is $have; set PYTHON=python$want"

say "verifying every file against MANIFEST.sha256"
"$PY" - "$BUNDLE" <<'PYEOF' || exit 2
import hashlib, sys
from pathlib import Path
root = Path(sys.argv[1])
manifest = root / "MANIFEST.sha256"
if not manifest.is_file():
    sys.exit("install: MANIFEST.sha256 is missing; the bundle is incomplete")
listed = set()
for line in manifest.read_text(encoding="utf-8").splitlines():
    digest, name = line.split("  ", 1)
    listed.add(name)
    path = root / name
    if not path.is_file():
        sys.exit(f"install: {name} is missing from the bundle; copy it again")
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    if h.hexdigest() != digest:
        sys.exit(f"install: {name} is damaged (checksum mismatch); copy the bundle again")
extra = [p.relative_to(root).as_posix() for p in root.rglob("*")
         if p.is_file() and p.name != "MANIFEST.sha256" and p.relative_to(root).as_posix() not in listed]
if extra:
    sys.exit(f"install: {extra[0]} is not part of the bundle (not in MANIFEST.sha256); remove it")
print(f"install: {len(listed)} files verified", file=sys.stderr)
PYEOF

say "installing into $PREFIX (no network: pip --no-index)"
rm -rf "$PREFIX"
"$PY" -m venv "$PREFIX"
export PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_CONFIG_FILE=/dev/null
"$PREFIX/bin/python" -m pip install -q --no-index --find-links "$BUNDLE/wheels" --upgrade pip
extras="$(sed -n 's/^extras=//p' "$BUNDLE/BUNDLE-INFO.txt")"
"$PREFIX/bin/python" -m pip install -q --no-index --find-links "$BUNDLE/wheels" "safeguard-desk$extras"

for model in "$BUNDLE"/models/*/*.gguf; do
    [ -e "$model" ] || continue
    name="$(basename "$(dirname "$model")")"
    say "importing model $name (copied and hashed)"
    "$PREFIX/bin/safeguard-desk" model import "$model" --name "$name" --quiet
done

mkdir -p "$BIN" "$APPS"
ln -sf "$PREFIX/bin/safeguard-desk" "$BIN/safeguard-desk"
cp "$BUNDLE/icon.svg" "$PREFIX/icon.svg"
cat > "$APPS/safeguard-desk.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Safeguard Desk
Comment=Check documents against policies with a local reasoning model
Exec=$PREFIX/bin/safeguard-desk
Icon=$PREFIX/icon.svg
Terminal=false
Categories=Office;
DESKTOP
say "done. Start it from the applications menu (Safeguard Desk), or run:"
say "  $BIN/safeguard-desk            (the desktop app)"
say "  $BIN/safeguard-desk demo       (a check of a bundled sample)"
case ":$PATH:" in *":$BIN:"*) ;; *) say "($BIN is not on your PATH; add it, or use the full path)";; esac
