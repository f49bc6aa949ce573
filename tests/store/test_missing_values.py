"""Missing values written by other tools are missing, not customers (issue 12, part 2).

R's `write.csv` writes a missing value as a bare `NA`, Excel `#N/A`, pandas `nan` or `NaN`, SQL tools
`NULL` or `null`, Python `None`. In the customer id, name, email and country they are empty (a
customer id that is a marker makes a guest line); in a required field (order id, sku) they make a
rejected row with its reason; `--keep-na-tokens` reads them as ordinary values for a shop that
really has a customer called `NA`."""

from __future__ import annotations

import json
import re

import pandas as pd
import pytest

from shopintel.reports.params import Params
from shopintel.reports.summary import summary
from tests.frames import whales
from tests.hostile.helpers import assert_clean
from tests.store.helpers import load, q

TOKENS = ["NA", "N/A", "#N/A", "null", "NULL", "None", "nan", "NaN"]
# the same markers as other tools and hands write them: any case, surrounding spaces
VARIANTS = TOKENS + [" NA ", "na", "n/a", "#n/a", "Null", "NONE", "none", "NAN", "  nan", "nUlL\t"]

# The UCI Online Retail workbook read into R (readxl) and written with write.csv(): row names in a first
# column with an empty name, strings quoted, numbers bare, and a missing CustomerID (or Description)
# written as a bare NA.
R_ONLINE_RETAIL = '''"","InvoiceNo","StockCode","Description","Quantity","InvoiceDate","UnitPrice","CustomerID","Country"
"1","536365","85123A","WHITE HANGING HEART T-LIGHT HOLDER",6,"2010-12-01 08:26:00",2.55,17850,"United Kingdom"
"2","536365","71053","WHITE METAL LANTERN",6,"2010-12-01 08:26:00",3.39,17850,"United Kingdom"
"3","536366","22633","HAND WARMER UNION JACK",6,"2010-12-01 08:28:00",1.85,17850,"United Kingdom"
"4","536367","84879","ASSORTED COLOUR BIRD ORNAMENT",32,"2010-12-01 08:34:00",1.69,13047,"United Kingdom"
"5","536414","22139",NA,56,"2010-12-01 11:52:00",0,NA,"United Kingdom"
"6","536544","21773","DECORATIVE ROSE BATHROOM BOTTLE",1,"2010-12-01 14:32:00",2.51,NA,"United Kingdom"
"7","536544","21774","DECORATIVE CATS BATHROOM BOTTLE",2,"2010-12-01 14:32:00",2.51,NA,"United Kingdom"
"8","536544","21786","POLKADOT RAIN HAT",4,"2010-12-01 14:32:00",0.85,NA,"United Kingdom"
"9","536592","20719","WOODLAND CHARLOTTE BAG",9,"2010-12-01 17:06:00",1.66,NA,"United Kingdom"
"10","536370","22728","ALARM CLOCK BAKELIKE PINK",24,"2010-12-01 08:45:00",3.75,12583,"France"
"11","536370","POST","POSTAGE",3,"2010-12-01 08:45:00",18,12583,"France"
"12","C536383","35004C","SET OF 3 COLOURED  FLYING DUCKS",-1,"2010-12-01 09:49:00",4.65,15311,"United Kingdom"
"13","536544","22197","POPCORN HOLDER",1,"2010-12-13 14:32:00",1.66,NA,"United Kingdom"
'''
GENERIC = "order_id,ordered_at,customer_id,customer_name,email,country,sku,quantity,unit_price\n"


def summary_count(stdout: str, label: str) -> int:
    m = re.search(rf"^\s+{label}\s+([\d,]+)", stdout, re.MULTILINE)
    assert m, stdout
    return int(m.group(1).replace(",", ""))


