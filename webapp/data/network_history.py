"""The Districts of Creativity network's history, as the sources give it (written c. 2013).

Where the sources give less than an exact day, the entry carries a precision of "month" or
"year" and a note saying so: such dates are placeholders, never facts.
"""

from datetime import date

# The sources describe the network "at the time of writing": after CWF 2012, before CWF 2013.
BRIEF_DATE = date(2013, 6, 30)

EXCLUSION_REASON = (
    "Excluded for lack of engagement in the network's activities, including not taking part "
    "in the most recent Creativity World Forums."
)
ASSUMED_ADMISSION = (
    "Approximate: the sources do not give the admission date. The region is listed as a "
    "member at the time of writing; membership from the network's first conference (2004) "
    "is assumed."
)

# slug, name, local name, country, ISO code, continent, IANA timezone
REGIONS = [
    ("region-midtjylland", "Region Midtjylland", "Central Denmark Region", "Denmark", "DK",
     "Europe", "Europe/Copenhagen"),
    ("baden-wurttemberg", "Baden-Württemberg", None, "Germany", "DE", "Europe", "Europe/Berlin"),
    ("catalonia", "Catalonia", "Catalunya", "Spain", "ES", "Europe", "Europe/Madrid"),
    ("flanders", "Flanders", "Vlaanderen", "Belgium", "BE", "Europe", "Europe/Brussels"),
    ("karnataka", "Karnataka", None, "India", "IN", "Asia", "Asia/Kolkata"),
    ("lombardy", "Lombardy", "Lombardia", "Italy", "IT", "Europe", "Europe/Rome"),
    ("oklahoma", "Oklahoma", None, "United States", "US", "North America", "America/Chicago"),
    ("rhone-alpes", "Rhône-Alpes", None, "France", "FR", "Europe", "Europe/Paris"),
    ("rio-de-janeiro", "Rio de Janeiro", None, "Brazil", "BR", "South America",
     "America/Sao_Paulo"),
    ("scotland", "Scotland", None, "United Kingdom", "GB", "Europe", "Europe/London"),
    ("shanghai", "Shanghai", "上海", "China", "CN", "Asia", "Asia/Shanghai"),
    ("tampere", "Tampere", None, "Finland", "FI", "Europe", "Europe/Helsinki"),
    ("nord-pas-de-calais", "Nord-Pas de Calais", None, "France", "FR", "Europe", "Europe/Paris"),
    ("qingdao", "Qingdao", "青岛", "China", "CN", "Asia", "Asia/Shanghai"),
]

EXCLUDED_SLUGS = ("nord-pas-de-calais", "qingdao")

# region slug, kind, date, precision, note, event slug (or None)
MEMBERSHIP_ENTRIES = [
    ("region-midtjylland", "decided_to_apply", date(2009, 10, 21), "day",
     "The regional council decides that the region shall apply for membership.", None),
    ("region-midtjylland", "representatives_appointed", date(2010, 9, 29), "day",
     "The regional council appoints Ulla Diderichsen and Conny Jensen as representatives.",
     None),
    ("region-midtjylland", "admitted", date(2010, 11, 15), "day",
     "Officially admitted at a political meeting in Oklahoma during Creativity World Forum "
     "2010.", "cwf-2010"),
    *[
        (slug, "admitted", date(2004, 1, 1), "year", ASSUMED_ADMISSION, None)
        for slug, *_ in REGIONS
        if slug != "region-midtjylland"
    ],
    # "Excluded last year" in a text written in 2013: some day in 2012, not given.
    *[
        (slug, "excluded", date(2012, 12, 1), "year", EXCLUSION_REASON, None)
        for slug in EXCLUDED_SLUGS
    ],
]

# region slug, full name, appointed on
REPRESENTATIVES = [
    ("region-midtjylland", "Ulla Diderichsen", date(2010, 9, 29)),
    ("region-midtjylland", "Conny Jensen", date(2010, 9, 29)),
]

YEAR_ONLY = "Only the year is in the sources; the exact dates are not recorded."

# ordinal, year, host region slug (None: not a member), place, timezone, website
FORUMS = [
    (1, 2004, "flanders", "Flanders, Belgium", "Europe/Brussels", None),
    (2, 2005, None, "Maryland, USA", "America/New_York", None),
    (3, 2006, "flanders", "Flanders, Belgium", "Europe/Brussels", None),
    (4, 2007, "qingdao", "Qingdao, China", "Asia/Shanghai", None),
    (5, 2008, "flanders", "Antwerp, Flanders, Belgium", "Europe/Brussels",
     "http://www.creativityworldforum.be"),
    (6, 2009, "baden-wurttemberg", "Baden-Württemberg, Germany", "Europe/Berlin",
     "http://www.cwf2009.de"),
    (7, 2010, "oklahoma", "Oklahoma, USA", "America/Chicago",
     "http://www.stateofcreativity.com/events/cwf/"),
    (8, 2011, "flanders", "Flanders, Belgium", "Europe/Brussels",
     "http://www.creativityworldforum.be"),
    (9, 2012, "rio-de-janeiro", "Rio de Janeiro, Brazil", "America/Sao_Paulo", None),
    (10, 2013, "tampere", "Tampere, Finland", "Europe/Helsinki", None),
]

# CWF 2010 is known to have been under way on 15 November 2010 (Midtjylland's admission).
CWF_2010_NOTE = (
    "The sources give November 2010: Region Midtjylland was admitted at a political meeting "
    "during the forum on 15 November 2010. The other days are not recorded."
)

CWF_2017 = {
    "slug": "cwf-2017",
    "title": "Creativity World Forum 2017",
    "theme": "Solutions",
    "place": "Aarhus, Region Midtjylland, Denmark",
    "timezone": "Europe/Copenhagen",
    "description": (
        "Planned as part of Aarhus 2017, European Capital of Culture. Theme \"Solutions\": "
        "presenting the partnerships, products, concepts and solutions from the camps, "
        "caravans and meetings held 2013–2016."
    ),
    "capacities": [
        ("international", "International participants", 3000),
        ("guest", "Guests", 10000),
    ],
}

REVERSE_MISSION_2012 = {
    "slug": "reverse-mission-2012",
    "title": "Reverse mission to Region Midtjylland",
    "theme": "Creativity and innovation; smart cities and the creative use of IT",
    "place": "Region Midtjylland, Denmark",
    "timezone": "Europe/Copenhagen",
    "start": (2012, 5, 7, 9, 0),
    "end": (2012, 5, 9, 17, 0),
    "description": (
        "25 international guests, key people from the other member regions, visited creative "
        "organisations, companies and educational institutions in the region, and took part "
        "in a workshop on smart cities and the creative use of IT. Outcome: \"Smart City / "
        "Smart Regions\" went on the network's agenda."
    ),
    "capacities": [("guest", "International guests", 25)],
    "workshop": {
        "title": "Workshop: smart cities and the creative use of IT",
        "start": (2012, 5, 8, 13, 0),
        "end": (2012, 5, 8, 16, 0),
        "description": (
            "Illustrative time: the sources say the workshop took place during the mission, "
            "not when."
        ),
    },
}

# Region Midtjylland's delegations, as the sources give them.
DELEGATIONS = [
    ("cwf-2009", "region-midtjylland", "Delegation as a prospective applicant."),
    ("cwf-2010", "region-midtjylland", "Delegation at the region's admission to the network."),
    ("cwf-2011", "region-midtjylland", "Delegation as a member region."),
]
