"""The policy linter: the cookbook's advice for gpt-oss-safeguard policies, checked by code.

Errors make a policy unusable or untestable; warnings are advice (length, vague words, examples).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.errors import PolicyError
from app.core.policy import TOP_SECTIONS, Policy, parse_policy

VAGUE = (
    "generally",
    "usually",
    "may be",
    "often",
    "typically",
    "normally",
    "as appropriate",
    "where appropriate",
    "reasonable",
    "and so on",
    "etc.",
)
TOKENS_LOW, TOKENS_HIGH, TOKENS_MAX = 400, 600, 10_000
MIN_EXAMPLES = 4


@dataclass(frozen=True)
class LintIssue:
    level: str  # "error" | "warning"
    message: str
    line: int = 0  # 1-based line in the policy file, 0 when not about one line

    def __str__(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        return f"{self.level}: {where}{self.message}"


def lint_text(
    text: str,
    count_tokens: Callable[[str], int],
    *,
    path: Path | None = None,
    cases: list[dict[str, object]] | None = None,
) -> tuple[Policy | None, list[LintIssue]]:
    try:
        policy = parse_policy(text, path=path)
    except PolicyError as error:
        return None, [LintIssue("error", error.detail)]
    issues = [
        LintIssue("error" if "criteria" in w.lower() else "warning", w) for w in policy.warnings
    ]
    tokens = count_tokens(text)
    if tokens > TOKENS_MAX:
        issues.append(
            LintIssue(
                "error",
                f"{tokens} tokens: far too long for the model to apply "
                f"reliably (limit {TOKENS_MAX})",
            )
        )
    elif not TOKENS_LOW <= tokens <= TOKENS_HIGH:
        issues.append(
            LintIssue(
                "warning", f"{tokens} tokens; policies work best at {TOKENS_LOW}-{TOKENS_HIGH}"
            )
        )
    issues += _vague_words(text)
    examples = _example_headings(policy.body)
    if len(examples) < MIN_EXAMPLES:
        issues.append(
            LintIssue(
                "warning",
                f"{len(examples)} example(s); give at least "
                f"{MIN_EXAMPLES}, violations and compliant ones",
            )
        )
    covered = {word for heading in examples for word in heading.split()}
    for case in cases or []:
        covered.update(str(s) for s in case.get("sections", []) or [])  # type: ignore[attr-defined]
    for section in policy.sections:
        if section.id not in covered:
            issues.append(
                LintIssue("warning", f"section {section.id} has no example and no test case")
            )
    return policy, issues


def load_cases(path: Path) -> list[dict[str, object]]:
    """A cases.jsonl file: {"text", "expected": violation|compliant|needs_review, "sections"}."""
    cases = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise PolicyError(f"cannot read test cases: {error.strerror}", path=path) from None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            case = json.loads(line)
        except json.JSONDecodeError as error:
            raise PolicyError(f"line {number} is not JSON ({error.msg})", path=path) from None
        if not isinstance(case, dict) or not isinstance(case.get("text"), str):
            raise PolicyError(f'line {number} has no "text"', path=path)
        if case.get("expected") not in ("violation", "compliant", "needs_review"):
            raise PolicyError(
                f"line {number}: expected must be violation, compliant or needs_review", path=path
            )
        cases.append(case)
    return cases


def _vague_words(text: str) -> list[LintIssue]:
    issues = []
    for number, line in enumerate(text.splitlines(), start=1):
        lowered = line.lower()
        for word in VAGUE:
            if re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", lowered):
                issues.append(
                    LintIssue(
                        "warning",
                        f"vague wording '{word}': say exactly when the rule applies",
                        number,
                    )
                )
    return issues


def _example_headings(body: str) -> list[str]:
    headings: list[str] = []
    in_examples = False
    for line in body.splitlines():
        top = re.match(r"^#\s+(.+?)\s*$", line)
        if top:
            in_examples = top.group(1).strip().lower() == TOP_SECTIONS[3]
            continue
        sub = re.match(r"^##\s+(.+?)\s*$", line)
        if in_examples and sub:
            headings.append(sub.group(1))
    return headings
