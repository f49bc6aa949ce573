"""Names holding escape sequences, in a real terminal (tmux): neither a report nor the app lets them set
the window title (OSC 2) or clear the screen (CSI 2J); the reader sees them spelled out instead."""

from __future__ import annotations

import pytest

from tests.conftest import shopintel
from tests.e2e.conftest import shopintel_argv
from tests.e2e.terminal import Terminal, shell_join
from tests.hostile.escapes import PRODUCT, SHOWN, SKU, build_store

pytestmark = pytest.mark.e2e


def test_a_report_and_the_app_never_obey_escape_sequences_from_data(tmp_path):
    db = build_store(tmp_path, shopintel)
    report = shell_join([*shopintel_argv(), "report", "top-sellers", "--db", str(db)])
    # the shell waits for Enter at the end: read while the pane is alive (a dead pane's notice scrolls it)
    # COLUMNS as a login shell would set it (the test run's own environment may say 80)
    with Terminal(f"echo BEFORE-THE-REPORT; {report}; echo REPORT-DONE; read _", width=160, height=30,
                  env={"COLUMNS": "160", "LINES": "30"}) as t:
        title = t.pane_title()
        screen = t.wait_for("REPORT-DONE")
        assert t.pane_title() == title != "pwned"             # nothing set the title
        assert "BEFORE-THE-REPORT" in screen                  # nothing cleared the screen
        assert SHOWN[SKU] in screen and SHOWN[PRODUCT] in screen, screen
        t.send("Enter")
    app = shell_join([*shopintel_argv(), "tui", "--db", str(db), "--read-only"])
    with Terminal(app, width=160, height=40) as t:
        title = t.pane_title()
        t.wait_for("Net revenue", timeout=30)
        t.send("4")
        t.wait_for(SHOWN[SKU], SHOWN[PRODUCT], timeout=20)
        t.send("6")
        t.wait_for("fast movers", timeout=20)
        assert t.pane_title() == title != "pwned"
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")
