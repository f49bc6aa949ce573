"""Packaging glue: the repository keeps the brief's top-level folders (tui/, store/, reports/), and
users import them under one name, `shopintel` (shopintel.tui, shopintel.store, shopintel.reports), so
nothing generic lands at the top of site-packages. pyproject.toml's package discovery cannot add that
prefix, so discovery runs here; everything else about the package is in pyproject.toml."""

from setuptools import find_packages, setup

FOLDERS = ("tui", "store", "reports")

# Discovery, not a list: a new sub-package (any folder with an __init__.py) ships without an edit here.
found = find_packages(include=[pattern for folder in FOLDERS for pattern in (folder, f"{folder}.*")])
setup(packages=[f"shopintel.{name}" for name in found], package_dir={"shopintel": "."})
