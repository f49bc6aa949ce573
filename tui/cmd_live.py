"""`shopintel watch` (the headless reorder monitor) and `shopintel simulate` (live demo orders)."""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
import time

from .cli import UserError, add_command

EXEC_TIMEOUT_S = 10


def register(sub, common) -> None:
    w = add_command(
        sub, common, "watch",
        help="monitor the store and print reorder and sales-stall alerts as they happen",
        description="Watch the store for new sales and stock counts and print one line per new reorder alert: "
                    "a fast-moving (more than 3 units a week), stock-counted product whose units on hand fell to "
                    "its reorder point or below (LOW) or ran out (OUT); each line shows on hand against the "
                    "reorder point. A product has one current alert: OUT supersedes its LOW alert, and a new "
                    "stock count (the restock) resolves it. Alerts are stored, so a restarted watcher never "
                    "repeats one. On start, alerts already due are raised at once. --once prints the active "
                    "alerts (one per product, as the app's panel counts them). It also watches for a shop that "
                    "has stopped selling: when the store is live (its latest sale within 48 hours) and the last "
                    "--stall-minutes hold far fewer orders than the same window on the same weekday of the previous "
                    "4 weeks (at least 5 expected, and P(X <= observed) <= 0.001 under a Poisson of that mean), it "
                    "prints one STALL line; the next stall can alert once orders resume. jsonl lines carry kind "
                    "(reorder or stall). On a PostgreSQL store it reads and stores the alerts on the primary, whatever "
                    "the URL prefers; a role that may not write them gets the alerts shown, not stored. Ctrl+C or "
                    "SIGTERM stops it (exit 0).",
        examples="  shopintel watch\n  shopintel watch --format jsonl >> alerts.jsonl\n"
                 "  shopintel watch --exec 'notify-send Reorder'      the alert arrives on stdin as JSON\n"
                 "  shopintel watch --once                            print the active alerts and exit\n"
                 "  shopintel watch --db 'postgresql://shop@db.example/shops?schema=acme'\n")
    w.add_argument("--interval", type=float, default=1.0, metavar="SECONDS", help="seconds between checks (1)")
    w.add_argument("--format", dest="fmt", choices=("text", "jsonl"), default="text", help="output format")
    w.add_argument("--exec", dest="exec_cmd", metavar="CMD",
                   help="run CMD once per alert with the alert as JSON on stdin (never through a shell)")
    w.add_argument("--once", action="store_true", help="evaluate, print the active alerts, exit")
    w.add_argument("--cooldown", type=float, default=60.0, metavar="SECONDS",
                   help="at most one alert per product in this many seconds (60)")
    w.add_argument("--stall-minutes", type=int, default=60, metavar="N",
                   help="the trailing window the sales-stall alert counts orders in (60 minutes)")
    w.set_defaults(func=run_watch)
    s = add_command(
        sub, common, "simulate",
        help="append realistic live orders to the store (for demos and tests)",
        description="Append new orders as a checkout would, at the shop's own pace on a simulated clock: as "
                    "many orders per simulated day as the shop took on an average day of its last 28 days, "
                    "the clock running --speed times faster than real time (a simulated day a minute), "
                    "starting at the latest sale (or now, if later). The store's usual product, customer and "
                    "category mix, with a run on the stock-counted fast movers, so reorder alerts fire within "
                    "a minute or two; a product whose stock count is used up is sold out. --pause makes the "
                    "checkout break now and then (its clock runs on, no orders), so the sales-stall alert shows. "
                    "Prints a line per second. On a PostgreSQL store it writes to the primary and takes turns with "
                    "imports, a second of orders at a time. Ctrl+C stops it cleanly.",
        examples="  shopintel simulate\n  shopintel simulate --speed 86400 --duration 60 --seed 1   a day a second\n"
                 "  shopintel simulate --rate 10                               10 orders a second (a load test)\n"
                 "  shopintel simulate --pause 480 --pause-after 120          the checkout breaks for 8 simulated\n"
                 "                                                             hours after every 2 hours of sales\n")
    s.add_argument("--speed", type=float, default=None, metavar="X",
                   help="the simulated clock runs X times faster than real time (default 1440: a day a minute)")
    s.add_argument("--rate", type=float, default=None, metavar="ORDERS_PER_SECOND",
                   help="orders per real second instead of the shop's own pace (a load test; the days fill up)")
    s.add_argument("--duration", type=float, metavar="SECONDS", help="stop after this long (default: until Ctrl+C)")
    s.add_argument("--seed", type=int, metavar="S", help="random seed for a repeatable run")
    s.add_argument("--quiet", action="store_true", help="no per-second lines")
    s.add_argument("--pause", type=float, metavar="MINUTES",
                   help="the checkout breaks for MINUTES simulated minutes (no orders, the clock runs on) after "
                        "every --pause-after minutes of selling")
    s.add_argument("--pause-after", type=float, default=120.0, metavar="MINUTES",
                   help="simulated minutes of selling before each --pause (120)")
    s.set_defaults(func=run_simulate)


class _Stop:
    """Ctrl+C and SIGTERM end the loop cleanly (exit 0)."""

    def __init__(self) -> None:
        self.event = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: self.event.set())
        signal.signal(signal.SIGINT, lambda *_: self.event.set())

    def wait(self, seconds: float) -> bool:
        return self.event.wait(seconds)


