"""One input widget per question type, in a registry the question cards look up.

Every input has the same small interface: ``value_changed(object)`` fires with the stored form of
the answer (see ``intake.formengine.answers``), ``set_value`` shows a stored answer without firing,
``set_choices`` gives choice widgets the (filtered) choices with labels in both languages, and
``focus_target`` is where keyboard focus goes. Everything is reachable with Tab, arrows, Space and
Enter; text-like inputs report on every edit and the controller decides when to save.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRegularExpression, QSignalBlocker, QStringListModel, Qt, Signal
from PySide6.QtGui import QIntValidator, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from intake.i18n import _


@dataclass(frozen=True)
class ChoiceView:
    """A choice as shown: its stored name, labels in the UI and client languages, hints."""

    name: str
    label: str
    client_label: str
    hint: str = ""
    client_hint: str = ""


class AnswerInput(QWidget):
    value_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.client_rtl = False

    def set_value(self, value: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def set_choices(self, choices: Sequence[ChoiceView]) -> None:
        """Choice inputs override this; others have none."""

    def focus_target(self) -> QWidget:
        return self

    def focus_chain(self) -> list[QWidget]:
        """The input's focusable widgets in the order Tab should visit them."""
        return [self.focus_target()]

    def set_client_direction(self, rtl: bool) -> None:
        self.client_rtl = rtl

    def retranslate_ui(self) -> None:
        """Inputs with own texts (placeholders, buttons) override this."""


def _client_label(text: str, rtl: bool, object_name: str = "clientText") -> QLabel:
    label = QLabel(text)
    label.setObjectName(object_name)
    label.setWordWrap(True)
    label.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
    )
    label.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)
    # Fill the grid cell, so the alignment (not the grid) decides on which side the text sits.
    label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    return label


# --- text and numbers ----------------------------------------------------------------------------


class TextInput(AnswerInput):
    def __init__(self, parent: QWidget | None = None, max_length: int | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        if max_length:
            self.edit.setMaxLength(max_length)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textEdited.connect(self._edited)
        self.setFocusProxy(self.edit)

    def _edited(self, text: str) -> None:
        self.value_changed.emit(self.parse(text))

    def parse(self, text: str) -> Any:
        return text.strip() or None

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setText(self.format(value))

    def format(self, value: Any) -> str:
        return "" if value is None else str(value)

    def focus_target(self) -> QWidget:
        return self.edit


class LongTextInput(AnswerInput):
    def __init__(self, parent: QWidget | None = None, max_length: int | None = None) -> None:
        super().__init__(parent)
        self.edit = QPlainTextEdit(self)
        self.edit.setTabChangesFocus(True)  # Tab moves on, as everywhere else in the form
        self.edit.setFixedHeight(80)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        self.edit.textChanged.connect(self._edited)
        self.setFocusProxy(self.edit)

    def _edited(self) -> None:
        self.value_changed.emit(self.edit.toPlainText().strip() or None)

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit):
            self.edit.setPlainText("" if value is None else str(value))

    def focus_target(self) -> QWidget:
        return self.edit


class IntegerInput(TextInput):
    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self.edit.setValidator(QIntValidator(-10_000_000, 10_000_000, self))
        self.edit.setMaximumWidth(140)

    def parse(self, text: str) -> Any:
        text = text.strip()
        try:
            return int(text) if text else None
        except ValueError:
            return text  # the engine reports it as not a whole number


class DecimalInput(TextInput):
    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        # Accept "2,5" and "2.5" alike (a QDoubleValidator would insist on the UI locale's mark).
        self.edit.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"-?\d{0,9}([.,]\d{0,4})?"), self)
        )
        self.edit.setMaximumWidth(140)

    def parse(self, text: str) -> Any:
        text = text.strip().replace(",", ".")
        try:
            return float(text) if text else None
        except ValueError:
            return text

    def format(self, value: Any) -> str:
        if value is None:
            return ""
        return str(value).replace(".", ",") if isinstance(value, float) else str(value)


# --- dates -----------------------------------------------------------------------------------

