"""One table vocabulary: every column's label, unit and format in one place, so a column reads
the same on every page, and one `table()` that shows any frame with it.

The rules, as the README states them: money in tables is pounds and pence with thousands
separators (exact, for checking against notices; charts and sentences say £12.3m / £1.2bn);
shares are percentages with one decimal (sentences and headline figures round to whole
percentages); award counts are whole awards; codes (locality) are shown as words; an
unknown VCSE status reads "unknown", never a blank. Downloads keep the codes and exact shares
(machine-readable), but never a fraction of an award.
"""

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from queries.overview import DIMENSIONS, GROUP_LABELS
from readings import methodology


@dataclass(frozen=True)
class Column:
    label: str
    kind: str = "text"  # text, money, count, share, percent (already in %), date, datetime, flag, link, number
    help: str | None = None


COLUMNS = {
    "award_date": Column("Award date", "date"),
    "contract_end": Column("Contract ends", "date"),
    "title": Column("Title"),
    "buyer_name": Column("Buyer"),
    "buyer_type": Column("Buyer type"),
    "buyer_region": Column("Buyer's region"),
    "council": Column("Council"),
    "council_area": Column("Council area"),
    "supplier_name": Column("Supplier"),
    "supplier_size": Column("Declared size"),
    "size_group": Column("Size group", help="VCSE whatever its size, else SME / Large / Unknown"),
    "supplier_vcse": Column("VCSE", "flag"),
    "supplier_home": Column("Home district"),
    "home_district": Column("Home district"),
    "home_region": Column("Home region"),
    "home_country": Column("Home country"),
    "supplier_area": Column("Supplier's council area"),
    "locality": Column("Supplier location", help="Relative to the buyer"),
    "value_gbp": Column("Value (£)", "money",
                        help="A joint award's value is split equally among its suppliers"),
    "award_value_gbp": Column("Whole award (£)", "money", help="The award's whole value, all suppliers together"),
    "value_above": Column("Value above cap (£)", "money"),
    "largest_award_gbp": Column("Largest award (£)", "money"),
    "n_suppliers": Column("Suppliers on award", "count"),
    "suppliers": Column("Suppliers", help="Every supplier of the award, as the notice names them"),
    "awards": Column("Awards", "count"),
    "rows_counted_once": Column("Also in another source (counted once)", "count",
                                "Award rows matched to the same award in another source: a Contracts Finder copy of "
                                "a Find a Tender notice, or a row of a CSV export or council register that is also a "
                                "notice. They are left out of every figure, where the other copy counts."),
    "award_rows": Column("Award rows", "count",
                         help="One row per award and supplier: a joint award has a row for each of its suppliers"),
    "valued_awards": Column("Awards with a value", "count", help="The base of the shares by value"),
    "awards_above": Column("Awards above cap", "count"),
    "buyers": Column("Buyers", "count"),
    "regions_served": Column("Regions served", "count"),
    "councils_served": Column("Councils served", "count"),
    "buyers_served": Column("Buyers served", "count"),
    "value_share": Column("Share of value", "share"),
    "count_share": Column("Share of awards", "share"),
    "local_value_share": Column("Local (value)", "share"),
    "local_count_share": Column("Local (count)", "share"),
    "unknown_value_share": Column("Unknown location (value)", "share"),
    "unknown_count_share": Column("Unknown location (count)", "share"),
    **{f"{key}_{basis}_share": Column(f"{label} ({basis})", "share")
       for key, label in (("sme", "SME"), ("vcse", "VCSE")) for basis in ("value", "count")},
    "share_of_buyer_value_above": Column("Share of its value above cap", "share"),
    "share_of_buyer_awards_above": Column("Share of its awards above cap", "share"),
    "national_provider": Column("National provider", "flag"),
    "this_council": Column("Chosen", "flag"),
    "in_network": Column("Keep it Local network", "flag", help="One of the councils Locality announced"),
    "region": Column("Region"),
    "is_framework": Column("Framework", "flag"),
    "value_band": Column("Value band"),
    "category": Column("Category"),
    "source": Column("Source"),
    "ocid": Column("OCID"),
    "award_id": Column("Award id"),
    "reason_not_divided_into_lots": Column("Reason for not dividing into lots"),
    # The Keep it Local page: procurements, and the network councils side by side
    "published_date": Column("First notice", "date", help="The date of the procurement's first notice"),
    "social_value_weight": Column("Social value weight", "percent",
                                  help="The social value criterion's weight (the heaviest, where lots differ)"),
    "criteria": Column("Award criteria", help="Each lot's criteria with their weights, lots separated by |"),
    "size_gbp": Column("Procurement value (£)", "money", help="Its tender value, else the sum of its awards"),
    "weighted": Column("With weighted criteria", "count", help="Procurement Act procurements (step 2's base)"),
    "social_value_share": Column("Social value criterion", "share", help="Of those with weighted criteria"),
    "large_known_lots": Column("Over the cap, lots known", "count", help="Step 4's base"),
    "not_divided_share": Column("Not divided", "share", help="Of those over the cap whose lots are known"),
    "beyond_planning": Column("Beyond planning", "count", help="Procurement Act procurements (step 5's base)"),
    "engagement_share": Column("Market engagement", "share", help="Of those beyond planning: a UK2 notice"),
    "notice_url": Column("Notice", "link"),
    # The Council scorecard's rank table (per peer group: same council type, same region, the
    # Keep it Local network, your list; a note under it names each group's councils) and its
    # data coverage table
    "measure_label": Column("Measure"),
    "council_text": Column("This council"),
    **{f"{key}_{part}": Column(f"{what}, {group}", help=helps)
       for key, group in (("type", "same council type"), ("region", "same region"),
                          ("network", "Keep it Local network"), ("list", "your list"))
       for part, what, helps in (("median_text", "Median", "Each ranked council counts once, whatever its size"),
                                 ("rank_short", "Rank", "1 is the highest figure; equal figures share a rank"))},
    "gap_label": Column("Award rows with"),
    "gap_rows": Column("This council (rows)", "count"),
    "council_rows": Column("Of rows", "count"),
    "gap_share": Column("This council", "share"),
    "peers_gap_share": Column("Peer councils", "share", help="All the peer councils' award rows together"),
    # The Methodology page's coverage, data-quality and per-source tables
    "figure": Column("Figure"),
    "store_rows": Column("Rows (whole store)", "count"),
    "store_share": Column("Share (whole store)", "share"),
    "selection_rows": Column("Rows (filters)", "count"),
    "selection_share": Column("Share (filters)", "share"),
    "why": Column("Why"),
    "value_flag": Column("Value flag"),
    "quality_event": Column("Kind"),
    "meaning": Column("What it means"),
    "records": Column("Records", "count"),
    "release_id": Column("Release id"),
    "reason": Column("Reason"),
    "releases": Column("Releases", "count"),
    "first_award_date": Column("First award", "date"),
    "last_award_date": Column("Last award", "date"),
    "last_loaded": Column("Last loaded", "datetime"),
    "refreshed_from": Column("Refreshed from", "datetime"),
    "refreshed_until": Column("Refreshed until", "datetime", help="Where the next refresh of the source starts"),
    "last_refreshed": Column("Last refreshed", "datetime"),
}
# Codes a table shows as words (downloads keep the codes).
CODE_WORDS = {"value_flag": methodology.FLAG_LABELS, "quality_event": methodology.EVENT_LABELS}


