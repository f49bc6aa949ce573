"""Every command explains itself: `--help` works, names the store option and shows an example."""

from __future__ import annotations

import pytest

from shopintel.tui.cli import build_parser


def _commands() -> list[list[str]]:
    parser = build_parser()
    sub = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    out = []
    for name, p in sub.choices.items():
        out.append([name])
        for action in p._actions:
            if action.__class__.__name__ == "_SubParsersAction":
                out.extend([name, child] for child in action.choices)
    return out


def test_top_level_help_lists_commands_and_the_store(cli):
    r = cli("--help")
    assert r.returncode == 0
    for name in ("ingest", "stock", "demo"):
        assert name in r.stdout
    assert "SHOPINTEL_DB" in r.stdout
    assert "examples:" in r.stdout


# where the stores live when XDG_DATA_HOME is set: every help text that names the default says this
XDG = {"XDG_DATA_HOME": "/srv/xdg"}


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_every_command_has_help_with_an_example(cli, command):
    r = cli(*command, "--help", env=XDG)
    assert r.returncode == 0, r.stderr
    assert "examples:" in r.stdout
    assert "shopintel " + command[0] in r.stdout.split("examples:")[1]
    assert "--db" in r.stdout
    # the real default store, not a path that does not apply here
    assert "/srv/xdg/shopintel/shop.db" in r.stdout and ".local/share" not in r.stdout


def test_help_names_the_real_default_store(cli):
    assert "/srv/xdg/shopintel/shop.db" in cli("--help", env=XDG).stdout
    demo = cli("demo", "--help", env=XDG).stdout
    assert "/srv/xdg/shopintel/" in demo and ".local/share" not in demo
    home = cli("report", "--help", env={"XDG_DATA_HOME": ""}).stdout     # unset or empty: the XDG default
    assert ".local/share/shopintel/shop.db" in home


def test_db_before_or_after_the_command_is_the_same(cli, tmp_path):
    store = tmp_path / "a.db"
    r1 = cli("--db", str(store), "demo", "--build-only", "--lines", "10000")
    assert r1.returncode == 0, r1.stderr
    assert str(store) in r1.stdout
    r2 = cli("demo", "--build-only", "--keep", "--lines", "10000", "--db", str(store))
    assert r2.returncode == 0, r2.stderr
    assert "kept" in r2.stdout  # --keep: reused, not rebuilt


def test_unknown_command_is_a_usage_error(cli):
    r = cli("frobnicate")
    assert r.returncode == 2
    assert "invalid choice" in r.stderr
    assert "Traceback" not in r.stderr
