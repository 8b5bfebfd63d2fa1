"""A synthetic store of N award rows, generated directly in DuckDB SQL.

Cardinalities: 400 councils (with area codes of the real council types, regions and a
centre), ~200 other public buyers, ~150,000 suppliers (each with a home council area,
size, VCSE flag), 10 financial years, log-normal values. Every AWARD_COLUMNS column is
filled; locality is consistent with the supplier's and buyer's areas (as derive_geography
would make it), duplicate_of is NULL, award_number and supplier_number number the awards
and suppliers as it does.
Deterministic: all "random" draws are hashes of the row number. The schema is the real one:
the file is made by loaders.storage.store.writing.

Each award's ocid is a procurement of its own (`procurements`, one row per ocid, and a row
of `procurement_lots` per lot of the Find a Tender ones): Find a Tender procurements from 24
February 2025 are under the Procurement Act, with award criteria, a social value criterion,
lots, bids and market engagement in realistic shares; earlier ones and Contracts Finder's
carry what those notices carry (little).

`releases` holds what an import of those notices would have kept: one award release per
ocid and, for about one in ten, a later update of the award (tag awardUpdate, its value
revised), each a small OCDS release (ocid, id, date, tag, buyer, parties, tender, one award
with its value and supplier) with its columns filled as the loaders fill them, so pages
and checks that read the raw releases meet a store of a realistic size. The releases do
not re-derive to exactly these award rows: they are the load, not the source.
"""

from pathlib import Path

from loaders.geography import areas
from loaders.normalising.classify import DEFAULT_BAND_EDGES, band_labels
from loaders.storage import store, summaries

N_COUNCILS = 400
N_OTHER_BUYERS = 200
N_SUPPLIERS = 150_000
FIRST_DAY = "2016-04-01"
DAYS = 3652
REGIONS = ("North East", "North West", "Yorkshire and The Humber", "East Midlands", "West Midlands",
           "East of England", "London", "South East", "South West", "Wales", "Scotland", "Northern Ireland")
COUNCIL_PREFIXES = ("E06", "E07", "E08", "E09", "E10", "W06", "S12", "N09")
TRADES = (  # title, cpv, label, category, median
    ("Grounds maintenance", "77310000", "Planting and maintenance services of green areas", "services", 45_000),
    ("Home to school transport", "60130000", "Special-purpose road passenger-transport services", "services", 30_000),
    ("Domiciliary care", "85312000", "Social work services without accommodation", "services", 120_000),
    ("Highway resurfacing", "45233142", "Road-repair works", "works", 400_000),
    ("School building refurbishment", "45214200", "Construction work for school buildings", "works", 600_000),
    ("Catering supplies", "15000000", "Food, beverages, tobacco and related products", "goods", 35_000),
    ("Fleet vehicles", "34100000", "Motor vehicles", "goods", 180_000),
    ("IT managed services", "72000000", "IT services: consulting, software development", "services", 200_000),
    ("Consultancy support", "79400000", "Business and management consultancy", "services", 60_000),
    ("Waste collection", "90511000", "Refuse collection services", "services", 900_000),
)
OTHER_BUYER_TYPES = ("central government", "NHS", "education", "police", "housing association")


def _u(k: int, of: str = "i") -> str:
    """A uniform [0, 1) draw, a hash of the row number and a salt."""
    return f"((hash({of}, {k}) % 1000003) / 1000003.0)"


def _values_list(rows) -> str:
    return ", ".join("(" + ", ".join(_lit(v) for v in row) + ")" for row in rows)


def _lit(v) -> str:
    return str(v) if isinstance(v, (int, float)) else "'" + str(v).replace("'", "''") + "'"


def build(path: Path, awards: int) -> Path:
    """Write a store of `awards` award rows at `path` (replacing any file there)."""
    path = Path(path)
    for old in (path, Path(str(path) + ".wal")):
        if old.exists():
            old.unlink()
    with store.writing(path) as con:
        _dimensions(con)
        con.execute(_AWARDS_SQL, [awards])
        con.execute(_PROCUREMENTS_SQL)
        con.execute(_LOTS_SQL)
        con.execute(_RELEASES_SQL)
        _postcodes(con)
        con.execute("DROP TABLE councils; DROP TABLE buyers; DROP TABLE suppliers; DROP TABLE trades")
        areas.load(con)
        summaries.build(con)
    return path