_DATE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s*$")
_MONTH = re.compile(r"^\s*(\d{1,2})[./](\d{4})\s*$")
_YEAR = re.compile(r"^\s*(\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{2})(?:-(\d{2}))?\s*$")


def parse_date_text(text: str, *, partial: bool) -> str | None:
    """German-style input (``17.05.1990``, ``05.1990``, ``1990``) or ISO → ISO text, else the
    input unchanged (the engine then says what is wrong)."""
    if not text.strip():
        return None
    if match := _DATE.match(text):
        day, month, year = (int(g) for g in match.groups())
        try:
            return dt.date(year, month, day).isoformat()
        except ValueError:
            return text.strip()
    if match := _ISO.match(text):
        return text.strip()
    if partial and (match := _MONTH.match(text)):
        month, year = int(match.group(1)), int(match.group(2))
        return f"{year:04d}-{month:02d}" if 1 <= month <= 12 else text.strip()
    if partial and (match := _YEAR.match(text)):
        return match.group(1)
    return text.strip()


def format_date_text(iso: str | None) -> str:
    if not iso:
        return ""
    parts = iso.split("-")
    if len(parts) == 3:
        return f"{parts[2]}.{parts[1]}.{parts[0]}"
    if len(parts) == 2:
        return f"{parts[1]}.{parts[0]}"
    return iso


class DateInput(TextInput):
    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self.edit.setMaximumWidth(160)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("DD.MM.YYYY"))

    def parse(self, text: str) -> Any:
        return parse_date_text(text, partial=False)

    def format(self, value: Any) -> str:
        return format_date_text(value) if isinstance(value, str) else ""


class PartialDateInput(AnswerInput):
    """Year, month and year, or a full date — with an "uncertain" tick (SPEC §2)."""

    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self.edit = QLineEdit(self)
        self.edit.setMaximumWidth(160)
        self.uncertain = QCheckBox(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit)
        layout.addWidget(self.uncertain)
        layout.addStretch(1)
        self.edit.textEdited.connect(self._changed)
        self.uncertain.toggled.connect(self._changed)
        self.setFocusProxy(self.edit)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("YYYY, MM.YYYY or DD.MM.YYYY"))
        self.uncertain.setText(_("uncertain"))

    def _changed(self, *_: Any) -> None:
        value = parse_date_text(self.edit.text(), partial=True)
        if value is None:
            self.value_changed.emit(None)
        else:
            self.value_changed.emit({"value": value, "uncertain": self.uncertain.isChecked()})

    def set_value(self, value: Any) -> None:
        with QSignalBlocker(self.edit), QSignalBlocker(self.uncertain):
            if isinstance(value, dict):
                self.edit.setText(format_date_text(str(value.get("value") or "")))
                self.uncertain.setChecked(bool(value.get("uncertain")))
            else:
                self.edit.clear()
                self.uncertain.setChecked(False)

    def focus_target(self) -> QWidget:
        return self.edit

    def focus_chain(self) -> list[QWidget]:
        return [self.edit, self.uncertain]


# --- choices ---------------------------------------------------------------------------------


