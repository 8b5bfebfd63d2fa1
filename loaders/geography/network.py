"""The Keep it Local network: the councils Locality announced as signed up to its Keep it
Local principles, a built-in peer group of the Keep it Local page and the Council scorecard.

The list is Locality's own announcements, recorded here by hand (no register publishes it):
the first eleven councils on 3 March 2020, Leeds and Wakefield later, and four more announced
with "Principles into Practice"; 17 in all. Each name is matched through the
council register, as a buyer's name is, so the network's councils are found in a store by
their register code whatever their notices call them. When Locality announces more, add them
to ANNOUNCEMENTS and move RECORDED on.
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from loaders.geography.register import registers
from loaders.normalising.buyers import council_by_name

LABEL = "Keep it Local network councils"
RECORDED = date(2026, 12, 3)  # the day this list was recorded from the announcements below
SOURCES = ("https://locality.org.uk/press/trailblazer-councils-commit-to-keeping-it-local/",
           "https://locality.org.uk/blog/keep-it-local-principle-into-practice/")

# (when Locality announced them, the councils as Locality names them). "Newcastle" is
# Newcastle upon Tyne (Newcastle City Council), not Newcastle-under-Lyme, and "York" the
# City of York Council: the names below say so, because the short names are ambiguous.
ANNOUNCEMENTS = (
    ("on 3 March 2020", ("Bradford", "Bristol", "Calderdale", "Hackney", "Kirklees", "Lewisham",
                      "Newcastle upon Tyne", "Oldham", "Rotherham", "South Gloucestershire", "Wirral")),
    ("later", ("Leeds", "Wakefield")),
    ("with \"Principles into Practice\"", ("Cheshire West and Chester", "City of York Council",
                                           "East Sussex County Council", "Malvern Hills District Council")),
)


@dataclass(frozen=True)
class Member:
    """One council of the network."""
    name: str  # as Locality names it
    code: str  # the council register's code
    register_name: str  # the register's official name, the name the dashboard gives the council
    announced: str


class NetworkError(ValueError):
    """A name of the list that the council register does not identify (a typing slip in ANNOUNCEMENTS)."""


@lru_cache(maxsize=1)
def members() -> tuple[Member, ...]:
    """The network's councils, each identified in the council register."""
    found = []
    for announced, names in ANNOUNCEMENTS:
        for name in names:
            code = council_by_name(name)
            if code is None:
                raise NetworkError(f"Keep it Local network: the council register does not identify {name!r}")
            found.append(Member(name, code, registers().councils[code].name, announced))
    return tuple(found)


def codes() -> tuple[str, ...]:
    """The register codes of the network's councils (how a store's council buyers are matched)."""
    return tuple(member.code for member in members())


def sentence() -> str:
    """The list, its dates and its sources in one note, shown wherever the group is."""
    parts = "; ".join(f"{len(names)} {announced}" for announced, names in ANNOUNCEMENTS)
    return (f"The Keep it Local network: the {len(members())} councils Locality announced ({parts}), list as "
            f"recorded on {RECORDED.day} {RECORDED:%B %Y}. Sources: {' and '.join(SOURCES)}.")
