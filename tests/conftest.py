"""Fixtures shared by several test files."""

from pathlib import Path

import pytest

from loaders import demo


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo store, built once for the whole run (about 15 s); tests only read it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path)
    return path
