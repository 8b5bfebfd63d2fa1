"""Queries for the Council scorecard: one council's figures against its peers,
its rank, its suppliers' footprint, its contracts ending soon and its data coverage.

Councils are the buyers the council register identified (`buyer_council_code`), named as
the `buyer` filter names them (`buyer_name`, the register's name). A council's type comes
from its area code (the register's GSS code): E06 unitary, E07 district, E08 metropolitan
borough, E09 London borough, E10 county, E47 combined authority, E61 the Greater London
Authority, W06 Wales, S12 Scotland, N09 Northern Ireland. Figures follow queries.overview: value is
sum(value_gbp), awards count each joint award once, and every share is given by value and
by count. Peer figures are computed under the same filters as the council's own.
The page's words (sentences, descriptions, the rank table's cells) are in readings/scorecard.py.
"""

from dataclasses import replace
from datetime import date

import pandas as pd

from loaders import definitions
from loaders.definitions import NATIONAL_PROVIDER_REGIONS
from loaders.geography import network
from loaders.geography.postcodes import extract_outward, normalise_postcode, outward
from loaders.storage.summaries import IS_COUNCIL, IS_OTHER_LOCAL_BODY
from queries.filters import Filters
from queries.overview import AWARD_COUNT, distinct_awards, locality_label
from queries.shares import GROUP_SUMS, KEY_SUMS, share_pair


# A supplier that won awards from buyers in at least NATIONAL_PROVIDER_REGIONS regions (ITL1
# regions, or nations for Scotland, Wales and Northern Ireland) across the whole store is a
# "national provider" (DESIGN.md: buyers in several regions).

ENDING_MONTHS = 24  # contracts ending within this many months are re-commissioning opportunities

# Area-code prefix -> (one council, the peer group's name).
COUNCIL_TYPES = {
    "E06": ("unitary council", "unitary councils"),
    "E07": ("district council", "district councils"),
    "E08": ("metropolitan borough council", "metropolitan borough councils"),
    "E09": ("London borough", "London boroughs"),
    "E10": ("county council", "county councils"),
    "W06": ("Welsh council", "Welsh councils"),
    "S12": ("Scottish council", "Scottish councils"),
    "N09": ("Northern Ireland council", "Northern Ireland councils"),
    "E47": ("combined authority", "combined authorities"),
    "E61": ("strategic authority (the Greater London Authority)", "strategic authorities"),
}

# The measures each council is ranked on, higher first (readings/scorecard.py words them).
MEASURES = ("value_gbp", "awards", "local_value_share", "local_count_share", "sme_value_share", "sme_count_share",
            "vcse_value_share", "vcse_count_share")
SHARES = {"local": "loc = 'local'", "sme": "supplier_size = 'SME'", "vcse": "supplier_vcse"}
# What is unknown beside them: shown with the council's figures, not ranked.
UNKNOWNS = {"unknown_locality": "loc = 'unknown'", "unknown_size": "supplier_size = 'Unknown'",
            "unknown_vcse": "supplier_vcse IS NULL"}
# The peer groups: same council type, same region, the Keep it Local network, the user's list.
PEER_KEYS = ("type", "region", "network", "list")


def council_type(area_code: str | None) -> str | None:
    """The council type prefix (E06 ... N09) of an area code, None when not a council area."""
    prefix = (area_code or "")[:3]
    return prefix if prefix in COUNCIL_TYPES else None


def councils(con) -> list[str]:
    """Every council buyer in the store (whatever the filters, so a choice never vanishes)."""
    return [name for (name,) in con.cursor().execute("SELECT council FROM council_buyers ORDER BY 1").fetchall()]


# --- choosing a council by postcode ---------------------------------------------------------

def sources_held(con, filters: Filters) -> list[str]:
    """The sources the store holds awards of under `filters` from, whatever the Source filter
    says: what covers a council, for the scorecard's line on its coverage."""
    rows, params = replace(filters, sources=()).rows()
    return [source for (source,) in con.cursor().execute(
        f"SELECT DISTINCT source FROM {rows} ORDER BY 1", params).fetchall()]


