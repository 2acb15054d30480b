"""Sign-in, sessions, links, throttling and the protections around them."""

import re
import statistics
import time

import pytest
import sqlalchemy as sa

from tests.conftest import PASSWORD
from webapp.auth import tokens
from webapp.auth.services import MAX_FAILURES_PER_EMAIL, record_audit
from webapp.extensions import db
from webapp.models import AuditEntry, LoginThrottle, OutboxMessage, Role, User


def last_link(prefix: str) -> str:
    """The path of the newest link with `prefix` in the outbox."""
    body = db.session.scalars(
        sa.select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc())
    ).first()
    line = next(line for line in body.splitlines() if prefix in line)
    return line[line.index(prefix):].strip()


def test_login_and_logout(make_user, client, auth):
    """Correct credentials sign in; sign-out is a POST."""
    user = make_user(full_name="Ulla Diderichsen")
    response = auth.login(user)
    assert response.status_code == 302
    assert "Ulla Diderichsen" in client.get("/").get_data(as_text=True)
    assert client.get("/logout").status_code == 405  # a link cannot sign people out
    auth.logout()
    assert client.get("/account").status_code == 302


def test_wrong_password_keeps_email_and_explains(make_user, auth):
    """A failed sign-in says so, keeps the email, and does not reveal which part was wrong."""
    user = make_user()
    response = auth.login(user, "wrong password")
    html = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "do not match an active account" in html
    assert f'value="{user.email}"' in html


def test_blank_form_shows_field_errors(client):
    """Missing fields are marked."""
    response = client.post("/login", data={"email": "", "password": ""})
    assert response.status_code == 400
    assert "This field is required." in response.get_data(as_text=True)


def test_no_user_enumeration(make_user, auth):
    """Unknown email and wrong password get the same answer in similar time."""
    user = make_user()
    known = auth.login(user, "wrong password")
    unknown = auth.login("nobody@example.org", "wrong password")
    assert known.status_code == unknown.status_code == 401
    assert known.get_data(as_text=True).replace(user.email, "X") == unknown.get_data(
        as_text=True
    ).replace("nobody@example.org", "X")

    def median_seconds(email: str) -> float:
        samples = []
        for _ in range(3):
            db.session.execute(sa.delete(LoginThrottle))
            db.session.commit()
            start = time.perf_counter()
            auth.login(email, "wrong password")
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    ratio = median_seconds("nobody@example.org") / median_seconds(user.email)
    assert 0.5 < ratio < 2.0, ratio  # both pay for one scrypt check


