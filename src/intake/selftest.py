"""``intake --self-test``: can this installation (a frozen bundle or a source checkout) do its job?

Runs without a display and without touching the user's data: a store is created in a temporary
directory, bound to a key store, locked and unlocked again through the key store path; the
Erstprofil form is loaded; the real desktop window logs in and shows an interview page with the
client column in Arabic and in Tigrinya (offscreen, grabbed and checked for script and ink); and
a client copy is written as PDF in both languages and read back. Exit 0 with one summary line, or
1 with one sentence naming the step that failed.

The key store is the OS one when the platform has a working backend (Windows Credential Locker,
macOS Keychain, Secret Service); on a machine without one (a headless CI box) keyrings.alt's file
backend in the temporary directory stands in, and the summary says which was used. The
device secret written for the test is deleted again.

Options: ``--keyring auto|os|file`` (``os`` fails when there is no OS key store), ``--keep DIR``
(leave the screenshots and PDFs there), ``--verbose`` (each step and, on failure, the traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ADMIN = "selftest.admin"
PASSWORD = "self-test password"  # noqa: S105 - a throw-away store in a temporary directory
LANGUAGES = {"ar": ("Arabic", "languages"), "ti": ("Ethiopic", "work")}
# The OS key store every platform should offer, by keyring's entry-point name.
NATIVE_BACKEND = {"win32": "Windows", "darwin": "macOS"}
LINUX_BACKEND = "SecretService"


class SelfTestFailed(Exception):
    """One sentence saying what does not work."""


def _check(condition: object, sentence: str) -> None:
    if not condition:
        raise SelfTestFailed(sentence)


# -- resources ------------------------------------------------------------------------------------


def check_resources() -> str:
    from intake import fonts, i18n, paths
    from intake.formengine import default_form_path, forms_dir

    _check(default_form_path().is_file(), f"the Erstprofil form is missing from {forms_dir()}")
    _check((forms_dir() / "schema").is_dir(), f"the form schema is missing from {forms_dir()}")
    missing = fonts.missing_files()
    _check(not missing, f"shipped fonts are missing: {', '.join(p.name for p in missing)}")
    style = paths.resource_dir() / "ui" / "styles" / "intake.qss"
    _check(style.is_file(), f"the style sheet {style} is missing")
    catalogs = sorted(p.parent.parent.name for p in i18n.locale_dir().glob("*/LC_MESSAGES/*.mo"))
    for language in ("de", *LANGUAGES):
        _check(
            language in catalogs,
            f"the compiled '{language}' catalog is missing from {i18n.locale_dir()}",
        )
    for language in i18n.INTERVIEW_LANGUAGES:  # CLDR data for the language picker
        _check(i18n.language_info(language).native_name, f"no CLDR name for '{language}'")
    return f"{len(catalogs)} catalogs, CLDR data for {len(i18n.INTERVIEW_LANGUAGES)} languages"


# -- key store ------------------------------------------------------------------------------------


def keyring_entry_points() -> list[str]:
    """keyring's backends as its plugin discovery sees them (lost in naive frozen builds)."""
    from importlib.metadata import entry_points

    return sorted(ep.name for ep in entry_points(group="keyring.backends"))


def choose_keyring(mode: str, tmp: Path) -> tuple[Any, str]:
    """A :class:`DeviceKeyring` and a description of the backend behind it."""
    from intake.store.device import DeviceKeyring

    names = keyring_entry_points()
    _check(names, "keyring finds no backends (its entry-point metadata is not in the bundle)")
    native = NATIVE_BACKEND.get(sys.platform, LINUX_BACKEND)
    _check(native in names, f"keyring's '{native}' backend is not in the bundle")
    if mode in ("auto", "os"):
        device = DeviceKeyring()
        status = device.status()
        # keyrings.alt travels in the bundle for this test only: the app must never choose it.
        if getattr(sys, "frozen", False) and status.available:
            chosen = getattr(device.backend, "backends", None) or [device.backend]
            _check(
                not any(type(b).__module__.startswith("keyrings.alt") for b in chosen),
                "the bundle would keep the device secret in keyrings.alt's plain file",
            )
        if status.available:
            return device, f"OS key store {status.backend}"
        _check(mode == "auto", f"no OS key store is available ({status.detail})")
    try:
        from keyrings.alt.file import PlaintextKeyring
    except ImportError:
        raise SelfTestFailed(
            "there is no OS key store and keyrings.alt's file backend is not installed"
        ) from None
    backend = PlaintextKeyring()
    backend.file_path = str(tmp / "keyring" / "keyring.cfg")  # documented instance override
    return DeviceKeyring(backend), "keyrings.alt file backend in the temporary directory"


