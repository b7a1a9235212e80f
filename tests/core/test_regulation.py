"""Structure detection on generated regulations: articles with numbered paragraphs, § sections,
rules, nested lists (a)(i)(A), chapters, definitions, binding provisions, ranges."""

from __future__ import annotations

import pytest

from app.core.regulation import select_numbers
from app.core.regulation_parser import parse_regulation
from tests.helpers.regulations import EU, FINRA, US, passages


@pytest.mark.parametrize("per_block", [1, 3, 1000])
def test_articles_numbered_paragraphs_points_and_sub_points(per_block: int) -> None:
    regulation = parse_regulation(passages(EU, per_block))
    assert regulation.title == "Model Regulation on Fair Marketing (MRFM)"
    assert [p.ref for p in regulation.provisions] == [f"Article {n}" for n in range(1, 7)]
    article4 = regulation.provisions[3]
    assert (article4.title, article4.chapter) == ("Cost disclosure", "Chapter II — Fair marketing")
    refs = [item.ref for item in article4.walk()]
    assert refs == [
        "Article 4",
        "Article 4(1)",
        "Article 4(2)",
        "Article 4(2)(a)",
        "Article 4(2)(b)",
        "Article 4(2)(b)(i)",
        "Article 4(2)(b)(ii)",
        "Article 4(3)",
    ]
    point = regulation.find("Article 4(2)(b)(ii)")
    assert point is not None and point.text == "a percentage of the amount borrowed."
    assert regulation.find("article 4 (2)(b)") is regulation.provisions[3].children[1].children[1]
    assert "(b) expressed as:\n  (i) an amount in euro; and" in article4.children[1].full_text()


def test_binding_provisions_and_definitions() -> None:
    regulation = parse_regulation(passages(EU))
    binding = [c.ref for c in regulation.candidates() if c.binding]
    # Article 1 states no duty; 4(3) binds Member States; Article 6 is about the law's own
    # entry into force; Article 2 holds definitions and is never a criterion.
    assert binding == ["Article 3(1)", "Article 3(2)", "Article 4(1)", "Article 4(2)", "Article 5"]
    assert "Article 2(1)" not in [c.ref for c in regulation.candidates()]
    assert regulation.definitions() == [
        ("marketing communication", "any message that promotes a product to consumers;"),
        ("consumer", "a natural person acting outside a trade;"),
        ("total cost", "all fees and interest a consumer pays."),
    ]


def test_sections_with_the_section_sign_and_us_style_lists() -> None:
    regulation = parse_regulation(passages(US, 2))
    assert [(p.ref, p.title) for p in regulation.provisions] == [
        ("§ 10", "Scope"),
        ("§ 11", "Definitions"),
        ("§ 12", "Required disclosures"),
        ("§ 13", "Prohibited practices"),
    ]
    deepest = regulation.find("§ 12(b)(3)(ii)(B)")
    assert deepest is not None and deepest.text == "outside the creditor's control."
    assert [c.ref for c in regulation.candidates() if c.binding] == [
        "§ 12(a)",
        "§ 12(b)",
        "§ 13(a)",
    ]
    assert regulation.definitions()[0][0] == "Advertisement"


def test_rules_with_lettered_and_numbered_levels() -> None:
    regulation = parse_regulation(passages(FINRA))
    (rule,) = regulation.provisions
    assert (rule.ref, rule.title) == ("Rule 2210", "Communications with the Public")
    claim = regulation.find("Rule 2210(d)(1)(B)")
    assert claim is not None and claim.text.startswith("No member may make any false")
    assert claim.binding  # "No member may …" is a prohibition


def test_letters_that_look_like_roman_numerals() -> None:
    letters = "\n".join(f"({chr(c)}) item {chr(c)};" for c in range(ord("a"), ord("k")))
    text = f"Article 1\nLetters\n1. The firm shall list:\n{letters}\n(i) the ninth again"
    regulation = parse_regulation(passages(text))
    paragraph = regulation.provisions[0].children[0]
    labels = [child.label for child in paragraph.children]
    assert labels[:10] == [f"({chr(c)})" for c in range(ord("a"), ord("k"))]  # (i) after (h)
    text = "Article 1\nNumerals\n1. The firm shall:\n(a) list:\n(i) one;\n(ii) two;\n(v) five."
    point = parse_regulation(passages(text)).find("Article 1(1)(a)")
    assert point is not None and [c.label for c in point.children] == ["(i)", "(ii)", "(v)"]


def test_cross_references_wrapped_onto_a_line_are_not_list_markers() -> None:
    text = (
        "Article 9\nConsent\n1. The controller shall keep the records referred to in point\n"
        "(a) of paragraph 2 for five years.\n2. The controller shall delete them after that."
    )
    regulation = parse_regulation(passages(text))
    assert [c.ref for c in regulation.provisions[0].walk()] == [
        "Article 9",
        "Article 9(1)",
        "Article 9(2)",
    ]
    assert "(a) of paragraph 2" in regulation.provisions[0].children[0].text


def test_sentences_that_start_like_headings_are_text() -> None:
    text = (
        "Article 3\nScope\n1. The firm shall comply.\nArticle 6 shall apply to every firm "
        "that advertises credit to consumers in the Union.\nSection 5 of the Act applies."
    )
    regulation = parse_regulation(passages(text))
    assert [p.ref for p in regulation.provisions] == ["Article 3"]
    assert "Article 6 shall apply" in regulation.provisions[0].children[0].text


def test_text_before_the_first_provision_is_the_preamble_and_passages_are_kept() -> None:
    regulation = parse_regulation(passages(EU, 1))
    assert regulation.preamble == "Model Regulation on Fair Marketing (MRFM)"
    article3 = regulation.provisions[2]
    assert article3.children[0].passages == ["P17"]  # line 17 of the text
    assert article3.all_passages == ["P15", "P17", "P18"]


def test_no_structure_gives_no_provisions() -> None:
    regulation = parse_regulation(passages("Just a letter.\nNothing numbered here."))
    assert regulation.provisions == ()


def test_select_numbers_by_range_list_and_decimal_section() -> None:
    provisions = parse_regulation(passages(EU)).provisions
    assert [p.ref for p in select_numbers(provisions, "3-5")] == [
        "Article 3",
        "Article 4",
        "Article 5",
    ]
    assert [p.ref for p in select_numbers(provisions, "1,5-6")] == [
        "Article 1",
        "Article 5",
        "Article 6",
    ]
    with pytest.raises(ValueError, match="no article, section or rule numbered 40-41"):
        select_numbers(provisions, "40-41")
    sections = parse_regulation(
        passages("§ 164.400 A\nx shall y.\n§ 164.404 B\nx shall y.\n§ 164.410 C\nx shall y.")
    ).provisions
    assert [p.ref for p in select_numbers(sections, "164.400-164.404")] == [
        "§ 164.400",
        "§ 164.404",
    ]