class RadioInput(AnswerInput):
    """A few choices as radio buttons, each with its label in the client's language beside it.
    Arrow keys move between them, as in every radio group."""

    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(16)
        self.buttons: dict[str, QRadioButton] = {}
        self._names: dict[QAbstractButton, str] = {}
        self._rows: dict[str, tuple[QRadioButton, QLabel, QLabel | None, QLabel | None]] = {}
        self._value: Any = None
        self.group.buttonClicked.connect(self._clicked)

    def set_choices(self, choices: Sequence[ChoiceView]) -> None:
        """Show ``choices``. Buttons are made once per choice and then only relabelled or
        hidden (a choice filter), so the Tab order stays the order of the form."""
        names = [choice.name for choice in choices]
        if any(name not in self.buttons for name in names):
            self._build(choices)
        for choice in choices:
            button, client, hint, client_hint = self._rows[choice.name]
            button.setText(choice.label)
            button.setToolTip(choice.hint)
            client.setText(choice.client_label)
            for label, text in ((hint, choice.hint), (client_hint, choice.client_hint)):
                if label is not None:
                    label.setText(text)
        offered = set(names)
        for name, row in self._rows.items():
            for widget in row:
                if widget is not None:
                    widget.setVisible(name in offered)
        self.set_value(self._value)

    def _build(self, choices: Sequence[ChoiceView]) -> None:
        """Two columns like the card: the choice in the UI language (the button) and in the
        client's language; a descriptor (CEFR can-do statements) goes on a row below both."""
        for choice in choices:
            if choice.name in self._rows:
                continue
            row = self.grid.rowCount()
            button = QRadioButton(self)
            self.group.addButton(button)
            self.buttons[choice.name] = button
            self._names[button] = choice.name
            self.grid.addWidget(button, row, 0)
            client = _client_label("", self.client_rtl)
            client.setBuddy(button)
            self.grid.addWidget(client, row, 1)
            hint = client_hint = None
            if choice.hint or choice.client_hint:
                hint = QLabel(self)
                hint.setObjectName("choiceHint")
                hint.setWordWrap(True)
                hint.setIndent(24)
                client_hint = _client_label("", self.client_rtl, "clientHint")
                self.grid.addWidget(hint, row + 1, 0)
                self.grid.addWidget(client_hint, row + 1, 1)
            self._rows[choice.name] = (button, client, hint, client_hint)
        self.grid.setColumnStretch(0, 1)
        self.grid.setColumnStretch(1, 1)

    def set_client_direction(self, rtl: bool) -> None:
        super().set_client_direction(rtl)
        direction = Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        align = Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter
        for _button, client, _hint, client_hint in self._rows.values():
            for label in (client, client_hint):
                if label is not None:
                    label.setLayoutDirection(direction)
                    label.setAlignment(align)

    def _clicked(self, button: QAbstractButton) -> None:
        self._value = self._names.get(button)
        self.value_changed.emit(self._value)

    def set_value(self, value: Any) -> None:
        self._value = value
        with QSignalBlocker(self.group):
            self.group.setExclusive(False)
            for name, button in self.buttons.items():
                button.setChecked(name == value)
            self.group.setExclusive(True)

    def focus_target(self) -> QWidget:
        checked = self.group.checkedButton()
        if checked is not None:
            return checked
        return next((b for b in self.buttons.values() if not b.isHidden()), self)

    def focus_chain(self) -> list[QWidget]:
        return list(self.buttons.values())


class YesNoInput(RadioInput):
    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self._client_yes_no = ("", "")
        self.retranslate_ui()  # the two buttons exist from the start: Tab order = form order

    def set_yes_no(self, client_yes: str, client_no: str) -> None:
        self._client_yes_no = (client_yes, client_no)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        yes, no = self._client_yes_no
        self.set_choices([ChoiceView("yes", _("Yes"), yes), ChoiceView("no", _("No"), no)])

    def _clicked(self, button: QAbstractButton) -> None:
        self._value = self._names.get(button) == "yes"
        self.value_changed.emit(self._value)

    def set_value(self, value: Any) -> None:
        super().set_value(None if value is None else ("yes" if value else "no"))
        self._value = value


