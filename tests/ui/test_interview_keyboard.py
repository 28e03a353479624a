"""A complete interview driven through the real widgets with the keyboard only, for a
fictional persona, then the saved answer document checked against the form engine's own walk."""

from __future__ import annotations

import copy

import pytest
from PySide6.QtCore import Qt
from tests.formengine.test_form_personas import walk
from tests.personas import OLENA, TODAY
from tests.ui.conftest import log_in
from tests.ui.helpers import Key, answer, focused, press, tab_to

from intake.formengine import build_document
from intake.ui.interview.screen import REVIEW


def scripted(persona: dict, question_id: str, index: int | None, repeat: str | None):
    if index is None:
        return persona.get(question_id)
    entries = persona.get(repeat) or []
    return entries[index].get(question_id) if index < len(entries) else None


def fill_section(qtbot, screen, persona: dict) -> None:
    page = screen.pages[screen.current]
    handled: set[tuple[str, int | None]] = set()
    for _ in range(500):
        # Repeat groups first get as many entries as the persona has (Tab to "Add", Space).
        for block in page.repeats:
            wanted = len(persona.get(block.group.id) or [])
            while block.isVisible() and block.count < wanted:
                before = block.count
                tab_to(qtbot, block.add_button)
                press(qtbot, Key.Key_Space)
                qtbot.waitUntil(lambda b=block, n=before: b.count == n + 1, timeout=2000)
        pending = [
            card
            for card in page.ordered_cards()
            if card.isVisibleTo(page.widget())
            and card.input is not None
            and card.question.type != "calculate"
            and card.key not in handled
        ]
        if not pending:
            return
        card = pending[0]
        handled.add(card.key)
        value = scripted(persona, card.question.id, card.index, card.question.repeat)
        if value is None or value == card.controller_value():
            continue
        tab_to(qtbot, card)
        answer(qtbot, card, value)
    raise AssertionError("the section never ran out of questions")


@pytest.mark.parametrize("persona", [OLENA], ids=["olena"])
def test_complete_interview_with_the_keyboard_only(qtbot, window, persona):
    workspace = log_in(qtbot, window)
    assert focused() is workspace.profiles.search  # the list opens ready to search
    press(qtbot, Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # Ctrl+N: new interview
    qtbot.waitUntil(lambda: workspace.interview is not None)
    screen = workspace.interview
    visited = []
    for _ in range(30):
        visited.append(screen.current)
        fill_section(qtbot, screen, persona)
        before = screen.current
        press(qtbot, Key.Key_Right, Qt.KeyboardModifier.AltModifier)  # next section
        if screen.current == REVIEW or screen.current == before:
            break
    assert screen.current == REVIEW, visited
    assert "circumstances" not in visited  # locked: Olena refused the sensitive consent
    review = screen.review
    assert review.errors == 0, [review.list.item(i).text() for i in range(review.list.count())]
    tab_to(qtbot, review.finalize_button)
    profile_id = screen.controller.profile_id
    with qtbot.waitSignal(screen.closed, timeout=10000):
        press(qtbot, Key.Key_Space)

    session = window.session
    stored = session.profiles.get(profile_id, record_view=False)
    assert stored.summary.status == "complete"
    expected = build_document(
        screen.form, walk(screen.form, copy.deepcopy(persona)), today=TODAY, finalize=True
    )
    assert stored.head.form_id == expected.form_id
    assert stored.head.form_version == expected.form_version
    assert stored.answers == expected.answers
    assert stored.summary.display_name == "Testova, Olena"
    assert session.resume_position() is None  # finished: nothing to resume
