"""Locality: where the suppliers are (local, same region, elsewhere in UK, outside UK,
unknown), over time, by council area on a map and in a table, and for one buyer."""

import streamlit as st

from loaders import definitions
from loaders.definitions import SMALL_NUMBERS
from queries import locality, overview
from readings import locality as words
from ui import blocks, locality_charts, maps, widgets
from ui.blocks import Chart, Table, View, by_measure, sliced

INPUTS = {"with_others": False, "buyer": None}  # the toggle's default; no buyer: the largest
AREA_COLUMNS = ("council_area", "value_gbp", "awards", "valued_awards", "buyers", "local_value_share",
                "local_count_share", "unknown_value_share", "unknown_count_share")
SHAPED_NOTE = (
    "Council areas are shaded by their local share; hover over the dot at an area's centre for its figures; the "
    "largest areas are named where their names fit. A county council's area is drawn as its districts, and a "
    "council created since the boundaries were drawn (North Yorkshire, Cumberland, Westmorland and Furness and "
    "Somerset, 2023) as the districts it replaced, under any district council's own area; a council abolished "
    "before them has no boundary and shows as a dot only. Boundaries: Office for National Statistics, Open "
    "Government Licence v3.0; contains OS data © Crown copyright and database right.")
BUBBLE_NOTE = (
    "This store was written before council boundaries came with the project, so each council area is a bubble at "
    "the centre of the postcodes the store holds for it: size for value (or awards), colour for the local share. "
    "Any load adds them; the quickest, in the project folder, is "
    "`python -m loaders geography boundaries --file data/geography/lad_2022_uk_simplified.geojson`.")
SUPPLIER_NOTE = ("Each dot is a supplier district (the centre of the postcodes the store holds there); the star marks "
                 "the buyer's own area. Suppliers outside the UK or of unknown location have no place on the map but "
                 "are in the download.")


def by_year(run, view: View):
    return locality.by_year(run(overview.summary, view.filters), blocks.period(run, view))


def areas(run, view: View):
    return run(locality.councils, view.filters, view.measure, view["with_others"])


def outlines(run, view: View) -> dict:
    """The council boundaries the maps draw (None for a store without them: bubbles)."""
    shaped = run(locality.has_boundaries)
    return {"shapes": run(locality.boundary_shapes, view.filters, view["with_others"]) if shaped else None}


def compared(frame):
    return frame[frame["compared"]]


def area_rows(run, view: View, limit: int | None, offset: int):
    return sliced(compared(areas(run, view)), limit, offset)


def areas_stem(view: View) -> str:
    return "council-areas-with-other-bodies" if view["with_others"] else "council-areas"


def areas_note(frame, view: View) -> str:
    return (f"Council areas with at least {definitions.MIN_VALUED_AWARDS} valued awards, sorted by the local share "
            "of the measure chosen above; the map's download lists every area, with `compared` false for those "
            "with fewer. " + ("Each area holds the council and the other local buyers with an address there (never "
                              "central government)." if view["with_others"] else
                              "Only council buyers count; the toggle above adds other local buyers."))


def buyer_of(run, view: View) -> str | None:
    """The buyer whose suppliers to map: the one picked, else the largest."""
    options = run(locality.buyers, view.filters)
    return view.get("buyer") if view.get("buyer") in options else (options[0] if options else None)


def supplier_places(run, view: View):
    return run(locality.supplier_places, view.filters, buyer_of(run, view) or "")


def supplier_context(run, view: View) -> dict:
    """The chosen buyer, its home area and the outlines, for the supplier map and its words."""
    buyer = buyer_of(run, view)
    return {"chosen": buyer or "no buyer", "home": run(locality.buyer_home, view.filters, buyer or ""),
            **outlines(run, view)}


BLOCKS = (
    blocks.breakdown("locality", "supplier location", "supplier location"),
    Chart("locality-by-year", "Supplier location over time", by_year, by_measure(locality_charts.share_over_time),
          by_measure(words.year_reading), by_measure(words.year_alt)),
    Chart("council-areas-map", "Local share by council area", areas,
          lambda frame, view: maps.council_map(compared(frame), view.measure, view["shapes"]),
          by_measure(words.council_map_reading),
          lambda frame, view: words.council_map_alt(compared(frame), view.measure, view["shapes"] is not None),
          notes=(SMALL_NUMBERS, lambda frame, view: SHAPED_NOTE if view["shapes"] is not None else BUBBLE_NOTE),
          stem=lambda view: f"{areas_stem(view)}-map", context=outlines),
    Table("council-areas", "Council areas compared", area_rows, lambda run, view: len(area_rows(run, view, None, 0)),
          AREA_COLUMNS, lambda run, view, total: words.council_table_reading(areas(run, view), view.measure),
          notes=(areas_note,), stem=areas_stem),
    Chart("supplier-map", "Where the chosen buyer's suppliers are", supplier_places,
          lambda frame, view: maps.supplier_map(frame, view["home"], view.measure, view["shapes"]),
          lambda frame, view: words.supplier_reading(frame, view["chosen"], view["home"], view.measure),
          lambda frame, view: words.supplier_alt(frame, view["chosen"], view.measure), notes=(SUPPLIER_NOTE,),
          context=supplier_context),
)
SHARES, AREAS, SUPPLIERS = BLOCKS[:2], BLOCKS[2:4], BLOCKS[4:]


def definition(view: View) -> None:
    """The definition of local in force, the others on demand, and what value totals leave out."""
    st.caption(words.definition_text(view.filters.local_km) + " Change it under “Local means” in the sidebar.")
    with st.expander("The other locations, defined"):
        for text in words.other_definitions():
            st.caption(text)
    widgets.left_out_line(view.filters)


def council_areas(view: View) -> View:
    """The council-areas section's toggle and what the other local bodies add."""
    st.header("Council areas")
    with_others = st.toggle("Include other local buyers placed in each area", key="other_bodies", bind="query-params",
                            help="NHS bodies, police and fire, schools, housing associations and other buyers that "
                                 "are not central government count in the area of their address.")
    st.text(words.other_bodies_sentence(widgets.query(locality.other_bodies, view.filters), with_others))
    return view.having(with_others=bool(with_others))


def buyer_picker(view: View) -> View | None:
    options = widgets.query(locality.buyers, view.filters)
    if not options:
        st.info("No awards match these filters.")
        return None
    return view.having(buyer=st.selectbox("Council or buyer whose suppliers to map (largest first)", options,
                                          key="map_buyer", bind="query-params"))


def render() -> None:
    view = View(widgets.page_filters()).having(**INPUTS)
    st.title("Does the money stay local?")
    definition(view)
    blocks.show(SHARES, view)
    view = council_areas(view)
    blocks.show(AREAS, view)
    st.divider()
    picked = buyer_picker(view)
    if picked:
        blocks.show(SUPPLIERS, picked)


if __name__ == "__main__":
    widgets.run_page(render)
