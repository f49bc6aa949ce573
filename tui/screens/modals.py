"""Modal dialogs: help (derived from the action definitions), the period picker, the filter box."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..actions import help_rows
from ..data import PRESET_LABELS, PRESETS, PeriodChoice
from ..widgets.fields import Choices, Field


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark,f1", "dismiss", "Close"),
                Binding("j", "scroll('down')", "Down", show=False),
                Binding("k", "scroll('up')", "Up", show=False)]

    def __init__(self, scopes: tuple[str, ...], title: str):
        super().__init__()
        self.scopes = scopes
        self.title_text = title

    def compose(self) -> ComposeResult:
        rows = help_rows(self.scopes)
        width = max(len(k) for k, _ in rows) + 2
        body = Text()
        for i, (key, text) in enumerate(rows):
            body.append(key.ljust(width), style="bold")
            body.append(text + ("\n" if i < len(rows) - 1 else ""))
        with Vertical(id="help-box"):
            yield Static(Text(f"Keys: {self.title_text}", style="bold"))
            # scrolls (arrows, j/k, PgUp/PgDn) when the terminal is too short for every key
            with VerticalScroll(id="help-scroll"):
                yield Static(body, id="help-keys")
            yield Static(Text("↑↓ j/k: scroll · Ctrl+P: every report and action · Esc: close"), id="help-foot")

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

    def on_resize(self, event) -> None:
        """The keys scroll between the title and the last line, both always on screen, whatever the
        terminal's height (at 80x24 the Top Sellers keys are longer than the screen)."""
        box_edges, fixed_lines = 2, 2   # the box's border; its title and last line
        self.query_one("#help-scroll").styles.max_height = max(3, event.size.height - box_edges - fixed_lines)

    def action_scroll(self, direction: str) -> None:
        scroll = self.query_one("#help-scroll", VerticalScroll)
        scroll.scroll_down() if direction == "down" else scroll.scroll_up()


class PeriodScreen(ModalScreen[PeriodChoice | None]):
    """Presets, or custom dates typed as YYYY-MM-DD."""

    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, current: PeriodChoice):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="period-box"):
            yield Static(Text("Date range (Enter to choose, Esc to cancel)", style="bold"))
            # the current choice is marked in words: the highlight alone is only bold without colour
            mark = {self.current.preset: "  ◀ current"}
            # Enter and Esc act as they arrive, in order with the keys typed ahead (tui/widgets/fields.py)
            options = Choices(*[Option(PRESET_LABELS[p] + mark.get(p, ""), id=p) for p in PRESETS],
                              Option("custom dates…" + mark.get("custom", ""), id="custom"), id="period-options",
                              keys={"enter": lambda: self._choose(options.highlighted_id),
                                    "escape": self.action_dismiss_none})
            yield options
            yield Field(placeholder="from YYYY-MM-DD (empty: first sale)", id="since", classes="hidden",
                        keys={"enter": self._since_done, "escape": self.action_dismiss_none})
            yield Field(placeholder="to YYYY-MM-DD (empty: latest sale)", id="until", classes="hidden",
                        keys={"enter": self._until_done, "escape": self.action_dismiss_none})
            yield Static("", id="period-error")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [*PRESETS, "custom"]
        options.highlighted = ids.index(self.current.preset) if self.current.preset in ids else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:   # a click on an option
        self._choose(event.option.id)

    def _choose(self, option_id: str | None) -> None:
        if option_id == "custom":
            for widget in self.query(Input):
                widget.remove_class("hidden")
            # focus now, not with focus() (a callback for later): the dates typed ahead follow at once
            self.set_focus(self.query_one("#since", Input))
        elif option_id is not None:
            self.dismiss(PeriodChoice(option_id))

    def _since_done(self) -> None:
        self.set_focus(self.query_one("#until", Input))

    def _until_done(self) -> None:
        try:
            since = _day(self.query_one("#since", Input).value)
            until = _day(self.query_one("#until", Input).value)
        except ValueError as exc:
            self.query_one("#period-error", Static).update(Text(str(exc)))
            return
        if since and until and since > until:
            self.query_one("#period-error", Static).update(Text("'from' is after 'to'"))
            return
        self.dismiss(PeriodChoice("custom", since, until))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def _day(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD") from None


class FilterScreen(ModalScreen[str | None]):
    """A one-line filter box. The table behind it narrows as you type (a Changed message once typing
    pauses, so a long name typed fast filters once, not per key); Enter keeps the filter, Esc clears it."""

    BINDINGS = [Binding("escape", "clear", "Clear")]
    DEBOUNCE_S = 0.15

    @dataclass
    class Changed(Message):
        text: str

    def __init__(self, current: str):
        super().__init__()
        self.current = current
        self._pending: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-box"):
            yield Static(Text("Filter rows as you type (any column, case-insensitive) · Enter keeps · Esc clears"))
            # Enter and Esc act as they arrive, in order with the keys typed ahead (tui/widgets/fields.py)
            yield Field(value=self.current, placeholder="text to find in any column", id="filter-input",
                        keys={"enter": self._apply, "escape": self.action_clear})

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(self.DEBOUNCE_S, partial(self._narrow, event.value))

    def _narrow(self, text: str) -> None:
        self._pending = None
        self.post_message(self.Changed(text))

    def _close(self, text: str) -> None:
        if self._pending is not None:   # the result applies the text at once: no late narrowing after it
            self._pending.stop()
            self._pending = None
        self.dismiss(text)

    def _apply(self) -> None:
        self._close(self.query_one(Input).value)

    def action_clear(self) -> None:
        self._close("")
