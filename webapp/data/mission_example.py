"""An illustrative agenda and guest list for the May 2012 reverse mission.

The sources say only that 25 key people from the other member regions visited creative
organisations, companies and educational institutions in Region Midtjylland and took part in
a workshop on smart cities. Every item and guest below is made up to show the planner with
something in it: items are flagged `is_illustrative` (shown as "Example"), guests are
"Guest N from <region>" with example.org addresses. Times are local (Europe/Copenhagen)."""

# The member regions the guests come from (every member but the host), and how many each.
GUEST_REGIONS = [
    ("flanders", 3), ("baden-wurttemberg", 3), ("catalonia", 3), ("karnataka", 2),
    ("lombardy", 2), ("oklahoma", 2), ("rhone-alpes", 2), ("rio-de-janeiro", 2),
    ("scotland", 2), ("shanghai", 2), ("tampere", 2),
]
ARRIVAL = (2012, 5, 6, 18, 0)
DEPARTURE = (2012, 5, 9, 18, 0)

HOST = "Region Midtjylland (example host)"
CITY_CENTRE = "Aarhus city centre (example address)"
WORKSHOP_VENUE = "Workshop venue, Aarhus (example address)"

# title, kind, start (y, m, d, h, min), end, host organisation, address, capacity, group
# group: None = all guests; "A" or "B" = half of the guests (the parallel split on day two).
ITEMS = [
    ("Welcome and introduction to the region", "meal", (2012, 5, 7, 9, 0), (2012, 5, 7, 10, 0),
     HOST, CITY_CENTRE, None, None),
    ("Bus to the harbour", "transport", (2012, 5, 7, 10, 0), (2012, 5, 7, 10, 30),
     None, CITY_CENTRE, None, None),
    ("Visit: a creative organisation", "visit", (2012, 5, 7, 10, 30), (2012, 5, 7, 12, 0),
     "Creative incubator (example)", "Aarhus harbour (example address)", 30, None),
    ("Lunch with the incubator's start-ups", "meal", (2012, 5, 7, 12, 0), (2012, 5, 7, 13, 0),
     "Creative incubator (example)", "Aarhus harbour (example address)", 30, None),
    ("Bus to the design company", "transport", (2012, 5, 7, 13, 0), (2012, 5, 7, 13, 30),
     None, "Aarhus harbour (example address)", None, None),
    ("Visit: a design company", "visit", (2012, 5, 7, 13, 30), (2012, 5, 7, 15, 30),
     "Design company (example)", "Aarhus North (example address)", 30, None),
    ("Welcome dinner", "meal", (2012, 5, 7, 19, 0), (2012, 5, 7, 21, 30),
     HOST, CITY_CENTRE, None, None),
    ("Visit: a school of architecture (group A)", "visit", (2012, 5, 8, 9, 0),
     (2012, 5, 8, 11, 30), "School of architecture (example)",
     "Aarhus C (example address)", 15, "A"),
    ("Visit: a games company (group B)", "visit", (2012, 5, 8, 9, 0), (2012, 5, 8, 11, 30),
     "Games company (example)", "Aarhus South (example address)", 15, "B"),
    ("Both groups to the workshop venue", "transport", (2012, 5, 8, 11, 30),
     (2012, 5, 8, 12, 0), None, None, None, None),
    ("Lunch at the workshop venue", "meal", (2012, 5, 8, 12, 0), (2012, 5, 8, 13, 0),
     HOST, WORKSHOP_VENUE, None, None),
    # The seeded workshop (network_history.REVERSE_MISSION_2012) follows at 13:00-16:00.
    ("Free time in Aarhus", "free_time", (2012, 5, 8, 16, 0), (2012, 5, 8, 19, 0),
     None, None, None, None),
    ("Visit: a business school", "visit", (2012, 5, 9, 9, 0), (2012, 5, 9, 11, 0),
     "Business school (example)", "Herning (example address)", 30, None),
    ("Bus back to Aarhus", "transport", (2012, 5, 9, 11, 0), (2012, 5, 9, 12, 0),
     None, "Herning (example address)", None, None),
    ("Closing lunch and next steps for Smart City / Smart Regions", "meal",
     (2012, 5, 9, 12, 0), (2012, 5, 9, 13, 30), HOST, CITY_CENTRE, None, None),
]
WORKSHOP_PLACE = (HOST, WORKSHOP_VENUE)