# -- store ----------------------------------------------------------------------------------------


def make_store(data_dir: Path, device: Any) -> tuple[Any, str]:
    """A new store bound to the key store, one fictional profile; returns vault and profile id."""
    from intake.demo import demo_profiles
    from intake.errors import DeviceSecretMissing
    from intake.formengine import default_form_path, load_form
    from intake.store.device import DeviceKeyring
    from intake.store.vault import Vault

    form = load_form(default_form_path())
    vault = Vault(data_dir, keyring=device)
    created = vault.create(ADMIN, PASSWORD, keyring_policy="required")
    _check(created.device_bound, "the new store was not bound to the key store")
    try:
        answers = next(demo_profiles(1, seed=7, form=form))
        answers["interview_language"] = "ar"
        change = created.session.profiles.save(
            answers, form_id=form.id, form_version=form.version, status="complete"
        )
    finally:
        created.session.close()
    # The key store is really in the path: without the device secret the password is not enough.
    import keyring.backends.null

    stranger = Vault(data_dir, keyring=DeviceKeyring(keyring.backends.null.Keyring()))
    try:
        stranger.unlock(ADMIN, PASSWORD).close()
    except DeviceSecretMissing:
        pass
    else:
        raise SelfTestFailed("the store opened without the device secret from the key store")
    vault.unlock(ADMIN, PASSWORD).close()
    return vault, change.profile_id


# -- interview on screen --------------------------------------------------------------------------


def _spin(app: Any, until: Callable[[], bool], timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while not until():
        if time.monotonic() > end:
            raise SelfTestFailed(f"{what} did not happen within {timeout:.0f} s")
        app.processEvents()
        time.sleep(0.01)


def ink_fraction(image: Any) -> float:
    """Share of pixels that differ from the most common grey level (0.0 for a blank image)."""
    from PySide6.QtGui import QImage

    grey = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    if not width or not height:
        return 0.0
    data = bytes(grey.constBits())
    counts: Counter[int] = Counter()
    for row in range(0, height, 2):
        counts.update(data[row * stride : row * stride + width : 2])
    total = sum(counts.values())
    return 1.0 - counts.most_common(1)[0][1] / total


def render_interview(vault: Any, profile_id: str, keep: Path | None) -> str:
    from PySide6.QtWidgets import QLabel

    from intake import fonts
    from intake.ui.app import MainWindow, create_application, settings_for
    from intake.ui.fonts import register_fonts
    from intake.ui.qt_i18n import LanguageHub

    app = create_application(["intake-self-test"])
    families = register_fonts()
    for family in fonts.FAMILIES:
        _check(family.name in families, f"Qt could not load the shipped font {family.name}")
    hub = LanguageHub(app)
    _check(hub.set_ui_language("de") == "de", "the German interface catalog does not load")
    from PySide6.QtCore import QLibraryInfo

    qt_translations = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))
    _check(
        (qt_translations / "qtbase_de.qm").is_file(),
        f"Qt's own German translations are missing from {qt_translations}",
    )
    window = MainWindow(vault, hub, settings_for(vault.data_dir))
    window.resize(1366, 860)
    try:
        _check(window.start(), "the app did not reach the login window")
        window.show()
        view = window.login_view
        window.login(ADMIN, PASSWORD)
        _spin(
            app,
            lambda: window.workspace is not None or not view.message.isHidden(),
            60,
            "the login",
        )
        _check(window.workspace is not None, f"the login failed: {view.message.text()}")
        workspace = window.workspace
        workspace.open_profile(profile_id)
        screen = workspace.interview
        _check(screen is not None, "the interview did not open")
        sizes = []
        for language, (script, section) in LANGUAGES.items():
            screen.controller.set_answer("interview_language", None, language, at_once=True)
            screen.show_section(section)

            def client_text(section: str = section) -> str:
                page = screen.page(section)
                return " ".join(label.text() for label in page.findChildren(QLabel, "clientLabel"))

            def in_script(script: str = script, client_text=client_text) -> bool:
                return any(fonts.script_of(ch) == script for ch in client_text())

            _spin(app, in_script, 10, f"the {script} client column")
            for _ in range(20):  # let layouts and paints settle
                app.processEvents()
            image = window.grab().toImage()
            ink = ink_fraction(image)
            _check(ink > 0.02, f"the interview page in '{language}' rendered blank")
            # The client's text itself must have been painted, not just the page around it.
            label = next(
                label
                for label in screen.page(section).findChildren(QLabel, "clientLabel")
                if any(fonts.script_of(ch) == script for ch in label.text())
            )
            label_ink = ink_fraction(label.grab().toImage())
            _check(label_ink > 0.01, f"the {script} question text in '{language}' is not drawn")
            if keep is not None:
                image.save(str(keep / f"interview-{language}.png"))
            sizes.append(f"{language} {image.width()}x{image.height()} ink {ink:.0%}")
    finally:
        window.close()
        app.processEvents()
    return ", ".join(sizes)