def _dimensions(con) -> None:
    regions = _values_list((i, r) for i, r in enumerate(REGIONS))
    con.execute(f"CREATE TEMP TABLE regions_t(ri INTEGER, region VARCHAR); INSERT INTO regions_t VALUES {regions}")
    prefixes = _values_list((i, p) for i, p in enumerate(COUNCIL_PREFIXES))
    con.execute(f"CREATE TEMP TABLE prefixes_t(pi INTEGER, prefix VARCHAR); INSERT INTO prefixes_t VALUES {prefixes}")
    con.execute(f"""
        CREATE TABLE councils AS
        SELECT c.range::INTEGER AS ci, 'Council ' || lpad(c.range::VARCHAR, 3, '0') || ' Borough Council' AS name,
               p.prefix || lpad((c.range + 100)::VARCHAR, 6, '0') AS area_code,
               'Area ' || lpad(c.range::VARCHAR, 3, '0') AS area_name,
               r.region, CASE WHEN r.region = 'Wales' THEN 'Wales' WHEN r.region = 'Scotland' THEN 'Scotland'
                              WHEN r.region = 'Northern Ireland' THEN 'Northern Ireland' ELSE 'England' END AS country,
               'C' || c.range || ' 1AA' AS postcode,
               50.5 + {_u(1, 'c.range')} * 4.5 AS latitude, -4.5 + {_u(2, 'c.range')} * 5.5 AS longitude
        FROM range({N_COUNCILS}) c
        JOIN regions_t r ON r.ri = c.range % {len(REGIONS)}
        JOIN prefixes_t p ON p.pi = CASE WHEN r.region = 'Wales' THEN 5 WHEN r.region = 'Scotland' THEN 6
                                         WHEN r.region = 'Northern Ireland' THEN 7 ELSE (c.range // 12) % 5 END""")
    types = _values_list((i, t) for i, t in enumerate(OTHER_BUYER_TYPES))
    con.execute(f"CREATE TEMP TABLE types_t(ti INTEGER, buyer_type VARCHAR); INSERT INTO types_t VALUES {types}")
    # Buyers 0..399 are the councils; 400.. other public bodies, placed in a council's area.
    con.execute(f"""
        CREATE TABLE buyers AS
        SELECT ci AS bi, 'GB-BUYER-' || ci AS buyer_key, name AS buyer_name, 'local authority' AS buyer_type,
               ci AS home FROM councils
        UNION ALL
        SELECT {N_COUNCILS} + b.range, 'GB-BUYER-' || ({N_COUNCILS} + b.range),
               'Public Body ' || lpad(b.range::VARCHAR, 3, '0'), t.buyer_type, (b.range * 7) % {N_COUNCILS}
        FROM range({N_OTHER_BUYERS}) b JOIN types_t t ON t.ti = b.range % {len(OTHER_BUYER_TYPES)}""")
    # Supplier s lives in council area s % 400; size and VCSE are the supplier's own.
    con.execute(f"""
        CREATE TABLE suppliers AS
        SELECT s.range::INTEGER AS si, 'GB-COH-' || lpad(s.range::VARCHAR, 8, '0') AS supplier_key,
               'Supplier ' || s.range || CASE WHEN {_u(3, 's.range')} < 0.08 THEN ' Community Trust' ELSE ' Ltd' END
                   AS supplier_name,
               (s.range % {N_COUNCILS})::INTEGER AS home,
               CASE WHEN {_u(4, 's.range')} < 0.10 THEN 'Unknown' WHEN {_u(4, 's.range')} < 0.42 THEN 'Large'
                    ELSE 'SME' END AS supplier_size,
               CASE WHEN {_u(5, 's.range')} < 0.05 THEN NULL ELSE {_u(3, 's.range')} < 0.08 END AS supplier_vcse,
               CASE WHEN {_u(6, 's.range')} < 0.03 THEN NULL
                    ELSE 'S' || (s.range % {N_COUNCILS}) || ' ' || (1 + s.range % 9) || 'AB' END AS supplier_postcode,
               CASE WHEN {_u(6, 's.range')} > 0.995 THEN 'Ireland' END AS supplier_abroad
        FROM range({N_SUPPLIERS}) s""")
    trades = _values_list((i, *t) for i, t in enumerate(TRADES))
    con.execute(f"""CREATE TABLE trades(ti INTEGER, title VARCHAR, cpv VARCHAR, label VARCHAR, category VARCHAR,
                    median DOUBLE); INSERT INTO trades VALUES {trades}""")


