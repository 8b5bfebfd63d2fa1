"""The Methodology and data page in words: the rules behind the figures, the sources and
licence, the sentences around its tables, and its codes (value flags, kinds of record left
out) as words.

Where the README states a rule ("How the figures are made"), the text here is the README's
word for word once its Markdown marks (** and `) are set aside; tests check that. The
locality definitions and caveats live in loaders.definitions, which the code implements.
"""

from loaders import definitions
from loaders.normalising.classify import band_labels
from readings.suppliers import ATTRIBUTES_TEXT, AWARDS_TEXT, NATIONAL_PROVIDER_TEXT

INTRO = ("How every figure in this dashboard is made, where the data comes from, and what it cannot "
         "tell you. The definitions below are the same text the code uses.")
TABS = ("Definitions and rules", "Sources and licence", "Coverage and data quality", "Last refresh per source")

PROVIDER_SIZE = (
    "Supplier size only from the supplier's own declaration: details.scale (micro, small, medium, "
    "sme, selfEmployed -> SME; large -> Large) or, in older Contracts Finder notices, the "
    "supplier's boolean sme. Never from tender.suitability, which says whom a tender suits. "
    "Missing -> Unknown.")
VCSE = (
    "VCSE from details.vcse (older: vco); missing -> null. In the provider-size chart VCSE "
    "organisations form their own group whatever their size, so the groups add up to the total; "
    "the headline SME share counts every SME, VCSE or not.")
SME_MEANING = (
    "An SME is a supplier that declared itself one in the notice (Procurement Act 2023 notices: "
    "fewer than 250 staff and turnover up to £44m or balance sheet up to £38m; earlier notices the "
    "EU definition). VCSE (voluntary, community or social enterprise) is likewise as declared in "
    "the notice. Both describe the direct award only: they say nothing of subcontracting, so money "
    "that a large prime contractor passes on to small or local subcontractors is not seen here.")
VALUE = (
    "Value: the award's value.amount; where the award has none, its contract's (value_source = "
    "contract; Find a Tender UK7 notices carry it there); else none. On Find a Tender amount is net "
    "of VAT (amountGross is ignored); Contracts Finder does not say. value_flag marks rather than "
    "drops suspect values: placeholder (£1 or less: 0, 0.01 and 1 are placeholders, not prices), "
    "negative, over_1bn, non_gbp. A flagged value is kept in the row (award_value_gbp, except non-GBP "
    "which is null) but left out of value_gbp, so it adds nothing to value totals or shares by value "
    "(its award still counts by number of awards), and a placeholder's value band is unknown. Every "
    "page that shows value totals says in one line how many awards, and how much value, each flag "
    "leaves out; the award rows download carries each row's flag.")
JOINT_AWARDS = (
    "Joint awards split their value equally among their distinct suppliers (value_gbp = "
    "award_value_gbp / n_suppliers), so totals never double count. \"By count\" counts each award "
    "once (each supplier row weighs 1/n).")
BY_VALUE_AND_COUNT = (
    "Every share is shown by value and by count: a few very large awards, and framework ceilings "
    "above all, can swamp value totals, while counts treat a £5k award like a £50m one. Frameworks "
    "can be left out with one sidebar toggle, and the Overview says how much of the value they are.")
VALUE_BANDS = (
    "Value bands of award_value_gbp: under 25k, 25k-100k, 100k-500k, 500k-1m, 1m-5m, 5m-25m, 25m "
    "and over, unknown. A value exactly on an edge goes to the higher band.")
FRAMEWORKS = (
    "Frameworks: is_framework where tender.techniques says framework or dynamic purchasing system, "
    "or the title or procedure text says framework / dynamic purchasing / DPS. Descriptions are not "
    "read (they often mention frameworks in passing).")
CROSS_PUBLISHED = (
    "Published on both platforms, counted once. Before 2025 above-threshold awards went to Find a "
    "Tender and then to Contracts Finder, under different ocids; Scottish and Welsh buyers publish on "
    "Public Contracts Scotland or Sell2Wales, and their largest awards on Find a Tender too. A Contracts "
    "Finder, Public Contracts Scotland or Sell2Wales award is a copy "
    "when a Find a Tender award has the same buyer (the same buyer key: one organisation whatever "
    "each platform calls it), a supplier in common (same key, or the same name once case, punctuation and Ltd/Limited/plc are set aside), a value "
    "within 1% of the Find a Tender net or gross value, and an award date at most 7 days apart. The "
    "Find a Tender award is kept (it states the VAT basis); the copy's rows keep their place in the "
    "table with duplicate_of naming the kept award, are left out of every figure, and are listed in "
    "quality_events with the reason.")
