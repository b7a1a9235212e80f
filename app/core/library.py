"""The policy library: bundled policies plus the user's own, found by id or by path."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import PolicyError
from app.core.policy import Policy, load_policy


class PolicyLibrary:
    """User policies shadow bundled ones with the same id (a user may edit a copy)."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    def _files(self) -> dict[str, Path]:
        found: dict[str, Path] = {}
        for folder in reversed(self.folders):  # later folders lose to earlier ones
            if folder.is_dir():
                for path in sorted(folder.glob("*/policy.md")):
                    found[path.parent.name] = path
        return found

    def ids(self) -> list[str]:
        return sorted(self._files())

    def all(self) -> list[Policy]:
        return [load_policy(path) for _, path in sorted(self._files().items())]

    def path_of(self, ref: str) -> Path:
        """The policy file behind an id or a path, without parsing it."""
        path = Path(ref).expanduser()
        if path.suffix.lower() == ".md" or path.exists() or "/" in ref or "\\" in ref:
            return path / "policy.md" if path.is_dir() else path
        files = self._files()
        if ref in files:
            return files[ref]
        known = ", ".join(sorted(files)) or "none"
        raise PolicyError(f"unknown policy '{ref}' (bundled and user policies: {known})")

    def resolve(self, ref: str) -> Policy:
        """A policy id from the library, or a path to a policy file or folder."""
        return load_policy(self.path_of(ref))
