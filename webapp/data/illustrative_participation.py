"""An ILLUSTRATIVE participation history: the sources record no attendance of the forums
(except Region Midtjylland's delegations of 2009-2011) and no fee payments.

Everything here is made up to demonstrate the participation review, and is stored marked as
such (Delegation.is_illustrative, AnnualFee.is_illustrative). It is shaped so that the default
engagement policy, evaluated shortly before the 2012 exclusions, flags exactly Nord-Pas de
Calais and Qingdao ("not taking part in the most recent Creativity World Forums")."""

from datetime import date

# The day the review is evaluated "as of the exclusions": the exclusions are stored as
# ≈2012 on 1 December 2012, so the day before.
AS_OF_EXCLUSIONS = date(2012, 11, 30)

FORUM_YEARS = tuple(range(2004, 2014))

# One character per forum 2004..2013:
#   A attended   N registered but nobody came   - missed   H hosted (checked against the
#   forum's host)   . not a member / nothing   R a real delegation already in the sources
FORUM_PATTERNS = {
    "baden-wurttemberg":  "AAAAAHAAAA",
    "catalonia":          "AA-AAAAAAA",
    "flanders":           "HAHAHAAHAA",
    "karnataka":          "-AAAAANAAA",
    "lombardy":           "AAAAAAAAAA",
    "oklahoma":           "A-AAAAHAAA",
    "rhone-alpes":        "AAAA-AAAAA",
    "rio-de-janeiro":     "AAAAAAAAHA",
    "scotland":           "AAAAAAA-AA",
    "shanghai":           "AAANAAAAAA",
    "tampere":            "AAAAAAAAAH",
    "region-midtjylland": ".....RRRAA",
    # Drifting away: a registration nobody honoured, then nothing.
    "nord-pas-de-calais": "AAAAAAN--.",
    "qingdao":            "AAAHAA---.",
}

# The reverse mission of May 2012: "25 international guests, key people from the other member
# regions" (the sources). How they were spread over the regions is illustrative.
REVERSE_MISSION_GUESTS = {
    "baden-wurttemberg": 3, "catalonia": 2, "flanders": 3, "karnataka": 2, "lombardy": 2,
    "oklahoma": 2, "rhone-alpes": 2, "rio-de-janeiro": 2, "scotland": 3, "shanghai": 2,
    "tampere": 2,
}

# Fees are seeded as paid for these years, by every region that was a member on 31 March.
FEE_YEARS = (2010, 2011, 2012, 2013)
