"""Question cards: each question in the UI language and in the client's language side by side.

A card is one question at one position (``index`` inside a repeat group). The left column is the
counselor's language, the right column the interview language — right to left and in a larger
font for Arabic, Dari, Farsi, Pashto and Sorani. The input sits below both, with the message of
the first problem under it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QWidget

from intake.formengine import Form, FormState, FormText, Question
from intake.formengine.engine import AnswerIssue
from intake.i18n import _
from intake.ui.interview.inputs import AnswerInput, ChoiceView, RadioInput, YesNoInput, input_for


def choice_views(
    form: Form, question: Question, choices, ui: FormText, client: FormText
) -> list[ChoiceView]:
    return [
        ChoiceView(
            choice.name,
            ui.choice_label(form, question, choice),
            client.choice_label(form, question, choice),
            ui.choice_hint(choice),
            client.choice_hint(choice),
        )
        for choice in choices
    ]


_NOTHING_SHOWN = object()  # before the first update: any answer differs from it


class QuestionCard(QFrame):
    def __init__(
        self,
        form: Form,
        question: Question,
        index: int | None,
        on_change: Callable[[str, int | None, Any], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("questionCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.form = form
        self.question = question
        self.index = index
        self._choice_names: tuple[str, ...] | None = None
        self._client_language: str | None = None
        self.ui_label = QLabel(self)
        self.ui_label.setObjectName("questionLabel")
        self.ui_label.setWordWrap(True)
        self.ui_hint = QLabel(self)
        self.ui_hint.setObjectName("questionHint")
        self.ui_hint.setWordWrap(True)
        self.client_label = QLabel(self)
        self.client_label.setObjectName("clientLabel")
        self.client_label.setWordWrap(True)
        self.client_hint = QLabel(self)
        self.client_hint.setObjectName("clientHint")
        self.client_hint.setWordWrap(True)
        self.message = QLabel(self)
        self.message.setObjectName("problem")
        self.message.setWordWrap(True)
        self.message.hide()
        grid = QGridLayout(self)
        grid.setColumnStretch(0, 1)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(24)
        grid.addWidget(self.ui_label, 0, 0)
        grid.addWidget(self.client_label, 0, 1)
        grid.addWidget(self.ui_hint, 1, 0)
        grid.addWidget(self.client_hint, 1, 1)
        self.input: AnswerInput | None = None
        if question.type != "note":
            count = len(form.choices_for(question)) if question.choice_list else 0
            self.input = input_for(
                question.type,
                choice_count=count,
                multiple=question.is_multiple,
                max_length=question.max_length,
            )
            self.input.setParent(self)
            if isinstance(self.input, RadioInput) and not isinstance(self.input, YesNoInput):
                # Buttons made now, in form order; labels follow with the texts.
                self.input.set_choices(
                    [
                        ChoiceView(c.name, c.label, "", c.hint or "")
                        for c in form.choices_for(question)
                    ]
                )
            grid.addWidget(self.input, 2, 0, 1, 2)
            self.input.value_changed.connect(self._remember)
            self.input.value_changed.connect(lambda value: on_change(question.id, index, value))
            self.ui_label.setBuddy(self.input.focus_target())
        grid.addWidget(self.message, 3, 0, 1, 2)
        self._required = False
        self._shown_value: Any = _NOTHING_SHOWN  # what the input shows, to not disturb typing

    def _remember(self, value: Any) -> None:
        self._shown_value = value

    def controller_value(self) -> Any:
        """The answer the card shows now (for tests and the review)."""
        return None if self._shown_value is _NOTHING_SHOWN else self._shown_value

    @property
    def key(self) -> tuple[str, int | None]:
        return (self.question.id, self.index)

    def focus_target(self) -> QWidget | None:
        return self.input.focus_target() if self.input is not None else None

    def set_texts(self, ui: FormText, client: FormText, client_rtl: bool, client_font) -> None:
        """Labels in both languages; choices again only when the languages changed."""
        required = " *" if self._required else ""
        self.ui_label.setText(ui.label(self.question) + required)
        self.ui_hint.setText(ui.hint(self.question))
        self.ui_hint.setVisible(bool(self.ui_hint.text()))
        client_text = client.label(self.question)
        same = client.language.split("_")[0] == ui.language.split("_")[0]
        self.client_label.setText("" if same else client_text)
        self.client_hint.setText("" if same else client.hint(self.question))
        self.client_hint.setVisible(bool(self.client_hint.text()))
        direction = Qt.LayoutDirection.RightToLeft if client_rtl else Qt.LayoutDirection.LeftToRight
        # Leading edge: the right edge when the label's direction is right to left.
        align = Qt.AlignmentFlag.AlignLeading
        for label in (self.client_label, self.client_hint):
            label.setLayoutDirection(direction)
            label.setAlignment(align | Qt.AlignmentFlag.AlignTop)
            label.setFont(client_font)
        if self.input is not None:
            self.input.set_client_direction(client_rtl)
            self.input.retranslate_ui()
            if isinstance(self.input, YesNoInput):
                self.input.set_yes_no(client.gettext("Yes"), client.gettext("No"))
        self._client_language = client.language
        self._choice_names = None  # labels changed: rebuild the choices on the next update
        self._shown_value = _NOTHING_SHOWN

    def update_state(
        self,
        state: FormState,
        ui: FormText,
        client: FormText,
        issues: Sequence[AnswerIssue],
        show_missing: bool,
    ) -> bool:
        """Show ``state``; True when the input's widgets were rebuilt (new choices)."""
        question, index = self.question, self.index
        rebuilt = False
        required = state.is_required(question.id, index)
        if required != self._required:
            self._required = required
            self.ui_label.setText(ui.label(question) + (" *" if required else ""))
        if self.input is None:
            return False
        if question.choice_list is not None:
            choices = state.allowed_choices(question.id, index)
            names = tuple(c.name for c in choices)
            if names != self._choice_names:
                self._choice_names = names
                self.input.set_choices(choice_views(self.form, question, choices, ui, client))
                rebuilt = True
        value = state.value(question.id, index)
        if value != self._shown_value:
            self._shown_value = value
            self.input.set_value(value)
        shown = [
            issue
            for issue in issues
            if issue.severity == "error"
            and (show_missing or issue.code not in ("required", "repeat_min"))
        ]
        self.message.setText(shown[0].text() if shown else "")
        self.message.setVisible(bool(shown))
        return rebuilt


class NoteLabel(QLabel):
    """A note of the form (no answer), e.g. a warning about interpreters."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setObjectName("formNote")


def required_marker_text() -> str:
    return _("* required")
