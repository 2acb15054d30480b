"""Faults outside the app: the database goes away (503 with Retry-After, the usual page) and
the disk fills up (/healthz says so)."""

from __future__ import annotations

import shutil
from collections import namedtuple

import pytest

from tests.conftest import PASSWORD
from webapp.config import Config
from webapp.extensions import db

Usage = namedtuple("Usage", "total used free")
MB = 2**20


@pytest.fixture
def database_down(app, monkeypatch):
    """Call it to make the database refuse every new connection, as a stopped server does."""

    def go_down() -> None:
        db.session.remove()
        db.engine.dispose()
        dbapi = db.engine.dialect.loaded_dbapi

        def refuse(*_args, **_kwargs):
            raise dbapi.OperationalError("connection refused (the test's outage)")

        monkeypatch.setattr(db.engine.pool, "_creator", refuse)

    return go_down


@pytest.mark.parametrize(("method", "path", "form"), [
    ("GET", "/", None), ("GET", "/regions/", None), ("GET", "/events/1", None),
    ("POST", "/login", {"email": "someone@example.org", "password": "a password"}),
])
def test_a_database_outage_is_a_503_with_the_usual_kind_page(client, database_down, method,
                                                             path, form):
    """Pages and forms that need the database say it is unavailable for now, and when to
    retry."""
    database_down()
    response = client.open(path, method=method, data=form)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    html = response.get_data(as_text=True)
    assert "Error 503" in html and "The site cannot answer just now" in html
    assert "cannot reach its database" in html
    assert "Nothing you entered was saved halfway" in html and "Go to the home page" in html


def test_a_signed_in_user_gets_the_503_page_too(app, make_user, client, database_down):
    """The user cannot be loaded either: the page is drawn as for a visitor, still a 503."""
    user = make_user()
    assert client.post("/login", data={"email": user.email,
                                       "password": PASSWORD}).status_code == 302
    database_down()
    for method, path in (("GET", "/account"), ("POST", "/logout"), ("GET", "/admin/mail/")):
        response = client.open(path, method=method)
        assert response.status_code == 503, path
        assert "cannot reach its database" in response.get_data(as_text=True)


def test_a_json_client_gets_a_json_503(client, database_down):
    """Clients asking for JSON get the same answer as JSON."""
    database_down()
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"] == "Service Unavailable"


def test_healthz_reports_an_unreachable_database(client, database_down):
    """/healthz: 503 with Retry-After when the database cannot be reached."""
    database_down()
    response = client.get("/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert response.get_json()["error"] == "database unreachable"


def test_healthz_reports_a_full_disk(app, client, monkeypatch):
    """/healthz is not 'ok' when a folder the site writes to is (nearly) full."""
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(10_000 * MB, 9_990 * MB,
                                                                 10 * MB))
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503 and response.headers["Retry-After"]
    assert body["status"] == "error" and body["error"].startswith("low disk space: 10 MB free")
    assert app.instance_path in body["error"] or any(
        app.instance_path.startswith(d["path"]) for d in body["disk"])
    assert all(d["low"] and d["min_free_mb"] == 100 for d in body["disk"])


def test_healthz_checks_the_sqlite_files_folder(app, client, monkeypatch, tmp_path):
    """On SQLite the database file's folder is checked besides the instance folder."""
    seen = []
    monkeypatch.setattr(shutil, "disk_usage",
                        lambda path: seen.append(str(path)) or Usage(10**12, 0, 10**12))
    assert client.get("/healthz").get_json()["status"] == "ok"
    if db.engine.dialect.name == "sqlite":
        assert str(tmp_path) in seen


def test_the_free_space_threshold_is_configurable(app, client, monkeypatch, tmp_path):
    """HEALTH_MIN_FREE_MB sets the threshold (here 5 MB: 10 MB free is fine)."""
    monkeypatch.setattr(shutil, "disk_usage", lambda _path: Usage(100 * MB, 90 * MB, 10 * MB))
    app.config["HEALTH_MIN_FREE_MB"] = 5
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"
    monkeypatch.setenv("HEALTH_MIN_FREE_MB", "2048")
    assert Config(tmp_path).HEALTH_MIN_FREE_MB == 2048
