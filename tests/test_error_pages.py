"""Forbidden and not-found pages: the site's layout, plain words, and what to do next."""

from __future__ import annotations

from webapp.models import Role


def test_another_regions_delegation_says_whose_it_is_and_where_to_go(
        make_region, make_event, make_user, client, auth):
    """A Flanders coordinator opening Scotland's delegation: 403 in the layout, saying it is
    another region's, who they are signed in as, with a link to their own region (before:
    Werkzeug's 'Forbidden ... read-protected or not readable by the server')."""
    flanders, scotland = make_region("Flanders"), make_region("Scotland")
    forum = make_event("Forum 2030")
    auth.login(make_user(Role.COORDINATOR, region=flanders, email="marie@flanders.example"))
    page = client.get(f"/events/{forum.id}/delegations/{scotland.slug}")
    html = page.get_data(as_text=True)
    assert page.status_code == 403
    assert '<nav' in html and "site-footer" in html  # the app's layout
    assert "<h1>You cannot open this page</h1>" in html
    assert "belongs to another region" in html
    assert "read-protected" not in html and "Forbidden" not in html
    assert "signed in as marie@flanders.example" in html
    assert f'href="/regions/{flanders.slug}">Flanders</a>' in html


def test_a_secretariat_page_says_who_it_is_for(make_user, client, auth):
    """A participant on the audit log: it is for the secretariat; ask them to change the
    account."""
    auth.login(make_user(Role.PARTICIPANT))
    html = client.get("/admin/audit").get_data(as_text=True)
    assert "This page is for the secretariat." in html
    assert "ask the secretariat to change your account" in html


def test_not_found_uses_the_layout_and_says_what_to_do(client):
    """An unknown address: plain heading, a likely cause, links to the lists; a route's own
    explanation ('There is no event number 999999.') is kept."""
    html = client.get("/no-such-page").get_data(as_text=True)
    assert "<h1>This page does not exist</h1>" in html and "Not Found" not in html
    assert "cut off when copied from an email" in html
    assert 'href="/events/"' in html
    assert "There is no event number 999999." in client.get("/events/999999/register").get_data(
        as_text=True)