_LABELS = band_labels()
_BAND_CASE = ("CASE WHEN v IS NULL THEN 'unknown' "
              + " ".join(f"WHEN v < {e} THEN '{_LABELS[i]}'" for i, e in enumerate(DEFAULT_BAND_EDGES))
              + f" ELSE '{_LABELS[len(DEFAULT_BAND_EDGES)]}' END")

# One row per award x supplier. 85% of rows are council awards. The supplier is local
# (same home area as the buyer) with a probability that varies by council, else from the
# same region, else national (skewed to a few big providers).
_AWARDS_SQL = f"""
INSERT INTO awards
WITH draws AS (
    SELECT range AS i,
           CASE WHEN {_u(10)} < 0.85 THEN (hash(i, 11) % {N_COUNCILS})
                ELSE {N_COUNCILS} + (hash(i, 11) % {N_OTHER_BUYERS}) END::INTEGER AS bi,
           {_u(12)} AS u_pick, {_u(13)} AS u_sup, {_u(14)} AS u_day, {_u(15)} AS u_frame,
           greatest({_u(16)}, 1e-9) AS u1, {_u(17)} AS u2, {_u(18)} AS u_src, {_u(19)} AS u_val,
           (hash(i, 20) % {len(TRADES)})::INTEGER AS ti, (hash(i, 21) % 4)::INTEGER AS proc, ((hash(i, 22) % 4) + 1)::INTEGER AS years
    FROM range(?)
),
picked AS (
    SELECT d.*, b.buyer_key, b.buyer_name, b.buyer_type, b.home AS bhome,
           0.15 + 0.5 * ((hash(b.home, 99) % 1000) / 1000.0) AS local_bias,
           CASE WHEN d.u_pick < 0.15 + 0.5 * ((hash(b.home, 99) % 1000) / 1000.0)
                    THEN b.home + {N_COUNCILS} * (hash(d.i, 23) % {N_SUPPLIERS // N_COUNCILS})
                WHEN d.u_pick < 0.75
                    THEN ((b.home % {len(REGIONS)}) + {len(REGIONS)} * (hash(d.i, 24) % ({N_COUNCILS} // {len(REGIONS)})))
                         + {N_COUNCILS} * (hash(d.i, 25) % {N_SUPPLIERS // N_COUNCILS})
                ELSE floor({N_SUPPLIERS} * pow(d.u_sup, 3)) END::INTEGER AS si
    FROM draws d JOIN buyers b USING (bi)
),
rowsx AS (
    SELECT p.*, s.supplier_key, s.supplier_name, s.supplier_size, s.supplier_vcse, s.supplier_postcode,
           s.supplier_abroad, s.home AS shome, t.title AS trade, t.cpv, t.label, t.category, t.median,
           bc.area_code AS a_code, bc.area_name AS a_name, bc.region AS a_rgn, bc.country AS a_ctry,
           bc.postcode AS b_pc, sc.area_code AS s_lad, sc.area_name AS s_lad_name, sc.region AS s_rgn,
           sc.country AS s_ctry,
           p.u_frame < 0.04 AS is_framework,
           CASE WHEN p.u_frame < 0.04 THEN 4 WHEN p.u_frame < 0.07 THEN 2 ELSE 1 END AS n_sup,
           DATE '{FIRST_DAY}' + (p.u_day * {DAYS})::INTEGER AS award_date,
           CASE WHEN p.u_val < 0.05 THEN NULL
                ELSE round(greatest(500, exp(ln(t.median * CASE WHEN p.u_frame < 0.04 THEN 8 ELSE 1 END)
                     + 1.3 * sqrt(-2 * ln(p.u1)) * cos(2 * pi() * p.u2))), 2) END AS award_value
    FROM picked p
    JOIN suppliers s USING (si)
    JOIN trades t USING (ti)
    JOIN councils bc ON bc.ci = p.bhome
    JOIN councils sc ON sc.ci = s.home
),
valued AS (
    SELECT *, award_value / n_sup AS v,
           CASE WHEN u_src < 0.7 THEN 'contracts-finder' ELSE 'find-a-tender' END AS source,
           CASE WHEN u_src < 0.7 THEN 'ocds-b5fd17-' ELSE 'ocds-h6vhtk-' END || md5(i::VARCHAR) AS ocid,
           CASE WHEN supplier_abroad IS NOT NULL THEN 'outside_uk'
                WHEN supplier_postcode IS NULL THEN 'unknown'
                WHEN shome = bhome THEN 'local'
                WHEN s_rgn = a_rgn THEN 'same_region'
                ELSE 'elsewhere_uk' END AS locality
    FROM rowsx
)
SELECT ocid || '/1/' || supplier_key AS award_key, source, ocid, ocid || '-000001' AS release_id,
       ocid || '-1' AS award_id, 'active' AS award_status,
       'https://bench.invalid/Notice/' || i AS notice_url,
       trade || CASE WHEN is_framework THEN ' framework ' ELSE ' ' END || year(award_date) AS title,
       cpv AS cpv_code, label AS cpv_label, category,
       ['open', 'selective', 'limited', 'direct'][(proc + 1)::BIGINT] AS procedure, is_framework,
       buyer_key, buyer_name, buyer_name AS buyer_name_published, buyer_type,
       CASE WHEN bi < {N_COUNCILS} THEN 'council register' ELSE 'name rules' END AS buyer_type_basis,
       CASE WHEN bi < {N_COUNCILS} THEN 'council register: name' ELSE 'name' END AS buyer_identified_by,
       CASE WHEN bi < {N_COUNCILS} THEN 'B' || bi END AS buyer_council_code, b_pc AS buyer_postcode,
       supplier_key, supplier_name, 'GB-COH' AS supplier_id_scheme, supplier_key[8:]::VARCHAR AS supplier_id,
       supplier_postcode, supplier_abroad, NULL AS supplier_region_code, supplier_size, supplier_vcse,
       award_date, award_date + 30 AS contract_start, award_date + 30 + 365 * years - 1 AS contract_end,
       award_value AS award_value_gbp, award_value AS award_value_gross_gbp, v AS value_gbp,
       n_sup AS n_suppliers, CASE WHEN award_value IS NULL THEN NULL ELSE 'award' END AS value_source,
       CASE WHEN award_value IS NULL THEN 'missing' END AS value_flag,
       {_BAND_CASE} AS value_band,
       a_code AS buyer_lad_code, a_name AS buyer_lad_name, NULL AS buyer_county_code,
       a_code AS buyer_area_code, a_name AS buyer_area_name, a_rgn AS buyer_region, a_ctry AS buyer_country,
       CASE WHEN supplier_postcode IS NOT NULL AND supplier_abroad IS NULL THEN s_lad END AS supplier_lad_code,
       CASE WHEN supplier_postcode IS NOT NULL AND supplier_abroad IS NULL THEN s_lad_name END AS supplier_lad_name,
       NULL AS supplier_county_code,
       CASE WHEN supplier_postcode IS NOT NULL AND supplier_abroad IS NULL THEN s_rgn END AS supplier_region,
       coalesce(supplier_abroad, CASE WHEN supplier_postcode IS NOT NULL THEN s_ctry END) AS supplier_country,
       locality,
       CASE locality WHEN 'local' THEN 1 + 14 * u_sup WHEN 'same_region' THEN 15 + 100 * u_sup
                     WHEN 'elsewhere_uk' THEN 100 + 400 * u_sup END AS distance_km,
       NULL AS duplicate_of, dense_rank() OVER (ORDER BY source, ocid, award_id) AS award_number,
       dense_rank() OVER (ORDER BY supplier_key) AS supplier_number
FROM valued
ORDER BY {store.AWARD_ORDER}
"""


