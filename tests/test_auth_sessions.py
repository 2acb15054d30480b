"""Sessions end on the server, sign-in renews the CSRF secret, and the sign-in limit holds
under parallel tries (on SQLite and PostgreSQL)."""

from __future__ import annotations

import re
import threading
from collections import Counter

import sqlalchemy as sa

from tests.conftest import PASSWORD
from webapp.auth.services import MAX_FAILURES_PER_ADDRESS, MAX_FAILURES_PER_EMAIL
from webapp.extensions import db
from webapp.models import LoginThrottle

COOKIES = ("session", "remember_token")


def copy_cookies(source, target, names=COOKIES) -> None:
    """Give `target` the cookies of `source` (what a thief copies from a browser)."""
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_signing_out_ends_a_copied_session_and_remember_cookie(make_user, app):
    """After sign-out, neither a copy of the session cookie nor of the remember-me cookie
    signs anyone in."""
    user = make_user()
    browser, session_copy, remember_copy = (app.test_client() for _ in range(3))
    browser.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
    copy_cookies(browser, session_copy, ["session"])
    copy_cookies(browser, remember_copy, ["remember_token"])
    assert session_copy.get("/account").status_code == 200
    assert remember_copy.get("/account").status_code == 200

    assert browser.post("/logout").status_code == 302

    for client in (browser, session_copy, remember_copy):
        response = client.get("/account")
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def csrf_token_in(html: str) -> str:
    """The CSRF token a page's form carries."""
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)


def test_signing_in_renews_the_csrf_secret(make_user, app):
    """A CSRF token seen before signing in is refused afterwards; the page's new one works."""
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    client = app.test_client()
    before = csrf_token_in(client.get("/login").get_data(as_text=True))
    with client.session_transaction() as session:
        old_secret = session["csrf_token"]
    signed_in = client.post("/login", data={"email": user.email, "password": PASSWORD,
                                            "csrf_token": before})
    assert signed_in.status_code == 302
    with client.session_transaction() as session:
        assert session.get("csrf_token") != old_secret

    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400 and "CSRF" in refused.get_data(as_text=True)
    after = csrf_token_in(client.get("/account").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302


def parallel_sign_ins(app, emails: list[str], password: str) -> Counter:
    """Post the sign-in form once per email, all at the same moment; count the answers."""
    start = threading.Barrier(len(emails))
    answers: list[int] = []

    def one(email: str) -> None:
        client = app.test_client()
        with app.app_context():  # each thread its own, as each worker of a server
            start.wait()
            answers.append(client.post("/login", data={"email": email,
                                                        "password": password}).status_code)

    threads = [threading.Thread(target=one, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return Counter(answers)


def test_the_limit_per_account_holds_under_40_parallel_tries(make_user, app):
    """40 wrong passwords at once against one account: exactly the limit's 5 are checked,
    35 refused; then even the right password waits."""
    user = make_user()
    answers = parallel_sign_ins(app, [user.email] * 40, "wrong password")
    assert answers == {401: MAX_FAILURES_PER_EMAIL, 429: 40 - MAX_FAILURES_PER_EMAIL}
    db.session.expire_all()
    tries = dict(db.session.execute(sa.select(LoginThrottle.key, LoginThrottle.attempts)).all())
    assert tries == {f"email:{user.email}": 5, "address:127.0.0.1": 5}
    assert app.test_client().post("/login", data={"email": user.email,
                                                  "password": PASSWORD}).status_code == 429


def test_the_limit_per_address_holds_under_parallel_tries(app):
    """Tries at 30 different accounts from one address: the address limit lets 20 through."""
    emails = [f"guess{n}@example.org" for n in range(30)]
    answers = parallel_sign_ins(app, emails, "wrong password")
    assert answers == {401: MAX_FAILURES_PER_ADDRESS, 429: 30 - MAX_FAILURES_PER_ADDRESS}


def test_a_successful_sign_in_is_not_counted_against_the_address(make_user, auth, monkeypatch):
    """People signing in from one address (a venue's network) do not use up its limit."""
    monkeypatch.setattr("webapp.auth.services.MAX_FAILURES_PER_ADDRESS", 2)
    users = [make_user() for _ in range(4)]
    for user in users:
        assert auth.login(user).status_code == 302
        auth.logout()
    assert db.session.get(LoginThrottle, "address:127.0.0.1").attempts == 0
