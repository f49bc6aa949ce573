"""The one way the app loads numbers: `load_in_thread(node, compute)` runs `compute()` in a thread
worker (a newer load of the same node supersedes the older) and posts `Loaded` or `Failed` to the node,
whose handler draws. The UI never waits on a query, and a failing query is a message, not a crash."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from textual.message import Message


@dataclass
class Loaded(Message):
    source: Any          # the pane or screen that asked
    result: Any


@dataclass
class Failed(Message):
    source: Any
    error: str           # one line for a toast


def load_in_thread(node, compute: Callable[[], Any]) -> None:
    def work() -> None:
        try:
            result = compute()
        except Exception as exc:  # shown as a toast; the app keeps running
            node.post_message(Failed(node, f"{type(exc).__name__}: {exc}"))
            return
        node.post_message(Loaded(node, result))

    node.run_worker(work, thread=True, exclusive=True, group="load", exit_on_error=False)
