"""Alembic revisions build the schema the models describe, on SQLite and PostgreSQL."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from webapp.extensions import db


def drop_everything() -> None:
    """Start from a truly empty database (the app fixture builds tables from the models)."""
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def schema_differences() -> list:
    """What autogenerate would still change to make the database match the models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def test_upgrade_from_empty_matches_models(app):
    """`flask db upgrade` on an empty database gives exactly the models' schema."""
    drop_everything()
    upgrade(directory=app.extensions["migrate"].directory)
    assert schema_differences() == []


def test_downgrade_to_base_and_back(app):
    """Every revision can be undone and redone."""
    drop_everything()
    directory = app.extensions["migrate"].directory
    upgrade(directory=directory)
    downgrade(directory=directory, revision="base")
    assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
    upgrade(directory=directory)
    assert schema_differences() == []


def test_setup_command_upgrades_and_seeds_once(app, runner):
    """README's start path: an empty database gets the schema and the history, once."""
    drop_everything()
    result = runner.invoke(args=["setup"])
    assert result.exit_code == 0, result.output
    assert "Network history loaded" in result.output
    again = runner.invoke(args=["setup"])
    assert again.exit_code == 0 and "history loaded" not in again.output
    assert db.session.scalar(sa.text("SELECT count(*) FROM region")) == 14


def test_start_links_to_the_port_it_serves_unless_base_url_is_set(app, runner, monkeypatch):
    """`flask start --port 5200` without BASE_URL puts 5200 in links; a set one is kept, with
    a note that it differs from where the server listens."""
    from werkzeug import serving

    drop_everything()
    served = []
    monkeypatch.setattr(serving, "run_simple", lambda host, port, *_a, **_k: served.append(port))
    monkeypatch.delenv("BASE_URL", raising=False)
    result = runner.invoke(args=["start", "--port", "5200"])
    assert result.exit_code == 0, result.output
    assert served == [5200] and app.config["BASE_URL"] == "http://127.0.0.1:5200"
    assert "running at http://127.0.0.1:5200/" in result.output
    monkeypatch.setenv("BASE_URL", "https://events.example.org")
    app.config["BASE_URL"] = "https://events.example.org"
    result = runner.invoke(args=["start", "--port", "5300"])
    assert app.config["BASE_URL"] == "https://events.example.org"
    assert "BASE_URL is https://events.example.org" in result.output