def test_r_write_csv_na_customer_ids_are_guest_lines_not_a_customer_called_NA(store, write_csv, cli):
    path = write_csv(R_ONLINE_RETAIL, "online_retail_from_R.csv")
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    na_lines = int((raw["CustomerID"] == "NA").sum())
    real = raw.loc[raw["CustomerID"] != "NA", "CustomerID"]
    r = cli("ingest", str(path), "--db", str(store))
    assert_clean(r)
    assert r.returncode == 0, r.stderr
    assert summary_count(r.stdout, "guest lines") == na_lines == 6
    assert summary_count(r.stdout, "rows loaded") == len(raw)
    assert q(store, "SELECT count(*) FROM customers WHERE customer_key = 'NA'") == [(0,)]
    assert q(store, "SELECT count(*) FROM sales WHERE customer_id IS NULL") == [(na_lines,)]
    s = json.loads(cli("report", "summary", "--db", str(store), "--format", "json").stdout)
    # 15311's only invoice is the cancellation C536383: a return, not an order, so not a customer of the shop
    assert s["customers"] == real.nunique() - 1 == 3
    # the NA-only invoices are guest orders: 536414, 536544 and 536592
    assert s["guest_orders"] == 3
    w = json.loads(cli("report", "whales", "--db", str(store), "--format", "json").stdout)
    # 15311 only returned a duck (negative spend): counted as a customer, not ranked
    assert sorted(row["customer_id"] for row in w) == ["12583", "13047", "17850"]


@pytest.mark.parametrize("token", VARIANTS)
def test_a_marker_in_the_customer_id_makes_a_guest_line(store, write_csv, token):
    path = write_csv(GENERIC +
                     f'1,2024-01-01,"{token}",Ann,ann@example.com,France,MUG,1,5.00\n'
                     "2,2024-01-02,C2,Bob,bob@example.com,Spain,MUG,2,5.00\n")
    r = load(store, path)
    assert (r.rows_loaded, r.rows_rejected, r.guest_lines) == (2, 0, 1)
    assert q(store, "SELECT customer_key FROM customers") == [("C2",)]
    conn = store.read_only()
    s = summary(conn, Params())
    assert (s.customers, s.guest_orders) == (1, 1)
    conn.close()


@pytest.mark.parametrize("token", VARIANTS)
def test_a_marker_in_the_name_email_or_country_is_empty(store, write_csv, token):
    path = write_csv(GENERIC +
                     f'1,2024-01-01,C1,"{token}","{token}","{token}",MUG,1,5.00\n'
                     f'2,2024-01-02,C2,Bob,bob@example.com,"{token}",MUG,1,5.00\n')
    load(store, path)
    assert q(store, "SELECT customer_key, name, email, country FROM customers ORDER BY 1") == [
        ("C1", "", "", ""), ("C2", "Bob", "bob@example.com", "")]
    conn = store.read_only()
    assert whales(conn, Params())["customer_name"].tolist() == ["C1", "Bob"]   # a nameless customer shows the id
    conn.close()


def test_a_later_marker_never_erases_a_known_name(store, write_csv):
    """The latest non-empty value wins, in a later file and within the same file."""
    load(store, write_csv(GENERIC + "1,2024-01-01,C1,Ann,ann@example.com,France,MUG,1,5.00\n", "a.csv"))
    load(store, write_csv(GENERIC + "2,2024-01-02,C1,NA,#N/A,NULL,MUG,1,5.00\n", "b.csv"))
    load(store, write_csv(GENERIC + "3,2024-01-03,C2,Bob,bob@example.com,Spain,MUG,1,5.00\n"
                                      "4,2024-01-04,C2,Robert,N/A,,MUG,1,5.00\n"
                                      "5,2024-01-05,C2,NA,NA,NA,MUG,1,5.00\n", "c.csv"))
    assert q(store, "SELECT customer_key, name, email, country FROM customers ORDER BY 1") == [
        ("C1", "Ann", "ann@example.com", "France"), ("C2", "Robert", "bob@example.com", "Spain")]


