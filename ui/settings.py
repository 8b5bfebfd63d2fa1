"""What the operator allows the app to do. By default the app is read-only: nothing a
visitor does can write to the store (a public deployment is open to anyone). Writes from
the app (the Data page's refresh) are turned on by the environment variable
AWARDS_APP_WRITES=1, or in `.streamlit/secrets.toml`:

    [app]
    allow_writes = true

The environment variable wins when both are set, so one deployment can override a shared file.
"""

import os

import streamlit as st

WRITES_ENV = "AWARDS_APP_WRITES"
YES = {"1", "true", "yes", "on"}


def writes_allowed() -> bool:
    """Whether the app may write to the store (start a refresh)."""
    setting = os.environ.get(WRITES_ENV)
    if setting is not None:
        return setting.strip().lower() in YES
    try:
        return bool(st.secrets.get("app", {}).get("allow_writes", False))
    except FileNotFoundError:  # no secrets.toml at all: the default, read-only
        return False