COVERAGE_BY_NATION = (
    "Coverage by nation. English buyers publish on Contracts Finder and, above the thresholds, on Find a "
    "Tender. Scottish public bodies advertise on Public Contracts Scotland all procurement of £50,000 or "
    "more (goods and services) or £2 million (works), with its awards, and many smaller ones as Quick "
    "Quotes; Scotland does not use Procurement Act notices, so only its above-threshold notices reach Find a "
    "Tender. Welsh bodies publish on Sell2Wales, and their Procurement Act notices on Find a Tender too. "
    "Northern Ireland's eTendersNI has no open feed: its councils' notices below the thresholds are "
    "missing here, and only those on Find a Tender are held. A council's scorecard names the sources held "
    "for it, and says when its nation's portal is not loaded.")
TABLES = (
    "Tables beside notices. A Contracts Finder CSV export repeats notices Contracts Finder publishes; "
    "a council's contracts register (the Local Government Transparency Code asks for every contract "
    "over £5,000) also lists the many contracts below Contracts Finder's thresholds, which no notice "
    "shows, and gives the contract's start date as its award date. So a council's figures from its "
    "register differ from its figures from notices: more small contracts, often more local and small "
    "suppliers, and values that may include extensions. Each row keeps its source "
    "(contracts-finder-csv, council-register), so the Source filter shows notices only, a register "
    "only, or both. An award in both is counted once, as the notice: an export's row is matched to "
    "the notice with the same identifier, and any table row to a notice (or a register row to an "
    "export's row) with the same buyer, a supplier in common, a value within 1% and dates at most 7 "
    "days apart; the copy keeps its rows, marked, and is listed in quality_events (same_as_notice).")
BUYERS = (
    "Who the buyer is. A buyer is identified before it is placed, in this order: its identifiers "
    "(GB-LAE, GB-LAS, GB-PLA or GB-LANI name a council by its register code; GB-GOR names a GOV.UK "
    "organisation by its analytics identifier); then its name in the council register (mySociety's "
    "register of UK local authorities and its name variants: \"The North Yorkshire Council\", "
    "\"London Borough of Ealing Council\", \"Hertfordshire County Council - Children's Services\", "
    "\"East Herts Council\", \"(WCC)\", HTML entities and upper case all find their council); then "
    "its name among the GOV.UK organisations; otherwise its name alone. One organisation is one "
    "buyer: it is listed, filtered, counted and compared under the register's name (or, for a buyer "
    "no register knows, the spelling most of its notices use), and each row keeps the name its "
    "notice published (buyer_name_published). A council abolished in 2019-2023 is its successor for "
    "a notice dated on or after the change, and the row says so (buyer_identified_by). A council's "
    "area and region are the register's (a county council's region is that of its districts: the "
    "register has Lincolnshire and Derbyshire wrong), never the postcode of its address.")
BUYER_TYPES = (
    "Buyer type, from the first evidence that decides: a council of the register is a local "
    "authority; a GOV.UK organisation takes its format (ministerial and non-ministerial departments, "
    "executive agencies, non-departmental public bodies, executive offices, tribunals, courts and "
    "devolved governments: central government; special health authorities: NHS; other formats "
    "decide nothing); Find a Tender's UK_CA_TYPE publicAuthorityCentralGovernment is central "
    "government; otherwise the first matching rule on the buyer's name wins: police/fire (police, "
    "policing, constabulary, crime commissioner, fire ... rescue/authority/service); NHS (NHS, "
    "clinical commissioning, integrated care board, foundation trust, hospital, health board, "
    "ambulance service, health and social care trust); local authority (council, except "
    "Arts/Research/British Council and \"council for\"; borough of; combined authority; Greater "
    "London Authority; City of London Corporation; parish); education (university, college, school, "
    "academy, learning trust); housing (housing, homes); central government (department for/of, "
    "ministry, Cabinet Office, HM, agency, executive, office for/of, commission, regulator, "
    "ombudsman); otherwise other. buyer_type_basis records which decided.")
LATEST_RELEASE = (
    "Latest release wins. All releases of an ocid are read together; for each award id the latest "
    "release carrying it wins (by release date compared as UTC instants, then the Contracts Finder "
    "sequence suffix of the release id). Contract entries are matched to awards by awardID, again "
    "latest first.")
EXCLUDED = (
    "Excluded, but counted. Cancelled and unsuccessful awards, awards that a later Find a Tender "
    "procurement termination notice (UK12) cancels (the whole procurement, or the lots it withdraws), "
    "and award entries with no supplier, give no rows; each is recorded in quality_events and counted "
    "by info. Active and pending awards count. A supplier listed without a name is kept, shown as "
    "(name not published) and keyed by the notice's own id for it, so its award is in every total.")
