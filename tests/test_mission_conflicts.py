"""The planning rules of webapp.missions.conflicts: each rule, and its boundary."""

from datetime import UTC, datetime, timedelta

import pytest

from webapp.missions.conflicts import (
    GuestStay,
    ItemSlot,
    MissionFrame,
    Rule,
    check_mission,
    warnings_for_item,
)

DAY = datetime(2030, 5, 7, tzinfo=UTC)
FRAME = MissionFrame(DAY, DAY + timedelta(days=3), timedelta(minutes=30), "Europe/Copenhagen")
ANN, BO, CY = GuestStay(1, "Ann"), GuestStay(2, "Bo"), GuestStay(3, "Cy")
GUESTS = [ANN, BO, CY]


def at(hour: float) -> datetime:
    """A time on the mission's first day (UTC hours)."""
    return DAY + timedelta(hours=hour)


def item(id_: int, start: float, end: float, **fields) -> ItemSlot:
    """An item from `start` to `end` o'clock (UTC) on the first day."""
    return ItemSlot(id=id_, title=fields.pop("title", f"Item {id_}"), starts_at=at(start),
                    ends_at=at(end), **fields)


def rules(warnings) -> list[Rule]:
    """The rules that fired, in order."""
    return [w.rule for w in warnings]


def test_guest_in_two_overlapping_items_is_named():
    """Two items for everyone that overlap: one warning naming both items and the guests."""
    warnings = check_mission(FRAME, [item(1, 9, 11, title="Visit"),
                                     item(2, 10, 12, title="Lunch")], GUESTS)
    assert rules(warnings) == [Rule.GUEST_DOUBLE_BOOKED]
    warning = warnings[0]
    assert warning.item_ids == (1, 2) and warning.guest_ids == (1, 2, 3)
    assert "Ann, Bo and Cy are in both “Visit”" in warning.message
    assert "“Lunch” (Tue 7 May 12:00–14:00)" in warning.message  # local time (CEST)


def test_items_that_touch_end_to_start_do_not_overlap():
    """09–10 then 10–11 for the same guests, same place: no warning at all."""
    assert check_mission(FRAME, [item(1, 9, 10, address="A"), item(2, 10, 11, address="A")],
                         GUESTS) == []


def test_a_parallel_split_is_not_a_double_booking():
    """Two overlapping items for disjoint groups are fine; one guest in both is flagged."""
    split = [item(1, 9, 11, guest_ids=frozenset({1})), item(2, 9, 11, guest_ids=frozenset({2}))]
    assert check_mission(FRAME, split, GUESTS) == []
    both = [item(1, 9, 11, guest_ids=frozenset({1, 2})), item(2, 9, 11, guest_ids=frozenset({2}))]
    warnings = check_mission(FRAME, both, GUESTS)
    assert rules(warnings) == [Rule.GUEST_DOUBLE_BOOKED]
    assert warnings[0].guest_ids == (2,) and warnings[0].message.startswith("Bo is in both")


def test_three_overlapping_items_give_every_pair_once():
    """A sweep reports each overlapping pair exactly once, not an item twice with itself."""
    items = [item(1, 9, 12), item(2, 10, 11), item(3, 10.5, 13)]
    pairs = sorted(w.item_ids for w in check_mission(FRAME, items, GUESTS))
    assert pairs == [(1, 2), (1, 3), (2, 3)]


def test_declined_guests_are_left_out():
    """Guests not in the list of stays (declined) do not count for any rule."""
    items = [item(1, 9, 11, guest_ids=frozenset({1, 9})), item(2, 10, 12,
                                                               guest_ids=frozenset({9}))]
    assert check_mission(FRAME, items, GUESTS) == []


def test_host_organisation_booked_twice_at_once():
    """The same host (case and spacing ignored) in two overlapping parallel items."""
    items = [item(1, 9, 11, host_organisation="Design  School", guest_ids=frozenset({1})),
             item(2, 10, 12, host_organisation="design school", guest_ids=frozenset({2}))]
    warnings = check_mission(FRAME, items, GUESTS)
    assert rules(warnings) == [Rule.VENUE_DOUBLE_BOOKED]
    assert "host organisation Design  School is booked twice" in warnings[0].message