class ComboInput(AnswerInput):
    """A longer list as a drop-down; typing a label's first letters selects it."""

    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self.combo = QComboBox(self)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.client = _client_label("", False)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.combo)
        layout.addWidget(self.client, 1)
        self._value: Any = None
        self._views: dict[str, ChoiceView] = {}
        self.combo.activated.connect(self._activated)
        self.setFocusProxy(self.combo)

    def set_client_direction(self, rtl: bool) -> None:
        super().set_client_direction(rtl)
        self.client.setLayoutDirection(
            Qt.LayoutDirection.RightToLeft if rtl else Qt.LayoutDirection.LeftToRight
        )
        self.client.setAlignment(Qt.AlignmentFlag.AlignLeading | Qt.AlignmentFlag.AlignVCenter)

    def set_choices(self, choices: Sequence[ChoiceView]) -> None:
        self._views = {c.name: c for c in choices}
        with QSignalBlocker(self.combo):
            self.combo.clear()
            self.combo.addItem("—", None)
            for choice in choices:
                self.combo.addItem(choice.label, choice.name)
                if choice.hint:
                    self.combo.setItemData(
                        self.combo.count() - 1, choice.hint, Qt.ItemDataRole.ToolTipRole
                    )
        self.set_value(self._value)

    def _activated(self, index: int) -> None:
        self._value = self.combo.itemData(index)
        self._show_client()
        self.value_changed.emit(self._value)

    def _show_client(self) -> None:
        view = self._views.get(self._value) if self._value is not None else None
        self.client.setText(view.client_label if view else "")

    def set_value(self, value: Any) -> None:
        self._value = value
        with QSignalBlocker(self.combo):
            index = self.combo.findData(value) if value is not None else 0
            self.combo.setCurrentIndex(max(index, 0))
        self._show_client()

    def focus_target(self) -> QWidget:
        return self.combo


class CheckListInput(AnswerInput):
    """Several answers: a checkable list (Space ticks, arrows move), the client's label beside."""

    def __init__(self, parent: QWidget | None = None, **_: Any) -> None:
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.list)
        self._value: list[str] = []
        self.list.itemChanged.connect(self._changed)
        self.setFocusProxy(self.list)

    def set_choices(self, choices: Sequence[ChoiceView]) -> None:
        with QSignalBlocker(self.list):
            self.list.clear()
            for choice in choices:
                text = choice.label
                if choice.client_label and choice.client_label != choice.label:
                    mark = "\u2067" if self.client_rtl else "\u2066"  # isolate the client text
                    text = f"{choice.label}  —  {mark}{choice.client_label}\u2069"
                item = QListWidgetItem(text, self.list)
                item.setData(Qt.ItemDataRole.UserRole, choice.name)
                item.setToolTip(choice.hint)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                item.setCheckState(Qt.CheckState.Unchecked)
        rows = min(max(len(choices), 2), 8)
        self.list.setFixedHeight(rows * (self.list.sizeHintForRow(0) or 22) + 6)
        self.set_value(self._value)

    def _changed(self, _item: QListWidgetItem) -> None:
        self._value = [
            self.list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        ]
        self.value_changed.emit(self._value or None)

    def set_value(self, value: Any) -> None:
        self._value = list(value) if isinstance(value, list) else []
        with QSignalBlocker(self.list):
            for i in range(self.list.count()):
                item = self.list.item(i)
                checked = item.data(Qt.ItemDataRole.UserRole) in self._value
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if self.list.count() and self.list.currentRow() < 0:
            self.list.setCurrentRow(0)

    def focus_target(self) -> QWidget:
        return self.list


class CefrInput(RadioInput):
    """CEFR self-assessment: one row per level with its can-do descriptor in both languages."""


