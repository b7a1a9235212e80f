"""The policy linter: the cookbook's advice for gpt-oss-safeguard policies, checked by code.

Errors make a policy unusable or untestable; warnings are advice (length, vague words, examples).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.errors import PolicyError
from app.core.patterns import ScreenPatternError, compile_screen
from app.core.policy import TOP_SECTIONS, Policy, parse_policy, screen_items

# Vague words and why each one hurts. The gpt-oss-safeguard guide (OpenAI cookbook, "Writing
# effective policy prompts") warns that words like "generally" or "usually" cause false positives
# and confusion, and says to give ambiguous cases an escalation path instead; the others below
# fail the same way: they leave the threshold to the model, so the same text gets different
# labels from one run to the next.
_HEDGE = (
    "a hedge: the guide for gpt-oss-safeguard warns it causes false positives and confusion; "
    "say exactly when the rule applies, and send unclear cases to needs_review"
)
VAGUE: dict[str, str] = {
    "generally": _HEDGE,
    "usually": _HEDGE,
    "often": _HEDGE,
    "typically": _HEDGE,
    "normally": _HEDGE,
    "may be": "leaves open whether the rule applies: say when it does and when it does not",
    "appropriate": "who decides what is appropriate? name the condition, the threshold or the "
    "required wording",
    "as appropriate": "who decides what is appropriate? name the condition or the threshold",
    "where appropriate": "who decides what is appropriate? name the condition or the threshold",
    "where possible": "the model cannot know what was possible: state what is required and the "
    "exact exceptions",
    "if possible": "the model cannot know what was possible: state what is required and the "
    "exact exceptions",
    "where practicable": "the model cannot know what was practicable: state what is required "
    "and the exact exceptions",
    "as necessary": "necessary for what? state the condition that makes it required",
    "if necessary": "necessary for what? state the condition that makes it required",
    "where necessary": "necessary for what? state the condition that makes it required",
    "as needed": "needed for what? state the condition that makes it required",
    "relevant": "relevant to what? list the items, or the test that makes one count",
    "reasonable": "the model has no yardstick for 'reasonable': give the threshold, or send "
    "borderline cases to needs_review",
    "reasonably": "the model has no yardstick for 'reasonably': give the threshold, or send "
    "borderline cases to needs_review",
    "significant": "name the amount, share or effect that counts as significant",
    "significantly": "name the amount, share or effect that counts",
    "substantial": "name the amount, share or effect that counts as substantial",
    "adequate": "say what is enough: the content, the place or the size required",
    "sufficient": "say what is enough: the content, the place or the size required",
    "excessive": "say how much is too much",
    "timely": "give the deadline",
    "etc.": "an open list: the model must guess what else counts; list the items or state the "
    "rule that covers them",
    "and so on": "an open list: the model must guess what else counts; list the items or "
    "state the rule that covers them",
    "and the like": "an open list: the model must guess what else counts; list the items or "
    "state the rule that covers them",
}
# A phrase that contains a shorter listed word is reported once, as the phrase.
_VAGUE_ORDER = sorted(VAGUE, key=len, reverse=True)
TOKENS_LOW, TOKENS_HIGH, TOKENS_MAX = 400, 600, 10_000
MIN_EXAMPLES = 4
MAX_CASES_BYTES = 16 * 1024 * 1024  # an exported data set of reviewed findings stays well under
# A marked gap: text a person (or the model, as a draft) still has to write. Drafts made from a
# regulation leave their examples as gaps rather than invent them; lint names each one.
_GAP = re.compile(r"\[\[GAP:\s*(.*?)\s*\]\]")


def gap_marker(what: str) -> str:
    """The marker lint reports as an unfilled gap: ``[[GAP: what to write]]``."""
    return f"[[GAP: {what}]]"


@dataclass(frozen=True)
class LintIssue:
    level: str  # "error" | "warning"
    message: str
    # 1-based line in the policy file: the line at fault, or for a problem of the whole file
    # (length, a missing section) line 1, so every issue can be jumped to.
    line: int = 1

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
    screen_issues = _screen_issues(text)
    try:
        policy = parse_policy(text, path=path, strict_screens=False)
    except PolicyError as error:
        return None, [LintIssue("error", error.detail, error.line or 1), *screen_issues]
    issues = [
        LintIssue("error" if "criteria" in w.lower() else "warning", w) for w in policy.warnings
    ]
    issues += screen_issues
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
    issues += _gaps(text)
    examples, examples_line = _example_headings(text)
    if len(examples) < MIN_EXAMPLES:
        issues.append(
            LintIssue(
                "warning",
                f"{len(examples)} example(s); give at least "
                f"{MIN_EXAMPLES}, violations and compliant ones",
                examples_line,
            )
        )
    covered = {word for heading in examples for word in heading.split()}
    for case in cases or []:
        covered.update(str(s) for s in case.get("sections", []) or [])  # type: ignore[attr-defined]
    for section in policy.sections:
        if section.id not in covered:
            issues.append(
                LintIssue(
                    "warning",
                    f"section {section.id} has no example and no test case",
                    section.line or 1,
                )
            )
    return policy, issues


def _screen_issues(text: str) -> list[LintIssue]:
    """Every screen that does not compile or could hang a check, on its own line."""
    issues = []
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        for pattern, _written in screen_items(line) or []:
            try:
                compile_screen(pattern)
            except ScreenPatternError as error:
                issues.append(LintIssue("error", f"screen /{pattern}/ is refused: {error}", number))
    return issues


def load_cases(path: Path) -> list[dict[str, object]]:
    """A cases.jsonl file: {"text", "expected": violation|compliant|needs_review, "sections"}."""
    cases = []
    raw = read_regular_file(path, MAX_CASES_BYTES, "test cases file", PolicyError)
    try:
        lines = raw.decode("utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise PolicyError("test cases file is not UTF-8 text", path=path) from None
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


_VAGUE_RE = re.compile(
    "|".join(rf"(?<![\w-]){re.escape(word)}(?![\w-])" for word in _VAGUE_ORDER), re.IGNORECASE
)


def _vague_words(text: str) -> list[LintIssue]:
    """One warning per vague word or phrase, on its line, with why it hurts. The front matter
    is not read by the model, so it is not checked."""
    issues = []
    in_front_matter = text.startswith("---")
    for number, line in enumerate(text.splitlines(), start=1):
        if in_front_matter:
            in_front_matter = number == 1 or line.strip() != "---"
            continue
        for match in _VAGUE_RE.finditer(line):
            word = match.group(0).lower()
            issues.append(LintIssue("warning", f"vague wording '{word}': {VAGUE[word]}", number))
    return issues


def _gaps(text: str) -> list[LintIssue]:
    return [
        LintIssue("error", f"unfilled gap: {match.group(1)} (a policy with gaps stays a draft)", n)
        for n, line in enumerate(text.splitlines(), start=1)
        for match in _GAP.finditer(line)
    ]


def _example_headings(text: str) -> tuple[list[str], int]:
    """The '## ...' headings under '# Examples', and the line of '# Examples' (1: none)."""
    headings: list[str] = []
    in_examples = False
    heading_line = 1
    for number, line in enumerate(text.splitlines(), start=1):
        top = re.match(r"^#\s+(.+?)\s*$", line)
        if top:
            in_examples = top.group(1).strip().lower() == TOP_SECTIONS[3]
            heading_line = number if in_examples else heading_line
            continue
        sub = re.match(r"^##\s+(.+?)\s*$", line)
        if in_examples and sub:
            headings.append(sub.group(1))
    return headings, heading_line