SUPPLIER_KEY = (
    "Supplier key: a registered identifier (GB-COH, GB-CHC, GB-SC, GB-NIC, GB-PPON, GB-MPR, ...) "
    "from identifier, additionalIdentifiers or the party id, with Companies House numbers "
    "left-padded to 8 characters (GB-COH-4142000 -> GB-COH-04142000); otherwise name: plus the "
    "lower-cased name without punctuation or legal suffixes. Platform ids (GB-CFS-n, GB-FTS-n) "
    "identify nothing across platforms and are not used. Buyer key: council: plus the council's "
    "register code, govuk: plus the GOV.UK analytics identifier, else the normalised buyer name "
    "without a leading The.")
POSTCODES = (
    "Postcodes are normalised (upper case, one space) and, when postalCode is empty, taken as the "
    "last valid postcode in the free address text (which copes with lower case, no space, \\r\\n, "
    "literal rn left by lost backslashes, and N/A). An address whose structured country or last "
    "words name another country (Ireland, Canada, USA, ...), or that ends with a US state code and "
    "ZIP code, is outside the UK; JE, GY and IM "
    "postcodes are the Crown dependencies, also outside the UK. An address whose last part is an "
    "outward code alone (\"..., Leeds, LS6\") keeps it as a partial postcode, placed to its "
    "postcode district.")
CATEGORY = (
    "Category from mainProcurementCategory, else the CPV division (45 works; 03-44 and 48 goods; "
    "49-98 services).")
AWARD_DATE = (
    "Award date: the award's date, else the contract's dateSigned, else the award's datePublished, "
    "else the release date.")
NOTICE_URL = (
    "notice_url: the award's or contract's document URL; else built from the release id (Contracts "
    "Finder /Notice/{guid}, Find a Tender /Notice/{nnnnnn-yyyy}); else, for Find a Tender, the API "
    "URL of the ocid's releases. Demo rows link to demo.invalid, because no public notice exists "
    "for invented awards.")
SMALL_NUMBERS = definitions.SMALL_NUMBERS
COUNCIL_VIEWS = definitions.COUNCIL_VIEWS
PART_YEARS = (
    "Part years. A financial year (April to March) that the data covers only in part, because it "
    "starts before the first award date held (or the from filter) or ends after the last (or the to "
    "filter), is marked \"(part year)\" on every trend, and a reading never compares it with a whole "
    "year without naming the days it covers; where two whole years have enough awards, the reading "
    "compares those.")
REFRESH_STAGES = (
    "What each refresh fetches. Contracts Finder: award notices (stages=award). Find a Tender: every "
    "stage (no stages filter), because no document says under which stage a procurement termination "
    "(UK12), a contract change (UK10) or a UK15 notice falls; each release is classified by its tag "
    "and the notice type of its documents (planning, tender, award, contract, amendment, "
    "termination), and info counts them.")
COVERAGE = (
    "Coverage: the share of award rows with no value, no supplier postcode or no size declaration. "
    "Unknowns are always shown beside the figures that depend on them, never silently dropped.")

# (key, heading, text), in the order the Methodology page shows them.
RULES = (
    ("provider_size", "Provider size", PROVIDER_SIZE),
    ("vcse", "VCSE", VCSE),
    ("sme_meaning", "What SME and VCSE mean here", SME_MEANING),
    ("value", "Value", VALUE),
    ("joint_awards", "Joint awards", JOINT_AWARDS),
    ("by_value_and_count", "By value and by count", BY_VALUE_AND_COUNT),
    ("value_bands", "Value bands", VALUE_BANDS),
    ("frameworks", "Frameworks", FRAMEWORKS),
    ("cross_published", "Published on both platforms", CROSS_PUBLISHED),
    ("tables", "Tables beside notices", TABLES),
    ("coverage_by_nation", "Coverage by nation", COVERAGE_BY_NATION),
    ("buyers", "Who the buyer is", BUYERS),
    ("buyer_types", "Buyer types", BUYER_TYPES),
    ("council_views", "Council views count councils", COUNCIL_VIEWS),
    ("small_numbers", "Small numbers", SMALL_NUMBERS),
    ("part_years", "Part years", PART_YEARS),
    ("national_provider", "National provider", NATIONAL_PROVIDER_TEXT),
    ("supplier_attributes", "A supplier's size and home area", ATTRIBUTES_TEXT),
    ("supplier_awards", "A supplier's awards", AWARDS_TEXT),
    ("latest_release", "Latest release wins", LATEST_RELEASE),
    ("excluded", "Cancelled and unsuccessful awards", EXCLUDED),
    ("supplier_key", "Supplier and buyer keys", SUPPLIER_KEY),
    ("postcodes", "Postcodes", POSTCODES),
    ("category", "Category", CATEGORY),
    ("award_date", "Award date", AWARD_DATE),
    ("notice_url", "Notice links", NOTICE_URL),
    ("coverage", "Coverage", COVERAGE),
    ("refresh_stages", "What each refresh fetches", REFRESH_STAGES),
)
# The rules the README states (tests check these word for word against it).
IN_README = ("provider_size", "vcse", "value", "joint_awards", "value_bands", "frameworks",
             "cross_published", "tables", "coverage_by_nation", "buyers", "buyer_types", "council_views", "small_numbers", "part_years",
             "latest_release", "excluded", "supplier_key", "postcodes", "category", "award_date",
             "notice_url", "refresh_stages", "supplier_awards")