def council_for_postcode(con, text: str) -> dict:
    """The council whose area holds a postcode (or postcode district such as "LS1").

    The postcode is placed through the store's `postcodes` table: exactly, else by the most
    common district of the store's postcodes in its postcode district. The council chosen is
    the one whose area is that district (or the council that succeeded it), else its county,
    else a combined authority (council areas from the register).
    Returns the place, `council` (None when no council in the data covers it), `others`
    (further councils covering it, e.g. the county council of a district) and `problem`:
    None, 'invalid', 'unplaced' or 'no_council'.
    """
    postcode = normalise_postcode(text)
    query = postcode or extract_outward((text or "").strip())
    found = {"query": query, "precision": None, "lad_code": None, "lad_name": None, "county_code": None,
             "county_name": None, "region": None, "council": None, "others": (), "problem": None}
    if not query:
        return {**found, "problem": "invalid"}
    place = _place(con, postcode, outward(postcode) if postcode else query)
    if place is None:
        return {**found, "problem": "unplaced"}
    found.update(place)
    names = _councils_covering(con, found["lad_code"])
    if not names:
        return {**found, "problem": "no_council"}
    return {**found, "council": names[0], "others": tuple(names[1:])}


def _place(con, postcode: str | None, district: str) -> dict | None:
    """Place a postcode from the store's cache: exactly, else by its postcode district."""
    columns = "lad_code, lad_name, county_code, county_name, region"
    if postcode:
        row = con.cursor().execute(f"SELECT {columns} FROM postcodes WHERE postcode = ? AND lad_code IS NOT NULL",
                                   [postcode]).fetchone()
        if row:
            return dict(zip(columns.split(", "), row), precision="postcode")
    row = con.cursor().execute("""
        SELECT lad_code, any_value(lad_name), any_value(county_code), any_value(county_name), any_value(region)
        FROM postcodes WHERE (postcode = ? OR postcode LIKE ?) AND lad_code IS NOT NULL
        GROUP BY lad_code ORDER BY count(*) DESC, lad_code LIMIT 1""", [district, f"{district} %"]).fetchone()
    return dict(zip(columns.split(", "), row), precision="district") if row else None


def _councils_covering(con, lad_code: str) -> list[str]:
    """Council buyers whose area holds the district: its own council (or the one that
    replaced it) first, then its county council, then a combined authority."""
    rows = con.cursor().execute("""
        SELECT c.council, CASE r.area_type WHEN 'district' THEN 0 WHEN 'county' THEN 1 ELSE 2 END AS tier
        FROM council_buyers c JOIN register_councils r ON r.code = c.code
        WHERE c.area_code = ? OR c.area_code IN (SELECT area_code FROM area_members WHERE lad_code = ?)
        ORDER BY tier, c.council""", [lad_code, lad_code]).fetchall()
    return list(dict.fromkeys(name for name, _ in rows))


# --- every council's figures, peers and ranks -----------------------------------------------

def council_filters(filters: Filters, council: str) -> Filters:
    """The sidebar filters for one council: the council replaces the buyer, buyer type and
    region choices; dates, source, size, category, frameworks and what local means apply."""
    return replace(filters, buyers=(council,), buyer_types=(), regions=())


def peer_filters(filters: Filters) -> Filters:
    """The sidebar filters for comparing councils: every council, whatever the buyer choices."""
    return replace(filters, buyers=(), buyer_types=(), regions=())


def council_table(con, filters: Filters, with_other_bodies: bool = False) -> pd.DataFrame:
    """One row per council with awards under the filters: its register code, area, type, region, value,
    awards, valued awards, whether it has enough of them to be ranked, and the local / SME /
    VCSE shares by value and by count.

    A council is a buyer the council register identified; all its rows count (the same rows
    the council's own figures use). With `with_other_bodies`, the awards of the other local
    bodies placed in its area count too (an NHS trust in Preston counts for Preston and for
    Lancashire; central government bodies never count). Its area and region are the register's, whatever the filters. A share is 0
    when no award meets it, and empty only when there is nothing to share."""
    rows, params = filters.rows()
    shares = ", ".join(share_pair(condition, name) for name, condition in {**SHARES, **UNKNOWNS}.items())
    others = f"""UNION ALL
            SELECT c.council, f.* FROM f JOIN area_members m ON m.lad_code = f.buyer_area_code
            JOIN council_buyers c ON c.area_code = m.area_code WHERE {IS_OTHER_LOCAL_BODY}""" \
        if with_other_bodies else ""
    frame = con.cursor().execute(f"""
        WITH f AS (SELECT * FROM {rows}),
        attached AS (
            SELECT buyer_name AS council, f.* FROM f WHERE {IS_COUNCIL}
            {others}),
        -- Summed first by what the shares test, then per council (queries.shares).
        grouped AS (SELECT council, loc, supplier_size, supplier_vcse, {GROUP_SUMS} FROM attached GROUP BY ALL),
        sums AS (SELECT council, {KEY_SUMS}, {shares} FROM grouped GROUP BY council)
        SELECT c.council, c.code AS council_code, c.area_code, c.area_name, c.region, s.* EXCLUDE (council)
        FROM sums s JOIN council_buyers c USING (council) ORDER BY council""", params).df()
    frame.insert(2, "council_type", frame["area_code"].map(council_type))
    frame["ranked"] = frame["valued_awards"].round(6) >= definitions.MIN_VALUED_AWARDS
    frame["awards"] = frame["awards"].round(2)
    frame["valued_awards"] = frame["valued_awards"].round(2)
    return frame


