"""Delegate CSV import: Excel's encodings and separators, every bad row named, confirm step."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from tests.registrations.helpers import person
from webapp.extensions import db
from webapp.models import AuditEntry, DelegateImport, Registration, Role
from webapp.registrations.imports import ImportFileError, parse_delegates_csv
from webapp.registrations.services import register_person


def excel_csv(lines: list[str], delimiter: str = ";", bom: bool = True) -> bytes:
    """What Excel writes: CRLF lines, optional BOM, UTF-8."""
    text = "\r\n".join(line.replace("|", delimiter) for line in lines) + "\r\n"
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@pytest.fixture
def flanders(make_region):
    """A member region."""
    return make_region("Flanders", slug="flanders")


@pytest.mark.parametrize(("delimiter", "bom"), [(";", True), (",", True), (",", False)])
def test_separators_and_bom(make_forum, flanders, delimiter, bom):
    """`;` and `,` files, with or without BOM, read the same, accents intact."""
    data = excel_csv(["Name|Email|Organisation|Title|Head",
                      "Søren Ærø|soren@example.dk|Aarhus Universitet|Rektor|yes",
                      "Zoë Müller|zoe@example.de|Uni Stuttgart||"], delimiter, bom)
    preview = parse_delegates_csv(data, event=make_forum(quota=5), region=flanders)
    assert [(r.line, r.full_name, r.email, r.head, r.ok) for r in preview.rows] == [
        (2, "Søren Ærø", "soren@example.dk", True, True),
        (3, "Zoë Müller", "zoe@example.de", False, True),
    ]
    assert preview.rows[0].organisation == "Aarhus Universitet"


def test_every_bad_row_has_its_line_and_reason(make_forum, flanders):
    """Missing/invalid email, missing name, duplicates in the file or the event, over quota."""
    forum = make_forum(quota=3)
    register_person(forum, person("taken", email="taken@example.org"), "guest")
    data = excel_csv([
        "name|email",
        "Ann|ann@example.org",            # 2 ok
        "Bob|",                           # 3 missing email
        "Cid|not-an-email",               # 4 invalid
        "|dee@example.org",               # 5 missing name
        "Ann again|ANN@example.org",      # 6 duplicate of line 2
        "Taken|taken@example.org",        # 7 registered already
        "Eve|eve@example.org",            # 8 ok
        "|",                              # blank: skipped silently
        "Fay|fay@example.org",            # 10 ok (3rd place)
        "Gus|gus@example.org",            # 11 over quota
    ])
    preview = parse_delegates_csv(data, event=forum, region=flanders)
    reasons = {row.line: "; ".join(row.errors) for row in preview.rows}
    assert reasons == {
        2: "", 3: "missing email", 4: "invalid email “not-an-email”", 5: "missing name",
        6: "duplicate of line 2", 7: "already registered for this event", 8: "", 10: "",
        11: "over quota (3 places)",
    }
    assert [r.line for r in preview.good_rows] == [2, 8, 10]


@pytest.mark.parametrize(("data", "message"), [
    (b"", "empty"),
    ("name;email\nÅse;a@example.org".encode("cp1252"), "not UTF-8"),
    (b"vorname;nachname\nA;B", "missing: name, email"),
])
def test_unreadable_files_are_explained(make_forum, flanders, data, message):
    """Whole-file problems say what to do instead of failing row by row."""
    with pytest.raises(ImportFileError, match=message):
        parse_delegates_csv(data, event=make_forum(), region=flanders)


def test_upload_preview_then_confirm(make_forum, flanders, make_user, client, auth):
    """Nothing is saved at upload; confirming imports the good rows and audits it."""
    forum = make_forum(quota=5)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    upload = excel_csv(["name;email;head", "Ann;ann@example.org;x", "Bob;;"])
    response = client.post(f"/events/{forum.id}/delegations/flanders/import",
                           data={"file": (io.BytesIO(upload), "delegates.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 0
    page = client.get(response.headers["Location"])
    assert b"missing email" in page.data and b"Import 1 delegate" in page.data
    # The skipped rows are listed above the table too, each linking to its line.
    assert b'<a href="#line-3">Line 3</a>: missing email' in page.data
    assert b'id="line-3"' in page.data
    draft = db.session.scalars(sa.select(DelegateImport)).one()
    response = client.post(f"/delegate-imports/{draft.id}/confirm")
    assert response.status_code == 302
    delegate = db.session.scalars(sa.select(Registration)).one()
    assert delegate.person.email == "ann@example.org" and delegate.is_head_of_delegation
    assert delegate.delegation.region_id == flanders.id
    assert db.session.scalar(sa.select(AuditEntry.action).where(
        AuditEntry.action == "delegation.imported"))
    again = client.post(f"/delegate-imports/{draft.id}/confirm", follow_redirects=True)
    assert "already been imported" in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Registration.id))) == 1


def test_control_characters_are_bad_rows_not_server_errors(make_forum, flanders, make_user,
                                                           client, auth):
    """A NUL or an escape in a cell (PostgreSQL refuses NUL) marks that row, by line and
    column; the preview page shows it and the good rows still import."""
    forum = make_forum(quota=5)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    upload = excel_csv(["name;email;organisation",
                        "Ann\x00;ann@example.org;",         # 2
                        "Bob;bob\x00@example.org;",         # 3
                        "Cid;cid@example.org;Org\x1b[31m",  # 4
                        "Dee;dee@example.org;Aarhus"])      # 5 ok
    response = client.post(f"/events/{forum.id}/delegations/flanders/import",
                           data={"file": (io.BytesIO(upload), "delegates.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "control character U+0000 in the name" in page
    assert "control character U+0000 in the email" in page
    assert "control character U+001B in the organisation" in page
    assert "Import 1 delegate" in page
    draft = db.session.scalars(sa.select(DelegateImport)).one()
    assert client.post(f"/delegate-imports/{draft.id}/confirm").status_code == 302
    assert [r.person.email for r in db.session.scalars(sa.select(Registration))] == [
        "dee@example.org"]


def test_a_long_list_of_skipped_rows_is_cut_with_a_count(make_forum, flanders, make_user,
                                                       client, auth):
    """Sixty rows without email: fifty listed above the table, the rest counted."""
    forum = make_forum(quota=5)
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    upload = excel_csv(["name;email"] + [f"Person {n};" for n in range(60)])
    response = client.post(f"/events/{forum.id}/delegations/flanders/import",
                           data={"file": (io.BytesIO(upload), "delegates.csv")},
                           content_type="multipart/form-data")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    summary = page.split('id="preview"')[0]
    assert "Skipped rows (60)" in summary
    assert summary.count('<a href="#line-') == 50 and "and 10 more" in summary


def test_other_regions_cannot_see_a_preview(make_forum, flanders, make_region, make_user,
                                            client, auth):
    """A preview holds personal data: only its region and the secretariat open it."""
    forum = make_forum()
    draft = DelegateImport(event_id=forum.id, region_id=flanders.id, filename="x.csv",
                           rows_json="[]")
    db.session.add(draft)
    db.session.commit()
    auth.login(make_user(Role.COORDINATOR, region=make_region("Elsewhere")))
    assert client.get(f"/delegate-imports/{draft.id}").status_code == 403
    assert client.post(f"/delegate-imports/{draft.id}/confirm").status_code == 403


def test_missing_file_is_reported(make_forum, flanders, make_user, client, auth):
    """Sending the form without a file re-displays it with a message."""
    forum = make_forum()
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    response = client.post(f"/events/{forum.id}/delegations/flanders/import", data={})
    assert response.status_code == 400 and b"Choose a CSV file" in response.data


def test_an_upload_past_the_request_limit_says_the_limit(make_forum, flanders, make_user,
                                                        client, auth):
    """A file bigger than any page takes is refused before it is read, with the limit."""
    forum = make_forum()
    auth.login(make_user(Role.COORDINATOR, region=flanders))
    huge = io.BytesIO(b"name;email\r\n" + b"x" * (5 * 2**20))
    response = client.post(f"/events/{forum.id}/delegations/flanders/import",
                           data={"file": (huge, "everything.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 413
    assert "larger than 4 MB" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DelegateImport.id))) == 0
