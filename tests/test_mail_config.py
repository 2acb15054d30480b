"""MAIL_* settings from the environment, with clear errors and an embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from webapp import create_app
from webapp.config import ConfigError, mail_settings


def test_defaults_write_eml_files_under_instance():
    """No MAIL_SERVER: mail goes to instance/outbox/, delivered after commit, 5 attempts."""
    settings = mail_settings({}, Path("/srv/doc/instance"), "https://events.example.org")
    assert settings["MAIL_SERVER"] is None
    assert settings["MAIL_OUTBOX_DIR"] == "/srv/doc/instance/outbox"
    assert settings["MAIL_FROM"] == "Districts of Creativity <noreply@events.example.org>"
    assert settings["MAIL_MAX_ATTEMPTS"] == 5 and settings["MAIL_DELIVER_ON_COMMIT"] is True
    assert settings["MAIL_PORT"] == 25


def test_smtp_settings_are_read_from_the_environment(monkeypatch):
    """A configured server, implicit TLS on its usual port, credentials and sender."""
    for key, value in {"MAIL_SERVER": "smtp.example.org", "MAIL_USE_SSL": "yes",
                       "MAIL_USERNAME": "doc", "MAIL_PASSWORD": "pw",
                       "MAIL_FROM": "DoC Secretariat <secretariat@example.org>",
                       "MAIL_MAX_ATTEMPTS": "8", "MAIL_DELIVER_ON_COMMIT": "off",
                       "SECRET_KEY": "x" * 40}.items():
        monkeypatch.setenv(key, value)
    config = create_app().config
    assert (config["MAIL_SERVER"], config["MAIL_PORT"]) == ("smtp.example.org", 465)
    assert config["MAIL_USE_SSL"] is True and config["MAIL_USE_TLS"] is False
    assert (config["MAIL_USERNAME"], config["MAIL_PASSWORD"]) == ("doc", "pw")
    assert config["MAIL_FROM"] == "DoC Secretariat <secretariat@example.org>"
    assert config["MAIL_MAX_ATTEMPTS"] == 8 and config["MAIL_DELIVER_ON_COMMIT"] is False


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"MAIL_USE_TLS": "1", "MAIL_USE_SSL": "1"}, "not both"),
        ({"MAIL_PORT": "smtp"}, "MAIL_PORT must be a number"),
        ({"MAIL_MAX_ATTEMPTS": "0"}, "MAIL_MAX_ATTEMPTS must be at least 1"),
        ({"MAIL_USE_TLS": "maybe"}, "MAIL_USE_TLS must be true or false"),
        ({"MAIL_FROM": "nobody"}, "MAIL_FROM must be one address"),
    ],
)
def test_mistakes_stop_start_up_with_one_line(env, message):
    """Contradictory or malformed mail settings are named, not discovered at send time."""
    with pytest.raises(ConfigError) as excinfo:
        mail_settings(env, Path("/srv/doc/instance"), "http://127.0.0.1:5000")
    assert message in str(excinfo.value) and "\n" not in str(excinfo.value)
