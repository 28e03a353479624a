"""The form engine: interview forms as data (YAML + JSON Schema), evaluated without Qt.

Public API::

    form = load_form(path)                       # frozen dataclasses; FormValidationError
    errors = validate_form_file(path)            # [FormError(file, line, field, message)]
    state = evaluate(form, answers, today=...)   # visibility, requiredness, calculations
    issues = validate_answers(form, answers)     # [AnswerIssue(field, index, code, message)]
    progress(form, answers)                      # {section_id: SectionProgress}
    build_document(form, answers)                # AnswerDocument(form_id, form_version, answers)
    FormLibrary().upgrade(document)              # answers of an older form version, migrated
    FormText("ar").label(question)               # texts in a language (gettext msgids)
"""

from intake.formengine.answers import (
    AnswerDocument,
    check_value,
    is_empty,
    new_answers,
    new_repeat_instance,
    partial_date,
)
from intake.formengine.engine import (
    AnswerIssue,
    FormState,
    SectionProgress,
    SectionState,
    build_document,
    evaluate,
    is_complete,
    progress,
    validate_answers,
)
from intake.formengine.expressions import ExpressionError, parse_expression
from intake.formengine.loader import (
    FormError,
    FormValidationError,
    load_form,
    load_form_text,
    validate_form_file,
)
from intake.formengine.model import Choice, ChoiceList, Form, Group, Question, Section
from intake.formengine.paths import default_form_path, forms_dir
from intake.formengine.text import FormText
from intake.formengine.versions import FormLibrary, FormVersionError, UpgradeResult, upgrade_answers

__all__ = [
    "AnswerDocument",
    "AnswerIssue",
    "Choice",
    "ChoiceList",
    "ExpressionError",
    "Form",
    "FormError",
    "FormLibrary",
    "FormState",
    "FormText",
    "FormValidationError",
    "FormVersionError",
    "Group",
    "Question",
    "Section",
    "SectionProgress",
    "SectionState",
    "UpgradeResult",
    "build_document",
    "check_value",
    "default_form_path",
    "evaluate",
    "forms_dir",
    "is_complete",
    "is_empty",
    "load_form",
    "load_form_text",
    "new_answers",
    "new_repeat_instance",
    "parse_expression",
    "partial_date",
    "progress",
    "upgrade_answers",
    "validate_answers",
    "validate_form_file",
]