# One procurement per ocid, its facts drawn from hashes of the ocid (see the module's docstring).
_PROCUREMENT_FACTS = {
    "regime": """CASE WHEN source <> 'find-a-tender' THEN 'unknown'
                      WHEN published_date >= DATE '2025-02-24' THEN 'procurement_act' ELSE 'earlier_rules' END""",
    "stages": "CASE WHEN h % 10 = 0 THEN 'planning' WHEN source = 'find-a-tender' THEN 'award,tender' ELSE 'award' END",
    "notice_types": "CASE WHEN act THEN 'UK4,UK6' END",
    "procedure_rationale": "CASE WHEN procedure = 'direct' AND source = 'find-a-tender' THEN 'Extreme urgency' END",
    "lots": "CASE WHEN source = 'find-a-tender' THEN 1 + (h // 7) % 4 END",
    "divided": "CASE WHEN source = 'find-a-tender' THEN (h // 7) % 4 > 0 END",
    "no_lots_rationale": "CASE WHEN source = 'find-a-tender' AND (h // 7) % 4 = 0 AND h % 2 = 0 "
                         "THEN 'A single service across the whole area' END",
    "criteria_published": "source = 'find-a-tender' AND h % 5 < 3",
    "weights_published": "act AND h % 5 < 3",
    "social_value": "CASE WHEN source = 'find-a-tender' AND h % 5 < 3 THEN (h // 11) % 10 < 3 END",
    "social_value_weight": "CASE WHEN act AND h % 5 < 3 AND (h // 11) % 10 < 3 THEN 5 * (1 + (h // 13) % 6) END",
    "bids": "CASE WHEN act AND h % 5 < 2 THEN 1 + (h // 17) % 8 END",
    "sme_bids": "CASE WHEN act AND h % 5 < 2 THEN (h // 17) % 8 // 2 END",
    "final_stage_bids": "CASE WHEN act AND h % 5 < 1 THEN 1 + (h // 17) % 8 END",
    "vcse_bids": "CASE WHEN act AND h % 5 < 1 THEN (h // 19) % 2 END",
    "engagement_notice": "CASE WHEN act AND (h // 23) % 5 = 0 THEN 'UK2-' || ocid END",
    "no_engagement_rationale": "CASE WHEN act AND (h // 23) % 5 = 1 THEN 'The market is well known' END",
    "suitable_sme": "CASE WHEN source = 'find-a-tender' THEN (h // 29) % 3 > 0 END",
    "suitable_vcse": "CASE WHEN source = 'find-a-tender' THEN (h // 29) % 3 = 2 END",
    "tender_value_gbp": "CASE WHEN source = 'find-a-tender' THEN awarded * 1.1 END",
    "above_threshold": "CASE WHEN source = 'find-a-tender' THEN awarded > 200000 END",
    "cancelled": "false",
    "criteria": """CASE WHEN source = 'find-a-tender' AND h % 5 < 3 THEN 'Price: Price 60%; Quality: Quality 30%'
                   || CASE WHEN (h // 11) % 10 < 3 THEN '; Quality: Social value 10%' ELSE '' END END""",
    "size_gbp": "coalesce(CASE WHEN source = 'find-a-tender' THEN awarded * 1.1 END, awarded)",
}
_PROCUREMENT_BASE = ("ocid", "source", "title", "notice_url", "category", "buyer_key", "buyer_name",
                     "buyer_name_published", "buyer_type", "buyer_council_code", "buyer_postcode", "published_date",
                     "last_date", "procedure", "procedure_details", "buyer_area_code", "buyer_area_name",
                     "buyer_region", "buyer_country")
