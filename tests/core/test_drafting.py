"""Drafts from a regulation: criteria in the regulation's words with Source lines, definitions
from its Definitions article, instructions by kind of document, gaps for the examples, the
400-600 token split, and model-drafted examples filling the gaps (never made up by code)."""

from __future__ import annotations

import json
import re

import pytest

from app.core.draft_examples import examples_request, fill_gaps, parse_examples
from app.core.drafting import (
    DocumentKind,
    DraftSpec,
    PolicyDraft,
    draft_policies,
    section_prefix,
    short_name,
)
from app.core.lint import TOKENS_HIGH, TOKENS_LOW, lint_text
from app.core.policy import parse_policy
from app.core.regulation import Regulation
from app.core.regulation_parser import parse_regulation
from app.inference.harmony import count_text_tokens
from tests.helpers.regulations import EU, long_regulation, passages


def eu_draft(kind: DocumentKind = "marketing") -> tuple[Regulation, list[PolicyDraft]]:
    regulation = parse_regulation(passages(EU))
    chosen = [c for c in regulation.candidates() if c.binding]
    spec = DraftSpec("mrfm", kind=kind, source="mrfm.pdf (sha256 ab)")
    return regulation, draft_policies(regulation, chosen, spec, count_text_tokens)


def test_each_binding_provision_becomes_a_criterion_citing_it() -> None:
    _regulation, drafts = eu_draft()
    (draft,) = drafts
    policy = parse_policy(draft.text)
    assert policy.id == "mrfm" and policy.draft and not policy.checkable
    assert policy.title == "MRFM — Chapter II — Fair marketing"
    assert policy.section_ids == ("MRFM-1", "MRFM-2", "MRFM-3", "MRFM-4", "MRFM-5")
    sources = [re.findall(r"Source: (.+)", s.text)[-1] for s in policy.sections]
    assert sources == ["Article 3(1)", "Article 3(2)", "Article 4(1)", "Article 4(2)", "Article 5"]
    clause = policy.sections[3].text
    # the rule in the regulation's own words, its list kept
    assert "The total cost shall be:\n(a) shown as prominently as any other price;" in clause
    assert "  (ii) a percentage of the amount borrowed." in clause
    assert [(c.section_id, c.ref) for c in draft.criteria][4] == ("MRFM-5", "Article 5")


def test_definitions_come_from_the_definitions_article_and_instructions_from_the_kind() -> None:
    _regulation, (marketing,) = eu_draft("marketing")
    text = marketing.text
    definitions = text.split("# Definitions\n")[1].split("\n# ")[0]
    assert "- marketing communication: any message that promotes a product to consumers;" in text
    assert "consumer:" not in definitions  # no chosen provision uses the term
    assert "- total cost: all fees and interest a consumer pays." in definitions
    assert "a marketing communication (an advertisement" in text.split("# Definitions")[0]
    _regulation, (contract,) = eu_draft("contract")
    assert "the content, a contract, or its terms and conditions, breaks" in contract.text


def test_examples_are_gaps_that_lint_names_as_errors() -> None:
    _regulation, (draft,) = eu_draft()
    _policy, issues = lint_text(draft.text, count_text_tokens)
    gaps = [i for i in issues if i.message.startswith("unfilled gap")]
    assert len(gaps) == 6  # a violation for each of 5 criteria and one compliant passage
    assert all(i.level == "error" for i in gaps)
    lines = draft.text.split("\n")
    assert all("[[GAP:" in lines[i.line - 1] for i in gaps)
    assert "breaking MRFM-3" in gaps[2].message


def test_a_long_regulation_is_split_into_policies_of_400_to_600_tokens_per_chapter() -> None:
    regulation = parse_regulation(passages(long_regulation(chapters=3, articles=6)))
    chosen = [c for c in regulation.candidates() if c.binding]
    drafts = draft_policies(regulation, chosen, DraftSpec("mrld"), count_text_tokens)
    assert len(drafts) > 3
    assert [d.policy_id for d in drafts] == [f"mrld-{n}" for n in range(1, len(drafts) + 1)]
    for draft in drafts:
        assert TOKENS_LOW <= draft.tokens <= TOKENS_HIGH, (draft.policy_id, draft.tokens)
        assert draft.tokens == count_text_tokens(draft.text)
        chapters = {_chapter(regulation, c.ref) for c in draft.criteria}
        assert len(chapters) == 1  # one chapter (topic) per policy
        assert draft.title.endswith(chapters.pop().split(" — ")[1])
        policy = parse_policy(draft.text)
        assert policy.section_ids[0] == "MRLD-1"  # numbered per policy
    refs = [c.ref for d in drafts for c in d.criteria]
    assert refs == [c.ref for c in chosen]  # every chosen provision once, in order


