"""The definitions every figure rests on, in the words users see (README, Methodology page).

The code implements these in store._GEO_EXPRESSIONS (locality), queries.filters (within
N km), classify (size, VCSE, bands) and crosspublished; tests/test_docs.py checks that
the README states each one word for word.
"""

DEFINITIONS = {
    "local": (
        "Local: the supplier's postcode lies in the buyer's own council area. A council buyer's "
        "area is its council's area in the council register, whatever the postcode of its "
        "address; a county council's area is every district of the county; a combined "
        "authority's (and the Greater London Authority's) is every member council's area; a "
        "council created by a reorganisation also covers the districts it replaced. For buyers "
        "that are not councils, the area is the district of the buyer's address (for a notice "
        "dated after a reorganisation, the council that replaced that district)."),
    "local_km": (
        "Local within N km (an alternative): the supplier's postcode centroid lies within N km of "
        "the buyer's. A supplier further away but in the buyer's area or region counts as same region."),
    "same_region": (
        "Same region: not local, but in the same English region, or the same nation for "
        "Scotland, Wales and Northern Ireland."),
    "elsewhere_uk": (
        "Elsewhere in UK: in the UK, but neither local nor in the same region. A supplier whose "
        "postcode is missing but whose notice gives a UK region code (NUTS or ITL, as Find a "
        "Tender notices do) for a region other than the buyer's is counted here too."),
    "outside_uk": (
        "Outside UK: the notice gives a foreign address, or a Jersey, Guernsey or Isle of Man "
        "postcode (the Crown dependencies are not in the UK)."),
    "unknown": (
        "Unknown: the buyer's or the supplier's postcode is missing or could not be placed "
        "(a supplier known only by a region code in the buyer's own region stays unknown: it "
        "may be local). Unknown is always shown, never dropped."),
}

# A national provider won awards from buyers in at least this many regions (DESIGN.md:
# "a supplier that won awards from buyers in several regions").
NATIONAL_PROVIDER_REGIONS = 3

CAVEATS = (
    "A supplier's postcode is the address it gave in the notice: often a registered or "
    "invoicing address, not where the work is done. A national firm's local branch shows "
    "as its head office, so local shares can be understated; a local firm's contract may "
    "be delivered elsewhere. Postcodes placed by sector or district lookups are approximate "
    "near council boundaries."
)

# Small numbers: a council (or council area) is ranked, and listed in league tables, peer
# comparisons and the map of council areas, only with at least this many valued awards
# (awards with a usable value) under the filters chosen.
MIN_VALUED_AWARDS = 20

SMALL_NUMBERS = (
    f"Small numbers: a council is ranked, and listed in league tables, peer comparisons and the "
    f"map of council areas, only when it has at least {MIN_VALUED_AWARDS} valued awards (awards with "
    f"a usable value) under the filters chosen. Below that its own figures are shown, each with "
    f"its base (\"of 12 awards\"), but it is not ranked, and readings say there are too few awards "
    f"to say. Councils with equal figures share a rank (\"joint 1st\").")

COUNCIL_VIEWS = (
    "Council views count councils: the map of council areas, the table of council areas and the "
    "scorecard's peer comparisons count the awards of council buyers (the councils the register "
    "identifies) by default. A toggle adds the other buyers placed in each council's area by their "
    "address (NHS bodies, police and fire, schools, housing associations, utilities and others), and "
    "says how much that adds; central government bodies never count in a council's area, because "
    "the address of a national body's office says nothing of the area it serves.")
