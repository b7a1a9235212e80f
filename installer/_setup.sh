# Shared by run.sh and test.sh: make sure .venv exists and is up to date. Sourced, not run.
#
# Idempotent and fast when nothing changed: a stamp file records what the venv was built from
# (pyproject.toml, the extras, the llama.cpp build flags); when it matches, nothing is done.
#
# llama-cpp-python ships as source only and compiles llama.cpp (minutes). The wheel is built once
# per (version, flags) and cached under the user cache dir. pip's own cache ignores CMAKE_ARGS, so
# the build always passes --no-cache-dir: a cached CPU wheel must never be served for a CUDA build.
set -euo pipefail

SG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SG_VENV="${SAFEGUARD_VENV:-$SG_ROOT/.venv}"
SG_PYTHON="${PYTHON:-python3}"
SG_LLAMA_VERSION="0.3.36"

sg_llama_flags() {
    # SAFEGUARD_CMAKE_EXTRA adds flags, e.g. -DCMAKE_CUDA_ARCHITECTURES=native to compile CUDA
    # kernels only for this machine's GPU (minutes instead of much longer for every GPU family).
    local base
    case "${SAFEGUARD_GPU:-}" in
        cuda) base="-DGGML_CUDA=on -DLLAVA_BUILD=OFF" ;;
        ""|cpu) base="-DGGML_NATIVE=OFF -DLLAVA_BUILD=OFF" ;;
        *) echo "installer: SAFEGUARD_GPU must be 'cuda' or 'cpu', not '${SAFEGUARD_GPU}'" >&2; return 2 ;;
    esac
    echo "$base${SAFEGUARD_CMAKE_EXTRA:+ $SAFEGUARD_CMAKE_EXTRA}"
}

sg_hash() { "$SG_PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:12])' "$1"; }

sg_llama_wheel() {
    # Prints the path of a cached llama-cpp-python wheel for these flags, building it if needed.
    local flags key cache_root dir
    flags="$(sg_llama_flags)"
    key="$(sg_hash "$SG_LLAMA_VERSION $flags")"
    cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/safeguard-desk/wheels"
    dir="$cache_root/llama_cpp_python-$SG_LLAMA_VERSION-$key"
    if ! ls "$dir"/llama_cpp_python-*.whl >/dev/null 2>&1; then
        echo "installer: building llama-cpp-python $SG_LLAMA_VERSION ($flags); this takes a few minutes, once" >&2
        mkdir -p "$dir.tmp"
        CMAKE_ARGS="$flags" "$SG_VENV/bin/python" -m pip wheel --no-deps --no-cache-dir \
            --no-binary llama-cpp-python -w "$dir.tmp" "llama-cpp-python==$SG_LLAMA_VERSION" >&2
        echo "$flags" > "$dir.tmp/FLAGS"
        rm -rf "$dir" && mv "$dir.tmp" "$dir"
    fi
    ls "$dir"/llama_cpp_python-*.whl | head -n 1
}

sg_ensure_venv() {
    # $1: the extras to install ("smoke" or "dev").
    local extras="$1" stamp want wheel
    sg_llama_flags >/dev/null || exit 2
    want="$(sg_hash "$(cat "$SG_ROOT/pyproject.toml") $(sg_llama_flags)")"
    stamp="$SG_VENV/.safeguard-stamp-$extras"
    if [ -x "$SG_VENV/bin/python" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return 0
    fi
    if [ ! -x "$SG_VENV/bin/python" ]; then
        echo "installer: creating $SG_VENV" >&2
        "$SG_PYTHON" -m venv "$SG_VENV"
    fi
    "$SG_VENV/bin/python" -m pip install -q --upgrade pip >&2
    wheel="$(sg_llama_wheel)"
    "$SG_VENV/bin/python" -m pip install -q "$wheel" >&2
    "$SG_VENV/bin/python" -m pip install -q -e "$SG_ROOT[$extras]" >&2
    echo "$want" > "$stamp"
    # dev includes everything smoke has, so run.sh need not reinstall after test.sh
    if [ "$extras" = dev ]; then echo "$want" > "$SG_VENV/.safeguard-stamp-smoke"; fi
}
