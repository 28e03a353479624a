"""Keyboard-only driving of the interview screen, as a counselor without a mouse would."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from intake.ui.interview.inputs import (
    CheckListInput,
    ComboInput,
    DateInput,
    LongTextInput,
    PartialDateInput,
    RadioInput,
    SearchInput,
    TextInput,
    YesNoInput,
    format_date_text,
)

Key = Qt.Key


def focused() -> QWidget | None:
    return QApplication.focusWidget()


def press(qtbot, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    widget = focused()
    assert widget is not None, "nothing has keyboard focus"
    qtbot.keyClick(widget, key, modifier)


def type_text(qtbot, text: str) -> None:
    widget = focused()
    assert widget is not None, "nothing has keyboard focus"
    qtbot.keyClicks(widget, text)


def tab_to(qtbot, target: QWidget, limit: int = 400) -> None:
    """Press Tab until ``target`` (or a widget inside it) has the focus."""
    for _ in range(limit):
        now = focused()
        if now is not None and (now is target or target.isAncestorOf(now)):
            return
        press(qtbot, Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target!r}")


def _move(qtbot, steps: int) -> None:
    key = Key.Key_Down if steps > 0 else Key.Key_Up
    for _ in range(abs(steps)):
        press(qtbot, key)


def answer(qtbot, card, value: Any) -> None:
    """Give ``value`` to the card's input with the keyboard; focus must be in the card."""
    inp = card.input
    if isinstance(inp, SearchInput):
        for name in value if isinstance(value, list) else [value]:
            view = inp._views[name]
            type_text(qtbot, inp._entry(view))
            press(qtbot, Key.Key_Return)
            assert name in (inp._value if inp.multiple else [inp._value]), name
    elif isinstance(inp, PartialDateInput):
        type_text(qtbot, format_date_text(value["value"]))
        if value.get("uncertain"):
            press(qtbot, Key.Key_Tab)
            assert focused() is inp.uncertain
            press(qtbot, Key.Key_Space)
    elif isinstance(inp, DateInput):
        type_text(qtbot, format_date_text(value))
    elif isinstance(inp, LongTextInput | TextInput):
        type_text(qtbot, str(value).replace(".", ",") if isinstance(value, float) else str(value))
    elif isinstance(inp, RadioInput):
        target = ("yes" if value else "no") if isinstance(inp, YesNoInput) else value
        names = list(inp.buttons)
        checked = inp.group.checkedButton()
        if checked is None:
            press(qtbot, Key.Key_Space)  # checks the first one, which has the focus
            current = 0
        else:
            current = names.index(inp._names[checked])
        _move(qtbot, names.index(target) - current)
        assert inp.buttons[target].isChecked(), target
    elif isinstance(inp, ComboInput):
        _move(qtbot, inp.combo.findData(value) - inp.combo.currentIndex())
        assert inp.combo.currentData() == value
    elif isinstance(inp, CheckListInput):
        names = [inp.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(inp.list.count())]
        for name in value:
            _move(qtbot, names.index(name) - inp.list.currentRow())
            press(qtbot, Key.Key_Space)
    else:  # pragma: no cover
        raise AssertionError(f"no keyboard recipe for {type(inp).__name__}")
