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
