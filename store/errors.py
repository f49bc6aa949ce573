"""Errors the store raises for problems a user can fix; the CLI prints them without a traceback."""

from __future__ import annotations


class StoreError(Exception):
    """A problem with the store file itself (missing, not SQLite, too new, read-only...)."""


class ImportFailed(Exception):
    """An import that loaded nothing; the store is left as it was."""
