"""The reasons a procurement's notices give for not dividing it into lots, read from the
release JSON wherever they are: the Find a Tender field for them (UK OCDS extension) is not
confirmed, so any text field whose name says reason or justification, at or under a key
naming lots (tender.lotDetails..., tender.lots[]..., noLotsReason), is read as one.

Read once per load into a summary table (loaders.storage.summaries: lot_reasons): reading
them from the releases when the Value bands page asks took half a second on a million
releases, whose JSON the page would have to decompress to find a few contracts' notices.
"""

import orjson

REASON_WORDS = ("reason", "justification")
# Releases whose text could hold a reason: the only ones parsed.
MAY_HOLD_REASON = "json ILIKE '%lot%' AND (json ILIKE '%reason%' OR json ILIKE '%justification%')"


def reasons_by_ocid(con, batch: int = 1_000) -> dict[str, str]:
    """ocid -> its releases' reasons, newest release first, distinct, joined by " | " (ocids
    whose releases state none are left out). Releases are read a batch at a time."""
    cursor = con.cursor().execute(
        f"SELECT ocid, json FROM releases WHERE {MAY_HOLD_REASON} ORDER BY ocid, release_date DESC")
    reasons: dict[str, list[str]] = {}
    while found := cursor.fetchmany(batch):
        for ocid, body in found:
            for text in lot_reason_texts(orjson.loads(body)):
                if text not in reasons.setdefault(ocid, []):
                    reasons[ocid].append(text)
    return {ocid: " | ".join(texts) for ocid, texts in reasons.items() if texts}


def lot_reason_texts(node, under_lot: bool = False) -> list[str]:
    """The text values of keys naming a reason or justification, at or below a key naming lots."""
    texts: list[str] = []
    if isinstance(node, dict):
        for key, value in node.items():
            name = str(key).lower()
            in_lot = under_lot or "lot" in name
            if in_lot and any(word in name for word in REASON_WORDS):
                texts.extend(_strings(value))
            else:
                texts.extend(lot_reason_texts(value, in_lot))
    elif isinstance(node, list):
        for item in node:
            texts.extend(lot_reason_texts(item, under_lot))
    return texts


def _strings(value) -> list[str]:
    """Every non-empty text inside a value (a string, or a structure holding strings)."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []
