"""The error a command raises for a problem the user can fix (printed without a traceback).

Its own module, so `python -m tui.cli` (where cli.py runs as __main__) and the commands agree on
one class."""

from __future__ import annotations


class UserError(Exception):
    """A problem the user can fix; printed as one message. `code` is the exit status (2 = usage)."""

    def __init__(self, message: str, code: int = 2):
        super().__init__(message)
        self.code = code