def other_bodies_added(con, filters: Filters, council: str) -> dict:
    """What the other public bodies placed in a council's area add to its figures: their
    value, awards and how many bodies (for the toggle's sentence)."""
    rows, params = filters.rows()
    value, awards, bodies = con.cursor().execute(f"""
        SELECT coalesce(sum(f.value_gbp), 0), coalesce(sum(1.0 / f.n_suppliers), 0), count(DISTINCT f.buyer_key)
        FROM {rows} JOIN area_members m ON m.lad_code = f.buyer_area_code
        JOIN council_buyers c ON c.area_code = m.area_code
        WHERE c.council = ? AND {IS_OTHER_LOCAL_BODY}""", params + [council]).fetchone()
    return {"value_gbp": float(value), "awards": float(awards), "bodies": int(bodies)}


def council_peers(con, filters: Filters, with_other_bodies: bool, council: str,
                  chosen: tuple[str, ...]) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Every council's figures (council_table), the council's peer groups (none when it has
    no awards under the filters) and its ranks among them (rank_table), as one value: the
    scorecard's blocks read them a dozen times a view, and working the groups and ranks out
    again each time took longer than the query."""
    table = council_table(con, filters, with_other_bodies)
    groups = peer_groups(table, council, chosen) if council in set(table["council"]) else {}
    return table, groups, rank_table(table, council, groups)


def peer_groups(table: pd.DataFrame, council: str, chosen: tuple[str, ...]) -> dict:
    """The council's peer groups as {key: (name of the group, council names)}, each with the
    council itself: same type, same region, the Keep it Local network (when another of its
    councils has awards) and the user's own list (when given)."""
    row = table.loc[table["council"] == council].iloc[0]
    groups = {}
    if row["council_type"]:
        names = table.loc[table["council_type"] == row["council_type"], "council"]
        groups["type"] = (COUNCIL_TYPES[row["council_type"]][1], tuple(names))
    if isinstance(row["region"], str):
        names = table.loc[table["region"] == row["region"], "council"]
        groups["region"] = (f"councils in {row['region']}", tuple(names))
    in_network = table.loc[table["council_code"].isin(network.codes()) | (table["council"] == council), "council"]
    if len(in_network) > 1:
        joined = "" if row["council_code"] in network.codes() else " (with this council)"
        groups["network"] = (f"{network.LABEL}{joined}", tuple(in_network))
    listed = [name for name in table["council"] if name in set(chosen) | {council}]
    if len(listed) > 1:
        groups["list"] = ("councils on your list", tuple(listed))
    return groups


def rank_table(table: pd.DataFrame, council: str, groups: dict) -> pd.DataFrame:
    """Per measure: the council's figure (and whether it is ranked at all), and per peer
    group (every key of PEER_KEYS: empty for a group the council has not) the group's name
    and number of councils, the council's rank, whether it is joint, how many are ranked and
    their median.

    Rank 1 is the highest figure; councils with equal figures share the rank ("joint").
    Only councils with at least definitions.MIN_VALUED_AWARDS valued awards are ranked or counted in a
    group's size and median (small numbers); councils without a figure (no known value for
    a share by value) are left out of that measure's ranking. No rows when the council has
    no awards under the filters."""
    found = table.loc[table["council"] == council]
    columns = ["measure", "council", "ranked", "valued_awards",
               *(f"{key}_{part}" for key in PEER_KEYS
                 for part in ("group", "members", "rank", "joint", "of", "median"))]
    if found.empty:
        return pd.DataFrame(columns=columns)
    mine = found.iloc[0]
    records = []
    for column in MEASURES:
        record = dict.fromkeys(columns)
        record.update(measure=column, council=mine[column], ranked=bool(mine["ranked"]),
                      valued_awards=mine["valued_awards"])
        for key, (name, members) in groups.items():
            ranked = table.loc[table["council"].isin(members) & table["ranked"], column].dropna()
            rank, joint = _rank(ranked, mine[column]) if mine["ranked"] and pd.notna(mine[column]) else (None, False)
            record.update({f"{key}_group": name, f"{key}_members": len(members), f"{key}_rank": rank,
                           f"{key}_joint": joint, f"{key}_of": len(ranked),
                           f"{key}_median": ranked.median() if len(ranked) else None})
        records.append(record)
    return pd.DataFrame(records, columns=columns)


