"""Modal dialogs: help (derived from the action definitions), the period picker, the filter box."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from ..actions import help_rows
from ..data import PRESET_LABELS, PRESETS, PeriodChoice


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
            yield Static(Text("Ctrl+P: command palette with every report and action · Esc: close"))

    def on_mount(self) -> None:
        self.query_one("#help-scroll").focus()

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
            yield OptionList(*[Option(PRESET_LABELS[p] + mark.get(p, ""), id=p) for p in PRESETS],
                             Option("custom dates…" + mark.get("custom", ""), id="custom"), id="period-options")
            yield Input(placeholder="from YYYY-MM-DD (empty: first sale)", id="since", classes="hidden")
            yield Input(placeholder="to YYYY-MM-DD (empty: latest sale)", id="until", classes="hidden")
            yield Static("", id="period-error")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        ids = [*PRESETS, "custom"]
        options.highlighted = ids.index(self.current.preset) if self.current.preset in ids else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "custom":
            for widget in self.query(Input):
                widget.remove_class("hidden")
            self.query_one("#since", Input).focus()
        else:
            self.dismiss(PeriodChoice(event.option.id))

    @on(Input.Submitted, "#since")
    def _since_done(self) -> None:
        self.query_one("#until", Input).focus()

    @on(Input.Submitted, "#until")
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
    """A one-line filter box; Enter applies, Esc clears."""

    BINDINGS = [Binding("escape", "clear", "Clear")]

    def __init__(self, current: str):
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(id="filter-box"):
            yield Static(Text("Filter rows (case-insensitive; Enter applies, Esc clears)"))
            yield Input(value=self.current, placeholder="text to find in any column", id="filter-input")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _apply(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_clear(self) -> None:
        self.dismiss("")