def test_address_booked_twice_and_touching_bookings():
    """The same address at once is flagged; back to back at one address is not."""
    parallel = [item(1, 9, 11, address="Harbour 1", guest_ids=frozenset({1})),
                item(2, 9, 10, address="harbour 1", guest_ids=frozenset({2}))]
    assert rules(check_mission(FRAME, parallel, GUESTS)) == [Rule.VENUE_DOUBLE_BOOKED]
    touching = [item(1, 9, 11, address="Harbour 1", guest_ids=frozenset({1})),
                item(2, 11, 12, address="Harbour 1", guest_ids=frozenset({2}))]
    assert check_mission(FRAME, touching, GUESTS) == []


def test_same_host_and_address_is_one_warning():
    """Host and address both clash: one warning saying both."""
    items = [item(1, 9, 11, host_organisation="H", address="A", guest_ids=frozenset({1})),
             item(2, 10, 12, host_organisation="H", address="A", guest_ids=frozenset({2}))]
    warnings = check_mission(FRAME, items, GUESTS)
    assert len(warnings) == 1 and "host organisation H and the address A are" in \
        warnings[0].message


def test_item_outside_the_mission_dates_and_its_boundary():
    """Starting before the mission or ending after it is flagged; exactly at its ends is not."""
    frame = MissionFrame(at(9), at(17), timedelta(0))
    assert check_mission(frame, [item(1, 9, 10), item(2, 16, 17)], GUESTS) == []
    warnings = check_mission(frame, [item(1, 8.5, 10), item(2, 16, 17.5)], GUESTS)
    assert rules(warnings) == [Rule.OUTSIDE_MISSION, Rule.OUTSIDE_MISSION]
    assert [w.item_ids for w in warnings] == [(1,), (2,)]


def test_item_outside_a_guests_stay_names_the_guest():
    """An item before Bo arrives or after Cy leaves names them; at arrival exactly is fine."""
    guests = [ANN, GuestStay(2, "Bo", arrives_at=at(10)), GuestStay(3, "Cy", departs_at=at(12))]
    assert check_mission(FRAME, [item(1, 10, 12)], guests) == []
    warnings = check_mission(FRAME, [item(1, 9, 10), item(2, 12, 13)], guests)
    assert rules(warnings) == [Rule.OUTSIDE_STAY, Rule.OUTSIDE_STAY]
    assert warnings[0].guest_ids == (2,) and "outside the stay of Bo" in warnings[0].message
    assert warnings[1].guest_ids == (3,) and "outside the stay of Cy" in warnings[1].message


def test_outside_stay_warning_says_each_guests_stay():
    """The warning gives the stay it breaks, in local time, or the one end that is known."""
    guests = [GuestStay(1, "Ann", arrives_at=at(10), departs_at=at(40)),
              GuestStay(2, "Bo", departs_at=at(8))]
    [warning] = check_mission(FRAME, [item(1, 9, 10, title="Breakfast")], guests)
    assert warning.message == (
        "“Breakfast” (Tue 7 May 11:00–12:00) is outside the stay of "
        "Ann (stay Tue 7 May 12:00 – Wed 8 May 18:00) and Bo (leaves Tue 7 May 10:00).")
    everyone = [GuestStay(n, f"G{n:02}", arrives_at=at(10)) for n in range(1, 9)]
    [warning] = check_mission(FRAME, [item(1, 9, 10)], everyone)
    assert "outside the stay of all 8 guests (arrives Tue 7 May 12:00)." in warning.message


def test_stay_is_checked_only_for_the_guests_who_attend():
    """Bo is not in the split item, so his late arrival does not matter there."""
    guests = [ANN, GuestStay(2, "Bo", arrives_at=at(12))]
    assert check_mission(FRAME, [item(1, 9, 10, guest_ids=frozenset({1}))], guests) == []


