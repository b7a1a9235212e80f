#!/usr/bin/env bash
# Build an offline bundle on a connected machine; carry it to the air-gapped one and run
# DIR/install.sh there. The bundle holds a wheelhouse for THIS machine's OS, CPU architecture
# and Python minor version (build it on a machine like the target), the prebuilt llama.cpp
# wheel, optionally a model, and MANIFEST.sha256 over every file.
#
#   ./installer/bundle.sh --out DIR [--gpu cuda] [--with-model NAME|FILE.gguf] [--no-smoke]
#
#   --gpu cuda      llama.cpp built with CUDA (the default is a portable CPU build)
#   --with-model    an installed model (e.g. gpt-oss-safeguard-20b) or a GGUF file to carry
#   --no-smoke      leave out the 250 MB smoke-test model (the demo needs it)
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
OUT="" GPU="cpu" MODEL="" EXTRAS="[smoke]"
while [ $# -gt 0 ]; do
    case "$1" in
        --out) OUT="${2:?--out needs a folder}"; shift 2 ;;
        --gpu) GPU="${2:?--gpu needs cuda or cpu}"; shift 2 ;;
        --with-model) MODEL="${2:?--with-model needs a model name or a .gguf file}"; shift 2 ;;
        --no-smoke) EXTRAS=""; shift ;;
        -h|--help) usage ;;
        *) echo "bundle: unknown option $1" >&2; usage ;;
    esac
done
[ -n "$OUT" ] || usage
export SAFEGUARD_GPU="$GPU"
source "$(dirname "${BASH_SOURCE[0]}")/_setup.sh"
sg_ensure_venv smoke
PY="$SG_VENV/bin/python"

if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
    echo "bundle: $OUT exists and is not empty; choose a new folder" >&2; exit 2
fi
mkdir -p "$OUT/wheels" "$OUT/models"
echo "bundle: llama.cpp wheel ($GPU)" >&2
LLAMA_WHEEL="$(sg_llama_wheel)"
cp "$LLAMA_WHEEL" "$OUT/wheels/"
echo "bundle: the app and every dependency (from PyPI or pip's cache)" >&2
# --find-links: pip takes our prebuilt llama.cpp wheel instead of compiling the sdist again.
"$PY" -m pip wheel -q --find-links "$OUT/wheels" --prefer-binary -w "$OUT/wheels" \
    "$SG_ROOT$EXTRAS" >&2
# pip and setuptools for the target's fresh venv, so it never needs the internet to upgrade.
"$PY" -m pip download -q --only-binary :all: -d "$OUT/wheels" pip setuptools wheel >&2

if [ -n "$MODEL" ]; then
    "$PY" - "$MODEL" "$OUT/models" <<'PYEOF'
import shutil, sys
from pathlib import Path
from app.models.installed import list_installed
ref, target = sys.argv[1], Path(sys.argv[2])
source, name = Path(ref), Path(ref).stem
if not source.is_file():
    found = [m for m in list_installed() if m.name == ref]
    if not found:
        sys.exit(f"bundle: no installed model '{ref}' and no such file")
    source, name = found[0].path, found[0].name
print(f"bundle: model {name} ({source.stat().st_size / 2**30:.2f} GiB)", file=sys.stderr)
(target / name).mkdir(parents=True)
shutil.copy2(source, target / name / source.name)
PYEOF
fi

cp "$SG_ROOT/installer/offline/install.sh" "$SG_ROOT/installer/offline/install.ps1" "$OUT/"
cp "$SG_ROOT/installer/offline/README.txt" "$OUT/README.txt"
cp "$SG_ROOT/assets/icon.svg" "$OUT/icon.svg"
chmod +x "$OUT/install.sh"
{
    echo "python=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')"
    echo "platform=$("$PY" -c 'import sysconfig; print(sysconfig.get_platform())')"
    echo "llama_flags=$(sg_llama_flags)"
    echo "extras=$EXTRAS"
    echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$OUT/BUNDLE-INFO.txt"
(cd "$OUT" && find . -type f ! -name MANIFEST.sha256 -print0 | sort -z \
    | xargs -0 sha256sum | sed 's#  \./#  #' > MANIFEST.sha256)
echo "bundle: done: $OUT ($(du -sh "$OUT" | cut -f1)); copy the folder, then run install.sh there" >&2
