"""The fields of the app's dialogs (the filter box, the period picker): keys typed ahead reach them in order.

Over SSH a line typed in one go arrives at once. Textual hands each key to the widget that has focus
when the app handles it, and runs a widget's bindings (Enter, Esc, the arrows of a list) only once the
key has bubbled back up to the app: by then the keys typed after it have been handed to the same widget,
so `/tamara` Enter `2` would filter by "tamara2". These fields act on the keys that move on (Enter, Esc,
a list's arrows) themselves, as the key arrives, in order with the keys around it; and a key that reaches
a field after focus has moved on (to the next box, or to the screen a dialog closed to) is handed back to
the app, to be handled as if it had been typed just now.
"""

from __future__ import annotations

from typing import Callable

from textual import events
from textual.dom import NoScreen
from textual.widgets import Input, OptionList


class InOrder:
    """Mixin for a dialog's field: `keys` maps a key to what it does, run as the key arrives."""

    keys: dict[str, Callable[[], object]]

    def _in_order(self, event: events.Key) -> bool:
        """True when this field took care of the key (the rest of Textual's handling is skipped)."""
        try:
            screen = self.screen
            moved_on = screen.focused is not self or screen is not self.app.screen
        except NoScreen:   # the dialog is being taken down as the app quits: the key has nowhere to go
            self._stop(event)
            return True
        if moved_on:
            # typed ahead, handed to this field before an earlier key moved focus on: it belongs there
            self._stop(event)
            retype = getattr(self.app, "retype", None)
            if retype is not None:
                retype(event)
            return True
        action = self.keys.get(event.key)
        if action is None:
            return False
        self._stop(event)
        action()
        return True

    @staticmethod
    def _stop(event: events.Key) -> None:
        event.stop()              # no bubbling up to the app's bindings
        event.prevent_default()   # no handling by the widget classes below this one


class Field(InOrder, Input):
    """A one-line box; `keys` usually holds Enter (and Esc)."""

    def __init__(self, *args, keys: dict[str, Callable[[], object]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = keys or {}

    async def _on_key(self, event: events.Key) -> None:
        # Textual runs each class's _on_key down the MRO: Input's inserts the character unless prevented
        self._in_order(event)


class Choices(InOrder, OptionList):
    """A list to pick from: the arrows, Home/End and Page Up/Down move the highlight as the key arrives;
    `keys` usually holds Enter (choose the highlighted option) and Esc."""

    MOVES = {"up": "cursor_up", "down": "cursor_down", "home": "first", "end": "last", "pageup": "page_up",
             "pagedown": "page_down"}

    def __init__(self, *args, keys: dict[str, Callable[[], object]] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keys = {**{key: getattr(self, f"action_{name}") for key, name in self.MOVES.items()}, **(keys or {})}

    async def _on_key(self, event: events.Key) -> None:
        self._in_order(event)

    @property
    def highlighted_id(self) -> str | None:
        return None if self.highlighted is None else self.get_option_at_index(self.highlighted).id
