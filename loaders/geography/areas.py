"""Council areas in the store: the register's councils, the districts inside each council's
area, and the districts replaced since by another council.

A council buyer's area is the register's (its GSS code; a county council's is every
district of the county; a combined authority's every member's area), never the postcode
of its address: county councils sit in their county town, and a postcode lookup may have
no county column at all. These tables are the register (loaders/geography/register.py) as the SQL of
store.derive_geography reads it; they are reloaded by every load, so a corrected register
reaches every store on its next load.
"""

from loaders.geography import register

TABLES = {
    "register_councils": register.council_frame,
    "area_members": register.area_member_frame,
    "register_districts": register.district_frame,
}


def load(con) -> None:
    """(Re)load the register's council tables into the store."""
    for table, frame_of in TABLES.items():
        frame = frame_of()
        con.register(f"{table}_frame", frame)
        con.execute(f"CREATE OR REPLACE TABLE {table} AS SELECT * FROM {table}_frame")
        con.unregister(f"{table}_frame")
