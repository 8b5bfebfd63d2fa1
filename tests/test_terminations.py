"""Cancellations after award: a Find a Tender procurement termination notice (UK12) cancels
the awards of the procurement (or of the lots it withdraws) published before it. Checked on
the real termination in ../shared/data/find-a-tender/pages_2026-09-03-p002.json, with an
award notice of our own for the same procurement published before it."""

import json

import pytest

from loaders.normalising.normalise import Release, normalise_ocid, release_kind
from tests.conftest import SAMPLES
from tests.ocds_factory import award, buyer, release, supplier

PAGES = SAMPLES / "find-a-tender"


@pytest.fixture(scope="module")
def real_releases():
    path = PAGES / "pages_2026-09-03-p002.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    found = json.loads(path.read_text(encoding="utf-8"))["releases"]
    found += json.loads((PAGES / "pages_2026-09-03-p001.json").read_text(encoding="utf-8"))["releases"]
    return {r["id"]: r for r in found}


@pytest.mark.realdata
def test_real_releases_are_classified_by_tag_and_notice_type(real_releases):
    kinds = {rid: release_kind(r) for rid, r in real_releases.items()}
    assert kinds == {"083257-2026": "contract", "083256-2026": "termination", "083253-2026": "contract",
                     "083674-2026": "amendment", "083664-2026": "planning", "083655-2026": "planning",
                     "083608-2026": "contract", "083662-2026": "tender"}


def earlier_award(termination: dict, award_id: str, lots=("1",)) -> dict:
    """A UK6-like award notice for the terminated procurement, a month before it."""
    s = supplier(1, name="Fen Works Ltd")
    return release(termination["ocid"], rid="070000-2026", date="2026-08-01T09:00:00Z", parties=[s],
                   buyer_party=buyer("Wiltshire Council", postcode="BA14 8JN"),
                   awards=[award(award_id, [s], amount=250_000.0, status="pending", relatedLots=list(lots))])


def normalised(*datas):
    result = normalise_ocid([Release("find-a-tender", d["ocid"], d["id"], d) for d in datas])
    return result.rows, {(event[2], event[3]) for event in result.events}


@pytest.mark.realdata
@pytest.mark.parametrize("award_id, kind", [
    ("1", "award_cancelled"),                          # the termination restates the award as cancelled
    ("070000-2026-1", "award_cancelled_by_termination"),  # another award id, on the lot withdrawn
])
def test_the_real_termination_cancels_an_earlier_award(real_releases, award_id, kind):
    ending = real_releases["083256-2026"]
    rows, events = normalised(earlier_award(ending, award_id), ending)
    assert rows == []
    assert (award_id, kind) in events


@pytest.mark.realdata
def test_an_award_on_another_lot_stands(real_releases):
    ending = real_releases["083256-2026"]
    rows, _ = normalised(earlier_award(ending, "070000-2026-2", lots=("2",)), ending)
    assert len(rows) == 1


def test_an_award_published_after_the_termination_stands():
    """A procurement run again under the same ocid: its later award is not cancelled."""
    ending = {"ocid": "ocds-h6vhtk-0abc01", "id": "060000-2026", "date": "2026-07-01T09:00:00Z",
              "tag": ["tenderCancellation"], "tender": {"status": "withdrawn"}, "awards": []}
    rows, events = normalised(ending, earlier_award(ending, "later-1"))
    assert len(rows) == 1 and not events


def test_a_termination_without_lots_cancels_the_whole_procurement():
    ending = {"ocid": "ocds-h6vhtk-0abc02", "id": "090000-2026", "date": "2026-09-01T09:00:00Z",
              "tag": ["tenderCancellation"], "tender": {"status": "withdrawn"}, "awards": []}
    rows, events = normalised(earlier_award(ending, "a1", lots=("3",)), ending)
    assert rows == [] and ("a1", "award_cancelled_by_termination") in events
