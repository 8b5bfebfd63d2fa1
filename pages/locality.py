"""Locality: where the suppliers are (local, same region, elsewhere in UK, outside UK,
unknown), over time, by council area on a map and in a table, and for one buyer."""

import streamlit as st

from queries import locality, overview, readings
from ui import charts, maps, widgets

filters = widgets.page_filters()

st.title("Does the money stay local?")
st.caption(locality.definition_text(filters.local_km) + " Change it under “Local means” in the sidebar.")
with st.expander("The other locations, defined"):
    for text in locality.other_definitions():
        st.caption(text)
measure = widgets.measure_switch()

summary = widgets.query(overview.summary, filters)
split = overview.breakdown(summary, "locality")
widgets.chart_block("Spend by supplier location", charts.breakdown_bar(split, measure), split,
                    readings.largest_group(split, measure), readings.bar_alt(split, measure, "supplier location"),
                    filters, "locality")

years = locality.by_year(summary)
widgets.chart_block("Supplier location over time", maps.share_over_time(years, measure), years,
                    locality.year_reading(years, measure), locality.year_alt(years, measure),
                    filters, "locality-by-year")

areas = widgets.query(locality.councils, filters, measure)
shaped = widgets.query(locality.has_boundaries)
shapes = widgets.query(locality.boundary_shapes, filters) if shaped else None
widgets.chart_block("Local share by council area", maps.council_map(areas, measure, shapes), areas,
                    locality.council_map_reading(areas, measure), locality.council_map_alt(areas, measure, shaped),
                    filters, "council-map")
if shaped:
    st.caption("Council areas are shaded by their local share; hover over the dot at an area's centre for its "
               "figures. A county council's area is drawn as its districts, under any district council's own "
               "area. An area with no loaded boundary shows as a dot only.")
else:
    st.caption("Council boundaries are not loaded, so each council area is a bubble at the centre of the "
               "postcodes the store holds for it: size for value (or awards), colour for the local share. "
               "Load boundaries with: python -m loaders geography boundaries")

st.subheader("Council areas compared")
st.text(locality.council_table_reading(areas, measure))
st.dataframe(
    areas, hide_index=True,
    column_order=("council_area", "value_gbp", "awards", "buyers", "local_value_share", "local_count_share",
                  "unknown_value_share", "unknown_count_share"),
    column_config={
        "council_area": st.column_config.TextColumn("Council area"),
        "value_gbp": st.column_config.NumberColumn("Value", format="£%,.0f"),
        "awards": st.column_config.NumberColumn("Awards", format="%,.0f"),
        "buyers": st.column_config.NumberColumn("Buyers"),
        "local_value_share": st.column_config.NumberColumn("% local (value)", format="percent"),
        "local_count_share": st.column_config.NumberColumn("% local (count)", format="percent"),
        "unknown_value_share": st.column_config.NumberColumn("% unknown (value)", format="percent"),
        "unknown_count_share": st.column_config.NumberColumn("% unknown (count)", format="percent"),
    })
st.caption("A council area holds every buyer placed in it: the council itself and, for example, NHS "
           "bodies, schools and police with an address there. Sorted by the local share of the measure "
           "chosen above.")
widgets.data_downloads(areas, filters, "councils")

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
