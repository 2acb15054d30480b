"""The app's own message catalogs: the sources (.po) are kept in git, the compiled (.mo) files
are built from them at start-up when missing or older, never committed."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"
DOMAIN = "messages"


def catalog_sources(directory: Path = TRANSLATIONS_DIR) -> dict[str, Path]:
    """Each shipped language's .po file, by language code."""
    return {po.parent.parent.name: po
            for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))}


def compile_catalogs(directory: Path = TRANSLATIONS_DIR) -> list[str]:
    """Write each .mo whose .po is newer (or which is missing); returns the languages done.
    Fuzzy entries are left out, as `pybabel compile` does."""
    done = []
    for code, po in catalog_sources(directory).items():
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalog = read_po(source, locale=code)
        with mo.open("wb") as target:
            write_mo(target, catalog)
        done.append(code)
    return done
