"""A real terminal for end-to-end tests: a tmux session we type into and read from.

Waits are on conditions (the screen shows a text), polled, with a deadline; never bare sleeps.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
import shutil
import subprocess
import time

_ids = itertools.count()


class ScreenTimeout(AssertionError):
    pass


class Terminal:
    def __init__(self, command: str, *, width: int = 80, height: int = 24, env: dict[str, str] | None = None):
        if not shutil.which("tmux"):
            raise RuntimeError("tmux is not installed (apt-get install tmux); .ci/run installs it")
        self.name = f"si{os.getpid()}x{next(_ids)}"
        self.width, self.height = width, height
        env_args = []
        for key, value in (env or {}).items():
            env_args += ["-e", f"{key}={value}"]
        # remain-on-exit keeps the pane readable after the program ends, so a crash shows its last words
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        *env_args, command], check=True)
        subprocess.run(["tmux", "set-option", "-t", self.name, "remain-on-exit", "on"], check=True)

    def screen(self, escapes: bool = False) -> str:
        """The visible text; with escapes=True also the colour/style sequences tmux keeps for each cell."""
        return subprocess.run(["tmux", "capture-pane", "-p", *(["-e"] if escapes else []), "-t", self.name],
                              capture_output=True, text=True).stdout

    def send(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def type(self, text: str) -> None:
        # "--" ends tmux's options, so text starting with "-" is typed, not parsed
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", "--", text], check=True)

    def wait_for(self, *texts: str, timeout: float = 20, regex: bool = False) -> str:
        """Wait until every text is on screen; returns the screen."""
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if all((re.search(t, screen) if regex else t in screen) for t in texts):
                return screen
            time.sleep(0.05)
        raise ScreenTimeout(f"waited {timeout}s for {texts!r}; the screen shows:\n{screen}")

    def wait_until(self, predicate, timeout: float = 20, what: str = "condition") -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if predicate(screen):
                return screen
            time.sleep(0.05)
        raise ScreenTimeout(f"waited {timeout}s for {what}; the screen shows:\n{screen}")

    def pane_dead(self) -> bool:
        out = subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{pane_dead}"],
                             capture_output=True, text=True).stdout.strip()
        return out == "1"

    def pane_title(self) -> str:
        """The title programs in the pane set (OSC 0/2); tmux starts it as the host name."""
        return subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{pane_title}"],
                              capture_output=True, text=True, check=True).stdout.strip()

    def pane_pid(self) -> int:
        return int(subprocess.run(["tmux", "display-message", "-p", "-t", self.name, "#{pane_pid}"],
                                  capture_output=True, text=True, check=True).stdout.strip())

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    def __enter__(self) -> "Terminal":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def shell_join(args: list[str]) -> str:
    return " ".join(shlex.quote(a) for a in args)
