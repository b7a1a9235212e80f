"""Canonical JSON (sorted keys, no spaces, UTF-8) and its sha256: how reports and store rows
are hashed, so the same data always gives the same digest wherever it is computed."""

from __future__ import annotations

import hashlib
import json
from typing import Any


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def canonical_sha256(data: Any) -> str:
    return hashlib.sha256(canonical_json(data).encode("utf-8")).hexdigest()