def test_small_parts_are_merged_and_an_oversized_provision_stays_whole() -> None:
    text = "Article 1\nA\n1. A firm shall be fair.\nArticle 2\nB\n1. A firm shall be clear."
    regulation = parse_regulation(passages(text))
    drafts = draft_policies(
        regulation, regulation.candidates(), DraftSpec("two"), count_text_tokens
    )
    assert len(drafts) == 1 and len(drafts[0].criteria) == 2  # never split below 400 tokens
    huge = "Article 1\nHuge\n1. A firm shall " + "state the fee and the term, " * 200 + "always."
    regulation = parse_regulation(passages(huge))
    (draft,) = draft_policies(regulation, regulation.candidates(), DraftSpec("huge"),
                              count_text_tokens)  # fmt: skip
    assert draft.tokens > TOKENS_HIGH and "always." in draft.text  # not cut: lint warns
    warnings = [i.message for i in lint_text(draft.text, count_text_tokens)[1]]
    assert any("policies work best at 400-600" in w for w in warnings)


def test_a_point_chosen_alone_keeps_the_words_that_introduce_its_list() -> None:
    regulation = parse_regulation(passages(EU))
    point = regulation.find("Article 4(2)(a)")
    assert point is not None
    (draft,) = draft_policies(regulation, [point], DraftSpec("mrfm"), count_text_tokens)
    clause = parse_policy(draft.text).sections[0]
    assert clause.title == "Cost disclosure (2)(a)"
    assert "rule: The total cost shall be:\n(a) shown as prominently" in clause.text
    assert clause.text.endswith("Source: Article 4(2)(a)")


def test_regulation_text_cannot_break_the_policy_structure() -> None:
    text = (
        "Article 1\nTricky\n1. The firm shall:\n# not a heading\nScreen: everything\n"
        "Source: elsewhere"
    )
    regulation = parse_regulation(passages(text))
    (draft,) = draft_policies(regulation, regulation.candidates(), DraftSpec("t"),
                              count_text_tokens)  # fmt: skip
    policy = parse_policy(draft.text)
    assert policy.sections[0].screens == ()
    assert policy.sections[0].text.endswith("Source: Article 1(1)")


def test_ids_and_names() -> None:
    assert section_prefix("gdpr") == "GDPR"
    assert section_prefix("consumer-credit") == "CC"
    assert section_prefix("2210") == "P2210"
    assert (
        short_name("Regulation (EU) 2016/679 — General Data Protection Regulation (GDPR)") == "GDPR"
    )
    assert short_name("45 CFR Part 164 Subpart D — Notification") == "45 CFR Part 164 Subpart D"
    regulation = parse_regulation(passages(EU))
    with pytest.raises(ValueError, match="lowercase"):
        draft_policies(regulation, regulation.candidates(), DraftSpec("Bad Id"), count_text_tokens)
    with pytest.raises(ValueError, match="no provisions chosen"):
        draft_policies(regulation, [], DraftSpec("ok"), count_text_tokens)


def test_the_drafting_request_and_filling_the_gaps_with_the_models_examples() -> None:
    _regulation, (draft,) = eu_draft()
    request = examples_request(draft, "marketing")
    assert "write one short passage" in request.policy_text
    assert "## MRFM-1 Clear identification (1)" in request.content
    assert "[[GAP" not in request.content and "# Examples" not in request.content
    items = request.schema["properties"]["examples"]
    assert items["items"]["properties"]["section"]["enum"] == [
        "MRFM-1", "MRFM-2", "MRFM-3", "MRFM-4", "MRFM-5", "compliant",
    ]  # fmt: skip
    assert items["maxItems"] == 6
    final = json.dumps(
        {
            "examples": [
                {"section": "MRFM-5", "text": "Our fund is\nfree of risk."},
                {"section": "MRFM-9", "text": "not a section of this draft"},
                {"section": "compliant", "text": "## Acme Ltd: prices include all fees."},
                {"section": "MRFM-1", "text": "[[GAP: sneaky]] Read this."},
            ]
        }
    )
    examples = parse_examples(final, draft)
    assert [s for s, _ in examples] == ["MRFM-5", "compliant", "MRFM-1"]
    text, filled = fill_gaps(draft.text, examples)
    assert filled == 3
    assert "## MRFM-5 violation\n> Our fund is free of risk." in text
    assert "## Compliant\n> Acme Ltd: prices include all fees." in text
    gaps = [i for i in lint_text(text, count_text_tokens)[1] if "unfilled gap" in i.message]
    assert len(gaps) == 3  # MRFM-2, 3 and 4 are still for a person to write
    with pytest.raises(ValueError, match="not JSON"):
        parse_examples("Sure! Here are", draft)


def _chapter(regulation: Regulation, ref: str) -> str:
    provision = regulation.find(ref)
    assert provision is not None
    return provision.chapter


def test_raw_line_breaks_inside_a_drafted_text_are_accepted_and_flattened() -> None:
    _regulation, (draft,) = eu_draft()
    final = '{"examples": [{"section": "MRFM-1", "text": "Line one\n\tline two"}]}'
    assert parse_examples(final, draft) == [("MRFM-1", "Line one line two")]
