"""The README starts with the two set-up commands, and CI runs the second one word for word."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    block = re.match(r"# shopintel\n\n```sh\n(.*?)\n```", text, re.S)
    assert block, "the README must open with the set-up commands"
    return block.group(1).splitlines()


def test_the_readme_opens_with_an_install_and_run_and_an_install_and_test_command():
    run, test = readme_commands()
    assert run.startswith("pip install ") and run.endswith("&& shopintel demo")
    assert test.startswith("pip install '.[test]'") and "python -m pytest" in test
    # users install a package, not a link to a checkout (an editable install hides missing files)
    assert " -e " not in f" {run} " and " -e " not in f" {test} "


def test_ci_runs_the_readme_test_command_word_for_word():
    _, test = readme_commands()
    lines = [line for line in (ROOT / ".ci" / "run").read_text().splitlines() if line and not line.startswith("#")]
    assert lines[-1] == test


def test_the_import_quick_start_keeps_each_sample_shop_in_its_own_store(cli, tmp_path):
    """The README's "Import your orders" block, run as written (but the app): the 2024-26 sample and
    the 2010 UCI sample are two shops and must land in two stores, never one mixed shop."""
    import json
    import shlex

    text = (ROOT / "README.md").read_text()
    block = re.search(r"## Import your orders\n\n```sh\n(.*?)\n```", text, re.S)
    assert block, "the README's import quick start"
    (tmp_path / "data").symlink_to(ROOT / "data")
    env = {"SHOPINTEL_DB": str(tmp_path / "shop.db")}
    stores = set()
    for line in block.group(1).splitlines():
        argv = shlex.split(line, comments=True)
        if len(argv) < 2 or argv[1] not in ("ingest", "stock"):
            continue   # the lines that open the app
        r = cli(*argv[1:], env=env, cwd=tmp_path)
        assert r.returncode == 0, (line, r.stderr)
        stores.add(argv[argv.index("--db") + 1] if "--db" in argv else env["SHOPINTEL_DB"])
    assert len(stores) == 2
    years = []
    for store in stores:
        s = json.loads(cli("report", "summary", "--format", "json", "--db", str(tmp_path / store), env=env).stdout)
        years.append((s["first_date"][:4], s["last_date"][:4]))
    assert sorted(years) == [("2010", "2010"), ("2024", "2026")]
