"""Catalogs of a test's own: a few msgids translated, so language tests do not depend on the
shipped translations (which the catalog tests check on their own)."""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

import tests.conftest as shared
from webapp import create_app
from webapp.extensions import db


def write_catalogs(directory: Path, translations: dict[str, dict[str, str]]) -> None:
    """A .po per language under `directory`, translating the given msgids."""
    for code, messages in translations.items():
        catalog = Catalog(locale=code)
        for msgid, msgstr in messages.items():
            catalog.add(msgid, msgstr)
        target = directory / code / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "messages.po").open("wb") as po:
            write_po(po, catalog)


def app_with_catalogs(tmp_path: Path, translations: dict[str, dict[str, str]]):
    """Yields a fresh app (as tests/conftest.py's) whose catalogs are `translations`."""
    write_catalogs(tmp_path / "translations", translations)
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": shared.test_database_url(tmp_path),
        "BASE_URL": "http://localhost", "MAIL_DELIVER_ON_COMMIT": False,
        "MAIL_OUTBOX_DIR": str(tmp_path / "outbox"),
        "TRANSLATIONS_DIR": str(tmp_path / "translations"),
    })
    app.test_client_class = shared.RequestIsolatingClient
    with app.app_context():
        shared.reset_schema()
        yield app
        db.session.remove()
        db.drop_all()
        db.engine.dispose()
