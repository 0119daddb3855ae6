"""French and English catalogues are complete: no empty or fuzzy entry, every message of
the code is in both, and both compile."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"


def catalog(language: str):
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle)


def _sync_module():
    """translations/sync.py, the same extraction `make translations` runs."""
    spec = importlib.util.spec_from_file_location("translations_sync", TRANSLATIONS / "sync.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> set[str]:
    """Extract the messages from the code now, so a string added without `make translations` fails."""
    pot = tmp_path_factory.mktemp("i18n") / "messages.pot"
    _sync_module().extract(pot)
    with pot.open("rb") as handle:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_catalogue_is_complete(language, extracted) -> None:
    entries = {m.id if isinstance(m.id, str) else m.id[0]: m for m in catalog(language) if m.id}
    missing = sorted(extracted - set(entries))
    assert missing == [], f"{language}: not in the catalogue (run `make translations`): {missing}"
    untranslated = sorted(
        key for key, m in entries.items() if not (all(m.string) if isinstance(m.string, tuple) else m.string)
    )
    fuzzy = sorted(m.id for m in entries.values() if m.fuzzy)
    assert untranslated == [], f"{language}: untranslated: {untranslated}"
    assert fuzzy == [], f"{language}: fuzzy: {fuzzy}"


def test_placeholders_survive_translation() -> None:
    import re

    for message in catalog("fr"):
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = sorted(re.findall(r"%\(\w+\)[sd]", ids[-1]))
            for string in strings:
                assert sorted(re.findall(r"%\(\w+\)[sd]", string)) == wanted, message.id


def test_catalogues_compile(tmp_path) -> None:
    for language in ("fr", "en"):
        result = subprocess.run(  # noqa: S603
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "compile",
                "-i",
                str(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"),
                "-o",
                str(tmp_path / f"{language}.mo"),
                "-l",
                language,
            ],
            capture_output=True,
            text=True,
        )
        assert result.returncode == 0, result.stderr
