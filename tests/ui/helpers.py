"""Keyboard-only driving of the interview screen, as a counselor without a mouse would."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QKeyEvent
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
    """Type ``text`` as key presses into the focused widget. QTest only maps ASCII to keys, so
    other characters (Cyrillic, Arabic, Ge'ez) go as key events carrying their text, the way an
    input method delivers them."""
    widget = focused()
    assert widget is not None, "nothing has keyboard focus"
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


def tab_to(qtbot, target: QWidget, limit: int = 400) -> None:
    """Press Tab until ``target`` (or a widget inside it) has the focus."""
    seen = []
    for _ in range(limit):
        now = focused()
        seen.append(type(now).__name__ + ":" + (now.objectName() if now else ""))
        if now is not None and (now is target or target.isAncestorOf(now)):
            return
        press(qtbot, Key.Key_Tab)
    raise AssertionError(
        f"Tab never reached {getattr(target, 'key', target)!r}; went {len(seen)} {seen[:40]} ... {seen[-20:]}"
    )


def _move(qtbot, steps: int) -> None:
    key = Key.Key_Down if steps > 0 else Key.Key_Up
    for _ in range(abs(steps)):
        press(qtbot, key)


def answer(qtbot, card, value: Any) -> None:
    """Give ``value`` to the card's input with the keyboard; focus must be in the card."""
    QApplication.processEvents()  # let layouts settle, as the event loop would between keys
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
        names = [name for name, button in inp.buttons.items() if not button.isHidden()]
        here = focused()
        assert here in inp._names, "Tab should land on a button of the group"
        current = names.index(inp._names[here])
        _move(qtbot, names.index(target) - current)  # arrows move within the group …
        press(qtbot, Key.Key_Space)  # … and Space chooses
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
