"""Locality: where the suppliers are (local, same region, elsewhere in UK, outside UK,
unknown), over time, by council area on a map and in a table, and for one buyer."""

import streamlit as st

from loaders import definitions
from loaders.definitions import SMALL_NUMBERS
from queries import locality, overview
from readings import breakdowns as readings
from ui import charts, maps, tables, widgets

filters = widgets.page_filters()

st.title("Does the money stay local?")
st.caption(locality.definition_text(filters.local_km) + " Change it under “Local means” in the sidebar.")
with st.expander("The other locations, defined"):
    for text in locality.other_definitions():
        st.caption(text)
widgets.left_out_line(filters)
measure = widgets.measure_switch()

summary = widgets.query(overview.summary, filters)
split = overview.breakdown(summary, "locality")
widgets.chart_block("Spend by supplier location", charts.breakdown_bar(split, measure), split,
                    readings.largest_group(split, measure), readings.bar_alt(split, measure, "supplier location"),
                    filters, "locality")

years = locality.by_year(summary, widgets.data_period(filters))
widgets.chart_block("Supplier location over time", maps.share_over_time(years, measure), years,
                    locality.year_reading(years, measure), locality.year_alt(years, measure),
                    filters, "locality-by-year")

st.header("Council areas")
with_others = st.toggle("Include other local buyers placed in each area", key="other_bodies",
                        bind="query-params",
                        help="NHS bodies, police and fire, schools, housing associations and other buyers that are "
                             "not central government count in the area of their address.")
st.text(locality.other_bodies_sentence(widgets.query(locality.other_bodies, filters), with_others))
views = "council-areas-with-other-bodies" if with_others else "council-areas"
areas = widgets.query(locality.councils, filters, measure, with_others)
compared = areas[areas["compared"]]
shaped = widgets.query(locality.has_boundaries)
shapes = widgets.query(locality.boundary_shapes, filters, with_others) if shaped else None
widgets.chart_block("Local share by council area", maps.council_map(compared, measure, shapes), areas,
                    locality.council_map_reading(areas, measure), locality.council_map_alt(compared, measure, shaped),
                    filters, f"{views}-map")
st.caption(SMALL_NUMBERS)
if shaped:
    st.caption("Council areas are shaded by their local share; hover over the dot at an area's centre for its "
               "figures; the largest areas are named where their names fit. A county council's area is drawn as "
               "its districts, and a council created since the boundaries were drawn (North Yorkshire, "
               "Cumberland, Westmorland and Furness and Somerset, 2023) as the districts it replaced, under any "
               "district council's own area; a council abolished before them has no boundary and shows as a dot "
               "only. Boundaries: Office for National Statistics, Open Government Licence v3.0; contains OS data "
               "© Crown copyright and database right.")
else:
    st.caption("This store was written before council boundaries came with the project, so each council area "
               "is a bubble at the centre of the postcodes the store holds for it: size for value (or awards), "
               "colour for the local share. Any load adds them; the quickest, in the project folder, is "
               "`python -m loaders geography boundaries --file data/geography/lad_2022_uk_simplified.geojson`.")

st.subheader("Council areas compared")
st.text(locality.council_table_reading(areas, measure))
tables.table(compared, "council-areas", ("council_area", "value_gbp", "awards", "valued_awards", "buyers",
                                          "local_value_share", "local_count_share", "unknown_value_share",
                                          "unknown_count_share"))
st.caption(f"Council areas with at least {definitions.MIN_VALUED_AWARDS} valued awards, sorted by the local share of the "
           "measure chosen above; the download lists every area, with `compared` false for those with fewer. "
           + ("Each area holds the council and the other local buyers with an address there (never central "
              "government)." if with_others else "Only council buyers count; the toggle above adds other local buyers."))
widgets.data_downloads(areas, filters, views)

st.divider()
options = widgets.query(locality.buyers, filters)
if not options:
    st.info("No awards match these filters.")
else:
    buyer = st.selectbox("Council or buyer whose suppliers to map (largest first)", options,
                         key="map_buyer", bind="query-params")
    places = widgets.query(locality.supplier_places, filters, buyer)
    home = widgets.query(locality.buyer_home, filters, buyer)
    widgets.chart_block("Where the chosen buyer's suppliers are", maps.supplier_map(places, home, measure, shapes),
                        places, locality.supplier_reading(places, buyer, home, measure),
                        locality.supplier_alt(places, buyer, measure), filters, "supplier-map")
    st.caption("Each dot is a supplier district (the centre of the postcodes the store holds there); the "
               "star marks the buyer's own area. Suppliers outside the UK or of unknown location have no "
               "place on the map but are in the download.")
