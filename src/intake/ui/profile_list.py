"""The profile list: a lazily loaded table that stays smooth with 100,000 profiles.

The model asks the store for 200 rows at a time (keyset pages: page 1,000 costs what page 1 does)
when the view scrolls near the end; search as you type goes through the full-text index after a
short pause. Only the summary columns are ever loaded — never answers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from babel.dates import format_datetime
from babel.numbers import format_decimal
from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from intake import i18n
from intake.i18n import N_, _
from intake.store.profiles import ProfileSummary
from intake.store.session import Session
from intake.ui.qt_i18n import Retranslatable
from intake.ui.worker import DbWorker

PAGE = 200
COLUMNS = (
    ("display_name", N_("Name")),
    ("customer_number", N_("Customer number")),
    ("birth_date", N_("Born")),
    ("status", N_("Status")),
    ("updated_at", N_("Last change")),
    ("updated_by", N_("By")),
)
STATUS_LABELS = {
    "draft": N_("Draft"),
    "complete": N_("Complete"),
    "needs_review": N_("Needs review"),
}
DATE_FILTERS = (
    ("", N_("Any time")),
    ("1", N_("Today")),
    ("7", N_("Last 7 days")),
    ("30", N_("Last 30 days")),
)


def _since(days: str) -> str | None:
    if not days:
        return None
    start = dt.datetime.now(dt.UTC) - dt.timedelta(days=int(days) - 1)
    start = start.replace(hour=0, minute=0, second=0, microsecond=0)
    return start.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class ProfileTableModel(QAbstractTableModel):
    def __init__(self, session: Session, worker: DbWorker, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.worker = worker
        self.rows: list[ProfileSummary] = []
        self.total = 0
        self._more = False
        self.filters: dict[str, Any] = {}
        self.oldest_first = False

    # -- loading -----------------------------------------------------------------------------

    def reload(self, **filters: Any) -> None:
        self.filters = {k: v for k, v in filters.items() if v}
        profiles, query = self.session.profiles, dict(self.filters)
        first, total = self.worker.call(
            lambda: (
                profiles.list(limit=PAGE, oldest_first=self.oldest_first, **query),
                profiles.count(**query),
            )
        )
        self.beginResetModel()
        self.rows = first
        self.total = total
        self._more = len(first) == PAGE
        self.endResetModel()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._more

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or not self._more or not self.rows:
            return
        profiles, query = self.session.profiles, dict(self.filters)
        if query.get("search"):  # ranked results page by offset
            page = self.worker.call(
                lambda: profiles.list(limit=PAGE, offset=len(self.rows), **query)
            )
        else:
            last = self.rows[-1]
            page = self.worker.call(
                lambda: profiles.list(
                    limit=PAGE, after=last, oldest_first=self.oldest_first, **query
                )
            )
        if not page:
            self._more = False
            return
        self.beginInsertRows(QModelIndex(), len(self.rows), len(self.rows) + len(page) - 1)
        self.rows.extend(page)
        self.endInsertRows()
        self._more = len(page) == PAGE

    def apply_change(self, profile_id: str) -> None:
        """A profile changed (an interview was saved): update its row instead of reloading."""
        row = next((i for i, r in enumerate(self.rows) if r.id == profile_id), None)
        profiles = self.session.profiles
        try:
            summary = self.worker.call(lambda: profiles.get(profile_id, record_view=False).summary)
        except Exception:
            summary = None
        if row is None:
            return
        if summary is None:
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.rows[row]
            self.endRemoveRows()
        else:
            self.rows[row] = summary
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(COLUMNS[section][1])
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        summary = self.rows[index.row()]
        field = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = getattr(summary, field)
            if field == "status":
                return _(STATUS_LABELS.get(value or "", value or ""))
            if field == "updated_at" and value:
                moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone()
                return format_datetime(moment, "short", locale=i18n.current_language())
            if field == "birth_date" and value:
                parts = value.split("-")
                return ".".join(reversed(parts))
            if field == "display_name" and not value:
                return _("(no name yet)")
            return value or ""
        if role == Qt.ItemDataRole.UserRole:
            return summary.id
        return None

    def profile_id(self, row: int) -> str | None:
        return self.rows[row].id if 0 <= row < len(self.rows) else None

    def clear(self) -> None:
        self.beginResetModel()
        self.rows, self.total, self._more = [], 0, False
        self.endResetModel()


class ProfileListPage(Retranslatable, QWidget):
    open_profile = Signal(str)
    new_interview = Signal()
    print_requested = Signal(str)  # profile id (Ctrl+P or the row's context menu)

    def __init__(self, session: Session, worker: DbWorker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = ProfileTableModel(session, worker, self)
        self.title = QLabel(self)
        self.title.setObjectName("pageTitle")
        self.search = QLineEdit(self)
        self.search.setObjectName("profileSearch")
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        self.date = QComboBox(self)
        self.mine = QCheckBox(self)
        self.new_button = QPushButton(self)
        self.new_button.setObjectName("newInterview")
        self.count = QLabel(self)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.status)
        filters.addWidget(self.date)
        filters.addWidget(self.mine)
        filters.addStretch(1)
        filters.addWidget(self.new_button)
        self.table = QTableView(self)
        self.table.setObjectName("profileTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setSectionsClickable(True)
        self.table.horizontalHeader().sectionClicked.connect(self._header_clicked)
        self.table.setTabKeyNavigation(False)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(150)
        self._debounce.timeout.connect(self.reload)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._enter_from_search)
        self.status.activated.connect(lambda _i: self.reload())
        self.date.activated.connect(lambda _i: self.reload())
        self.mine.toggled.connect(lambda _b: self.reload())
        self.table.activated.connect(lambda index: self._open(index.row()))
        self.new_button.clicked.connect(self.new_interview)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.search.setFocus)
        QShortcut(QKeySequence("Ctrl+N"), self, activated=self.new_interview.emit)
        self.print_action = QAction(self)
        self.print_action.setShortcut(QKeySequence("Ctrl+P"))
        self.print_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.print_action.triggered.connect(self._print_current)
        self.addAction(self.print_action)
        self.table.addAction(self.print_action)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.title.setText(_("Profiles"))
        self.search.setPlaceholderText(_("Search by name or customer number (Ctrl+F)"))
        self.mine.setText(_("Only mine"))
        self.new_button.setText(_("New interview"))
        self.new_button.setToolTip("Ctrl+N")
        self.print_action.setText(_("Print…"))
        current_status = self.status.currentData()
        self.status.clear()
        self.status.addItem(_("All states"), "")
        for key, label in STATUS_LABELS.items():
            self.status.addItem(_(label), key)
        self.status.setCurrentIndex(max(self.status.findData(current_status), 0))
        current_date = self.date.currentData()
        self.date.clear()
        for key, label in DATE_FILTERS:
            self.date.addItem(_(label), key)
        self.date.setCurrentIndex(max(self.date.findData(current_date), 0))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(COLUMNS) - 1)
        self._show_count()

    def reload(self) -> None:
        self.model.reload(
            search=self.search.text().strip() or None,
            status=self.status.currentData() or None,
            created_by=self.session.user if self.mine.isChecked() else None,
            updated_since=_since(self.date.currentData() or ""),
        )
        self._show_count()
        if self.model.rowCount() and not self.table.currentIndex().isValid():
            self.table.selectRow(0)

    def _show_count(self) -> None:
        total = self.model.total
        self.count.setText(
            i18n.ngettext("{count} profile", "{count} profiles", total).format(
                count=format_decimal(total, locale=i18n.current_language())
            )
        )

    def _header_clicked(self, column: int) -> None:
        if COLUMNS[column][0] == "updated_at":
            self.model.oldest_first = not self.model.oldest_first
            self.reload()

    def _enter_from_search(self) -> None:
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def _print_current(self) -> None:
        profile_id = self.model.profile_id(self.table.currentIndex().row())
        if profile_id:
            self.print_requested.emit(profile_id)

    def _open(self, row: int) -> None:
        profile_id = self.model.profile_id(row)
        if profile_id:
            self.open_profile.emit(profile_id)
