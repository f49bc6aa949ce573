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
import time
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
    def __init__(self, bindir: Path):
        self.bindir = bindir
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="shopintel-pg-"))
        self.data = self.folder / "data"
        self.port = _free_port()
        self.proc: subprocess.Popen | None = None
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
        log = open(self.log, "wb")
        self.proc = subprocess.Popen(
            self._cmd(str(self.bindir / "postgres"), "-D", str(self.data), "-p", str(self.port),
                      "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={self.folder}",
                      "-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off",
                      "-c", "shared_buffers=32MB", "-c", "max_connections=40"),
            stdout=log, stderr=subprocess.STDOUT, cwd="/", start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = subprocess.run([str(self.bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)],
                                   capture_output=True)
            if ready.returncode == 0:
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"the test PostgreSQL server stopped: {self.log.read_text()[-2000:]}")
            time.sleep(0.1)   # polling a condition (the server accepting connections), bounded above
        raise RuntimeError(f"the test PostgreSQL server did not start within 60 s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            # SIGINT = PostgreSQL's "fast" shutdown; the cluster is thrown away, so no checkpoint is needed
            self.proc.send_signal(2)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
