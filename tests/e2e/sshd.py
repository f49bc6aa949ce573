"""A throwaway OpenSSH server on 127.0.0.1 for end-to-end tests.

Its host key and the client key are made fresh per test session; the only authorized key is
bound to a forced command (`restrict,pty,command="..."`), exactly as the README's recipe for
giving an analyst read-only dashboard access. Nothing listens anywhere but 127.0.0.1.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD_CANDIDATES = ("/usr/sbin/sshd", "/usr/bin/sshd", "/usr/local/sbin/sshd")


def find_sshd() -> str | None:
    for path in SSHD_CANDIDATES:
        if os.access(path, os.X_OK):
            return path
    return shutil.which("sshd")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class SshServer:
    port: int
    client_key: Path
    user: str
    proc: subprocess.Popen
    log: Path

    def ssh_command(self, *remote: str, extra: tuple[str, ...] = ()) -> list[str]:
        return ["ssh", "-tt", "-p", str(self.port), "-i", str(self.client_key),
                "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null", "-o", "IdentitiesOnly=yes",
                "-o", "BatchMode=yes", "-o", "LogLevel=ERROR", "-o", "SendEnv=NO_COLOR", *extra,
                f"{self.user}@127.0.0.1", *remote]

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_sshd(workdir: Path, forced_commands: dict[str, str]) -> dict[str, SshServer]:
    """One server; one client key per forced command (name -> command). Returns name -> a handle whose
    ssh_command() uses that key."""
    sshd = find_sshd()
    if sshd is None:
        raise RuntimeError("sshd is not installed (apt-get install openssh-server); .ci/run installs it")
    workdir.mkdir(parents=True, exist_ok=True)
    host_key = workdir / "host_ed25519"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(host_key)], check=True)
    lines, keys = [], {}
    for name, command in forced_commands.items():
        key = workdir / f"client_{name}"
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
        public = Path(str(key) + ".pub").read_text().strip()
        # the forced command's quotes are escaped for authorized_keys
        escaped = command.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'restrict,pty,command="{escaped}" {public}')
        keys[name] = key
    (workdir / "authorized_keys").write_text("\n".join(lines) + "\n")
    os.chmod(workdir / "authorized_keys", 0o600)
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(parents=True, exist_ok=True)   # privilege separation directory
    port = free_port()
    config = workdir / "sshd_config"
    config.write_text(f"""\
Port {port}
ListenAddress 127.0.0.1
HostKey {host_key}
PidFile {workdir / 'sshd.pid'}
AuthorizedKeysFile {workdir / 'authorized_keys'}
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin yes
AcceptEnv NO_COLOR LANG LC_*
ClientAliveInterval 2
ClientAliveCountMax 2
LogLevel VERBOSE
""")
    log = workdir / "sshd.log"
    proc = subprocess.Popen([sshd, "-D", "-e", "-f", str(config)], stdout=open(log, "w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"sshd exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.05)
    else:
        proc.kill()
        raise RuntimeError(f"sshd did not listen on 127.0.0.1:{port}: {log.read_text()}")
    import pwd

    user = pwd.getpwuid(os.getuid()).pw_name
    return {name: SshServer(port, key, user, proc, log) for name, key in keys.items()}
