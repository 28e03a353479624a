"""The fonts Intake ships, and which one serves which script (no Qt, no reportlab).

Intake must show and print Latin, Cyrillic, Arabic-script and Ethiopic text on a machine that has
none of those fonts installed, so open-licensed Noto fonts are shipped in ``ui/fonts/`` (see the
README there). This module only locates them and answers "which font for this character?"; the
PDF reports register the files with reportlab and the desktop UI registers the same files with
Qt's font database, so screen and paper use the same glyphs.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path

from intake import paths

LATIN, CYRILLIC, ARABIC, ETHIOPIC = "Latin", "Cyrillic", "Arabic", "Ethiopic"
SCRIPTS = (LATIN, CYRILLIC, ARABIC, ETHIOPIC)


@dataclass(frozen=True)
class FontFamily:
    """One shipped family: a regular and a bold file covering ``scripts``."""

    name: str
    regular: str
    bold: str
    scripts: tuple[str, ...]

    def path(self, *, bold: bool = False) -> Path:
        return font_dir() / (self.bold if bold else self.regular)


# Order matters: the first family is the fallback for characters of no particular script.
FAMILIES = (
    FontFamily("Noto Sans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf", (LATIN, CYRILLIC)),
    FontFamily(
        "Noto Sans Arabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf", (ARABIC,)
    ),
    FontFamily(
        "Noto Sans Ethiopic",
        "NotoSansEthiopic-Regular.ttf",
        "NotoSansEthiopic-Bold.ttf",
        (ETHIOPIC,),
    ),
)
DEFAULT_FAMILY = FAMILIES[0]

# Unicode blocks of the scripts we ship (start, end inclusive).
_BLOCKS: tuple[tuple[int, int, str], ...] = (
    (0x0400, 0x052F, CYRILLIC),  # Cyrillic, Cyrillic Supplement
    (0x0600, 0x06FF, ARABIC),
    (0x0750, 0x077F, ARABIC),  # Arabic Supplement
    (0x08A0, 0x08FF, ARABIC),  # Arabic Extended-A
    (0x1200, 0x139F, ETHIOPIC),  # Ethiopic, Ethiopic Supplement
    (0x1C80, 0x1C8F, CYRILLIC),  # Cyrillic Extended-C
    (0x2D80, 0x2DDF, ETHIOPIC),  # Ethiopic Extended
    (0x2DE0, 0x2DFF, CYRILLIC),  # Cyrillic Extended-A
    (0xA640, 0xA69F, CYRILLIC),  # Cyrillic Extended-B
    (0xAB00, 0xAB2F, ETHIOPIC),  # Ethiopic Extended-A
    (0xFB50, 0xFDFF, ARABIC),  # Arabic Presentation Forms-A
    (0xFE70, 0xFEFF, ARABIC),  # Arabic Presentation Forms-B
)

# Script and writing direction of every interview language (SPEC §4) and German.
LANGUAGE_SCRIPTS: dict[str, tuple[str, str]] = {
    "de": (LATIN, "ltr"),
    "ar": (ARABIC, "rtl"),
    "uk": (CYRILLIC, "ltr"),
    "ru": (CYRILLIC, "ltr"),
    "fa_AF": (ARABIC, "rtl"),
    "tr": (LATIN, "ltr"),
    "kmr": (LATIN, "ltr"),
    "ps": (ARABIC, "rtl"),
    "fa": (ARABIC, "rtl"),
    "en": (LATIN, "ltr"),
    "so": (LATIN, "ltr"),
    "ckb": (ARABIC, "rtl"),
    "ti": (ETHIOPIC, "ltr"),
    "fr": (LATIN, "ltr"),
}
INTERVIEW_LANGUAGES = tuple(code for code in LANGUAGE_SCRIPTS if code != "de")


def font_dir() -> Path:
    """``ui/fonts`` in the source tree or the bundle."""
    return paths.resource_dir() / "ui" / "fonts"


def script_of(char: str) -> str | None:
    """The shipped script ``char`` belongs to, or ``None`` for Latin, digits, spaces and
    punctuation (which any family can show, and which take the script of their neighbours)."""
    code = ord(char)
    for start, end, script in _BLOCKS:
        if start <= code <= end:
            return script
    if code < 0x0250 or 0x1E00 <= code <= 0x1EFF:
        return LATIN if unicodedata.category(char).startswith("L") else None
    return None


def family_for_script(script: str | None) -> FontFamily:
    for family in FAMILIES:
        if script in family.scripts:
            return family
    return DEFAULT_FAMILY


def family_for_language(language: str) -> FontFamily:
    """The family for text in ``language`` (e.g. ``fa_AF``); German's for unknown codes."""
    script, _direction = LANGUAGE_SCRIPTS.get(
        language, LANGUAGE_SCRIPTS.get(_base(language), (LATIN, "ltr"))
    )
    return family_for_script(script)


def is_rtl(language: str) -> bool:
    """Whether ``language`` is written right to left (Arabic, Dari, Farsi, Pashto, Sorani)."""
    entry = LANGUAGE_SCRIPTS.get(language) or LANGUAGE_SCRIPTS.get(_base(language))
    return bool(entry and entry[1] == "rtl")


def missing_files() -> list[Path]:
    """Shipped font files that are not where they should be (an incomplete install)."""
    wanted = [family.path(bold=bold) for family in FAMILIES for bold in (False, True)]
    return [path for path in wanted if not path.is_file()]


def _base(language: str) -> str:
    return language.replace("-", "_").split("_")[0]