def _config(name: str, column: Column):
    """The Streamlit column setting for one column of the vocabulary."""
    if column.kind in ("money", "count"):
        return st.column_config.NumberColumn(column.label, format="localized", help=column.help)
    if column.kind in ("share", "percent"):
        return st.column_config.NumberColumn(column.label, format="%.1f%%", help=column.help)
    if column.kind == "date":
        return st.column_config.DateColumn(column.label, format="DD/MM/YYYY", help=column.help)
    if column.kind == "datetime":
        return st.column_config.DatetimeColumn(column.label, format="DD/MM/YYYY HH:mm", help=column.help)
    if column.kind == "link":
        return st.column_config.LinkColumn(column.label, display_text="Open notice", help=column.help)
    return st.column_config.TextColumn(column.label, help=column.help)


# Locality codes in words; a label already in words (as queries.overview.locality_label gives)
# is left as it is: "Unknown" is also a provider-size group, with words of its own.
LOCALITY_WORDS = {code: GROUP_LABELS[code] for code in DIMENSIONS["locality"]}


def shown(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a table shows it: whole pounds and awards, percentages, words for codes
    and yes / no / unknown for flags. The query's frame itself is left as it is."""
    out = frame.copy()
    for name in out.columns:
        column = COLUMNS.get(name)
        if column is None:
            continue
        if column.kind == "money":
            out[name] = pd.to_numeric(out[name], errors="coerce").round(2)
        elif column.kind == "count":
            out[name] = whole(out[name])
        elif column.kind == "share":
            out[name] = (pd.to_numeric(out[name], errors="coerce") * 100).round(1)
        elif column.kind == "flag":
            out[name] = out[name].map({True: "yes", False: "no"}).fillna("unknown")
        elif name == "locality":
            out[name] = out[name].map(lambda code: LOCALITY_WORDS.get(code, code))
        elif name in CODE_WORDS:
            out[name] = out[name].map(lambda code, words=CODE_WORDS[name]:
                                      methodology.in_words(code, words) if isinstance(code, str) else code)
    return out


def for_download(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame as a download holds it: exact, with codes, but award counts whole."""
    out = frame.copy()
    for name in out.columns:
        if name in COLUMNS and COLUMNS[name].kind == "count":
            out[name] = whole(out[name])
    return out


def whole(values: pd.Series) -> pd.Series:
    """Half-up whole numbers (a joint award's 1/n weights add up to whole awards again)."""
    return np.floor(pd.to_numeric(values, errors="coerce") + 0.5).astype("Int64")


def table(frame: pd.DataFrame, key: str, columns: tuple[str, ...] | None = None, **settings) -> None:
    """Show `frame` (only `columns`, in that order, when given) in the one vocabulary.
    Names stay plain text: st.dataframe never renders Markdown or HTML."""
    order = [c for c in (columns or frame.columns) if c in frame.columns]
    config = {name: _config(name, COLUMNS[name]) for name in order if name in COLUMNS}
    st.dataframe(shown(frame[order]), hide_index=True, column_config=config, column_order=order, key=key,
                 **settings)
