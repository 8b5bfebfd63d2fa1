"""The Overview's figures come from one grouped scan (overview.summary) worked up in pandas:
they must equal the same figures summed straight from the award rows, under any filters."""

from datetime import date

import pytest

from loaders.storage import store
from queries import locality, overview
from queries.filters import Filters

CASES = (
    Filters(),
    Filters(date_from=date(2023, 1, 1), date_to=date(2024, 6, 30)),
    Filters(supplier_sizes=("SME",), exclude_frameworks=True),
    Filters(local_km=25, categories=("services",)),
    Filters(date_from=date(2030, 1, 1)),  # nothing matches
)


@pytest.fixture(scope="module")
def con(demo_store):
    connection = store.read_only(demo_store)
    yield connection
    connection.close()


def direct(con, filters: Filters, select: str, tail: str = ""):
    """`select` over the filtered rows (with `loc`), as plain SQL sums."""
    rows, params = filters.rows()
    return con.execute(f"SELECT {select} FROM {rows} {tail}", params).fetchall()


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.slug())
def test_headline_equals_direct_sums(con, filters):
    figures = overview.headline(overview.summary(con, filters), overview.participants(con, filters))
    total, awards, buyers, suppliers, local, local_n, sme, vcse_unknown, framework = direct(con, filters, """
        sum(value_gbp), sum(1.0 / n_suppliers), count(DISTINCT buyer_key), count(DISTINCT supplier_key),
        sum(CASE WHEN loc = 'local' THEN value_gbp END), sum(CASE WHEN loc = 'local' THEN 1.0 / n_suppliers END),
        sum(CASE WHEN supplier_size = 'SME' THEN value_gbp END),
        sum(CASE WHEN supplier_vcse IS NULL THEN 1.0 / n_suppliers END),
        sum(CASE WHEN is_framework THEN value_gbp END)""")[0]
    assert figures["total_value"] == pytest.approx(total)
    assert figures["awards"] == round(awards or 0)
    assert (figures["buyers"], figures["suppliers"]) == (buyers, suppliers)
    assert figures["framework_value"] == pytest.approx(framework)
    if not total:
        assert figures["local_value_share"] is None and figures["sme_value_share"] is None
        return
    assert figures["local_value_share"] == pytest.approx((local or 0) / total)
    assert figures["local_count_share"] == pytest.approx((local_n or 0) / awards)
    assert figures["sme_value_share"] == pytest.approx((sme or 0) / total)
    assert figures["unknown_vcse_count_share"] == pytest.approx((vcse_unknown or 0) / awards)


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.slug())
@pytest.mark.parametrize("dimension, expression", [
    ("provider", "CASE WHEN supplier_vcse THEN 'VCSE' ELSE supplier_size END"),
    ("locality", "loc"),
    ("value_band", "value_band"),
])
def test_breakdown_equals_direct_sums(con, filters, dimension, expression):
    frame = overview.breakdown(overview.summary(con, filters), dimension).set_index("group")
    expected = {group: (value or 0.0, awards) for group, value, awards in direct(
        con, filters, f"{expression} AS g, sum(value_gbp), sum(1.0 / n_suppliers)", "GROUP BY g")}
    assert list(frame.index) == list(overview.DIMENSIONS[dimension])
    for group, row in frame.iterrows():
        value, awards = expected.get(group, (0.0, 0.0))
        assert row["value_gbp"] == pytest.approx(value)
        assert row["awards"] == pytest.approx(awards, abs=0.006)  # shown to 2 places
    assert frame["value_gbp"].sum() == pytest.approx(sum(v for v, _ in expected.values()))


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.slug())
def test_trend_and_locality_years_equal_direct_sums(con, filters):
    summary = overview.summary(con, filters)
    trend = overview.trend(summary, "count").set_index("financial_year")
    fy = "CASE WHEN month(award_date) >= 4 THEN year(award_date) ELSE year(award_date) - 1 END"
    found = direct(con, filters, f"""{fy} AS fy, sum(1.0 / n_suppliers),
        sum(CASE WHEN supplier_vcse THEN 1.0 / n_suppliers ELSE 0 END), sum(CASE WHEN loc = 'local' THEN value_gbp END)""",
                   "WHERE award_date IS NOT NULL GROUP BY fy ORDER BY fy")
    assert list(trend.index) == [f"{y}-{(y + 1) % 100:02d}" for y, *_ in found]
    for y, awards, vcse, _ in found:
        assert trend.loc[f"{y}-{(y + 1) % 100:02d}", "vcse_share"] == pytest.approx(vcse / awards)
    years = locality.by_year(summary)
    local = years[years["group"] == "local"].set_index("financial_year")["value_gbp"]
    for y, _, _, local_value in found:
        assert local[f"{y}-{(y + 1) % 100:02d}"] == pytest.approx(local_value or 0.0)


@pytest.mark.parametrize("filters", [Filters(), Filters(sources=("find_a_tender",)), Filters(supplier_sizes=("SME",)),
                                     Filters(date_from=date(2099, 1, 1))])
def test_distinct_awards_counts_as_count_distinct_does(all_samples_store, filters):
    """The bitmap count of award numbers equals DuckDB's distinct count on the real samples
    (joint awards, cross-published copies left out), and is 0 when no row is left."""
    con = store.read_only(all_samples_store)
    rows, params = filters.rows()
    ours, theirs, above = con.execute(
        f"SELECT {overview.distinct_awards(con)}, count(DISTINCT award_number), "
        f"{overview.distinct_awards(con, 'CASE WHEN award_value_gbp > 100000 THEN award_number END')} "
        f"FROM {rows}", params).fetchone()
    assert ours == theirs
    assert above == con.execute(f"SELECT count(DISTINCT award_number) FROM {rows} WHERE award_value_gbp > 100000",
                                params).fetchone()[0]
    con.close()
