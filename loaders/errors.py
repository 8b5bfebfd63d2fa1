"""Typed errors that the CLI and the app turn into one line naming the input and the problem."""


class LoaderError(Exception):
    """Something about an input is wrong; nothing has been written."""

    def __init__(self, source: str, problem: str):
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem


class InputError(LoaderError):
    """A file or response that is missing, unreadable, not JSON, not OCDS, or empty."""


class StoreError(LoaderError):
    """The store file cannot be opened, or is not a store of this project."""