def _rank(values: pd.Series, mine: float) -> tuple[int, bool]:
    """(rank, whether another council has the same figure): 1 + the councils above it."""
    same = (values.round(9) == round(float(mine), 9)).sum()
    return int((values.round(9) > round(float(mine), 9)).sum()) + 1, bool(same > 1)


def group_members(table: pd.DataFrame, members: tuple[str, ...], council: str, measure: str) -> pd.DataFrame:
    """The rows of a peer group with enough valued awards to compare (and the chosen council
    whatever its number), highest % local (by value or count) first, the chosen council marked."""
    part = table.loc[table["council"].isin(members) & (table["ranked"] | (table["council"] == council))]
    part = part.sort_values([f"local_{measure}_share", "council"], ascending=[False, True],
                            na_position="last").reset_index(drop=True)
    part.insert(1, "this_council", part["council"] == council)
    return part


def unranked_members(table: pd.DataFrame, members: tuple[str, ...], council: str) -> int:
    """How many councils of a group are left out of its comparison for too few valued awards."""
    return int((table["council"].isin(members) & ~table["ranked"] & (table["council"] != council)).sum())


# --- suppliers and their footprint ----------------------------------------------------------

def top_suppliers(con, filters: Filters, measure: str, limit: int = 20) -> pd.DataFrame:
    """The council's largest suppliers (by value or by count) with their footprint: regions
    and councils served across all the data, and whether each is a national provider.

    A supplier's `awards` are the awards it is on, whole: a joint award is one award for each
    of its suppliers (as on the Suppliers page), its value split equally among them.
    `value_share` / `count_share` are shares of the council's whole value and number of
    awards (a joint award once), not of the rows listed, so shares of awards can add up to
    more than 100%. `group` is the supplier's key (a bar's colour)."""
    rows, params = filters.rows()
    order = "value_gbp DESC NULLS LAST, awards DESC" if measure == "value" else "awards DESC, value_gbp DESC NULLS LAST"
    frame = con.cursor().execute(f"""
        WITH mine AS (SELECT * FROM {rows}),
        per_supplier AS (
            SELECT supplier_key, arg_max(supplier_name, award_date) AS supplier_name,
                   mode(supplier_size) AS supplier_size, bool_or(supplier_vcse) AS supplier_vcse,
                   mode(supplier_lad_name) AS supplier_home, mode(supplier_region) AS supplier_region,
                   {locality_label('mode(loc)')} AS locality, coalesce(sum(value_gbp), 0) AS value_gbp, count(*) AS awards
            FROM mine GROUP BY supplier_key)
        SELECT p.*, p.value_gbp / nullif((SELECT sum(value_gbp) FROM mine), 0) AS value_share,
               p.awards / nullif((SELECT {distinct_awards(con)} FROM mine), 0) AS count_share,
               r.regions_served, r.councils_served, r.regions_served >= ? AS national_provider
        FROM per_supplier p JOIN supplier_footprint r USING (supplier_key)
        ORDER BY {order}, supplier_name LIMIT ?""", params + [NATIONAL_PROVIDER_REGIONS, limit]).df()
    frame = frame.fillna({"value_share": 0.0, "count_share": 0.0})
    frame.insert(0, "group", frame["supplier_key"])
    return frame


def national_awards(con, filters: Filters, limit: int = 20) -> pd.DataFrame:
    """The council's biggest awards (by this supplier's value) to national providers, with
    notice links."""
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        SELECT award_date, title, supplier_name, supplier_size, {locality_label()} AS locality, value_gbp, award_value_gbp,
               n_suppliers, contract_end, regions_served, councils_served, notice_url
        FROM {rows} JOIN supplier_footprint USING (supplier_key)
        WHERE regions_served >= ?
        ORDER BY value_gbp DESC NULLS LAST, award_date DESC, award_key LIMIT ?""",
                                params + [NATIONAL_PROVIDER_REGIONS, limit]).df()


def national_summary(con, filters: Filters) -> dict:
    """How much of the council's value and awards went to national providers."""
    rows, params = filters.rows()
    row = con.cursor().execute(f"""
        SELECT coalesce(sum(value_gbp) FILTER (regions_served >= ?), 0), sum(value_gbp),
               coalesce({AWARD_COUNT} FILTER (regions_served >= ?), 0), {AWARD_COUNT},
               count(DISTINCT supplier_key) FILTER (regions_served >= ?)
        FROM {rows} JOIN supplier_footprint USING (supplier_key)""", [NATIONAL_PROVIDER_REGIONS] * 3 + params).fetchone()
    value, total_value, awards, total_awards, suppliers = row
    return {"value_gbp": value, "value_share": value / total_value if total_value else None,
            "awards": awards, "count_share": awards / total_awards if total_awards else None,
            "suppliers": suppliers}


