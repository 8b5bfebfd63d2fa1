"""`Filters`: the one value shared by the widgets, the URL, the queries, caches and file names."""

import re
from dataclasses import dataclass, fields
from datetime import date


@dataclass(frozen=True)
class Filters:
    """What the user has narrowed the awards to. Frozen and hashable, so it keys caches."""
    date_from: date | None = None
    date_to: date | None = None
    regions: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()
    buyer_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    supplier_sizes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    exclude_frameworks: bool = False
    local_km: int | None = None  # None: local is the buyer's council area; else within this distance

    def rows(self) -> tuple[str, list]:
        """A FROM clause of the filtered award rows, with `loc`: locality under the chosen
        definition of local. Queries aggregate over it; params bind in order."""
        where, where_params = self.where()
        loc, loc_params = self._locality()
        return f"(SELECT *, {loc} AS loc FROM awards WHERE {where}) AS f", loc_params + where_params

    def _locality(self) -> tuple[str, list]:
        """Within N km (DESIGN.md's alternative): local by distance between postcode centroids;
        a supplier in the buyer's area or region but further away counts as same region."""
        if not self.local_km:
            return "locality", []
        return ("""CASE WHEN locality = 'outside_uk' THEN 'outside_uk'
                        WHEN distance_km IS NULL THEN 'unknown'
                        WHEN distance_km <= ? THEN 'local'
                        WHEN locality IN ('local', 'same_region') THEN 'same_region'
                        ELSE 'elsewhere_uk' END""", [float(self.local_km)])

    def where(self) -> tuple[str, list]:
        """A SQL WHERE clause over `awards` with bound parameters (never interpolated values).

        Awards published on both platforms count once: the Contracts Finder copy is left out.
        """
        clauses, params = ["duplicate_of IS NULL"], []
        if self.date_from:
            clauses.append("award_date >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append("award_date <= ?")
            params.append(self.date_to)
        for column, values in (("buyer_region", self.regions), ("buyer_name", self.buyers),
                               ("buyer_type", self.buyer_types), ("source", self.sources),
                               ("supplier_size", self.supplier_sizes), ("category", self.categories)):
            if values:
                clauses.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if self.exclude_frameworks:
            clauses.append("NOT is_framework")
        return " AND ".join(clauses), params

    def describe(self) -> str:
        """The filters in words, for the About sheet of downloads and for captions."""
        parts = []
        for f in fields(self):
            value = getattr(self, f.name)
            if value not in (None, (), False):
                shown = ", ".join(value) if isinstance(value, tuple) else str(value)
                parts.append(f"{f.name.replace('_', ' ')}: {shown}")
        return "; ".join(parts) or "no filters (all awards)"

    def slug(self) -> str:
        """A short file-name-safe summary ("2023-01-01_to_2024-12-31_leeds-city-council")."""
        bits = []
        if self.date_from or self.date_to:
            bits.append(f"{self.date_from or 'start'}_to_{self.date_to or 'end'}")
        for values in (self.regions, self.buyers, self.buyer_types, self.sources, self.supplier_sizes,
                       self.categories):
            bits.extend(values[:2])
        if self.exclude_frameworks:
            bits.append("no-frameworks")
        if self.local_km:
            bits.append(f"local-within-{self.local_km}km")
        text = "_".join(str(b) for b in bits) or "all"
        return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")[:80]
