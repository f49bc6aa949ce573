"""Running `shopintel simulate` beside the app (for `shopintel demo`) as a separate process, the way a
real checkout would write, and stopping it when the app exits."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path


class SimulatorProcess:
    def __init__(self, proc: subprocess.Popen):
        self.proc = proc

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def start_simulator(db_path: Path, pause: tuple[float, float] | None = None) -> SimulatorProcess:
    """The checkout at the shop's own pace on the simulated clock (see store.simulate); pause = (minutes
    paused, minutes of selling between pauses), for the sales-stall alert."""
    breaks = [] if pause is None else ["--pause", str(pause[0]), "--pause-after", str(pause[1])]
    proc = subprocess.Popen(
        [sys.executable, "-m", f"{__package__}.cli", "simulate", "--db", str(db_path), "--quiet", *breaks],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"})
    return SimulatorProcess(proc)
