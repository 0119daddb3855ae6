"""`make translations`: extract every message, merge it into the French and English catalogues.

English is the source language, so its catalogue is filled with the message ids; French
entries that are new come out empty (never fuzzy-guessed), and the test suite fails until
someone translates them.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LANGUAGES = ("fr", "en")


def extract(pot: Path) -> None:
    """Every message of the code into ``pot`` (a template: it never lives in the repository)."""
    subprocess.run(  # noqa: S603 — fixed arguments, our own interpreter
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            "--sort-output",
            "--project",
            "Sutura",
            str(ROOT),
        ],
        check=True,
        cwd=ROOT,
    )


def merge(pot: Path, language: str) -> list[str]:
    with pot.open("rb") as handle:
        template = read_po(handle)
    path = HERE / language / "LC_MESSAGES" / "messages.po"
    previous = None
    if path.exists():
        with path.open("rb") as handle:
            previous = read_po(handle)
    catalog = Catalog(locale=language, project="Sutura", fuzzy=False)
    for message in template:
        if not message.id:
            continue
        old = previous.get(message.id) if previous is not None else None
        text = message.id if language == "en" else (old.string if old is not None and not old.fuzzy else "")
        catalog.add(message.id, text)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        write_po(handle, catalog, sort_output=True, width=100, no_location=True)
    return [str(m.id) for m in catalog if m.id and not translated(m.string)]


def translated(string: str | tuple[str, ...]) -> bool:
    """A plural entry counts only when every form is filled."""
    return all(string) if isinstance(string, tuple) else bool(string)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        template = Path(tmp) / "messages.pot"
        extract(template)
        for lang in LANGUAGES:
            missing = merge(template, lang)
            print(f"{lang}: {len(missing)} untranslated" + "".join(f"\n  {m}" for m in missing))
