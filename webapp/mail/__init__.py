"""Mail: the transactional outbox and its delivery."""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from webapp.config import mail_settings
from webapp.mail.background import EXTENSION, AfterCommitSender
from webapp.mail.services import (
    Attachment,
    Email,
    queue_email,
    queue_emails,
    queue_emails_with_ids,
)

__all__ = ["Attachment", "Email", "init_app", "queue_email", "queue_emails",
           "queue_emails_with_ids"]


def init_app(app: Flask) -> None:
    """Fill in MAIL_* defaults and start delivery after each commit that queued mail."""
    defaults = mail_settings({}, Path(app.instance_path), app.config["BASE_URL"])
    for key, value in defaults.items():
        app.config.setdefault(key, value)
    app.extensions[EXTENSION] = AfterCommitSender(app)