def _alert_line(a: dict) -> str:
    from .format import alert_reason, stall_reason
    from .safe_text import plain

    if a["kind"] == "stall":
        return f"{a['created_at']}  STALL  {stall_reason(a)}"
    # the sku and name come from data: control characters are spelled out (\x1b), never sent
    return plain(f"{a['created_at']}  {a['status']:<3}  {a['sku']}  {a['product_name']}  {alert_reason(a)}  "
                 f"suggested order {a['suggested_qty']}")


def _emit(a: dict, fmt: str) -> None:
    from .safe_text import json_text

    print(json_text(a) if fmt == "jsonl" else _alert_line(a), flush=True)


def _run_exec(argv: list[str], alert: dict) -> None:
    import subprocess   # here: every other command would pay for it on the way in

    from .safe_text import json_text, plain

    try:
        r = subprocess.run(argv, input=json_text(alert), text=True, timeout=EXEC_TIMEOUT_S, capture_output=True)
        if r.returncode != 0:   # the hook's own words may echo the alert's names back
            print(plain(f"shopintel watch: --exec command exited {r.returncode} for alert {alert['alert_id']}: "
                        f"{r.stderr.strip()[:200]}"), file=sys.stderr, flush=True)
    except subprocess.TimeoutExpired:
        print(f"shopintel watch: --exec command ran past {EXEC_TIMEOUT_S}s for alert {alert['alert_id']}; "
              "stopped it and carried on", file=sys.stderr, flush=True)
    except OSError as exc:
        print(plain(f"shopintel watch: --exec could not run {argv[0]!r}: {exc.strerror}"), file=sys.stderr, flush=True)


def run_watch(args: argparse.Namespace) -> int:
    from ..reports.monitor import Monitor
    from ..reports.params import Params
    from ..store.db import connect_alert_writer, connect_read_only, locate
    from ..store.errors import StoreError

    if args.interval <= 0:
        raise UserError("--interval must be more than 0 seconds")
    if args.stall_minutes <= 0:
        raise UserError("--stall-minutes must be at least 1")
    argv = None
    if args.exec_cmd:
        try:
            argv = shlex.split(args.exec_cmd)
        except ValueError as exc:
            raise UserError(f"--exec {args.exec_cmd!r}: {exc}") from None
        if not argv:
            raise UserError("--exec needs a command")
    db = locate(args.db)
    # on PostgreSQL both on the primary, whatever the URL prefers: the monitor reads the writers' locks,
    # which a standby has not (store/pg/live.py), and stores its alerts there
    reader = connect_read_only(db, primary=True)
    try:
        writer = connect_alert_writer(db)
    except StoreError:
        writer = None
        print("shopintel watch: the store is read-only here: alerts are shown but not stored.", file=sys.stderr)
    monitor = Monitor(reader, writer, params=Params(), cooldown_s=args.cooldown, stall_minutes=args.stall_minutes)
    stop = _Stop()

    def deliver(alerts) -> None:
        for alert in alerts:
            d = alert.as_dict()
            _emit(d, args.fmt)
            if argv:
                _run_exec(argv, d)

    raised = monitor.start()
    if args.once:
        if argv:   # alerts raised by this evaluation still reach the hook, once each
            for alert in raised:
                _run_exec(argv, alert.as_dict())
        stall = monitor.current_stall()           # a stall going on comes first, as in the app's panel
        if stall is not None:
            _emit(stall.as_dict(), args.fmt)
        for rec in monitor.active().records():   # the active alerts: one per product (reports.monitor)
            rec.pop("state")                      # every one is active; the same fields as a new alert's
            _emit({"kind": "reorder", **rec}, args.fmt)
        return 0
    deliver(raised)
    while not stop.wait(args.interval):
        deliver(monitor.tick())
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    from ..store.db import connect
    from ..store.simulate import Simulator

    from ..store.simulate import DEFAULT_SPEED

    if args.rate is not None and args.rate <= 0:
        raise UserError("--rate must be more than 0 orders per second")
    if args.speed is not None and args.speed <= 0:
        raise UserError("--speed must be more than 0 (1 is real time)")
    conn = connect(args.db, create=False)   # on PostgreSQL, the primary (a writer always is)
    sim = Simulator(conn, seed=args.seed, speed=args.speed or DEFAULT_SPEED)
    if sim.mix.products.empty:
        raise UserError("the store has no products with sales to simulate from; import orders first", code=1)
    if args.pause is not None and (args.pause <= 0 or args.pause_after <= 0):
        raise UserError("--pause and --pause-after must be more than 0 minutes")
    rate = args.rate or sim.rate
    stop = _Stop()
    started = time.monotonic()
    carry = 0.0
    breaks = None if args.pause is None else Breaks(sim.clock, args.pause_after, args.pause)
    while True:
        carry += rate
        n = int(carry)
        carry -= n
        paused = breaks is not None and breaks.paused(sim.clock)
        orders, lines, cents = sim.write(0 if paused else n)
        if not args.quiet:
            print(f"{time.strftime('%H:%M:%S')}  simulated {sim.clock:%Y-%m-%d %H:%M}  {orders} order(s)  "
                  f"{lines} line(s)  revenue {cents / 100:,.2f}" + ("  (checkout paused)" if paused else ""),
                  flush=True)
        if args.duration is not None and time.monotonic() - started >= args.duration:
            break
        if stop.wait(1.0):
            break
    return 0


class Breaks:
    """simulate --pause: the checkout sells for `after` simulated minutes, then stops for `pause`, over and over."""

    def __init__(self, start, after_minutes: float, pause_minutes: float):
        self.start = start
        self.cycle = (after_minutes + pause_minutes) * 60
        self.after = after_minutes * 60

    def paused(self, clock) -> bool:
        return (clock - self.start).total_seconds() % self.cycle >= self.after
