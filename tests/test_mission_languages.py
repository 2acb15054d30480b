"""A reverse mission's mails are in the mission's language, whatever the organiser's page
is in: guests keep no language of their own, so subject, body and calendar part follow the
mission's default (set at set-up), and English without one."""

from tests.ical_check import parse_calendar
from tests.test_missions import add_item, item_form, mission, outbox, planner  # noqa: F401
from webapp.calendars.event_news import cancel_event
from webapp.extensions import db


def test_mission_mails_follow_the_mission_language_not_the_organiser_s(
        mission, planner, app, client, make_person):  # noqa: F811
    """An organiser working in English invites, moves a visit and cancels a German mission:
    every guest's message, and the iTIP part it carries, is German."""
    event, _host, guests = mission
    event.default_language = "de"
    eva = make_person("Eva", region_id=guests["Ann"].person.region_id, email="eva@example.org")
    visit = add_item(event, "Design school", 3, guests=[guests["Ann"]])
    db.session.commit()
    english = {"Accept-Language": "en"}

    client.post(f"/missions/{event.id}/guests", data={"person_ids": [str(eva.id)]},
                headers=english)
    [invitation] = outbox()
    assert invitation.subject == "Einladung: Mission to Host"
    assert invitation.language == "de"

    form = item_form(title="Design school", attendance="some", guest_ids=[guests["Ann"].id],
                     starts_at="2030-05-07T14:00", ends_at="2030-05-07T15:30")
    client.post(f"/missions/{event.id}/items/{visit.id}", data=form, headers=english)
    [update] = outbox()[1:]
    assert update.subject == "Änderung im Reiseplan: Design school"
    assert ("  Jetzt:\n    Design school\n    Di., 7. Mai 2030 um 14:00 CEST – 15:30\n"
            in update.body_text)
    vevent = parse_calendar(update.attachments[0].data).events[f"agenda-{visit.id}@localhost"]
    assert str(vevent["CATEGORIES"].cats[0]) == "Besuch"

    with app.test_request_context(headers=english):
        cancel_event(db.session.get(type(event), event.id), "The hall burnt down.")
        db.session.commit()
    cancellations = outbox()[2:]
    assert cancellations and all(m.subject == "Abgesagt: Mission to Host"
                                 for m in cancellations)
    assert all(m.language == "de" for m in cancellations)