# --- contracts ending soon ------------------------------------------------------------------

def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it has no such day)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def ending_contracts(con, filters: Filters, today: date, months: int = ENDING_MONTHS, limit: int | None = None,
                     offset: int = 0) -> pd.DataFrame:
    """The council's contracts whose end date lies between `today` and `months` later, soonest
    first: the chances to re-commission, with each supplier's footprint and notice link
    (`limit` rows from `offset`; limit None: every one)."""
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        SELECT contract_end, title, supplier_name, supplier_size, supplier_vcse, {locality_label()} AS locality,
               value_gbp, award_value_gbp, n_suppliers, award_date, regions_served,
               regions_served >= ? AS national_provider, notice_url
        FROM {rows} JOIN supplier_footprint USING (supplier_key)
        WHERE contract_end BETWEEN ? AND ?
        ORDER BY contract_end, value_gbp DESC NULLS LAST, award_key LIMIT ? OFFSET ?""",
                                [NATIONAL_PROVIDER_REGIONS] + params + [today, add_months(today, months), limit,
                                                                        offset]).df()


def ending_summary(con, filters: Filters, today: date, months: int = ENDING_MONTHS) -> dict:
    """The contracts ending in that window, summed: award rows, awards (a joint award once),
    value, and the awards and value of those with national providers."""
    rows, params = filters.rows()
    found = con.cursor().execute(f"""
        SELECT count(*), coalesce({AWARD_COUNT}, 0), coalesce(sum(value_gbp), 0),
               coalesce({AWARD_COUNT} FILTER (regions_served >= ?), 0),
               coalesce(sum(value_gbp) FILTER (regions_served >= ?), 0)
        FROM {rows} JOIN supplier_footprint USING (supplier_key)
        WHERE contract_end BETWEEN ? AND ?""",
                                 [NATIONAL_PROVIDER_REGIONS] * 2 + params + [today, add_months(today, months)]).fetchone()
    rows, *sums = found
    return dict(zip(("rows", "awards", "value_gbp", "national_awards", "national_value_gbp"), (rows, *map(float, sums))))


# --- data coverage --------------------------------------------------------------------------

COVERAGE = (
    ("value", "No value", "value_gbp IS NULL"),
    ("postcode", "No supplier postcode", "supplier_postcode IS NULL"),
    ("size", "No size (SME or large)", "supplier_size = 'Unknown' OR supplier_size IS NULL"),
)


def coverage(con, filters: Filters) -> pd.DataFrame:
    """How many award rows lack a value, a supplier postcode or a size flag, and any of them."""
    rows, params = filters.rows()
    checks = ", ".join(f"count(*) FILTER ({condition})" for _, _, condition in COVERAGE)
    anything = " OR ".join(f"({condition})" for _, _, condition in COVERAGE)
    found = con.cursor().execute(f"SELECT count(*), {checks}, count(*) FILTER ({anything}) FROM {rows}",
                                 params).fetchone()
    total, *missing = found
    items = [(key, label) for key, label, _ in COVERAGE] + [("any", "Any of these")]
    return pd.DataFrame({"gap": [k for k, _ in items], "gap_label": [label for _, label in items],
                         "gap_rows": missing, "council_rows": total,
                         "gap_share": [m / total if total else None for m in missing]})


def coverage_against(con, filters: Filters, council: str, peers: tuple[str, ...]) -> pd.DataFrame:
    """The council's coverage beside its peers' (all their rows together), same filters."""
    mine = coverage(con, council_filters(filters, council))
    theirs = coverage(con, replace(peer_filters(filters), buyers=tuple(peers)))
    mine["peers_rows"] = theirs["council_rows"]
    mine["peers_gap_rows"] = theirs["gap_rows"]
    mine["peers_gap_share"] = theirs["gap_share"]
    return mine


