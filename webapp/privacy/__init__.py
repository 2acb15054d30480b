"""Personal data as European law expects: the notice, consents, a person's export, erasure
and retention.

Other features plug in with one line each (see registry.py):
`@export_section(key, title)` adds a section to every person's export and
`@erasure_step` adds what anonymising a person must also wipe."""

from __future__ import annotations

from flask import Flask

from webapp.privacy.registry import erasure_step, export_section

__all__ = ["erasure_step", "export_section", "init_app"]


def init_app(app: Flask) -> None:
    """The core sections, the template helpers of the shared pages' partials, and the
    retention sweep as a daily job of the mail worker (`mail send --watch --daily-jobs`)."""
    from webapp.privacy import anonymise, sections  # noqa: F401 - their steps and sections
    from webapp.privacy.cli import run_sweep
    from webapp.privacy.consents import CONSENT_KINDS, field_name, standing_consents
    from webapp.privacy.requests import count_pending

    app.jinja_env.globals.update(
        privacy_consent_kinds=CONSENT_KINDS, privacy_consent_field=field_name,
        privacy_standing_consents=standing_consents,
        privacy_pending_erasures=count_pending,
    )
    jobs = app.extensions.setdefault("daily_jobs", {})
    jobs["privacy retention sweep"] = run_sweep
