#!/usr/bin/env bash
# Build the frozen one-folder app with PyInstaller, then start it headless to prove it works:
#   ./installer/freeze.sh [--model FILE.gguf]   ->  dist/safeguard-desk/safeguard-desk
# Too slow for CI (a few minutes); run by hand before a release. --model runs a full check with
# that GGUF from the frozen app (the smoke model is not frozen in: it is test data).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
sg_ensure_venv smoke
MODEL=""
[ "${1:-}" = --model ] && MODEL="${2:?--model needs a .gguf file}"
"$SG_VENV/bin/python" -m pip install -q "pyinstaller>=6.10" >&2
cd "$SG_ROOT"
"$SG_VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
    installer/safeguard-desk.spec
APP="$SG_ROOT/dist/safeguard-desk/safeguard-desk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
export SAFEGUARD_HOME="$WORK/home" QT_QPA_PLATFORM=offscreen
echo "freeze: starting the frozen app headless" >&2
"$APP" --version
"$APP" policy list
"$APP" extract "$SG_ROOT/assets/samples/demo-investment-flyer.md" | head -n 3
"$APP" policy lint fin-promo
if [ -n "$MODEL" ]; then
    "$APP" check "$SG_ROOT/assets/samples/demo-investment-flyer.md" --policy fin-promo \
        --model "$MODEL" --effort low --out "$WORK/report.json" --pdf "$WORK/report.pdf" --quiet \
        || [ $? -eq 1 ]
    test -s "$WORK/report.pdf"
fi
SAFEGUARD_SCREENSHOT="$WORK/app.png" "$APP"  # the desktop app, headless: shows, saves, quits
test -s "$WORK/app.png" && cp "$WORK/app.png" "$SG_ROOT/dist/frozen-app-start.png"
echo "freeze: OK ($(du -sh "$SG_ROOT/dist/safeguard-desk" | cut -f1)): $APP" >&2
