"""One row of a table as received, the unit the tabular readers hand on and the store keeps."""

import hashlib
import json
from dataclasses import dataclass

CF_CSV = "contracts-finder-csv"  # the Contracts Finder website's search export
REGISTER = "council-register"  # a council's contracts register (LGA schema, or mapped columns)
KINDS = (CF_CSV, REGISTER)
# The quality event of a row that could not be read (a cell of the wrong kind); the other rows load.
ROW_NOT_READ = "row_not_read"


@dataclass(frozen=True)
class TabularRow:
    """A row verbatim: its cells by column header, the file, and its line in the sheet (the
    header is line 1, so the first data row is line 2, as a spreadsheet numbers it)."""
    kind: str
    file: str
    line: int
    cells: dict[str, str]

    @property
    def content_hash(self) -> str:
        """The same cells give the same hash, whatever file they come in: re-importing is a no-op."""
        body = json.dumps([self.kind, self.cells], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode()).hexdigest()
