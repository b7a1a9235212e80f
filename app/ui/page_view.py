"""The cited PDF page as it prints, with the finding's quoted words highlighted, so a reviewer sees
the real layout (a footnote, a table, small print) and not only the extracted text; and opening
the original file in the system's viewer.

The page is drawn by PDFium and the quote found with the same character boxes the annotated PDF
uses (``app.services.page_images``); this module only paints. For the result view:
``PageView.show_finding(path, page, quote, verified)`` and ``open_in_system_viewer(path)``."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QColor, QDesktopServices, QImage, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from app.services.page_images import PagePicture, page_picture

HIGHLIGHT = QColor(255, 200, 0, 110)  # translucent: the words stay readable under it
HIGHLIGHT_EDGE = QColor(230, 140, 0)
PASSAGE_EDGE = QColor(210, 30, 30)
_CAPTIONS = {
    "quote": "the quoted words are highlighted",
    "passage": "the quoted words were not found on this page (or are unverified); "
    "the passage is boxed",
    "none": "neither the quote nor its passage is in this page's text layer "
    "(a scanned page?): look for them on the page",
}


def open_in_system_viewer(path: Path) -> bool:
    """Open ``path`` with the program the desktop uses for it; False when none could."""
    return bool(QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).resolve()))))


class PageView(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.path: Path | None = None
        self.picture: PagePicture | None = None
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.caption = QLabel("No page shown")
        self.caption.setObjectName("pageCaption")
        self.caption.setWordWrap(True)
        top.addWidget(self.caption, 1)
        self.open_button = QPushButton("Open original")
        self.open_button.setObjectName("openOriginal")
        self.open_button.setEnabled(False)
        self.open_button.clicked.connect(self.open_original)
        top.addWidget(self.open_button)
        layout.addLayout(top)
        self.image = QLabel()
        self.image.setObjectName("pageImage")
        self.image.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area = QScrollArea()
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(True)
        layout.addWidget(self.scroll_area, 1)

    def show_finding(
        self,
        path: Path,
        page: int,
        quote: str,
        verified: bool = True,
        passage_text: str = "",
        password: str | None = None,
        scale: float = 1.5,
    ) -> PagePicture:
        """Draw page ``page`` (from 1) of the PDF at ``path`` with ``quote`` highlighted (or the
        passage boxed when the quote is unverified or not found). Raises the SafeguardError of
        a file that cannot be opened (the caller shows it as any other error)."""
        picture = page_picture(Path(path), page, quote, verified, passage_text, scale, password)
        self.path, self.picture = Path(path), picture
        image = QImage(
            picture.rgb, picture.width, picture.height, picture.stride, QImage.Format.Format_RGB888
        ).copy()  # own the pixels: the bytes object may go away
        painter = QPainter(image)
        try:
            for left, top, right, bottom in picture.highlights:
                if picture.placement == "quote":
                    painter.fillRect(left, top, right - left, bottom - top, HIGHLIGHT)
                    painter.setPen(QPen(HIGHLIGHT_EDGE, 1))
                else:
                    painter.setPen(QPen(PASSAGE_EDGE, 2))
                painter.drawRect(left, top, right - left, bottom - top)
        finally:
            painter.end()
        self.image.setPixmap(QPixmap.fromImage(image))
        self.caption.setText(
            f"{Path(path).name} — page {picture.page} of {picture.pages}: "
            f"{_CAPTIONS[picture.placement]}"
        )
        self.open_button.setEnabled(True)
        if picture.highlights:
            left, top, right, bottom = picture.highlights[0]
            self.scroll_area.ensureVisible((left + right) // 2, (top + bottom) // 2, 50, 120)
        return picture

    def open_original(self) -> bool:
        return open_in_system_viewer(self.path) if self.path is not None else False
