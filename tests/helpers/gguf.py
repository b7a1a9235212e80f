"""Small GGUF files for tests that need a valid header and some bytes (downloads, imports)."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def small_gguf(path: Path, megabytes: int = 4) -> bytes:
    import gguf

    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(2048)
    rng = np.random.default_rng(1)
    writer.add_tensor("blob.weight", rng.random((megabytes * 2**18,), dtype=np.float32))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path.read_bytes()
