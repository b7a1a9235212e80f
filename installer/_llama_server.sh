#!/usr/bin/env bash
# Prints the path of a llama.cpp `llama-server` built from the llama.cpp source that the pinned
# llama-cpp-python sdist vendors (the same engine the app runs in-process), building it once.
#
# Used by the tests that run a batch against a real inference server (tests/helpers/
# llama_server.py). Cached like the llama-cpp-python wheel, keyed by version and flags:
#   ~/.cache/safeguard-desk/llama-server/<version>-<key>/llama-server
# A half-built cache is a `*.tmp` folder: another process is still compiling (the caller waits).
# Exit 0 and the path on stdout; exit 3 with one line on stderr when the toolchain is missing.
#
# Flags: portable CPU build (-DGGML_NATIVE=OFF), no curl/OpenSSL (no network use at run time),
# no web UI (its assets would be fetched from the Hugging Face hub at build time), only the
# llama-server target. SAFEGUARD_GPU=cuda builds it with CUDA, as for the wheel.
set -euo pipefail

SG_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="0.3.36"  # keep equal to SG_LLAMA_VERSION in _setup.sh
PYTHON="${SAFEGUARD_PYTHON:-$SG_ROOT/.venv/bin/python}"
[ -x "$PYTHON" ] || PYTHON="$(command -v python3)"

for tool in cmake c++ cc; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "llama-server: needs $tool to build (apt-get install cmake build-essential)" >&2
        exit 3
    fi
done

case "${SAFEGUARD_GPU:-}" in
    cuda) gpu="-DGGML_CUDA=on" ;;
    ""|cpu) gpu="-DGGML_NATIVE=OFF" ;;
    *) echo "llama-server: SAFEGUARD_GPU must be 'cuda' or 'cpu'" >&2; exit 2 ;;
esac
FLAGS="$gpu -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF \
-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF \
-DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DBUILD_SHARED_LIBS=OFF \
-DCMAKE_BUILD_TYPE=Release${SAFEGUARD_CMAKE_EXTRA:+ $SAFEGUARD_CMAKE_EXTRA}"
KEY="$("$PYTHON" -c 'import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest()[:12])' "$VERSION $FLAGS")"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/safeguard-desk/llama-server"
DIR="$CACHE/$VERSION-$KEY"

if [ -x "$DIR/llama-server" ]; then
    echo "$DIR/llama-server"
    exit 0
fi
mkdir -p "$CACHE"
exec 9>"$CACHE/.build.lock"  # one compile at a time; a second caller waits for the first
flock 9
if [ -x "$DIR/llama-server" ]; then
    echo "$DIR/llama-server"
    exit 0
fi

echo "llama-server: building llama.cpp's server from llama-cpp-python $VERSION ($FLAGS); " \
     "about 10 minutes on 2 cores, once" >&2
rm -rf "$DIR.tmp" && mkdir -p "$DIR.tmp/src"
"$PYTHON" -m pip download -q --no-deps --no-binary :all: \
    -d "$DIR.tmp/src" "llama-cpp-python==$VERSION" >&2
tar xzf "$DIR.tmp/src/llama_cpp_python-$VERSION.tar.gz" -C "$DIR.tmp/src"
LLAMA="$DIR.tmp/src/llama_cpp_python-$VERSION/vendor/llama.cpp"
# shellcheck disable=SC2086  # FLAGS is a list of words on purpose
cmake -S "$LLAMA" -B "$DIR.tmp/build" -G "$(command -v ninja >/dev/null && echo Ninja || echo 'Unix Makefiles')" $FLAGS >&2
cmake --build "$DIR.tmp/build" --target llama-server -j "$(nproc)" >&2
cp "$DIR.tmp/build/bin/llama-server" "$DIR.tmp/llama-server"
cp "$LLAMA/LICENSE" "$DIR.tmp/LICENSE"
echo "$FLAGS" > "$DIR.tmp/FLAGS"
rm -rf "$DIR.tmp/src" "$DIR.tmp/build"
rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
echo "$DIR/llama-server"
