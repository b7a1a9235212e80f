from __future__ import annotations

import pytest

from app.ingest.quality import fix_visual_arabic, garbled_score, is_garbled, join_vertical_lines


@pytest.mark.parametrize(
    "text",
    [
        "The fund guarantees a return of 12% a year, with no risk to your capital at all.",
        "English: Hello World\nArabic: مرحبا بالعالم\nRussian: Привет, мир\nChinese: 你好世界",
        "第十三条第一項中第一号の五を第一号の六とし、カタカナも混ざる文章です。",
        "Prix: 12 €, réduction de 5 % — données personnelles traitées conformément au RGPD.",
        "© 2024 Example Ltd. All rights reserved. § 4 applies; 20° C; ½ price for members.",
    ],
)
def test_ordinary_text_is_not_garbled(text: str) -> None:
    assert not is_garbled(text), garbled_score(text)


@pytest.mark.parametrize(
    "text",
    [
        "Ä¿ ¡¡ ¡¡ Â¼ ¹Ø ÓÚ ºì ¾ü ×÷ Õ½ µÄ Ô Ôò £± ¡ ¡ ¡ £¨ Ò» ¾Å Èý Æß Äê °Ë ÔÂ Ò» ÈÕ £©",
        "Θͨ͘͠ͱ͍;ݱ\u09c5\u0378၊ఆ͞Εͨ༗ަػྲྀి౯ͷͻͱͭͷ੨͍র໌Ͱ͢ớ͋ΒΏΔಁ໌ͳ༓ྶͷෳ߹ମỜ෩ܠ",
        "ୈ\nೋ\n\u09da\nୈ\nҰ\n߲\nͷ\nද\nͷ\n੨\n৭\nͷ\n౮\nՐ\nͷ\n߲\nୈ\nࡾ\n߸\nதủ\nؚ\nΉỐỜỨ\n" * 3,
        "(cid:12)(cid:4)(cid:77) text (cid:9)(cid:10)(cid:11) more words here (cid:3)(cid:3)",
    ],
)
def test_noise_is_garbled(text: str) -> None:
    assert is_garbled(text), garbled_score(text)


def test_too_little_text_is_not_judged() -> None:
    assert garbled_score("Ä¿ ¡¡") == 0.0


def test_vertical_cjk_lines_are_joined_and_horizontal_text_is_untouched() -> None:
    assert join_vertical_lines("み\nん\nな\nの\n\n発\n見") == "みんなの\n\n発見"
    prose = "Line one of a paragraph.\nLine two of it.\nA"
    assert join_vertical_lines(prose) == prose


def test_visual_order_arabic_is_normalised_and_reordered() -> None:
    visual = "اﻟﻌﺮﺑﻴﺔ اﳋﻄﻮط اﻧﻮاع"  # presentation forms, words right to left
    fixed, changed = fix_visual_arabic(visual)
    assert changed and fixed == "انواع الخطوط العربية"
    assert fix_visual_arabic("مرحبا بالعالم") == ("مرحبا بالعالم", False)
