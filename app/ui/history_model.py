"""The history of checks as Qt models, for the Checks page: ``HistoryModel`` (a table, one row
per ``HistoryRow``), ``HistoryFilter`` (a sort/filter proxy: verdict, review state, case,
search in document names) and ``CaseGroups`` (the filtered rows under one node per case)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractProxyModel,
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from app.core.results import VERDICT_ORDER
from app.core.review import SIGNOFF_WORDS
from app.store.review_records import HistoryRow
from app.ui.widgets import verdict_colour, verdict_word

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()  # the invisible root, as a default argument (never modified)
COLUMNS = (
    "Run", "Document", "Case", "Policies", "Date", "Model", "Model verdict",
    "Reviewed verdict", "Reviewed", "Sign-off", "Signed by",
)  # fmt: skip
(RUN, DOCUMENT, CASE, POLICIES, DATE, MODEL, VERDICT, REVIEWED_VERDICT, REVIEWED, SIGNOFF,
 SIGNED_BY) = range(len(COLUMNS))  # fmt: skip
RUN_ID_ROLE = Qt.ItemDataRole.UserRole
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
# Review states the page filters on; ``review_state`` says which one a row is in.
REVIEW_STATES = {
    "any": "Any review state",
    "to review": "Findings to decide",
    "reviewed": "Decided, not signed off",
    "signed off": "Signed off",
    "stale": "Sign-off stale",
    "incomplete": "Did not complete",
}
STALE_COLOUR = "#b3261e"


def review_state(row: HistoryRow) -> str:
    if row.status != "complete":
        return "incomplete"
    if row.signoff is not None:
        return "stale" if row.signoff.stale else "signed off"
    return "to review" if row.reviewed < row.total else "reviewed"


def local_time(stamp: str) -> str:
    """A stored UTC time as this machine's local time, to the minute."""
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp[:16].replace("T", " ")


def _text(row: HistoryRow, column: int) -> str:
    signoff = row.signoff
    values = {
        RUN: str(row.run_id),
        DOCUMENT: row.document.name,
        CASE: row.case,
        POLICIES: ", ".join(row.policies),
        DATE: local_time(row.created_at),
        MODEL: row.model,
        VERDICT: verdict_word(row.verdict) if row.status == "complete" else row.status,
        REVIEWED_VERDICT: verdict_word(row.reviewed_verdict),
        REVIEWED: f"{row.reviewed} of {row.total} reviewed" if row.total else "no findings",
        SIGNOFF: (
            f"{SIGNOFF_WORDS.get(signoff.outcome, signoff.outcome)} {signoff.signed_at[:10]}"
            + (" (stale)" if signoff.stale else "")
            if signoff
            else "Not signed off"
        ),
        SIGNED_BY: signoff.reviewer if signoff else "",
    }
    return values[column]


def _sort_key(row: HistoryRow, column: int) -> Any:
    rank: dict[str, int] = {verdict: number for number, verdict in enumerate(VERDICT_ORDER)}
    if column == RUN:
        return row.run_id
    if column == DATE:
        # runs started in the same second keep their order (Qt compares strings, not tuples)
        return f"{row.created_at} {row.run_id:012d}"
    if column == VERDICT:
        return rank.get(row.verdict or "", len(rank))
    if column == REVIEWED_VERDICT:
        return rank.get(row.reviewed_verdict or "", len(rank))
    if column == REVIEWED:
        return row.reviewed / row.total if row.total else 2.0
    return _text(row, column).lower()


class HistoryModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[HistoryRow] = []

    def set_rows(self, rows: list[HistoryRow]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, column = self.rows[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return _text(row, column)
        if role == RUN_ID_ROLE:
            return row.run_id
        if role == SORT_ROLE:
            return _sort_key(row, column)
        if role == Qt.ItemDataRole.ForegroundRole:
            if column in (VERDICT, REVIEWED_VERDICT):
                verdict = row.verdict if column == VERDICT else row.reviewed_verdict
                return QColor(verdict_colour(verdict))
            if column == SIGNOFF and row.signoff and row.signoff.stale:
                return QColor(STALE_COLOUR)
        if role == Qt.ItemDataRole.FontRole and column in (VERDICT, REVIEWED_VERDICT):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return _tooltip(row, column)
        return None


def _tooltip(row: HistoryRow, column: int) -> str:
    if column == DOCUMENT:
        return str(row.document)
    if column == SIGNOFF and row.signoff:
        stale = " A decision was made after it: sign off again." if row.signoff.stale else ""
        return f"{row.signoff.note or '(no note)'}{stale}"
    if column == REVIEWED and row.carried:
        return f"{row.carried} decision(s) carried over from an earlier draft"
    if column in (VERDICT, REVIEWED_VERDICT) and row.unread:
        return f"{row.unread} part(s) of the document were not read"
    return ""


class HistoryFilter(QSortFilterProxyModel):
    """Rows whose reviewed verdict, review state and case match, and whose document name holds
    the search words (case ignored). Sorts on each column's own key, newest run first."""

    def __init__(self) -> None:
        super().__init__()
        self.verdict = "any"
        self.state = "any"
        self.case = ""  # "" = every case
        self.search = ""
        self.setSortRole(SORT_ROLE)

    def set_filter(
        self, *, verdict: str = "any", state: str = "any", case: str = "", search: str = ""
    ) -> None:
        changing = hasattr(self, "beginFilterChange")  # Qt 6.9+; invalidateRowsFilter before
        if changing:
            self.beginFilterChange()
        self.verdict, self.state, self.case = verdict, state, case
        self.search = search.strip().casefold()
        if changing:
            self.endFilterChange()
        else:
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:
        model = self.sourceModel()
        assert isinstance(model, HistoryModel)
        row = model.rows[source_row]
        if self.verdict != "any" and row.reviewed_verdict != self.verdict:
            return False
        if self.state != "any" and review_state(row) != self.state:
            return False
        if self.case and row.case != self.case:
            return False
        return not self.search or self.search in row.document.name.casefold()


class CaseGroups(QAbstractProxyModel):
    """The source's rows (in its order) as children of one node per case, cases A to Z. Any
    change in the source rebuilds the groups (a check list is hundreds of rows, not millions).
    Internal ids: 0 for a case node, case number + 1 for a run under it."""

    def __init__(self) -> None:
        super().__init__()
        self.cases: list[str] = []
        self.members: dict[str, list[int]] = {}  # case -> source rows
        self.where: dict[int, tuple[int, int]] = {}  # source row -> (case number, child row)

    def setSourceModel(self, model: QAbstractItemModel) -> None:
        super().setSourceModel(model)
        for signal in (
            model.modelReset, model.layoutChanged, model.rowsInserted, model.rowsRemoved,
        ):  # fmt: skip
            signal.connect(self.rebuild)
        model.dataChanged.connect(self.rebuild)
        self.rebuild()

    def rebuild(self, *_args: object) -> None:
        self.beginResetModel()
        source = self.sourceModel()
        self.members = {}
        for row in range(source.rowCount()):
            case = str(source.index(row, CASE).data())
            self.members.setdefault(case, []).append(row)
        self.cases = sorted(self.members, key=str.casefold)
        self.where = {
            source_row: (number, child)
            for number, case in enumerate(self.cases)
            for child, source_row in enumerate(self.members[case])
        }
        self.endResetModel()

    def index(self, row: int, column: int, parent: Index = ROOT) -> QModelIndex:
        if not parent.isValid():
            if 0 <= row < len(self.cases) and 0 <= column < len(COLUMNS):
                return self.createIndex(row, column, 0)
            return QModelIndex()
        if parent.internalId() != 0:
            return QModelIndex()
        if 0 <= row < len(self.members[self.cases[parent.row()]]) and 0 <= column < len(COLUMNS):
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, child: Index = ROOT) -> QModelIndex:  # type: ignore[override]
        if not child.isValid() or child.internalId() == 0:
            return QModelIndex()
        return self.createIndex(child.internalId() - 1, 0, 0)

    def rowCount(self, parent: Index = ROOT) -> int:
        if not parent.isValid():
            return len(self.cases)
        if parent.internalId() == 0 and parent.column() == 0:
            return len(self.members[self.cases[parent.row()]])
        return 0

    def columnCount(self, parent: Index = ROOT) -> int:
        return len(COLUMNS)

    def hasChildren(self, parent: Index = ROOT) -> bool:
        return self.rowCount(parent) > 0

    def mapToSource(self, proxy: Index) -> QModelIndex:
        if not proxy.isValid() or proxy.internalId() == 0:
            return QModelIndex()
        case = self.cases[proxy.internalId() - 1]
        return self.sourceModel().index(self.members[case][proxy.row()], proxy.column())

    def mapFromSource(self, source: Index) -> QModelIndex:
        if not source.isValid() or source.row() not in self.where:
            return QModelIndex()
        number, child = self.where[source.row()]
        return self.createIndex(child, source.column(), number + 1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if index.isValid() and index.internalId() == 0:  # a case node
            if role == Qt.ItemDataRole.DisplayRole and index.column() == 0:
                case = self.cases[index.row()]
                count = len(self.members[case])
                return f"{case} ({count} check{'s' if count != 1 else ''})"
            if role == Qt.ItemDataRole.FontRole:
                font = QFont()
                font.setBold(True)
                return font
            return None
        return super().data(index, role)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if index.isValid() and index.internalId() == 0:
            return Qt.ItemFlag.ItemIsEnabled
        return super().flags(index)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        return self.sourceModel().headerData(section, orientation, role)
