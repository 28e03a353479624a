"""The Qt side of translations: live language switching and Qt's own dialogs.

gettext (``intake.i18n``) translates our texts. Qt's standard dialogs (file and print dialogs,
message box buttons) are translated by loading Qt's ``qtbase_<lang>.qm`` into a ``QTranslator``.
When the UI language changes, every widget gets a ``LanguageChange`` event and widgets that mix in
:class:`Retranslatable` set their visible texts again in ``retranslate_ui()``, so the switch is
live (Frescobaldi's way), no restart needed.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLibraryInfo, QLocale, QObject, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QWidget

from intake import i18n


class Retranslatable:
    """Mixin for widgets: put visible texts in ``retranslate_ui`` and it runs on every switch."""

    def retranslate_ui(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate_ui()
        super().changeEvent(event)  # type: ignore[misc]


class LanguageHub(QObject):
    """Owns the UI language: gettext, Qt's translator, QLocale's default."""

    changed = Signal(str)

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._app = app
        self._qt_translator: QTranslator | None = None

    def set_ui_language(self, language: str) -> str:
        active = i18n.set_language(language)
        QLocale.setDefault(QLocale(active))
        if self._qt_translator is not None:
            self._app.removeTranslator(self._qt_translator)
            self._qt_translator = None
        translator = QTranslator(self)
        path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
        if translator.load(QLocale(active), "qtbase", "_", path):
            self._app.installTranslator(translator)
            self._qt_translator = translator
        # Installing a translator sends LanguageChange to every widget; without one (English)
        # nothing would, so send it ourselves.
        if self._qt_translator is None:
            for widget in self._app.allWidgets():
                QApplication.sendEvent(widget, QEvent(QEvent.Type.LanguageChange))
        self.changed.emit(active)
        return active


def rtl(language: str) -> bool:
    return i18n.language_info(language).right_to_left


def apply_direction(widget: QWidget, language: str) -> None:
    from PySide6.QtCore import Qt

    widget.setLayoutDirection(
        Qt.LayoutDirection.RightToLeft if rtl(language) else Qt.LayoutDirection.LeftToRight
    )
