"""The policy library as both front ends see it: the user's folder first, then the bundled one."""

from __future__ import annotations

from app.core.errors import UsageError
from app.core.library import PolicyLibrary
from app.core.policy import Policy
from app.runtime.paths import user_policies_dir
from app.runtime.resources import bundled_policies_dir


def library() -> PolicyLibrary:
    return PolicyLibrary([user_policies_dir(), bundled_policies_dir()])


def resolve_policies(library: PolicyLibrary, refs: list[str]) -> list[Policy]:
    """Policies by id or path, in the order given; the same policy twice is a usage error."""
    policies = [library.resolve(ref) for ref in refs]
    ids = [p.id for p in policies]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UsageError(f"policy given twice: {', '.join(duplicates)}")
    return policies


def is_user_policy(policy: Policy) -> bool:
    return bool(policy.path and user_policies_dir() in policy.path.parents)
