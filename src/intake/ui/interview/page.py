"""One section of the interview as a scrollable page of cards, groups and repeat groups."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from intake.formengine import Form, FormState, FormText, Group, Question, Section
from intake.formengine.engine import AnswerIssue
from intake.i18n import _
from intake.ui.interview.cards import QuestionCard


class RepeatBlock(QGroupBox):
    """A repeat group (children, languages, jobs…): one panel per entry, add and remove."""

    def __init__(self, page: SectionPage, group: Group, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.page = page
        self.group = group
        self.setObjectName("repeatBlock")
        self.entries = QVBoxLayout()
        self.add_button = QPushButton(self)
        self.add_button.setAutoDefault(False)
        self.add_button.clicked.connect(lambda: page.add_instance(group.id))
        layout = QVBoxLayout(self)
        layout.addLayout(self.entries)
        layout.addWidget(self.add_button, 0, Qt.AlignmentFlag.AlignLeft)
        self.panels: list[QFrame] = []
        self.count = -1

    def retranslate(self, ui: FormText, client: FormText) -> None:
        client_title = client.label(self.group)
        same = client.language.split("_")[0] == ui.language.split("_")[0]
        self.setTitle(ui.label(self.group) + ("" if same else f"  —  {client_title}"))
        self.add_button.setText(_("Add entry") + f": {ui.label(self.group)}")
        for number, panel in enumerate(self.panels, start=1):
            panel.findChild(QLabel, "entryTitle").setText(_("Entry {number}").format(number=number))
            panel.findChild(QPushButton, "removeEntry").setText(
                _("Remove entry {number}").format(number=number)
            )

    def sync(self, state: FormState) -> bool:
        """Rebuild the panels when the number of entries changed; True when it did."""
        count = len(state.values.get(self.group.id) or [])
        if count == self.count:
            return False
        for panel in self.panels:
            self.page.forget_cards(panel)
            panel.deleteLater()
        self.panels = []
        for index in range(count):
            panel = QFrame(self)
            panel.setObjectName("repeatEntry")
            box = QVBoxLayout(panel)
            header = QHBoxLayout()
            title = QLabel(panel)
            title.setObjectName("entryTitle")
            remove = QPushButton(panel)
            remove.setObjectName("removeEntry")
            remove.setAutoDefault(False)
            remove.clicked.connect(
                lambda _=False, i=index: self.page.remove_instance(self.group.id, i)
            )
            header.addWidget(title, 1)
            header.addWidget(remove)
            box.addLayout(header)
            self.page.build_items(self.group.items, box, index)
            self.entries.addWidget(panel)
            panel.show()  # at once, not with the layout's queued show: focus can go there now
            self.panels.append(panel)
        self.count = count
        self.add_button.setEnabled(self.group.max_count is None or count < self.group.max_count)
        return True


class SectionPage(QScrollArea):
    def __init__(
        self,
        form: Form,
        section: Section,
        on_change: Callable[[str, int | None, Any], None],
        on_add: Callable[[str], int],
        on_remove: Callable[[str, int], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.section = section
        self._on_change = on_change
        self._on_add = on_add
        self._on_remove = on_remove
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("sectionBody")
        self.layout_ = QVBoxLayout(body)
        self.layout_.setSpacing(10)
        self.setWidget(body)
        self.cards: dict[tuple[str, int | None], QuestionCard] = {}
        self.groups: dict[tuple[str, int | None], QGroupBox] = {}
        self.repeats: list[RepeatBlock] = []
        self.locked_label = QLabel(body)
        self.locked_label.setObjectName("lockedSection")
        self.locked_label.setWordWrap(True)
        self.layout_.addWidget(self.locked_label)
        self.build_items(section.items, self.layout_, None)
        self.layout_.addStretch(1)
        self._texts: tuple[FormText, FormText, bool, Any] | None = None

    # -- building ----------------------------------------------------------------------------

    def build_items(self, items, layout: QVBoxLayout, index: int | None) -> None:
        for item in items:
            if isinstance(item, Question):
                if item.type == "calculate" and not item.label:
                    continue
                card = QuestionCard(self.form, item, index, self._on_change)
                self.cards[(item.id, index)] = card
                layout.addWidget(card)
                if self._texts_ready():
                    card.set_texts(*self._texts)
            elif isinstance(item, Group) and item.repeat_group:
                block = RepeatBlock(self, item)
                self.repeats.append(block)
                self.groups[(item.id, None)] = block
                layout.addWidget(block)
            elif isinstance(item, Group):
                box = QGroupBox()
                box.setObjectName("formGroup")
                inner = QVBoxLayout(box)
                self.groups[(item.id, index)] = box
                layout.addWidget(box)
                self.build_items(item.items, inner, index)

    def _texts_ready(self) -> bool:
        return getattr(self, "_texts", None) is not None

    def forget_cards(self, panel: QWidget) -> None:
        for key, card in list(self.cards.items()):
            if panel.isAncestorOf(card):
                del self.cards[key]

    def add_instance(self, repeat_id: str) -> None:
        index = self._on_add(repeat_id)
        first = next(
            (
                card
                for (qid, i), card in self.cards.items()
                if i == index and self.form.items[qid].repeat == repeat_id and card.focus_target()
            ),
            None,
        )
        if first is not None:
            first.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def remove_instance(self, repeat_id: str, index: int) -> None:
        self._on_remove(repeat_id, index)

    # -- updating ----------------------------------------------------------------------------

    def set_texts(self, ui: FormText, client: FormText, client_rtl: bool, client_font) -> None:
        self._texts = (ui, client, client_rtl, client_font)
        for card in self.cards.values():
            card.set_texts(ui, client, client_rtl, client_font)
        for key, box in self.groups.items():
            item = self.form.items[key[0]]
            if isinstance(box, RepeatBlock):
                box.retranslate(ui, client)
            else:
                box.setTitle(ui.label(item))
        if self.section.consent:
            consent = self.form.question(self.section.consent)
            self.locked_label.setText(
                _(
                    "This section is locked until the client has given the consent “{consent}”."
                ).format(consent=ui.label(consent))
            )

    def update_state(self, state: FormState, issues: list[AnswerIssue], show_missing: bool) -> None:
        ui, client = (self._texts[0], self._texts[1]) if self._texts else (FormText(), FormText())
        for block in self.repeats:
            if block.sync(state) and self._texts:
                block.retranslate(ui, client)
        by_key: dict[tuple[str, int | None], list[AnswerIssue]] = {}
        for issue in issues:
            by_key.setdefault((issue.field, issue.index), []).append(issue)
        section_state = state.sections[self.section.id]
        self.locked_label.setVisible(section_state.locked)
        for key, box in self.groups.items():
            box.setVisible(state.is_visible(*key) and section_state.open)
        for key, card in self.cards.items():
            visible = state.is_visible(*key)
            if visible:
                card.update_state(state, ui, client, by_key.get(key, ()), show_missing)
            card.setVisible(visible)

    def focus_chain(self) -> list[QWidget]:
        """Focusable widgets in the order of the page's layouts (what a reader sees)."""
        chain: list[QWidget] = []

        def walk(layout) -> None:
            for i in range(layout.count()):
                item = layout.itemAt(i)
                widget = item.widget()
                if widget is None:
                    if item.layout() is not None:
                        walk(item.layout())
                    continue
                if isinstance(widget, QuestionCard):
                    if widget.input is not None:
                        chain.extend(widget.input.focus_chain())
                elif isinstance(widget, QPushButton):
                    chain.append(widget)
                elif widget.layout() is not None:
                    walk(widget.layout())

        walk(self.layout_)
        return chain

    def first_input(self) -> QWidget | None:
        body = self.widget()
        for card in self.cards.values():  # built in form order; the first visible one wins
            if card.index is None and card.isVisibleTo(body) and card.focus_target() is not None:
                return card.focus_target()
        for card in self.ordered_cards():
            if card.isVisibleTo(body) and card.focus_target() is not None:
                return card.focus_target()
        return None

    def ordered_cards(self) -> list[QuestionCard]:
        """Cards in the order they appear on the page."""
        body = self.widget()
        return sorted(
            self.cards.values(),
            key=lambda c: (
                c.mapTo(body, c.rect().topLeft()).y(),
                c.mapTo(body, c.rect().topLeft()).x(),
            ),
        )
