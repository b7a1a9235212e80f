"""The page view on its own: the cited PDF page drawn with the quoted words highlighted where
they print (pixels checked, screenshot saved for the README), the passage boxed when the quote
cannot be found, and "Open original" handing the file to the system viewer."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QDesktopServices

from app.core.errors import InputError
from app.ui.page_view import PageView, open_in_system_viewer
from tests.helpers.annotate import turned_pdf
from tests.helpers.app_ui import screenshot
from tests.helpers.pdfmake import paged_pdf

PAGES = [
    ["Northwind Capital: a flyer for new investors.", "Read every page before you sign."],
    [
        "Earn a guaranteed return of nine percent every year,",
        "with zero risk to your capital. Fees are two percent",
        "a year, taken from the fund each quarter.",
    ],
]


@pytest.fixture
def flyer(tmp_path: Path) -> Path:
    return paged_pdf(tmp_path / "flyer.pdf", PAGES, footer="Page {n} of 2")


def test_the_quote_is_highlighted_where_it_prints(qtbot: object, flyer: Path) -> None:
    view = PageView()
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    view.resize(760, 720)
    picture = view.show_finding(
        flyer, 2, "guaranteed return of nine percent every year, with zero risk"
    )
    assert (picture.page, picture.pages, picture.placement) == (2, 2, "quote")
    assert len(picture.highlights) == 2  # the quote runs over two lines
    assert "page 2 of 2: the quoted words are highlighted" in view.caption.text()
    image = view.image.pixmap().toImage()
    left, top, _, _ = picture.highlights[0]
    # Paper under the highlight is tinted yellow; paper outside stays white.
    tinted = QColor(image.pixel(left + 2, top + 2))
    assert tinted.blue() < 200 and tinted.red() > 200
    assert QColor(image.pixel(5, 5)) == QColor(255, 255, 255)
    view.show()
    qtbot.waitExposed(view)  # type: ignore[attr-defined]
    screenshot(view, "20-page-view")


def test_an_unfound_quote_boxes_the_passage(qtbot: object, flyer: Path) -> None:
    view = PageView()
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    passage = "Northwind Capital: a flyer for new investors.\nRead every page before you sign."
    picture = view.show_finding(flyer, 1, "risk-free", verified=False, passage_text=passage)
    assert picture.placement == "passage" and len(picture.highlights) == 1
    assert "the passage is boxed" in view.caption.text()
    picture = view.show_finding(flyer, 1, "not on the page", passage_text="nor this")
    assert (picture.placement, picture.highlights) == ("none", ())
    with pytest.raises(InputError, match="has no page 3"):
        view.show_finding(flyer, 3, "x")


def test_open_original_uses_the_system_viewer(
    qtbot: object, flyer: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    view = PageView()
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    assert not view.open_button.isEnabled() and view.open_original() is False
    view.show_finding(flyer, 1, "every page")
    assert view.open_button.isEnabled()
    view.open_button.click()
    assert open_in_system_viewer(flyer)
    assert [url.toLocalFile() for url in opened] == [str(flyer.resolve())] * 2


def test_highlights_sit_on_the_ink_of_turned_and_shifted_pages(
    qtbot: object, tmp_path: Path
) -> None:
    from PIL import Image

    path = turned_pdf(tmp_path / "turned.pdf")
    view = PageView()
    qtbot.addWidget(view)  # type: ignore[attr-defined]
    for page, quote, tall in ((1, "guaranteed return", True), (2, "zero risk", False)):
        picture = view.show_finding(path, page, quote)
        ((left, top, right, bottom),) = picture.highlights
        assert (bottom - top > right - left) is tall  # a turned page's line runs downwards
        raw = Image.frombytes("RGB", (picture.width, picture.height), picture.rgb)
        darkest = min(raw.crop((left, top, right, bottom)).convert("L").getextrema())
        assert darkest < 100  # the box holds the printed words
        outside = raw.crop((0, 0, 20, 20)).convert("L").getextrema()
        assert outside == (255, 255)
