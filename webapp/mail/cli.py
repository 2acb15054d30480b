"""`flask --app webapp mail send`: deliver the outbox from cron, or as a worker (--watch)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import OperationalError

from webapp.extensions import db
from webapp.mail.delivery import DeliveryReport, deliver_due, make_waiting_due
from webapp.models.types import utcnow

mail_cli = AppGroup("mail", help="Deliver the mail outbox.")


@contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """Ctrl+C and SIGTERM ask the worker to stop after the message in hand (claims it has not
    started are handed back), instead of killing it mid-send."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig in previous:
        signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _one_run(stop: threading.Event, limit: int | None) -> DeliveryReport:
    """Deliver what is due; a database error becomes one readable line."""
    try:
        return deliver_due(limit=limit, should_stop=stop.is_set)
    except OperationalError as exc:
        db.session.rollback()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise click.ClickException(f"cannot use the database: {reason}") from None


def _make_waiting_due() -> None:
    """--now: every queued message due at once, committed, and said."""
    try:
        waiting = make_waiting_due()
        db.session.commit()
    except OperationalError as exc:
        db.session.rollback()
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0]
        raise click.ClickException(f"cannot use the database: {reason}") from None
    click.echo(f"{waiting} waiting message{'s' if waiting != 1 else ''} due now.")


DAY_SECONDS = 24 * 3600


def run_daily_jobs() -> None:
    """--daily-jobs: the jobs other packages registered in app.extensions["daily_jobs"]
    (the privacy retention sweep), each in its own transaction; a failing one is said, not
    fatal. Registered by name, so `mail` imports none of them."""
    for name, job in current_app.extensions.get("daily_jobs", {}).items():
        try:
            job()
        except Exception as exc:  # noqa: BLE001 - the worker keeps delivering mail
            db.session.rollback()
            click.echo(f"{_stamp()} daily job {name} failed: {exc}", err=True)
        else:
            click.echo(f"{_stamp()} daily job {name} done.")


def _stamp() -> str:
    """The time for a worker's log line."""
    return utcnow().strftime("%Y-%m-%d %H:%M:%S UTC")


@mail_cli.command("send")
@click.option("--watch", is_flag=True,
              help="Keep running: deliver, wait --interval seconds, repeat until stopped.")
@click.option("--interval", default=5.0, show_default=True, type=click.FloatRange(min=0.05),
              help="Seconds between runs with --watch.")
@click.option("--limit", type=click.IntRange(min=1), default=None,
              help="Send at most this many messages per run.")
@click.option("--now", "now", is_flag=True,
              help="First make every waiting message due (after an outage: no waiting for "
                   "the retry backoff), then deliver.")
@click.option("--daily-jobs", "daily", is_flag=True,
              help="Also run the daily jobs (the privacy retention sweep): once now, and with "
                   "--watch every 24 hours.")
def send_command(watch: bool, interval: float, limit: int | None, now: bool,
                 daily: bool) -> None:
    """Deliver the messages that are due (by SMTP, or as .eml files without MAIL_SERVER)."""
    stop = threading.Event()
    if now:
        _make_waiting_due()
    next_daily = time.monotonic() if daily else None
    with stop_on_signals(stop):
        if not watch:
            if daily:
                run_daily_jobs()
            report = _one_run(stop, limit)
            summary = report.summary()
            click.echo(summary[:1].upper() + summary[1:] + ".")
            if report.errors:
                click.echo(f"Last error: {report.errors[-1]}", err=True)
            return
        click.echo(f"{_stamp()} mail worker started; every {interval:g}s; Ctrl+C stops.")
        while not stop.is_set():
            if next_daily is not None and time.monotonic() >= next_daily:
                run_daily_jobs()
                next_daily += DAY_SECONDS
            try:
                report = _one_run(stop, limit)
            except click.ClickException as exc:  # the database may be restarting: wait
                click.echo(f"{_stamp()} {exc.message}", err=True)
            else:
                if report.attempted or report.released:
                    click.echo(f"{_stamp()} {report.summary()}")
                if report.errors:
                    click.echo(f"{_stamp()} last error: {report.errors[-1]}", err=True)
            stop.wait(interval)
        click.echo(f"{_stamp()} mail worker stopped.")