class SearchInput(AnswerInput):
    """Countries, languages and occupations: type part of a name (in the UI language, or a
    code), pick from the suggestions with the arrow keys and Enter. ``multiple`` keeps a list."""

    def __init__(self, parent: QWidget | None = None, multiple: bool = False, **_: Any) -> None:
        super().__init__(parent)
        self.multiple = multiple
        self.edit = QLineEdit(self)
        self.model = QStringListModel(self)
        self.completer = QCompleter(self.model, self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setMaxVisibleItems(12)
        self.edit.setCompleter(self.completer)
        self.chosen = QLabel(self)
        self.chosen.setObjectName("chosenValues")
        self.chosen.setWordWrap(True)
        self.clear_button = QPushButton(self)
        self.clear_button.setAutoDefault(False)
        row = QHBoxLayout()
        row.addWidget(self.edit, 1)
        row.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.chosen)
        self._views: dict[str, ChoiceView] = {}
        self._by_text: dict[str, str] = {}
        self._value: Any = [] if multiple else None
        self.completer.activated.connect(self._picked)
        self.edit.returnPressed.connect(self._return)
        self.clear_button.clicked.connect(self._clear)
        self.setFocusProxy(self.edit)
        self.retranslate_ui()

    def retranslate_ui(self) -> None:
        self.edit.setPlaceholderText(_("Type to search…"))
        self.clear_button.setText(_("Clear"))
        self._show()

    @staticmethod
    def _entry(view: ChoiceView) -> str:
        return view.label if view.label == view.name else f"{view.label} ({view.name})"

    def set_choices(self, choices: Sequence[ChoiceView]) -> None:
        self._views = {c.name: c for c in choices}
        self._by_text = {self._entry(c): c.name for c in choices}
        self.model.setStringList(list(self._by_text))
        self._show()

    def _picked(self, text: str) -> None:
        name = self._by_text.get(text)
        if name is None:
            return
        if self.multiple:
            if name not in self._value:
                self._value = [*self._value, name]
            self.edit.clear()
        else:
            self._value = name
        self._show()
        self.value_changed.emit(list(self._value) if self.multiple else self._value)

    def _return(self) -> None:
        text = self.edit.text().strip()
        if text in self._by_text:
            self._picked(text)
            return
        matches = [t for t in self._by_text if text.casefold() in t.casefold()] if text else []
        if len(matches) == 1:
            self._picked(matches[0])

    def _clear(self) -> None:
        self._value = [] if self.multiple else None
        self.edit.clear()
        self._show()
        self.value_changed.emit(None)

    def _show(self) -> None:
        names = self._value if self.multiple else ([self._value] if self._value else [])
        parts = []
        for name in names:
            view = self._views.get(name)
            if view is None:
                parts.append(str(name))
                continue
            client = view.client_label
            mark = "\u2067" if self.client_rtl else "\u2066"
            parts.append(
                view.label
                if not client or client == view.label
                else f"{view.label} — {mark}{client}\u2069"
            )
        self.chosen.setText("; ".join(parts))
        self.chosen.setVisible(bool(parts))
        if not self.multiple:
            view = self._views.get(self._value) if self._value else None
            if not self.edit.hasFocus():
                self.edit.setText(self._entry(view) if view else "")

    def set_value(self, value: Any) -> None:
        if self.multiple:
            self._value = list(value) if isinstance(value, list) else []
        else:
            self._value = value
        self._show()

    def focus_target(self) -> QWidget:
        return self.edit

    def focus_chain(self) -> list[QWidget]:
        return [self.edit, self.clear_button]


class ReadOnlyValue(AnswerInput):
    """A calculated value, shown but not edited."""

    def __init__(
        self, parent: QWidget | None = None, formatter: Callable[[Any], str] | None = None, **_: Any
    ) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.label.setObjectName("calculatedValue")
        self.formatter = formatter or (lambda v: "" if v is None else str(v))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def set_value(self, value: Any) -> None:
        self.label.setText(self.formatter(value))


# Choice lists up to this size are radio buttons; longer ones a drop-down.
RADIO_LIMIT = 7


def input_for(
    question_type: str,
    *,
    choice_count: int = 0,
    multiple: bool = False,
    max_length: int | None = None,
) -> AnswerInput:
    """The registry: a new input widget for a question type."""
    if question_type == "text":
        return TextInput(max_length=max_length)
    if question_type == "long_text":
        return LongTextInput(max_length=max_length)
    if question_type == "integer":
        return IntegerInput()
    if question_type == "decimal":
        return DecimalInput()
    if question_type == "date":
        return DateInput()
    if question_type == "partial_date":
        return PartialDateInput()
    if question_type == "yes_no":
        return YesNoInput()
    if question_type == "cefr":
        return CefrInput()
    if question_type in ("country", "language", "occupation"):
        return SearchInput(multiple=multiple)
    if question_type == "multiple_choice":
        return CheckListInput()
    if question_type in ("single_choice", "consent"):
        return RadioInput() if choice_count <= RADIO_LIMIT else ComboInput()
    if question_type == "calculate":
        return ReadOnlyValue()
    raise KeyError(question_type)
