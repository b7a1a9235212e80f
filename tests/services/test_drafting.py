"""Regulation -> policy drafts through the normal ingest: generated regulations as a PDF and a
DOCX, the real GDPR and HIPAA texts of the shared corpus, examples drafted by a (scripted)
model, and a draft that, once filled and saved clean, is offered for checks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app.core.drafting import DraftSpec
from app.core.errors import InputError, UsageError
from app.core.lint import TOKENS_HIGH
from app.core.policy import load_policy, parse_policy
from app.inference.scripted import Recording, ScriptedEngine
from app.runtime.paths import user_policies_dir
from app.services.drafting import (
    choose_provisions,
    draft,
    drafting_engine,
    read_regulation,
    write_drafts,
)
from app.services.policies import library, save_policy
from tests.helpers.paths import corpus_file
from tests.helpers.regulations import (
    EU,
    US,
    write_regulation_docx,
    write_regulation_pdf,
    write_text,
)

EU_BINDING = ["Article 3(1)", "Article 3(2)", "Article 4(1)", "Article 4(2)", "Article 5"]


@pytest.mark.parametrize("writer", [write_regulation_pdf, write_regulation_docx])
def test_a_pdf_and_a_docx_regulation_read_through_ingest(tmp_path: Path, writer: object) -> None:
    suffix = ".pdf" if writer is write_regulation_pdf else ".docx"
    path = writer(tmp_path / f"mrfm{suffix}", EU)  # type: ignore[operator]
    source = read_regulation(path)
    regulation = source.regulation
    assert [p.ref for p in regulation.provisions] == [f"Article {n}" for n in range(1, 7)]
    assert regulation.find("Article 4(2)(b)(ii)") is not None
    assert [c.ref for c in choose_provisions(regulation)] == EU_BINDING
    assert source.source.startswith(f"mrfm{suffix} (sha256 ")
    for provision in regulation.provisions:  # every provision links to real passages
        assert provision.all_passages and set(provision.all_passages) <= set(source.passages)
    us = read_regulation(writer(tmp_path / f"code{suffix}", US))  # type: ignore[operator]
    assert us.regulation.find("§ 12(b)(3)(ii)(A)") is not None


def test_choosing_by_article_range_and_by_reference(tmp_path: Path) -> None:
    regulation = read_regulation(write_text(tmp_path / "mrfm.txt", EU)).regulation
    assert [c.ref for c in choose_provisions(regulation, "4-6")] == ["Article 4(1)", "Article 4(2)",
                                                                     "Article 5"]  # fmt: skip
    chosen = choose_provisions(regulation, None, ["Article 4(2)(a)", "Article 1"])
    assert [c.ref for c in chosen] == ["Article 4(2)(a)", "Article 1"]
    with pytest.raises(UsageError, match="--articles 40: no article"):
        choose_provisions(regulation, "40")
    with pytest.raises(UsageError, match="no provision 'Article 9'"):
        choose_provisions(regulation, None, ["Article 9"])
    with pytest.raises(UsageError, match="states a duty"):
        choose_provisions(regulation, "6")


def test_a_file_without_structure_is_refused_in_one_line(tmp_path: Path) -> None:
    letter = write_text(tmp_path / "letter.txt", "Dear customer,\nthanks for your order.")
    with pytest.raises(InputError, match="no articles, sections") as error:
        read_regulation(letter)
    assert "letter.txt" in str(error.value) and "\n" not in str(error.value)


def test_without_a_real_model_the_examples_stay_gaps(tmp_path: Path) -> None:
    from app.core.settings import Settings

    engine, why = drafting_engine(Settings())
    assert engine is None and "no model is installed" in why
    engine, why = drafting_engine(Settings(), "smoke-gemma3-270m")
    assert engine is None and "smoke-test model cannot write examples" in why


def examples_engine(*texts: tuple[str, str]) -> ScriptedEngine:
    final = json.dumps({"examples": [{"section": s, "text": t} for s, t in texts]})
    return ScriptedEngine([Recording("drafting", final)])


def test_drafted_filled_and_saved_clean_it_is_checkable(tmp_path: Path) -> None:
    source = read_regulation(write_regulation_pdf(tmp_path / "mrfm.pdf", EU))
    chosen = choose_provisions(source.regulation)
    engine = examples_engine(
        ("MRFM-1", "Your new savings plan — no mention anywhere that this is an advert."),
        ("MRFM-2", "A great loan is waiting for you. Call 0800 000 000."),
        ("MRFM-3", "Loans from €99 a month."),
        ("MRFM-4", "Total cost: see our website."),
        ("MRFM-5", "This bond is completely free of risk."),
        ("compliant", "Advertisement by Acme Bank Ltd. Loans from €99 a month; total cost €1,188 "
                      "(12.4% of the amount borrowed), shown as large as the monthly price."),
    )  # fmt: skip
    drafted = draft(source, chosen, DraftSpec("mrfm", kind="marketing"), engine)
    assert drafted.notes[0] == "6 example(s) drafted by scripted: edit them"
    (item,) = drafted.drafts
    assert "free of risk" in engine.requests[0].policy_text + item.text
    assert "source: mrfm.pdf (sha256 " in item.text
    errors = [i for i in drafted.issues["mrfm"] if i.level == "error"]
    assert errors == []  # every gap filled: no lint error left
    (path,) = write_drafts(drafted.drafts, user_policies_dir())
    assert load_policy(path).draft and "mrfm" not in [p.id for p in library().checkable()]
    saved = save_policy(path, path.read_text(encoding="utf-8"))
    assert not saved.draft and saved.version == "0.1.1"
    checkable = {p.id: p for p in library().checkable()}
    assert "mrfm" in checkable and "draft:" not in path.read_text(encoding="utf-8")
    assert checkable["mrfm"].section_ids == ("MRFM-1", "MRFM-2", "MRFM-3", "MRFM-4", "MRFM-5")


def test_an_answer_that_is_not_json_leaves_the_gaps(tmp_path: Path) -> None:
    source = read_regulation(write_text(tmp_path / "mrfm.txt", EU))
    engine = ScriptedEngine([Recording("", "I cannot help with that.")])
    drafted = draft(source, choose_provisions(source.regulation), DraftSpec("mrfm"), engine)
    assert "no examples drafted (the model's answer is not JSON" in drafted.notes[1]
    assert sum("unfilled gap" in i.message for i in drafted.issues["mrfm"]) == 6


def test_drafts_never_overwrite(tmp_path: Path) -> None:
    source = read_regulation(write_text(tmp_path / "mrfm.txt", EU))
    drafted = draft(source, choose_provisions(source.regulation), DraftSpec("mrfm"))
    out = tmp_path / "out"
    (path,) = write_drafts(drafted.drafts, out)
    path.write_text("my edits", encoding="utf-8")
    with pytest.raises(InputError, match="already exists"):
        write_drafts(drafted.drafts, out)
    assert path.read_text(encoding="utf-8") == "my edits"


def test_the_gdpr_from_the_shared_corpus() -> None:
    source = read_regulation(corpus_file("policies/gdpr/gdpr_articles_en.md"))
    regulation = source.regulation
    assert len(regulation.provisions) == 99
    assert regulation.find("Article 4(11)") is not None  # 'consent' in the definitions
    assert regulation.find("Article 6(1)(f)") is not None
    chapters = list(dict.fromkeys(p.chapter for p in regulation.provisions))
    assert len(chapters) == 11 and chapters[1] == "Chapter II — Principles"
    chosen = choose_provisions(regulation, "5-7")
    drafted = draft(source, chosen, DraftSpec("gdpr-principles", kind="notice"))
    assert len(drafted.drafts) > 1  # too long for one policy
    refs = [c.ref for d in drafted.drafts for c in d.criteria]
    assert refs == [c.ref for c in chosen] and "Article 7(3)" in refs
    for item in drafted.drafts:
        policy = parse_policy(item.text)
        assert policy.draft and all("Source: Article " in s.text for s in policy.sections)
        # lint names every gap; nothing else is an error
        errors = [i for i in drafted.issues[item.policy_id] if i.level == "error"]
        assert errors and all("unfilled gap" in i.message for i in errors)
    assert "- personal data: any information relating to" in drafted.drafts[0].text


def test_hipaa_sections_from_the_shared_corpus() -> None:
    source = read_regulation(
        corpus_file("policies/hipaa/hipaa_breach_notification_45CFR164_subpartD.md")
    )
    regulation = source.regulation
    assert [p.ref for p in regulation.provisions][:3] == ["§ 164.400", "§ 164.402", "§ 164.404"]
    assert regulation.find("§ 164.404(c)(1)(A)") is not None
    assert regulation.provisions[1].is_definitions
    chosen = choose_provisions(regulation, "164.404")
    drafted = draft(source, chosen, DraftSpec("hipaa-breach", kind="notice"))
    texts = "\n".join(d.text for d in drafted.drafts)
    assert "Source: § 164.404(a)" in texts and "Source: § 164.404(c)" in texts
    assert "- Breach: the acquisition, access, use, or disclosure" in texts
    assert all(d.tokens <= TOKENS_HIGH or len(d.criteria) == 1 for d in drafted.drafts)


@pytest.mark.llama
def test_the_drafting_request_runs_on_the_real_engine(tmp_path: Path, smoke_engine: Any) -> None:
    """The path to llama.cpp: the drafting prompt, its JSON-schema grammar, the answer parsed
    (the smoke model's examples are meaningless; the service never asks it for real drafts)."""
    source = read_regulation(write_text(tmp_path / "mrfm.txt", EU))
    chosen = choose_provisions(source.regulation, None, ["Article 3(1)", "Article 5"])
    drafted = draft(source, chosen, DraftSpec("mrfm", kind="marketing"), smoke_engine)
    assert drafted.notes[0].endswith("drafted by smoke-gemma3-270m: edit them")
    assert not [note for note in drafted.notes if "no examples drafted" in note]
    (item,) = drafted.drafts
    assert parse_policy(item.text).section_ids == ("MRFM-1", "MRFM-2")
