"""Edits to a policy's front matter that keep every other line as the author wrote it."""

from __future__ import annotations

from app.core.errors import PolicyError


def set_front_matter(text: str, key: str, value: str | None) -> str:
    """The text with ``key: value`` in its front matter (replacing the key's line, or added as
    its last line), or with the key's line removed when ``value`` is None."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise PolicyError("no front matter: the file must start with a '---' line", line=1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise PolicyError("front matter is not closed by a '---' line", line=1) from None
    found = [i for i in range(1, end) if lines[i].partition(":")[0].strip().lower() == key.lower()]
    if value is None:
        return "\n".join(line for i, line in enumerate(lines) if i not in found)
    if found:
        lines[found[0]] = f"{key}: {value}"
        return "\n".join(line for i, line in enumerate(lines) if i not in found[1:])
    return "\n".join([*lines[:end], f"{key}: {value}", *lines[end:]])
