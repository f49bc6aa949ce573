"""Import (ETL) of raw order exports: `ingest_file` reads, validates and loads one file (or one member of
an archive, one sheet of a workbook) in one transaction, writing rejected rows with reasons to a rejects
CSV. The layouts it knows are in layouts/, one module each.

Light: `from shopintel.store.ingest import ingest_file` loads the import machinery (pandas) on first use,
so the command line can list the layouts without it."""

from __future__ import annotations

__all__ = ["IngestOptions", "IngestReport", "ingest_file", "MappingError", "parse_map_options", "sources"]

_RUN = {"IngestOptions", "IngestReport", "ingest_file", "sources"}


def __getattr__(name: str):
    if name in _RUN:
        from . import run

        return getattr(run, name)
    if name in ("MappingError", "parse_map_options"):
        from . import formats

        return getattr(formats, name)
    raise AttributeError(name)
