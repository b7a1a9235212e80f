"""Regulation -> policy drafts, for the command line and the app's wizard: read the regulation
with the normal (isolated, bounded) ingest, find its structure, draft one policy or several,
let the installed model draft the examples when there is a real one, lint every draft, write
them where asked (never over an existing file)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from app.core.draft_examples import examples_request, fill_gaps, parse_examples
from app.core.drafting import DraftSpec, PolicyDraft, draft_policies
from app.core.engine import Engine
from app.core.errors import EngineError, InputError, ModelUnavailable, UsageError
from app.core.front_matter import set_front_matter
from app.core.library import POLICY_FILE, PolicyLibrary
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.core.lint import LintIssue, lint_text
from app.core.policy import parse_policy
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.core.regulation import Provision, Regulation, select_numbers
from app.core.regulation_parser import parse_regulation
from app.core.settings import Settings
from app.inference.harmony import count_text_tokens
from app.runtime.files import atomic_write
from app.runtime.paths import user_policies_dir
from app.services.engines import EngineConfig, ModelChoice, choose_model, load_engine
from app.services.policies import id_in_use


@dataclass(frozen=True)
class RegulationSource:
    path: Path
    sha256: str
    regulation: Regulation
    passages: dict[str, str]  # passage id -> its text (the side-by-side view shows them)
    warnings: tuple[str, ...] = ()  # pages or parts not read (trust rule 2: named, not hidden)

    @property
    def source(self) -> str:
        return f"{self.path.name} (sha256 {self.sha256[:16]})"


def read_regulation(
    path: Path,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> RegulationSource:
    """Read a regulation (PDF, DOCX, TXT, HTML…) in the reader's child process and find its
    articles, sections (§) or rules. Raises InputError when it has none."""
    from app.ingest.isolated import read_isolated

    document = read_isolated(path, limits=limits, progress=progress, cancel=cancel)
    regulation = parse_regulation(document.passages)
    if not regulation.provisions:
        raise InputError(
            "no articles, sections (§) or rules found: each provision must start on its own "
            "line with 'Article 4', '§ 12' or 'Rule 2210'",
            path=path,
        )
    warnings = list(document.warnings)
    if document.coverage.unread:
        warnings.append(f"not read: {document.coverage.summary()}")
    return RegulationSource(
        path,
        document.sha256,
        regulation,
        {p.id: p.text for p in document.passages},
        tuple(warnings),
    )


def choose_provisions(
    regulation: Regulation, articles: str | None = None, refs: Sequence[str] = ()
) -> list[Provision]:
    """The provisions to draft: exact refs (``Article 5(1)(a)``), or the binding paragraphs of
    the numbered articles/sections/rules (``3-7``), or every binding paragraph."""
    chosen: list[Provision] = []
    for ref in refs:
        provision = regulation.find(ref)
        if provision is None:
            raise UsageError(f"no provision '{ref}' in {regulation.title}")
        chosen.append(provision)
    if articles:
        try:
            containers = select_numbers(regulation.provisions, articles)
        except ValueError as error:
            raise UsageError(f"--articles {articles}: {error}") from None
        for candidate in regulation.candidates():
            inside = any(candidate is c or candidate in c.children for c in containers)
            if inside and candidate.binding and candidate not in chosen:
                chosen.append(candidate)
    if not refs and not articles:
        chosen = [c for c in regulation.candidates() if c.binding]
    if not chosen:
        raise UsageError("none of the chosen provisions states a duty ('shall', 'must'…)")
    return chosen


@dataclass(frozen=True)
class Drafted:
    drafts: tuple[PolicyDraft, ...]
    issues: dict[str, list[LintIssue]]  # per policy id
    notes: tuple[str, ...] = field(default=())  # how the examples were made, or why not


def draft(
    source: RegulationSource,
    chosen: Sequence[Provision],
    spec: DraftSpec,
    engine: Engine | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Drafted:
    """Draft the policies; with an engine, ask it for the examples of each (filling the gaps
    it can); lint every draft."""
    try:
        drafts = draft_policies(source.regulation, chosen, replace(spec, source=source.source),
                                count_text_tokens)  # fmt: skip
    except ValueError as error:
        raise UsageError(str(error)) from None
    notes: list[str] = []
    if engine is not None:
        token = cancel or CancelToken()
        filled = 0
        for number, item in enumerate(drafts):
            progress(ProgressEvent("drafting examples", number, len(drafts), item.policy_id))
            try:
                result = engine.judge(examples_request(item, spec.kind), token)
                text, count = fill_gaps(item.text, parse_examples(result.final, item))
            except (ValueError, EngineError) as error:
                notes.append(f"{item.policy_id}: no examples drafted ({error}); gaps left")
                continue
            drafts[number] = replace(item, text=text, tokens=count_text_tokens(text))
            filled += count
        progress(ProgressEvent("drafting examples", len(drafts), len(drafts), ""))
        notes.insert(0, f"{filled} example(s) drafted by {engine.info.name}: edit them")
    issues = {d.policy_id: lint_text(d.text, count_text_tokens)[1] for d in drafts}
    return Drafted(tuple(drafts), issues, tuple(notes))


def drafting_engine(
    settings: Settings, model: str | None = None, config: EngineConfig | None = None
) -> tuple[Engine | None, str]:
    """The installed model to draft examples with, or None and why. The smoke-test model's
    text would be noise dressed as examples, so it is never asked."""
    config = config or EngineConfig.from_settings(settings)
    try:
        chosen = choose_model(ModelChoice(model=model), settings, config)
    except ModelUnavailable:
        return None, "no model is installed: the examples are left as gaps for you to write"
    if chosen.ref.smoke:
        return None, "the smoke-test model cannot write examples: they are left as gaps"
    return load_engine(chosen.ref, config), ""


def write_drafts(drafts: Sequence[PolicyDraft], out_dir: Path) -> list[Path]:
    """Each draft as ``OUT/<id>/policy.md``. Nothing is overwritten: an existing file stops
    the whole write before anything is written."""
    targets = [out_dir / d.policy_id / "policy.md" for d in drafts]
    for target in targets:
        if target.exists() or target.is_symlink():
            raise InputError("already exists: choose another --out or --id", path=target)
    for item, target in zip(drafts, targets, strict=True):
        atomic_write(target, item.text)
    return targets


def save_drafts(lib: PolicyLibrary, texts: Sequence[str]) -> list[Path]:
    """Drafts (as the user edited them) into the user's library: each must parse and have an
    id not in use; one with lint errors keeps ``draft: true``, a clean one is saved without
    it. Nothing is written unless every one passes."""
    policies = [parse_policy(text) for text in texts]
    ids = [p.id for p in policies]
    for policy in policies:
        used = id_in_use(lib, policy.id)
        if used or ids.count(policy.id) > 1:
            where = f" ({used})" if used else " (twice in these drafts)"
            raise UsageError(f"a policy with id '{policy.id}' is already in the library{where}")
    paths = []
    for policy, text in zip(policies, texts, strict=True):
        errors = [i for i in lint_text(text, count_text_tokens)[1] if i.level == "error"]
        path = user_policies_dir() / policy.id / POLICY_FILE
        atomic_write(path, set_front_matter(text, "draft", "true" if errors else None))
        paths.append(path)
    return paths