_PROCUREMENTS_SQL = f"""
INSERT INTO procurements
WITH one AS (
    SELECT ocid, any_value(source) AS source, any_value(title) AS title, any_value(notice_url) AS notice_url,
           any_value(category) AS category, any_value(buyer_key) AS buyer_key, any_value(buyer_name) AS buyer_name,
           any_value(buyer_name_published) AS buyer_name_published, any_value(buyer_type) AS buyer_type,
           any_value(buyer_council_code) AS buyer_council_code, any_value(buyer_postcode) AS buyer_postcode,
           min(award_date) - 60 AS published_date, min(award_date) AS last_date, any_value(procedure) AS procedure,
           any_value(procedure) AS procedure_details, any_value(buyer_area_code) AS buyer_area_code,
           any_value(buyer_area_name) AS buyer_area_name, any_value(buyer_region) AS buyer_region,
           any_value(buyer_country) AS buyer_country, sum(award_value_gbp / n_suppliers) AS awarded,
           hash(ocid, 31) % 1000003 AS h
    FROM awards GROUP BY ocid
),
ruled AS (SELECT *, {_PROCUREMENT_FACTS['regime']} AS regime FROM one),
facts AS (SELECT *, regime = 'procurement_act' AS act FROM ruled)
SELECT {", ".join(c if c in _PROCUREMENT_BASE or c == "regime" else f"{_PROCUREMENT_FACTS[c]} AS {c}"
                  for c in store.DERIVED_LAYOUTS["procurements"])}
FROM facts
ORDER BY buyer_key, published_date, ocid
"""
_LOTS_SQL = """
INSERT INTO procurement_lots
SELECT ocid, l::VARCHAR, title, 'active', tender_value_gbp / lots, suitable_sme, suitable_vcse,
       criteria,
       social_value_weight, bids, sme_bids, final_stage_bids, vcse_bids
FROM procurements, range(1, coalesce(lots, 0) + 1) AS r(l)
"""