def test_capacity_exceeded_and_exactly_full():
    """Three guests for three places is fine; for two places it is flagged."""
    assert check_mission(FRAME, [item(1, 9, 10, capacity=3)], GUESTS) == []
    warnings = check_mission(FRAME, [item(1, 9, 10, capacity=2, title="Lab")], GUESTS)
    assert rules(warnings) == [Rule.OVER_CAPACITY]
    assert "has 3 guests for 2 places" in warnings[0].message
    assert warnings[0].guest_names == ("Ann", "Bo", "Cy")


def test_travel_buffer_too_short_and_exactly_enough():
    """29 minutes between two addresses is too little with a 30-minute buffer; 30 is enough."""
    short = [item(1, 9, 10, address="Harbour"), item(2, 10 + 29 / 60, 11, address="School")]
    warnings = check_mission(FRAME, short, GUESTS)
    assert rules(warnings) == [Rule.TRAVEL_TIME]
    assert "Only 29 min between" in warnings[0].message and "buffer 30 min" in \
        warnings[0].message
    enough = [item(1, 9, 10, address="Harbour"), item(2, 10.5, 11, address="School")]
    assert check_mission(FRAME, enough, GUESTS) == []


def test_travel_buffer_not_needed_at_the_same_place_or_next_to_transport():
    """Same address: no travel. Transport is the travel itself. Unknown place: no judgement."""
    same = [item(1, 9, 10, address="Harbour"), item(2, 10, 11, address=" harbour ")]
    assert check_mission(FRAME, same, GUESTS) == []
    by_bus = [item(1, 9, 10, address="Harbour"), item(2, 10, 10.5, is_transport=True),
              item(3, 10.5, 11, address="School")]
    assert check_mission(FRAME, by_bus, GUESTS) == []
    unknown = [item(1, 9, 10, address="Harbour"), item(2, 10, 11)]
    assert check_mission(FRAME, unknown, GUESTS) == []


def test_travel_buffer_only_between_a_guests_own_consecutive_items():
    """Ann goes from A to B with no time; Bo, only in B, is not named."""
    items = [item(1, 9, 10, address="A", guest_ids=frozenset({1})),
             item(2, 10, 11, address="B", guest_ids=frozenset({1, 2}))]
    warnings = check_mission(FRAME, items, GUESTS)
    assert rules(warnings) == [Rule.TRAVEL_TIME] and warnings[0].guest_ids == (1,)


def test_long_lists_of_people_are_shortened_in_the_sentence_but_kept_whole():
    """'all 8 guests' in the sentence; every name on the warning."""
    guests = [GuestStay(n, f"Guest {n}") for n in range(1, 9)]
    warnings = check_mission(FRAME, [item(1, 9, 11), item(2, 10, 12)], guests)
    assert warnings[0].message.startswith("all 8 guests are in both")
    assert len(warnings[0].guest_names) == 8


def test_warnings_for_a_proposed_item_ignore_its_saved_self():
    """Checking an edit compares the new times with the other items, not with the old row."""
    saved = [item(1, 9, 10), item(2, 11, 12)]
    moved = item(1, 11.5, 12.5)
    warnings = warnings_for_item(FRAME, moved, saved, GUESTS)
    assert rules(warnings) == [Rule.GUEST_DOUBLE_BOOKED] and warnings[0].item_ids == (2, 1)
    new = ItemSlot(None, "New", at(9.5), at(10.5))
    assert [w.item_ids for w in warnings_for_item(FRAME, new, saved, GUESTS)] == [(1, None)]


@pytest.mark.parametrize("guests_count", [25, 250])
def test_one_pass_scales_with_schedules_not_pairs(guests_count):
    """Many guests on a conflict-free day of back-to-back items: no warnings, every item seen."""
    guests = [GuestStay(n, f"Guest {n}") for n in range(guests_count)]
    items = [item(n, 8 + n * 0.25, 8.25 + n * 0.25, address="Hall") for n in range(40)]
    assert check_mission(MissionFrame(DAY, DAY + timedelta(days=1), timedelta(minutes=30)),
                         items, guests) == []
