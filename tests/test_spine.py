"""The report registry is the spine: the command line's report names, flags and help are derived
from it alone (a report or an option added to the registry appears without another edit)."""

from __future__ import annotations

import argparse

from shopintel.reports.registry import COMMON, PARAMS, REPORTS, column_kinds
from shopintel.tui.cli import build_parser


def report_parser() -> argparse.ArgumentParser:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return sub.choices["report"]


def test_the_report_command_has_exactly_the_registry_flags():
    flags = {opt for a in report_parser()._actions for opt in a.option_strings}
    assert flags - {"-h", "--help", "--db", "--format"} == {p.flag for p in PARAMS.values()}


def test_the_report_help_lists_every_report_and_who_takes_each_option():
    text = report_parser().format_help()
    for report in REPORTS.values():
        assert f"  {report.name} " in text
    for param in PARAMS.values():
        if param.name not in COMMON:
            takers = [r.name for r in REPORTS.values() if param.name in r.params]
            assert takers, f"{param.flag} is taken by no report"
            assert f"{', '.join(takers)}: " in " ".join(text.split())


def test_every_column_name_has_one_kind_in_every_report():
    kinds = column_kinds()
    assert kinds["revenue"].kind == "money" and kinds["share"].kind == "share" and kinds["trend"].kind == "change"


def test_the_app_tabs_their_keys_and_option_keys_come_from_the_registry():
    from shopintel.reports.registry import tabs
    from shopintel.tui.actions import ACTIONS, TABS, TAB_TITLES
    from shopintel.tui.app import ShopApp

    reports = tabs()
    assert [r.tab for r in reports] == list(range(2, len(reports) + 2))   # 1 is the Overview
    assert TABS == ("overview", *(r.name for r in reports))
    assert TAB_TITLES[1:] == tuple(r.title for r in reports)
    tab_keys = {a.key: a.action for a in ACTIONS if a.action.startswith("show_tab")}
    assert tab_keys == {"1": "show_tab('overview')", **{str(r.tab): f"show_tab('{r.name}')" for r in reports}}
    bound = {(b.key, b.action) for b in ShopApp.BINDINGS}
    for report in reports:
        for name in report.app_options:
            keys = PARAMS[name].keys
            assert keys is not None and name in report.params, (report.name, name)
            assert (keys.key, f"step('{name}', 1)") in bound
            if keys.back:
                assert (keys.back, f"step('{name}', -1)") in bound


def test_every_report_summary_fits_its_line_of_the_help():
    """`shopintel report --help` lists one line per report, not wrapped: name column plus summary <= 100."""
    for report in REPORTS.values():
        assert len(f"  {report.name:<12} {report.summary}") <= 100, report.name