@pytest.mark.parametrize("field, token", [("order_id", "NA"), ("order_id", " #N/A "), ("sku", "null"),
                                          ("sku", "NaN"), ("sku", "None")])
def test_a_marker_in_a_required_field_is_a_rejected_row_with_its_reason(store, write_csv, field, token):
    row = {"order_id": "1", "ordered_at": "2024-01-01", "customer_id": "C1", "customer_name": "Ann", "email": "",
           "country": "", "sku": "MUG", "quantity": "1", "unit_price": "5.00", field: token}
    path = write_csv(GENERIC + ",".join(f'"{v}"' for v in row.values()) + "\n"
                     "2,2024-01-02,C2,Bob,,,MUG,2,5.00\n")
    r = load(store, path)
    assert (r.rows_loaded, r.rows_rejected, r.guest_lines) == (1, 1, 0)
    rejected = pd.read_csv(r.rejects_path, dtype=str, keep_default_na=False)
    assert rejected["line"].tolist() == ["2"]
    why = rejected["reason"].iloc[0]
    assert why.startswith(f"{field} is '{token.strip()}', a missing-value marker"), why
    assert "--keep-na-tokens" in why
    assert q(store, "SELECT order_id FROM sales") == [("2",)]


def test_keep_na_tokens_reads_markers_as_values(store, write_csv, cli):
    """A shop whose customer id really is NA (and an order numbered NA, a product NULL)."""
    path = write_csv(GENERIC +
                     "NA,2024-01-01,NA,None,na@example.com,NA,NULL,1,5.00\n"
                     "2,2024-01-02,NA,None,,,MUG,2,5.00\n"
                     "3,2024-01-03,,,,,MUG,1,5.00\n")
    r = cli("ingest", str(path), "--keep-na-tokens", "--db", str(store))
    assert_clean(r)
    assert r.returncode == 0, r.stderr
    assert summary_count(r.stdout, "rows loaded") == 3 and summary_count(r.stdout, "guest lines") == 1
    assert q(store, "SELECT customer_key, name, email, country FROM customers") == [
        ("NA", "None", "na@example.com", "NA")]
    assert q(store, "SELECT DISTINCT order_id FROM sales ORDER BY 1") == [("2",), ("3",), ("NA",)]
    assert q(store, "SELECT sku FROM products ORDER BY 1") == [("MUG",), ("NULL",)]


def test_values_that_only_contain_a_marker_are_kept(store, write_csv):
    path = write_csv(GENERIC +
                     "1,2024-01-01,NA-17,Nancy,nan.li@example.com,Nauru,MUG,1,5.00\n"
                     "2,2024-01-02,NULL1,N/A Ltd,,Nan Madol,NANO,1,5.00\n")
    r = load(store, path)
    assert (r.rows_loaded, r.guest_lines) == (2, 0)
    assert q(store, "SELECT customer_key, name, email, country FROM customers ORDER BY 1") == [
        ("NA-17", "Nancy", "nan.li@example.com", "Nauru"), ("NULL1", "N/A Ltd", "", "Nan Madol")]


def test_the_summary_says_how_many_customer_ids_were_markers(store, write_csv, cli):
    path = write_csv(R_ONLINE_RETAIL, "online_retail_from_R.csv")
    r = cli("ingest", str(path), "--db", str(store))
    notes = [ln for ln in r.stdout.splitlines() if "missing-value marker" in ln]
    assert len(notes) == 1, r.stdout
    assert "6 customer ids" in notes[0] and "guest" in notes[0] and "--keep-na-tokens" in notes[0]
    # with the option the markers are values, and the note is not there
    r = cli("ingest", str(path), "--keep-na-tokens", "--db", str(store))
    assert r.returncode == 0 and "missing-value marker" not in r.stdout
    assert q(store, "SELECT count(*) FROM customers WHERE customer_key = 'NA'") == [(1,)]
