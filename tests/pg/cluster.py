"""A throwaway PostgreSQL cluster for the tests: initdb into a fresh folder, a server on a free loopback
port, stopped and removed at the end.

PostgreSQL refuses to run as root, so when the tests run as root (CI does) initdb and the server run as
the `postgres` user (the Debian package makes it) through runuser; otherwise as the current user.
Authentication is `trust`, on 127.0.0.1 only, with the Unix socket in the cluster's own folder: nothing
outside the machine, nor another cluster, can reach it.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def bin_dir() -> Path | None:
    """The newest installed PostgreSQL's programs (Debian keeps them out of PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    def __init__(self, bindir: Path, settings: tuple[str, ...] = ()):
        self.bindir = bindir
        self.settings = settings   # more `name=value` server settings (the benchmark's larger shared_buffers)
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="shopintel-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.started = False
        self.log = self.folder / "server.log"
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")
        os.chmod(self.folder, 0o700)

    def _cmd(self, *args: str) -> list[str]:
        return ["runuser", "-u", "postgres", "--", *args] if self.as_root else list(args)

    @property
    def user(self) -> str:
        return "postgres" if self.as_root else os.environ.get("USER") or "postgres"

    def url(self, dbname: str = "postgres", **query: str) -> str:
        tail = "&".join(f"{k}={v}" for k, v in query.items())
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}" + (f"?{tail}" if tail else "")

    def start(self) -> "Cluster":
        subprocess.run(self._cmd(str(self.bindir / "initdb"), "-D", str(self.data), "-U", self.user,
                                 "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"),
                       check=True, capture_output=True, cwd="/")
        return self._serve()

    def standby(self) -> "Cluster":
        """A hot standby of this (running) cluster on another loopback port: a base backup with -R (it
        writes the standby.signal and primary_conninfo itself), streaming from this one. initdb's trust
        lines cover replication connections from 127.0.0.1."""
        standby = Cluster(self.bindir)
        subprocess.run(self._cmd(str(self.bindir / "pg_basebackup"), "-D", str(standby.data), "-h", "127.0.0.1",
                                 "-p", str(self.port), "-U", self.user, "-R", "-X", "stream", "--no-sync",
                                 "--checkpoint=fast"),
                       check=True, capture_output=True, cwd="/")
        return standby._serve()

    def _serve(self) -> "Cluster":
        options = " ".join(f"-c {o}" for o in (
            "listen_addresses=127.0.0.1", f"unix_socket_directories={self.folder}", "fsync=off",
            "full_page_writes=off", "synchronous_commit=off", "shared_buffers=32MB", "max_connections=40",
            *self.settings))
        # pg_ctl, not the server under runuser: pg_ctl waits until it accepts connections (-w), and its stop
        # signals the server itself (runuser does not pass a signal on to it: the server would outlive the
        # tests). Its own output goes to the log, so a failed start says why.
        started = subprocess.run(
            self._cmd(str(self.bindir / "pg_ctl"), "start", "-w", "-t", "60", "-D", str(self.data),
                      "-l", str(self.log), "-o", f"-p {self.port} {options}"),
            capture_output=True, text=True, cwd="/")
        self.started = started.returncode == 0
        if not self.started:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"the test PostgreSQL server did not start: {started.stderr[-1000:]} {log}")
        return self

    def stop(self) -> None:
        if getattr(self, "started", False):
            # fast shutdown (clients are cut off; the cluster is thrown away, so no care for a checkpoint)
            subprocess.run(self._cmd(str(self.bindir / "pg_ctl"), "stop", "-w", "-t", "60", "-m", "fast",
                                     "-D", str(self.data)), capture_output=True, cwd="/")
            self.started = False
        shutil.rmtree(self.folder, ignore_errors=True)
