"""Read a GGUF file's header (metadata and tensor table) without loading the model, so a wrong or
truncated file is refused with a reason before llama.cpp ever sees it."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from app.core.bounded import file_kind
from app.core.errors import ModelUnavailable

MAGIC = b"GGUF"
_SCALARS = {
    0: "<B",
    1: "<b",
    2: "<H",
    3: "<h",
    4: "<I",
    5: "<i",
    6: "<f",
    7: "<?",
    10: "<Q",
    11: "<q",
    12: "<d",
}
_STRING, _ARRAY = 8, 9
# ggml tensor types: (block size in elements, bytes per block); enough to size the data section.
_TYPE_SIZES = {
    0: (1, 4),
    1: (1, 2),
    2: (32, 18),
    3: (32, 20),
    6: (32, 22),
    7: (32, 24),
    8: (32, 34),
    9: (32, 36),
    10: (256, 84),
    11: (256, 110),
    12: (256, 144),
    13: (256, 176),
    14: (256, 210),
    15: (256, 292),
    24: (1, 1),
    25: (1, 2),
    26: (1, 4),
    27: (1, 8),
    28: (1, 8),
    30: (1, 2),
    39: (32, 17),
}
_FILE_TYPES = {
    0: "F32",
    1: "F16",
    2: "Q4_0",
    3: "Q4_1",
    7: "Q8_0",
    8: "Q5_0",
    9: "Q5_1",
    10: "Q2_K",
    11: "Q3_K_S",
    12: "Q3_K_M",
    13: "Q3_K_L",
    14: "Q4_K_S",
    15: "Q4_K_M",
    16: "Q5_K_S",
    17: "Q5_K_M",
    18: "Q6_K",
    32: "BF16",
    38: "MXFP4_MOE",
}
MAX_STRING = 64 * 2**20  # a corrupt length must not make us allocate gigabytes
# The largest header we read (metadata + tensor table). Real ones are tens of MB at most (a
# 262k vocabulary with its merges); a corrupt count must not make a scan read a 12 GB file.
MAX_HEADER = 256 * 2**20
TOKENS_KEY = "tokenizer.ggml.tokens"
# Vocabulary entries kept from the (otherwise counted only) token list, so a caller can tell one
# vocabulary from another: o200k_harmony's control tokens (app.models.identify checks them).
PROBE_TOKENS = frozenset({199998, 200002, 200005, 200006, 200007, 200008, 200012})


@dataclass(frozen=True)
class GgufInfo:
    path: Path
    version: int
    metadata: dict[str, Any] = field(repr=False)
    parameters: int
    data_bytes: int  # what the tensor table says the data section needs
    file_bytes: int
    probe_tokens: dict[int, str] = field(default_factory=dict, repr=False)  # id -> text

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", "unknown"))

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def context_length(self) -> int:
        return int(self.arch_value("context_length", 0))

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        return _FILE_TYPES.get(file_type, f"type {file_type}") if file_type is not None else "?"

    def describe(self) -> str:
        return (
            f"{self.architecture}, {self.parameters / 1e9:.2f} B parameters, "
            f"{self.quantization}, context {self.context_length}"
        )


def read_header(path: Path) -> GgufInfo:
    """Raises ModelUnavailable naming the file and the reason when it is not a complete GGUF."""
    try:
        info = path.stat()
        kind = file_kind(info.st_mode)
        if kind:  # opening a FIFO would block; /dev/zero would never end
            raise ModelUnavailable(f"model file is {kind}, not a regular file: not read", path=path)
        with path.open("rb") as handle:
            return _parse(handle, path, info.st_size)
    except FileNotFoundError:
        raise ModelUnavailable("file not found", path=path) from None
    except _TooLarge:
        raise ModelUnavailable(
            f"damaged GGUF header (larger than {MAX_HEADER // 2**20} MB)", path=path
        ) from None
    except (struct.error, UnicodeDecodeError, EOFError, OverflowError, MemoryError):
        raise ModelUnavailable("truncated or damaged GGUF header", path=path) from None
    except PermissionError:
        raise ModelUnavailable("permission denied", path=path) from None
    except IsADirectoryError:
        raise ModelUnavailable("a folder, not a model file", path=path) from None


class _TooLarge(Exception):
    """The header goes on past MAX_HEADER: a corrupt count, not a model."""


def _parse(handle: BinaryIO, path: Path, size: int) -> GgufInfo:
    if handle.read(4) != MAGIC:
        raise ModelUnavailable("not a GGUF model file (wrong magic bytes)", path=path)
    version, tensors, kv_count = struct.unpack("<IQQ", _read(handle, 20))
    if version not in (2, 3):
        raise ModelUnavailable(f"unsupported GGUF version {version}", path=path)
    metadata = {}
    probes: dict[int, str] = {}
    for _ in range(kv_count):
        key = _string(handle)
        (value_type,) = struct.unpack("<I", _read(handle, 4))
        metadata[key] = _value(handle, value_type, probes if key == TOKENS_KEY else None)
    alignment = int(metadata.get("general.alignment", 32))
    parameters = 0
    data_bytes = 0
    for _ in range(tensors):
        _string(handle)
        (dims,) = struct.unpack("<I", _read(handle, 4))
        shape = struct.unpack(f"<{dims}Q", _read(handle, 8 * dims))
        tensor_type, offset = struct.unpack("<IQ", _read(handle, 12))
        elements = 1
        for extent in shape:
            elements *= extent
        parameters += elements
        block, block_bytes = _TYPE_SIZES.get(tensor_type, (1, 0))
        data_bytes = max(data_bytes, offset + elements // block * block_bytes)
    data_start = -(-handle.tell() // alignment) * alignment
    if data_start + data_bytes > size:
        missing = data_start + data_bytes - size
        raise ModelUnavailable(
            f"truncated GGUF: {missing / 2**20:.1f} MB of tensor data are missing "
            "(an interrupted copy or download?)",
            path=path,
        )
    return GgufInfo(path, version, metadata, parameters, data_bytes, size, probes)


def _read(handle: BinaryIO, count: int) -> bytes:
    if handle.tell() + count > MAX_HEADER:
        raise _TooLarge
    data = handle.read(count)
    if len(data) != count:
        raise EOFError
    return data


def _string(handle: BinaryIO) -> str:
    (length,) = struct.unpack("<Q", _read(handle, 8))
    if length > MAX_STRING:
        raise EOFError
    return _read(handle, length).decode("utf-8")


def _value(handle: BinaryIO, value_type: int, probes: dict[int, str] | None = None) -> Any:
    if value_type in _SCALARS:
        fmt = _SCALARS[value_type]
        return struct.unpack(fmt, _read(handle, struct.calcsize(fmt)))[0]
    if value_type == _STRING:
        return _string(handle)
    if value_type == _ARRAY:
        item_type, count = struct.unpack("<IQ", _read(handle, 12))
        if item_type in _SCALARS:  # skip big scalar arrays (token scores) in one read
            width = struct.calcsize(_SCALARS[item_type])
            if count > 4096:
                if handle.tell() + width * count > MAX_HEADER:
                    raise _TooLarge
                handle.seek(width * count, 1)
                return count
            return list(
                struct.unpack(f"<{count}{_SCALARS[item_type][1]}", _read(handle, width * count))
            )
        if count > 4096 and item_type == _STRING:
            _skip_strings(handle, count, probes)
            return count  # a vocabulary or its merges: keep only the size (and the probes)
        items = [_value(handle, item_type) for _ in range(count)]
        return items if count <= 4096 else count
    raise EOFError


def _skip_strings(handle: BinaryIO, count: int, probes: dict[int, str] | None) -> None:
    """Step over ``count`` strings without decoding them (a 201k-token vocabulary and its 446k
    merges are most of a gpt-oss header), keeping the probed entries."""
    length_of = struct.Struct("<Q").unpack
    read, seek = handle.read, handle.seek
    for index in range(count):
        if not index & 0xFFF and handle.tell() > MAX_HEADER:
            raise _TooLarge
        raw = read(8)
        if len(raw) != 8:
            raise EOFError
        (length,) = length_of(raw)
        if length > MAX_STRING:
            raise EOFError
        if probes is not None and index in PROBE_TOKENS:
            probes[index] = _read(handle, length).decode("utf-8")
        else:
            seek(length, 1)
