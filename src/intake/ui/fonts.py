"""Register the fonts Intake ships with Qt, so every script renders without installed fonts."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase

from intake import fonts

log = logging.getLogger(__name__)

# Arabic-script and Ethiopic text is shown larger in the client column (SPEC §4).
CLIENT_SCALE = {fonts.ARABIC: 1.3, fonts.ETHIOPIC: 1.2}
_registered: dict[str, list[str]] = {}  # file → families, so a second call adds nothing


def register_fonts(*, only_default: bool = False) -> list[str]:
    """Add the shipped font files to Qt's database; returns the families Qt now knows.

    ``only_default`` registers just the Latin/Cyrillic family (what the login window needs); the
    app adds the others a moment later, before any interview can be opened."""
    families: list[str] = []
    for family in fonts.FAMILIES:
        if only_default and family is not fonts.DEFAULT_FAMILY:
            continue
        for bold in (False, True):
            path = family.path(bold=bold)
            if str(path) in _registered:
                families += _registered[str(path)]
                continue
            if not path.is_file():
                log.warning("shipped font missing: %s", path.name)
                continue
            font_id = QFontDatabase.addApplicationFont(str(path))
            if font_id >= 0:
                _registered[str(path)] = QFontDatabase.applicationFontFamilies(font_id)
                families += _registered[str(path)]
    return sorted(set(families))


def application_font(point_size: float = 10.0) -> QFont:
    """The UI font: Noto Sans with the Arabic and Ethiopic families as fallbacks."""
    font = QFont(fonts.DEFAULT_FAMILY.name)
    font.setFamilies([family.name for family in fonts.FAMILIES])
    font.setPointSizeF(point_size)
    return font


def client_font(language: str, base: QFont) -> QFont:
    """The client column's font: the language's script first, a little larger."""
    family = fonts.family_for_language(language)
    font = QFont(base)
    names = [family.name] + [f.name for f in fonts.FAMILIES if f is not family]
    font.setFamilies(names)
    scale = max((CLIENT_SCALE.get(script, 1.1) for script in family.scripts), default=1.1)
    font.setPointSizeF(base.pointSizeF() * scale)
    return font
