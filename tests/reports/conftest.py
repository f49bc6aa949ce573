"""A tiny hand-made store whose every report can be computed by hand."""

from __future__ import annotations

import pytest

from shopintel.store.ingest import IngestOptions, ingest_file

# Three customers, a guest, a return, postage; two categories; days 2024-03-01 .. 2024-03-10.
TINY = """order_id,ordered_at,customer_id,customer_name,sku,product_name,category,quantity,unit_price,discount
O1,2024-03-01 10:00,C1,Ann,MUG,Mug,Kitchen,4,5.00,
O1,2024-03-01 10:00,C1,Ann,POST,Postage,Fees,1,3.00,
O2,2024-03-02 11:00,C2,Bob,TENT,Tent,Outdoor,1,100.00,
O3,2024-03-05 12:00,C1,Ann,TENT,Tent,Outdoor,1,100.00,0.1
O4,2024-03-06 09:00,,,MUG,Mug,Kitchen,2,5.00,
O5,2024-03-08 15:00,C3,Cy,MUG,Mug,Kitchen,10,5.00,
R1,2024-03-09 10:00,C2,Bob,TENT,Tent,Outdoor,-1,100.00,
O6,2024-03-10 10:00,C3,Cy,TENT,Tent,Outdoor,1,100.00,
"""


@pytest.fixture
def tiny(store, write_csv):
    """A reader of the tiny store, on each backend (the test's `store`)."""
    path = write_csv(TINY, "tiny.csv")
    conn = store.connect()
    ingest_file(conn, str(path), IngestOptions())
    conn.close()
    ro = store.read_only()
    yield ro
    ro.close()
