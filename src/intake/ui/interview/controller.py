"""The interview's working state: answers, the engine's view of them, and autosave.

Every change goes through :meth:`InterviewController.set_answer` (or the repeat methods): the
answers are updated, the form is evaluated again (well under a millisecond for the Erstprofil),
``state_changed`` tells the screen, and a save is scheduled. Saving runs on the database thread
and amends the profile's unsent head revision, so typing a name does not make a revision per key
(see ``ProfileStore.save``). Text edits are saved after a short pause; choices at once.
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
import uuid
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from intake.formengine import Form, FormState, build_document, evaluate, validate_answers
from intake.formengine.answers import new_answers, new_repeat_instance
from intake.store.session import Session
from intake.ui.worker import DbWorker

log = logging.getLogger(__name__)

SAVE_DELAY_MS = 400


class InterviewController(QObject):
    state_changed = Signal(object)  # FormState
    save_status = Signal(str, object)  # "saving" | "saved" | "failed", detail
    language_changed = Signal(str)

    def __init__(
        self,
        form: Form,
        session: Session,
        worker: DbWorker,
        *,
        profile_id: str | None = None,
        answers: dict[str, Any] | None = None,
        status: str = "draft",
        today: Callable[[], dt.date] = dt.date.today,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.form = form
        self.session = session
        self.worker = worker
        self.profile_id = profile_id or str(uuid.uuid4())
        self.is_new = profile_id is None
        self.answers: dict[str, Any] = copy.deepcopy(answers) if answers else new_answers(form)
        self.status = status
        self._today = today
        self.position: dict[str, Any] = {}
        self.state: FormState = evaluate(form, self.answers, today=today())
        self._dirty = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_DELAY_MS)
        self._timer.timeout.connect(self.save_now)

    # -- answers -----------------------------------------------------------------------------

    @property
    def interview_language(self) -> str:
        value = self.answers.get("interview_language")
        return value if isinstance(value, str) and value else "en"

    def value(self, question_id: str, index: int | None) -> Any:
        return self.state.value(question_id, index)

    def set_answer(
        self, question_id: str, index: int | None, value: Any, *, at_once: bool = False
    ) -> None:
        question = self.form.question(question_id)
        if question.repeat is not None and index is not None:
            instances = self.answers.setdefault(question.repeat, [])
            while len(instances) <= index:
                instances.append(new_repeat_instance(self.form, question.repeat))
            target = instances[index]
        else:
            target = self.answers
        if value is None:
            target.pop(question_id, None)
        else:
            target[question_id] = value
        self.position = {
            "profile": self.profile_id,
            "section": question.section,
            "question": question_id,
            "index": index,
        }
        self._changed(
            at_once=at_once or question.type not in ("text", "long_text", "integer", "decimal")
        )
        if question_id == "interview_language":
            self.language_changed.emit(self.interview_language)

    def add_instance(self, repeat_id: str) -> int:
        instances = self.answers.setdefault(repeat_id, [])
        instances.append(new_repeat_instance(self.form, repeat_id))
        self._changed(at_once=True)
        return len(instances) - 1

    def remove_instance(self, repeat_id: str, index: int) -> None:
        instances = self.answers.get(repeat_id) or []
        if 0 <= index < len(instances):
            del instances[index]
            self._changed(at_once=True)

    def visit(
        self, section_id: str, question_id: str | None = None, index: int | None = None
    ) -> None:
        """Remember where the counselor is (saved with the next save)."""
        self.position = {
            "profile": self.profile_id,
            "section": section_id,
            "question": question_id,
            "index": index,
        }

    def _changed(self, *, at_once: bool) -> None:
        self.state = evaluate(self.form, self.answers, today=self._today())
        self._dirty = True
        self.state_changed.emit(self.state)
        if at_once:
            self._timer.stop()
            self.save_now()
        else:
            self._timer.start()

    def issues(self):
        return validate_answers(self.form, self.answers, state=self.state)

    # -- saving ------------------------------------------------------------------------------

    @property
    def has_unsaved_changes(self) -> bool:
        return self._dirty or self._timer.isActive()

    def save_now(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        document = build_document(self.form, self.answers, today=self._today())
        answers = copy.deepcopy(document.answers)
        position = dict(self.position) or {"profile": self.profile_id}
        profiles, session = self.session.profiles, self.session
        status = self.status
        profile_id = self.profile_id

        def write() -> Any:
            change = profiles.save(
                answers,
                profile_id=profile_id,
                form_id=document.form_id,
                form_version=document.form_version,
                status=status,
                amend=True,
            )
            session.remember_position(position)
            return change

        self.save_status.emit("saving", None)
        self.worker.submit(write, self._saved, self._failed)

    def _saved(self, change: Any) -> None:
        self.is_new = False
        self.save_status.emit("saved", change)

    def _failed(self, error: BaseException) -> None:
        self._dirty = True  # try again with the next change
        log.warning("autosave failed: %s", type(error).__name__)
        self.save_status.emit("failed", error)

    def flush(self) -> None:
        """Save what is pending and wait for it (before locking, closing or switching)."""
        self._timer.stop()
        self.save_now()
        self.worker.drain()

    def finalize(
        self, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        """Complete the interview: hidden answers dropped, status complete, a revision of its own."""
        self._timer.stop()
        document = build_document(self.form, self.answers, today=self._today(), finalize=True)
        answers = copy.deepcopy(document.answers)
        profiles, session, profile_id = self.session.profiles, self.session, self.profile_id
        self.status = "complete"
        self._dirty = False

        def write() -> Any:
            change = profiles.save(
                answers,
                profile_id=profile_id,
                form_id=document.form_id,
                form_version=document.form_version,
                status="complete",
            )
            session.remember_position(None)
            return change

        self.worker.submit(write, on_done, on_error)
