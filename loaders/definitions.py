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

# The Keep it Local page's indicators, one per step of the campaign, word for word as
# queries.keep_it_local and loaders.normalising.procurements apply them (README, Methodology).
KEEP_IT_LOCAL = {
    "place": (
        "Step 1, place-based approach: the local share of award value and of awards, as defined "
        "above (the supplier in the buyer's own council area, or within the distance chosen), and "
        "its change over the financial years. It is a proxy: where a supplier is registered, not "
        "where the work is done or who is employed."),
    "social_value": (
        "Step 2, social value: of the Procurement Act procurements whose award criteria carry "
        "percentage weights, the share with a social value criterion: a criterion whose name or "
        "description mentions social value or community benefit, whatever its type. Its weight is "
        "the criterion's percentage (the heaviest, where lots differ), shown against the 10% "
        "minimum that central government applies (PPN 06/20, PPN 002). It is a lower bound: many "
        "buyers fold social value into their quality questions without naming it. Procurements "
        "under the earlier rules, whose weights are written in a criterion's description, are "
        "counted apart."),
    "capacity": (
        "Step 3, community capacity: the SME and VCSE shares of award value and of awards, and the "
        "awards to small organisations (SMEs and VCSEs, whatever their size); and, where a "
        "procurement publishes bid statistics, the SME share of its bids and the VCSE share of its "
        "final-stage bids (of all bids where final-stage bids are not stated). Bids are counted "
        "from the latest notice that states them, never twice for one lot."),
    "contract_size": (
        "Step 4, contract size: the share of award value in awards whose whole value is over the "
        "cap (the same cap as the Value bands page), and, of the procurements over the cap whose "
        "lots are known, the share not divided into lots, with the reasons stated, as written. A "
        "procurement's size is its tender value, else the sum of its awards' whole values."),
    "co_design": (
        "Step 5, co-design: of the Procurement Act procurements that have gone beyond planning (a "
        "tender, award or contract notice) and are not direct awards, the share with a preliminary market engagement notice "
        "(UK2) on the same procurement, with the reasons stated where none was held. It is a proxy "
        "for involving local people: a market engagement notice invites suppliers, not residents, "
        "and engagement held without a notice is not seen."),
}

KEEP_IT_LOCAL_COVERAGE = (
    "Only Find a Tender publishes how a procurement is run (award criteria and weights, lots and "
    "the reason for not dividing, bid statistics, market engagement), and fully only in "
    "Procurement Act notices, from 24 February 2025; Contracts Finder publishes none of it. So "
    "steps 2, 4 (lots) and 5, and the bids of step 3, say \"no data yet\" wherever a buyer's "
    "procurements are not on Find a Tender under the Act; each figure states what it is of.")
