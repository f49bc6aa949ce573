"""A large file is read and validated in a second process while the first writes the store: the store,
the summary and the rejects are those of the one-process import, an error in either process leaves the
store unchanged, and the second process never outlives the import."""

from __future__ import annotations

import multiprocessing

import pytest

from shopintel.store.errors import ImportFailed
from shopintel.store.ingest import pipeline
from tests.store import layout_files as files
from tests.store.helpers import load, q
from tests.store.test_containers import GENERIC, rejects_of, store_of


@pytest.fixture
def second_process(monkeypatch):
    """Every file, however small, goes through the second process."""
    monkeypatch.setattr(pipeline, "PIPELINE_MIN_BYTES", 0)


def children() -> list:
    return [p for p in multiprocessing.active_children() if p.name == "shopintel-ingest-reader"]


@pytest.mark.parametrize("make, name", [(files.shopify_export, "shopify.csv"), (files.woo_export, "woo.csv"),
                                        (lambda: GENERIC, "generic.csv")])
def test_the_second_process_gives_the_store_of_one_process(tmp_path, write_csv, monkeypatch, make, name):
    path = write_csv(make(), name)
    one = load(tmp_path / "one.db", path, chunk_rows=2, rejects_path=str(tmp_path / "one.rejects.csv"))
    monkeypatch.setattr(pipeline, "PIPELINE_MIN_BYTES", 0)
    # chunks of two rows: Shopify's orders run across chunks, so its fill-down carries in the second process
    two = load(tmp_path / "two.db", path, chunk_rows=2, rejects_path=str(tmp_path / "two.rejects.csv"))
    assert store_of(tmp_path / "two.db") == store_of(tmp_path / "one.db")
    assert (two.rows_read, two.rows_loaded, two.rows_rejected, two.left_out, two.currency) == (
        one.rows_read, one.rows_loaded, one.rows_rejected, one.left_out, one.currency)
    if one.rows_rejected:
        assert rejects_of(two.rejects_path)[1:] == rejects_of(one.rejects_path)[1:]
    assert children() == []


def test_a_malformed_file_fails_in_the_second_process_and_changes_nothing(store, write_csv, second_process):
    load(store, write_csv(GENERIC, "first.csv"))
    before = store_of(store)
    broken = GENERIC + '9,2025-01-09 08:00:00,C3,Cy,MUG,"Mug, big,Kitchen,1,3.50,\n' + "10,2025-01-09,,,TEA,Tea,,1,1,\n" * 5
    with pytest.raises(ImportFailed, match="never closed"):
        load(store, write_csv(broken, "broken.csv"), chunk_rows=2)
    assert store_of(store) == before and children() == []


def test_a_refusal_in_this_process_ends_the_second_one(store, write_csv, second_process):
    rows = files.woo_export().splitlines()
    rows[-1] = rows[-1].replace(",EUR,", ",USD,", 1)     # the last order in dollars: found late
    with pytest.raises(ImportFailed, match="mixes currencies"):
        load(store, write_csv("\n".join(rows) + "\n"), chunk_rows=1)
    assert children() == []
    assert not store.exists() or q(store, "SELECT count(*) FROM sales") == [(0,)]
