"""shopintel installed the way users install it: the built wheel, non-editable, in a fresh virtual
environment, driven from that install (an editable checkout would hide a file the wheel leaves out).

The wheel is built from a copy of the tracked files, so leftovers of earlier builds (build/,
*.egg-info) can neither add a file nor hide a missing one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import sales_count
from tests.e2e.terminal import Terminal, shell_join

pytestmark = [pytest.mark.slow, pytest.mark.e2e]

ROOT = Path(__file__).resolve().parents[2]
PACKAGE_FOLDERS = ("tui", "store", "reports")


def tracked_files() -> list[str]:
    out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode == 0 and out.stdout:
        return [p for p in out.stdout.split("\0") if p and (ROOT / p).is_file()]
    # not a git checkout (an sdist, say): everything but build leftovers and caches
    skip = {".git", "build", "dist", "__pycache__", ".pytest_cache", ".hypothesis"}
    return [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
            if p.is_file() and not skip.intersection(p.relative_to(ROOT).parts) and ".egg-info" not in str(p)]


def clean_env(venv: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["NO_COLOR"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    """A fresh venv holding only the wheel and its dependencies."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    for rel in tracked_files():
        (src / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, src / rel)
    dist = base / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist),
                    str(src)], check=True, capture_output=True, text=True)
    (wheel,) = dist.glob("shopintel-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    r = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                       capture_output=True, text=True, env=clean_env(venv))
    assert r.returncode == 0, r.stderr
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    work = base / "work"          # never the checkout: nothing may be imported from it
    work.mkdir()
    return {"venv": venv, "exe": venv / "bin" / "shopintel", "site": site, "work": work, "wheel": wheel,
            "env": clean_env(venv)}


def run(installed: dict, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([str(installed["exe"]), *args], capture_output=True, text=True, cwd=installed["work"],
                          env={**installed["env"], "COLUMNS": "120"}, timeout=300, **kw)


def test_only_shopintel_lands_at_the_top_of_site_packages(installed):
    (dist_info,) = installed["site"].glob("shopintel-*.dist-info")
    record = (dist_info / "RECORD").read_text().splitlines()
    tops = {line.split(",")[0].split("/")[0] for line in record if line and not line.startswith("..")}
    assert tops == {"shopintel", dist_info.name}
    for generic in PACKAGE_FOLDERS:
        assert not (installed["site"] / generic).exists(), f"a generic top-level package '{generic}' was installed"


def test_every_package_module_and_runtime_file_of_the_checkout_is_in_the_wheel(installed):
    shipped = [rel for rel in tracked_files()
               if rel.split("/")[0] in PACKAGE_FOLDERS and rel.endswith((".py", ".tcss"))]
    assert any(rel.startswith("tui/screens/") for rel in shipped) and "tui/app.tcss" in shipped
    missing = [rel for rel in shipped if not (installed["site"] / "shopintel" / rel).is_file()]
    assert missing == []


def test_the_installed_command_helps_imports_and_reports(installed, tmp_path):
    r = run(installed, "--help")
    assert r.returncode == 0, r.stderr
    assert "ingest" in r.stdout and "report" in r.stdout
    r = run(installed, "--version")
    assert r.returncode == 0 and r.stdout.strip() == f"shopintel {installed['wheel'].name.split('-')[1]}"
    store = tmp_path / "shop.db"
    r = run(installed, "ingest", str(ROOT / "data" / "sample_orders.csv"), "--db", str(store))
    assert r.returncode == 0, r.stderr
    r = run(installed, "stock", "import", str(ROOT / "data" / "sample_stock.csv"), "--db", str(store))
    assert r.returncode == 0, r.stderr
    r = run(installed, "report", "whales", "--limit", "3", "--format", "json", "--db", str(store))
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 3 and rows[0]["rank"] == 1 and rows[0]["spend"] >= rows[1]["spend"] > 0
    r = run(installed, "report", "whales", "--limit", "3", "--db", str(store))
    assert r.returncode == 0 and rows[0]["customer_name"] in r.stdout


def test_the_installed_app_opens_the_overview_in_a_real_terminal(installed, tmp_path):
    store = tmp_path / "shop.db"
    assert run(installed, "ingest", str(ROOT / "data" / "sample_orders.csv"), "--db", str(store)).returncode == 0
    cmd = f"cd {installed['work']} && " + shell_join([str(installed["exe"]), "--db", str(store), "tui"])
    with Terminal(cmd, width=100, height=30, env={"PATH": installed["env"]["PATH"], "NO_COLOR": "1"}) as t:
        t.wait_for("1 Overview", "Net revenue", timeout=60)
        t.send("3")
        t.wait_for("Top 1% of customers bring", timeout=30)
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")


def test_the_installed_demo_builds_its_store_opens_and_its_live_checkout_writes(installed, tmp_path):
    """The README's first command, from the wheel: `shopintel demo` starts the simulated checkout as a
    second process of the installed package (`python -m shopintel.tui.cli simulate`); it must write."""
    data_home = tmp_path / "xdg"
    demo = data_home / "shopintel" / "demo.db"
    cmd = f"cd {installed['work']} && " + shell_join([str(installed["exe"]), "demo"])
    env = {"PATH": installed["env"]["PATH"], "NO_COLOR": "1", "XDG_DATA_HOME": str(data_home)}
    with Terminal(cmd, width=100, height=30, env=env) as t:
        t.wait_for("1 Overview", "Net revenue", timeout=120)
        first = sales_count(demo)
        t.wait_until(lambda s: sales_count(demo) > first, timeout=60, what="the live checkout to add sales")
        t.send("q")
        t.wait_until(lambda s: t.pane_dead(), what="the app to exit")