def test_throttling_per_account(make_user, auth):
    """After repeated failures even the right password is refused for a while (429)."""
    user = make_user()
    for _ in range(MAX_FAILURES_PER_EMAIL):
        assert auth.login(user, "wrong").status_code == 401
    response = auth.login(user, PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.get_data(as_text=True)


def test_throttling_looks_the_same_for_unknown_emails(auth):
    """An unknown email is throttled with the same message: nothing tells it apart."""
    for _ in range(MAX_FAILURES_PER_EMAIL):
        auth.login("nobody@example.org", "wrong")
    assert auth.login("nobody@example.org", "wrong").status_code == 429


def test_throttling_per_address(make_user, auth, monkeypatch):
    """Many accounts tried from one address are slowed down too."""
    monkeypatch.setattr("webapp.auth.services.MAX_FAILURES_PER_ADDRESS", 3)
    user = make_user()
    for n in range(3):
        auth.login(f"guess{n}@example.org", "wrong")
    assert auth.login(user, PASSWORD).status_code == 429


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)",
     "http:/evil.example"],
)
def test_open_redirect_refused(make_user, auth, target):
    """`next` may only point inside the site."""
    response = auth.login(make_user(), next=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_next_inside_the_site_is_followed(make_user, auth):
    """A same-site `next` is where the user lands after signing in."""
    response = auth.login(make_user(), next="/account?tab=1")
    assert response.headers["Location"] == "/account?tab=1"


def test_protected_page_sends_to_login_with_next(client):
    """An anonymous visitor is sent to sign in and then back."""
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_invitation_journey_and_single_use(make_user, make_region, client, auth):
    """The secretariat invites a coordinator; the link sets a password once, then is dead."""
    flanders = make_region("Flanders")
    db.session.commit()
    auth.login(make_user())
    response = client.post("/admin/users/invite", data={
        "full_name": "Conny Jensen", "email": "Conny@Example.org", "role": "coordinator",
        "region_id": str(flanders.id)})
    assert response.status_code == 302
    link = last_link("/invitation/")
    auth.logout()
    assert "Conny Jensen" in client.get(link).get_data(as_text=True)
    response = client.post(link, data={"password": "a new long password", "confirm":
                                       "a new long password"})
    assert response.status_code == 302
    conny = db.session.scalars(sa.select(User).filter_by(email="conny@example.org")).one()
    assert conny.role is Role.COORDINATOR and conny.region_id == flanders.id
    auth.logout()
    reused = client.get(link)
    assert reused.status_code == 400
    assert "already been used" in reused.get_data(as_text=True)
    assert auth.login("conny@example.org", "a new long password").status_code == 302
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["user.invited", "user.invitation_accepted"]


def test_expired_and_forged_links_refused(make_user, client, monkeypatch):
    """An expired or tampered link explains itself and changes nothing."""
    user = make_user()
    token = tokens.make_token(user, tokens.PASSWORD_RESET)
    monkeypatch.setitem(tokens.MAX_AGE, tokens.PASSWORD_RESET, -1)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    monkeypatch.undo()
    assert client.get(f"/password/reset/{token}x").status_code == 400
    invitation = tokens.make_token(user, tokens.INVITATION)
    assert client.get(f"/password/reset/{invitation}").status_code == 400  # wrong purpose


def test_password_reset_flow_and_no_enumeration(make_user, client, auth):
    """A reset link arrives only for real accounts; the page says the same thing either way."""
    user = make_user()
    known = client.post("/password/forgot", data={"email": user.email}, follow_redirects=True)
    unknown = client.post("/password/forgot", data={"email": "nobody@example.org"},
                          follow_redirects=True)
    assert known.get_data(as_text=True) == unknown.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 1
    link = last_link("/password/reset/")
    client.post(link, data={"password": "another long password",
                            "confirm": "another long password"})
    auth.logout()
    assert auth.login(user, PASSWORD).status_code == 401
    assert auth.login(user, "another long password").status_code == 302


def test_password_change_signs_out_other_sessions(make_user, app):
    """Changing the password ends every other session, including remember-me cookies."""
    user = make_user()
    laptop, phone = app.test_client(), app.test_client()
    for c in (laptop, phone):
        c.post("/login", data={"email": user.email, "password": PASSWORD, "remember": "y"})
        assert c.get("/account").status_code == 200
    response = laptop.post("/account", data={"current": PASSWORD, "password": "brand new pass 1",
                                             "confirm": "brand new pass 1"})
    assert response.status_code == 302
    assert laptop.get("/account").status_code == 200
    assert phone.get("/account").status_code == 302


def test_password_change_needs_current_password(make_user, client, auth):
    """The form keeps its messages when the current password is wrong."""
    auth.login(make_user())
    response = client.post("/account", data={"current": "nope", "password": "brand new pass 1",
                                              "confirm": "brand new pass 1"})
    assert response.status_code == 400
    assert "not your current password" in response.get_data(as_text=True)


def test_deactivated_account_is_signed_out(make_user, app, auth, client):
    """Deactivation (after confirmation) ends the user's sessions; history stays."""
    admin, victim = make_user(), make_user(Role.PARTICIPANT)
    victim_client = app.test_client()
    victim_client.post("/login", data={"email": victim.email, "password": PASSWORD})
    auth.login(admin)
    form = {"role": "participant", "region_id": ""}
    confirm = client.post(f"/admin/users/{victim.id}", data=form)
    assert "Deactivate" in confirm.get_data(as_text=True)  # asks first
    assert db.session.get(User, victim.id).is_enabled
    client.post(f"/admin/users/{victim.id}", data={**form, "confirmed": "1"})
    db.session.expire_all()
    assert not db.session.get(User, victim.id).is_enabled
    assert victim_client.get("/account").status_code == 302
    assert db.session.scalars(sa.select(AuditEntry.action)).all()[-1] == "user.status_changed"


def test_role_change_is_audited(make_user, make_region, client, auth):
    """Changing a role is recorded with who did it."""
    admin = make_user(email="admin@example.org")
    region = make_region("Tampere")
    user = make_user(Role.PARTICIPANT)
    auth.login(admin)
    client.post(f"/admin/users/{user.id}", data={"role": "coordinator",
                                                 "region_id": str(region.id), "enabled": "y"})
    entry = db.session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "user.role_changed" and entry.actor.email == "admin@example.org"
    assert "participant → coordinator of Tampere" in entry.summary
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "coordinator of Tampere" in html


def test_coordinator_needs_a_region(make_user, client, auth):
    """Inviting a coordinator without a region is refused with the input kept."""
    auth.login(make_user())
    response = client.post("/admin/users/invite", data={
        "full_name": "No Region", "email": "nr@example.org", "role": "coordinator"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Choose the region" in html and 'value="nr@example.org"' in html


def test_secretariat_cannot_lock_itself_out(make_user, client, auth):
    """Removing one's own secretariat role is refused."""
    admin = make_user()
    auth.login(admin)
    response = client.post(f"/admin/users/{admin.id}", data={"role": "participant",
                                                             "enabled": "y"})
    assert response.status_code == 400
    assert db.session.get(User, admin.id).role is Role.SECRETARIAT


def test_security_headers(client):
    """Every page forbids inline script, sniffing and framing."""
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "unsafe-inline" not in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(make_user, auth):
    """The session cookie is HttpOnly and SameSite=Lax."""
    response = auth.login(make_user())
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_csrf_token_is_required(app, make_user):
    """With CSRF on (as in production), a form without its token is refused."""
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    response = app.test_client().post("/login", data={"email": user.email,
                                                      "password": PASSWORD})
    assert response.status_code == 400
    assert "CSRF" in response.get_data(as_text=True)


def test_users_create_command(runner, make_region):
    """The first secretariat account is created from the command line, password on stdin."""
    result = runner.invoke(args=["users", "create", "Sec@Example.org", "--role", "secretariat"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.email == "sec@example.org" and user.check_password("a long enough password")
    result = runner.invoke(args=["users", "create", "c@example.org", "--role", "coordinator"],
                           input="a long enough password\n")
    assert result.exit_code != 0 and "needs --region" in result.output
    result = runner.invoke(args=["users", "create", "s@example.org", "--role", "secretariat"],
                           input="short\n")
    assert result.exit_code != 0 and "10+ characters" in result.output


def test_users_list_search_and_filter(make_user, make_region, client, auth):
    """The secretariat finds users by name or email and role."""
    auth.login(make_user(full_name="Admin"))
    make_user(Role.COORDINATOR, region=make_region("Karnataka"), full_name="Asha Rao")
    make_user(Role.PARTICIPANT, full_name="Pat Guest")
    html = client.get("/admin/users?q=asha").get_data(as_text=True)
    assert "Asha Rao" in html and "Pat Guest" not in html
    html = client.get("/admin/users?role=participant").get_data(as_text=True)
    assert "Pat Guest" in html and "Asha Rao" not in html


def _audit_entries(actors: list[User], count: int) -> None:
    """`count` audit entries, alternating actors and actions, the last one mentioning Ærø."""
    for n in range(count):
        actor = actors[n % len(actors)]
        record_audit(actor, "fee.paid" if n % 2 else "forum.updated", actor,
                     f"entry {n}" + (": Ærø <b>paid</b>" if n == count - 1 else ""))
    db.session.commit()


def test_audit_log_search_and_action_filter(make_user, client, auth):
    """Search who or what; filter by an action that occurs; odd filters show everything."""
    admin = make_user(email="admin@example.org", full_name="Asha Admin")
    other = make_user(email="bo@example.org", full_name="Bo Other")
    _audit_entries([admin, other], 6)
    auth.login(admin)

    def shown(query: str) -> list[str]:
        page = client.get(f"/admin/audit{query}").get_data(as_text=True)
        return re.findall(r"entry \d", page)

    assert shown("") == ["entry 5", "entry 4", "entry 3", "entry 2", "entry 1", "entry 0"]
    assert shown("?action=fee.paid") == ["entry 5", "entry 3", "entry 1"]
    assert shown("?q=bo@example") == ["entry 5", "entry 3", "entry 1"]
    assert shown("?q=asha&action=forum.updated") == ["entry 4", "entry 2", "entry 0"]
    assert shown("?q=%C3%86r%C3%B8") == ["entry 5"]  # "Ærø", as typed
    assert len(shown("?action=not.an.action")) == 6
    page = client.get("/admin/audit?q=nobody").get_data(as_text=True)
    assert "No entries match." in page and "clear the filters" in page
    assert "Ærø &lt;b&gt;paid&lt;/b&gt;" in client.get("/admin/audit").get_data(as_text=True)


def test_audit_log_pages_keep_the_filters_and_constant_queries(make_user, client, auth,
                                                               count_queries):
    """The pager carries the search; the page's queries do not grow with the log."""
    admin = make_user(email="admin@example.org")
    auth.login(admin)
    counts = []
    for total in (5, 120):
        _audit_entries([admin], total - db.session.scalar(sa.select(sa.func.count(AuditEntry.id))))
        with count_queries() as counter:
            page = client.get("/admin/audit?action=forum.updated&q=entry")
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    older = re.search(r'href="([^"]*)">Older', page.get_data(as_text=True))[1]
    assert "page=2" in older and "q=entry" in older and "action=forum.updated" in older