# -- client copy as PDF ---------------------------------------------------------------------------


def pdf_fonts(path: Path) -> tuple[int, set[str]]:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    names: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object().get("/BaseFont", "")).split("+")[-1].lstrip("/"))
    return len(reader.pages), names


def write_pdfs(vault: Any, profile_id: str, out: Path) -> str:
    from intake.reports import ReportService

    session = vault.unlock(ADMIN, PASSWORD)
    results = []
    try:
        service = ReportService(session, jobcenter="Jobcenter Teststadt")
        for language, (script, _section) in LANGUAGES.items():
            path = out / f"client-{language}.pdf"
            service.export(profile_id, "client", path, language=language)
            _check(path.read_bytes()[:5] == b"%PDF-", f"the {language} client copy is no PDF")
            pages, names = pdf_fonts(path)
            _check(pages >= 1, f"the {language} client copy has no pages")
            wanted = "NotoSansArabic" if script == "Arabic" else "NotoSansEthiopic"
            _check(
                any(name.startswith(wanted) for name in names),
                f"the {language} client copy does not embed the {script} font",
            )
            results.append(f"{language} {pages} p.")
    finally:
        session.close()
    return ", ".join(results)


# -- the run --------------------------------------------------------------------------------------


def forget_device_secret(data_dir: Path, device: Any) -> None:
    """Remove the test store's secret from the key store, however far the test got."""
    from intake.store.keyslots import KeySlotFile
    from intake.store.layout import SLOTS_NAME

    slots = data_dir / SLOTS_NAME
    if slots.is_file():
        with contextlib.suppress(Exception):  # a half-written file: nothing was stored
            device.delete(KeySlotFile.load(slots).store_id)


def run(mode: str, keep: Path | None, say: Callable[[str], None]) -> str:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="intake-selftest-") as name:
        tmp = Path(name)
        out = keep or tmp
        say("resources: " + check_resources())
        device, keyring_used = choose_keyring(mode, tmp)
        say("key store: " + keyring_used)
        try:
            vault, profile_id = make_store(tmp / "store", device)
            say("store: created, locked, unlocked through the key store")
            shown = render_interview(vault, profile_id, keep)
            say("interview: " + shown)
            pdfs = write_pdfs(vault, profile_id, out)
            say("client copies: " + pdfs)
        finally:
            forget_device_secret(tmp / "store", device)
    seconds = time.monotonic() - started
    return (
        f"intake self-test passed in {seconds:.1f} s: store unlocked through the {keyring_used}, "
        f"Erstprofil loaded, interview shown in Arabic and Tigrinya ({shown}), "
        f"client PDFs written ({pdfs})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="intake --self-test", description=__doc__.split("\n")[0])
    parser.add_argument("--keyring", choices=("auto", "os", "file"), default="auto")
    parser.add_argument("--keep", type=Path, help="write the screenshots and PDFs here")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args(argv)
    if args.keep is not None:
        args.keep.mkdir(parents=True, exist_ok=True)

    def say(line: str) -> None:
        if args.verbose:
            print(f"  {line}", file=sys.stderr, flush=True)

    try:
        summary = run(args.keyring, args.keep, say)
    except SelfTestFailed as exc:
        print(f"intake self-test failed: {exc}.", file=sys.stderr)
        return 1
    except Exception as exc:
        if args.verbose:
            traceback.print_exc()
        detail = exc.user_message() if hasattr(exc, "user_message") else str(exc)
        print(
            f"intake self-test failed: {type(exc).__name__}: {detail or 'no detail'}",
            file=sys.stderr,
        )
        return 1
    print(summary, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
