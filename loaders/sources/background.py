"""One refresh at a time for a whole app process, run in a thread that every session can watch.

The app serves many visitors from one process. A refresh started from the Data page runs
here, not in the visitor's script run: a second visitor sees the same refresh and its
progress instead of starting another (two refreshes of one store in one process fight over
its staging file, and DuckDB refuses the second connection). The state is plain data
behind a lock, so the page only reads it.
"""

import logging
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable

from loaders.errors import LoaderError, StoreError
from loaders.sources import refresh

log = logging.getLogger(__name__)
FAILED_UNEXPECTEDLY = "the refresh stopped on an unexpected error; the detail is in the server log"


@dataclass(frozen=True)
class RefreshState:
    """What every session is shown of the current (or last) refresh."""
    source: str
    days: int
    started_at: datetime
    status: str = "running"  # running, done, failed
    windows_total: int = 1
    windows_done: int = 0
    releases: int = 0
    message: str = ""  # the latest progress line, or the outcome
    finished_at: datetime | None = None

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def fraction(self) -> float:
        return min(1.0, self.windows_done / max(1, self.windows_total))


class _StateProgress:
    """refresh.Progress that writes into the shared state (what the page draws)."""

    def __init__(self, job: "SharedRefresh"):
        self.job = job

    def start(self, source, total_windows, already_done):
        self.job._update(windows_total=max(1, total_windows), windows_done=already_done,
                         message=f"{source}: starting")

    def page(self, releases):
        total = self.job.state().releases + releases  # only the refresh thread writes while it runs
        self.job._update(releases=total, message=f"{total:,} releases so far")

    def window_done(self):
        state = self.job.state()
        self.job._update(windows_done=state.windows_done + 1,
                         message=f"{state.windows_done + 1} of {state.windows_total} windows")

    def waiting(self, seconds, why):
        self.job._update(message=f"{why}: waiting {seconds:.0f} s (the source limits request rates)")

    def note(self, message):
        self.job._update(message=message)


class SharedRefresh:
    """The process's one refresh: `start` runs it in a thread unless one is running; `state`
    is what every session shows. `run` is refresh.refresh (a test may pass its own)."""

    def __init__(self, run: Callable = refresh.refresh):
        self._run = run
        self._lock = threading.Lock()
        self._state: RefreshState | None = None
        self._thread: threading.Thread | None = None

    def state(self) -> RefreshState | None:
        with self._lock:
            return self._state

    def start(self, source: str, days: int, store_path: Path) -> bool:
        """Start refreshing the last `days` days of `source`; False when one is already running."""
        config = refresh.config_for(source)  # an unknown source fails here, in the caller
        until = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        with self._lock:
            if self._state is not None and self._state.running:
                return False
            self._state = RefreshState(source, days, until)
            self._thread = threading.Thread(target=self._refresh, name=f"refresh-{source}", daemon=True,
                                            args=(config, store_path, until - timedelta(days=days), until))
            self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> RefreshState | None:
        """The state once the running refresh has ended (tests, and a caller that must not return early)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.state()

    def _refresh(self, config, store_path: Path, since: datetime, until: datetime) -> None:
        try:
            report = self._run(config, store_path, since, until, progress=_StateProgress(self))
        except StoreError:
            log.exception("refresh of %s could not write the store", config.name)
            self._finish("failed", "the refresh could not write the store; the detail is in the server log")
        except LoaderError as exc:  # a source's fault (an answer that is not OCDS, a server down): say which
            log.warning("refresh of %s failed: %s", config.name, exc)
            self._finish("failed", exc.problem)
        except Exception:  # noqa: BLE001 - whatever it is, the visitors see one line and the log the rest
            log.exception("refresh of %s stopped on an unexpected error", config.name)
            self._finish("failed", FAILED_UNEXPECTEDLY)
        else:
            self._finish("done", f"{report.releases_fetched:,} releases fetched, {report.releases_new:,} new.")

    def _finish(self, status: str, message: str) -> None:
        self._update(status=status, message=message, finished_at=datetime.now(timezone.utc))

    def _update(self, **changes) -> None:
        with self._lock:
            self._state = replace(self._state, **changes)


SHARED = SharedRefresh()  # the app process's one refresh
