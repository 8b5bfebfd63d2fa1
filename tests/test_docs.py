"""The README documents what the code does: every definition word for word, every command."""

import re
from pathlib import Path

import pytest

from loaders.cli import _parser
from loaders.definitions import CAVEATS, DEFINITIONS, KEEP_IT_LOCAL, KEEP_IT_LOCAL_COVERAGE

README = Path(__file__).resolve().parents[1] / "README.md"


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_readme_states_each_definition_word_for_word(name):
    assert flat(DEFINITIONS[name]) in flat(README.read_text())


@pytest.mark.parametrize("name", sorted(KEEP_IT_LOCAL))
def test_readme_states_each_keep_it_local_indicator_word_for_word(name):
    assert flat(KEEP_IT_LOCAL[name]) in flat(README.read_text())


def test_readme_states_what_the_keep_it_local_indicators_rest_on():
    assert flat(KEEP_IT_LOCAL_COVERAGE) in flat(README.read_text())


def test_readme_states_the_caveats():
    assert flat(CAVEATS) in flat(README.read_text())


def test_readme_documents_every_command():
    commands = _parser()._subparsers._group_actions[0].choices
    readme = README.read_text()
    for name in commands:
        assert re.search(rf"`{name}\b", readme), f"`{name}` is not in the README"