SOURCES = (
    ("Contracts Finder", "https://www.contractsfinder.service.gov.uk/",
     "The UK government's service for public contract notices in England, read through its OCDS "
     "search API."),
    ("Find a Tender", "https://www.find-tender.service.gov.uk/",
     "The UK government's service for higher-value public contract notices across the UK, read "
     "through its OCDS release packages API."),
    ("ONS geography", "https://geoportal.statistics.gov.uk/",
     "The ONS postcode directory (NSPL or ONSPD) and council district boundaries from the ONS Open "
     "Geography Portal, placing postcodes in council areas and regions."),
    ("postcodes.io", "https://postcodes.io/",
     "An open postcode lookup built on ONS data, asked for postcodes the ONS files did not place."),
    ("UK local authority names and codes (mySociety)", "https://github.com/mysociety/uk_local_authority_names_and_codes",
     "The register of UK councils, past and present, with their GSS codes, types, counties, combined "
     "authorities, regions, successors and name variants, shipped with the project "
     "(loaders/geography/registers/). Contains data from mySociety's UK local authority names and codes (CC BY 4.0)."),
    ("GOV.UK organisations", "https://www.gov.uk/government/organisations",
     "Every GOV.UK organisation with its format (ministerial department, executive agency, ...) and "
     "analytics identifier, shipped with the project (loaders/geography/registers/), to identify and type central "
     "government buyers. Open Government Licence v3.0."),
)
LICENCE = "Open Government Licence v3.0"
LICENCE_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
LICENCE_TEXT = (
    "Contracts Finder and Find a Tender data, and ONS geography, are published under the Open "
    "Government Licence v3.0. Contains public sector information licensed under the Open Government "
    "Licence v3.0. Postcode geography: contains OS data © Crown copyright and database right; "
    "contains Royal Mail data © Royal Mail copyright and database right; source: Office for "
    "National Statistics licensed under the Open Government Licence v3.0.")


def band_text() -> str:
    """The default value bands as the code makes them (checked against VALUE_BANDS by tests)."""
    return ", ".join(band_labels())


# --- Coverage and data quality --------------------------------------------------------------

POSTCODES_LINE = ("{cached:,} postcodes placed; {unresolved:,} postcodes in the awards could not be placed yet "
                  "(python -m loaders geocode places them).")
COVERAGE_READING = ("Each figure for the whole store (every award row, as python -m loaders info counts them) and "
                    "for the rows the sidebar filters select (published-on-both copies left out, as in every figure).")
ALL_READ = ("Every stored release could be read (tender, planning and other notices that carry no award give no "
            "award rows).")
NOT_READ = "Releases kept but not normalised, with the reason (the first {shown}):"
SOURCES_NOTE = ("Releases are kept exactly as received; award rows are derived from them. 'Last refreshed' and the "
                "refreshed period are for live refreshes; files and the demo count as loads.")

# Each value flag (awards.value_flag) and each kind of record left out (quality_events.kind)
# as a table shows it; the codes stay in the downloads and in the rules above.
FLAG_LABELS = {
    "placeholder": "Placeholder (£1 or less)",
    "negative": "Negative",
    "over_1bn": "Over £1bn",
    "non_gbp": "In another currency",
}
EVENT_LABELS = {
    "cross_published": "Published on both platforms (the copy)",
    "award_cancelled": "Award cancelled",
    "award_cancelled_by_termination": "Award cancelled by a termination notice",
    "award_unsuccessful": "Award unsuccessful",
    "award_no_suppliers": "Award with no supplier",
    "value_not_numeric": "Amount that is not a number",
    "release_not_normalised": "Release that could not be read",
    "same_as_notice": "Table row that is also a notice (the copy)",
    "row_not_read": "Table row that could not be read",
    "text_not_utf8": "Text that was not UTF-8",
}


def in_words(code: str, labels: dict) -> str:
    """A code as its words; one the labels do not know yet reads as words too ("new_kind" ->
    "New kind"), never as the code."""
    return labels.get(code) or str(code).replace("_", " ").capitalize()
