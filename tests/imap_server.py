"""A private Dovecot IMAP server for the test run: its own config, 127.0.0.1, plain and TLS.

Started like the test PostgreSQL (tests/pg.py): a temporary folder holds the config, the
users file, a self-signed certificate and the mail; `stop()` ends it by its master.pid and
removes the folder. IMAP on one port (STARTTLS offered), IMAPS on another.
"""

from __future__ import annotations

import imaplib
import os
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LocalDovecot:
    """Dovecot with one user per test mailbox (`add_user`), mail in maildirs under the root."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="acara-imap-"))
        self.port = _free_port()
        self.tls_port = _free_port()
        self.users: dict[str, str] = {}

    @property
    def cert(self) -> Path:
        """The server's self-signed certificate (trust it to test STARTTLS and IMAPS)."""
        return self.root / "cert.pem"

    def start(self) -> None:
        """Write the config and a certificate, start the server, wait until it answers."""
        if not Path(DOVECOT).exists():
            raise RuntimeError("dovecot not found: install dovecot-imapd (make system-deps)")
        for folder in ("run", "state", "home"):
            (self.root / folder).mkdir()
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                "-keyout", str(self.root / "key.pem"), "-out", str(self.cert),
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        self._write_users()
        (self.root / "dovecot.conf").write_text(self._config())
        shutil.chown(self.root / "home", "dovecot", "dovecot")
        self.root.chmod(0o755)
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf")], check=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not start: {self.log()}")

    def _config(self) -> str:
        root = self.root
        return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/log
info_log_path = {root}/log
listen = 127.0.0.1
protocols = imap
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid=dovecot gid=dovecot home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    port = {self.port}
  }}
  inet_listener imaps {{
    port = {self.tls_port}
    ssl = yes
  }}
}}
"""

    def add_user(self, user: str, password: str) -> None:
        """A mailbox user; add them before `start` (Dovecot may not see a later change)."""
        self.users[user] = password
        self._write_users()

    def _write_users(self) -> None:
        lines = "".join(f"{u}:{{PLAIN}}{p}\n" for u, p in self.users.items())
        (self.root / "users").write_text(lines)

    def client(self, user: str) -> imaplib.IMAP4:
        """A logged-in plain connection, e.g. to APPEND mail."""
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(user, self.users[user])
        return imap

    def deliver(self, user: str, *messages: bytes, folder: str = "INBOX") -> None:
        """Put messages into a user's folder, as the MTA would (IMAP APPEND)."""
        imap = self.client(user)
        try:
            for raw in messages:
                status, data = imap.append(folder, "", imaplib.Time2Internaldate(time.time()), raw)
                assert status == "OK", data
        finally:
            imap.logout()

    def trust(self) -> ssl.SSLContext:
        """An SSL context that trusts this server's certificate."""
        return ssl.create_default_context(cafile=str(self.cert))

    def log(self) -> str:
        """What the server logged."""
        path = self.root / "log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stop the server by its master.pid and delete its files."""
        pid_file = self.root / "run" / "master.pid"
        try:
            pid = int(pid_file.read_text().strip())
            os.kill(pid, signal.SIGTERM)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)
        except (FileNotFoundError, ValueError, ProcessLookupError):
            pass
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