# An award release per ocid, and an update for ~10% of them (see the module's docstring).
# Dates are OCDS date-times; the hash is SHA-256 of the JSON text, as readers._raw makes it.
# Rows are left in the order they are made (sorting 2M bodies by fetch time costs seconds).
_RELEASES_SQL = """
INSERT INTO releases
WITH versions AS (
    SELECT a.*, p.no_lots_rationale, v.version,
           a.award_date + CASE v.version WHEN 1 THEN 0 ELSE 14 + (hash(a.ocid, 41) % 120)::INTEGER END AS released
    FROM awards a JOIN procurements p USING (ocid),
         (VALUES (1), (2)) v(version)
    WHERE v.version = 1 OR hash(a.ocid, 40) % 10 = 0
),
described AS (
    SELECT *, ocid || '-00000' || version AS rid, strftime(released, '%Y-%m-%dT10:00:00Z') AS rdate,
           CASE version WHEN 1 THEN 'award' ELSE 'awardUpdate' END AS tag,
           CASE version WHEN 1 THEN award_value_gbp ELSE round(award_value_gbp * 1.05, 2) END AS amount
    FROM versions
),
bodies AS (
    SELECT *, json_object(
        'ocid', ocid, 'id', rid, 'date', rdate, 'tag', [tag], 'initiationType', 'tender',
        'buyer', json_object('id', buyer_key, 'name', buyer_name_published),
        'parties', [json_object('id', buyer_key, 'name', buyer_name_published, 'roles', ['buyer']),
                    json_object('id', supplier_key, 'name', supplier_name, 'roles', ['supplier'])],
        'tender', CASE WHEN no_lots_rationale IS NULL
                       THEN json_object('id', ocid, 'title', title, 'mainProcurementCategory', category)
                       ELSE json_object('id', ocid, 'title', title, 'mainProcurementCategory', category,
                                        'lotDetails', json_object('noLotsReason', no_lots_rationale)) END,
        'awards', [json_object('id', award_id, 'status', award_status, 'date', rdate,
                               'value', json_object('amount', amount, 'currency', 'GBP'),
                               'suppliers', [json_object('id', supplier_key, 'name', supplier_name)])]
    )::VARCHAR AS body
    FROM described
)
SELECT sha256(body), source, ocid, rid, rdate, tag, body, 'bench.invalid/' || source || '.jsonl',
       (released + INTERVAL 1 DAY)::TIMESTAMPTZ
FROM bodies
"""


def _postcodes(con) -> None:
    """One postcode per council area (its centre, for the maps) and per supplier home postcode."""
    con.execute("""
        INSERT INTO postcodes
        SELECT postcode, area_code, area_name, NULL, NULL, region, country, latitude, longitude,
               'postcode', 'benchmark', now() FROM councils
        UNION ALL
        SELECT DISTINCT s.supplier_postcode, c.area_code, c.area_name, NULL, NULL, c.region, c.country,
               c.latitude + 0.01, c.longitude + 0.01, 'postcode', 'benchmark', now()
        FROM suppliers s JOIN councils c ON c.ci = s.home WHERE s.supplier_postcode IS NOT NULL""")
