"""The demo's generator: a store built now holds no order after now."""

from datetime import datetime

import pandas as pd

from shopintel.store import synth


def test_a_store_built_now_holds_no_order_after_now():
    before = datetime.now().replace(microsecond=0)
    frames = pd.concat(list(synth.generate(lines=20_000, seed=4)), ignore_index=True)
    after = datetime.now().replace(microsecond=0)
    stamps = pd.to_datetime(frames["ordered_at"])
    assert stamps.max() <= pd.Timestamp(after), "an order (or a return) after the clock"
    # days before today keep their shop hours
    earlier = stamps[stamps.dt.date < before.date()]
    assert earlier.dt.hour.between(8, 22).all()


def test_an_explicit_end_keeps_the_whole_last_day():
    end = datetime(2026, 6, 30).date()
    frames = pd.concat(list(synth.generate(lines=5_000, seed=4, end=end)), ignore_index=True)
    last = pd.to_datetime(frames["ordered_at"])
    assert last.max().date() == end
    assert last[last.dt.date == end].dt.hour.max() >= 18
