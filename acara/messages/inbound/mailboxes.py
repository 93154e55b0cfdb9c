"""Where replies are read from: the organiser's IMAP mailbox, or a maildir folder.

A mailbox lists its messages as `Envelope`s (a stable key and the size) and hands out their
bytes; it never changes the mailbox (IMAP BODY.PEEK, files left where they are): what was
read is recorded in the database (models.inbound), so the officer's own mail program still
shows every message as it was.

IMAP keys are "UIDVALIDITY:UID", stable for as long as the server keeps that UIDVALIDITY;
maildir keys are the file's unique name without its flags.
"""

from __future__ import annotations

import contextlib
import imaplib
import os
import re
import ssl
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, Self
from urllib.parse import parse_qs, unquote, urlsplit

from acara.settings import get_settings
from models.errors import N_, invalid

_CHUNK = 200  # UIDs per FETCH command


class MailboxUnavailable(ConnectionError):
    """The mailbox could not be reached or stopped answering: try again later."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """One message of a mailbox: its key there and its size in bytes."""

    key: str
    size: int


class Mailbox(Protocol):
    """A place replies are read from."""

    name: str  # stable: the processed-messages table remembers keys per mailbox name

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...

    def envelopes(self, skip: Collection[str] = ()) -> list[Envelope]:
        """The messages not in `skip`, oldest first."""
        ...

    def fetch(self, key: str) -> bytes | None:
        """The whole message (None when it is gone meanwhile)."""
        ...

    def header(self, key: str) -> bytes | None:
        """Only the header of a message (for one too large to read)."""
        ...


# --- maildir ---------------------------------------------------------------------------------


class MaildirMailbox:
    """A maildir folder (new/ and cur/), read without moving or flagging anything."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.name = f"maildir:{self.root}"

    def __enter__(self) -> Self:
        if not (self.root / "new").is_dir() and not (self.root / "cur").is_dir():
            raise invalid(
                "--maildir", N_("{root} is not a maildir (no new/ or cur/ in it)"), root=self.root
            )
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def _files(self) -> dict[str, Path]:
        files: dict[str, Path] = {}
        for folder in ("cur", "new"):
            with contextlib.suppress(FileNotFoundError):
                for entry in os.scandir(self.root / folder):
                    if entry.is_file() and not entry.name.startswith("."):
                        files[_maildir_key(entry.name)] = Path(entry.path)
        return files

    def envelopes(self, skip: Collection[str] = ()) -> list[Envelope]:
        found = []
        for key, path in self._files().items():
            if key in skip:
                continue
            try:
                stat = path.stat()
            except FileNotFoundError:  # taken away meanwhile
                continue
            found.append((stat.st_mtime, key, stat.st_size))
        return [Envelope(key, size) for _, key, size in sorted(found)]

    def fetch(self, key: str) -> bytes | None:
        path = self._files().get(key)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except FileNotFoundError:
            return None

    def header(self, key: str) -> bytes | None:
        path = self._files().get(key)
        if path is None:
            return None
        lines = []
        with contextlib.suppress(FileNotFoundError), path.open("rb") as handle:
            for line in handle:
                if line in (b"\n", b"\r\n") or len(lines) > 500:
                    break
                lines.append(line[:2000])
        return b"".join(lines) + b"\n"


def _maildir_key(name: str) -> str:
    # "1700000000.M1P2.host:2,S": the part before the info is the message's unique name.
    return re.split(r"[:!]2,", name, maxsplit=1)[0]


# --- IMAP ------------------------------------------------------------------------------------


class ImapMailbox:
    """A folder of an IMAP server, over implicit TLS (imaps) or STARTTLS (imap), read-only."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        username: str,
        password: str,
        folder: str = "INBOX",
        security: str = "starttls",
        timeout: float = 30,
        context: ssl.SSLContext | None = None,
    ) -> None:
        if security not in ("tls", "starttls", "none"):
            raise invalid("ACARA_IMAP_URL", f"security must be tls, starttls or none: {security}")
        self.host, self.port, self.folder = host, port, folder
        self.username, self._password = username, password
        self.security, self.timeout = security, timeout
        self.context = context or ssl.create_default_context()
        # Without port or security: switching from IMAPS to STARTTLS must not read all again.
        self.name = f"imap://{username}@{host}/{folder}"
        self._imap: imaplib.IMAP4 | None = None
        self._validity = ""

    def __enter__(self) -> Self:
        try:
            if self.security == "tls":
                imap: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    self.host, self.port, ssl_context=self.context, timeout=self.timeout
                )
            else:
                imap = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
                if self.security == "starttls":
                    imap.starttls(ssl_context=self.context)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailboxUnavailable(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        try:
            imap.login(self.username, self._password)
        except imaplib.IMAP4.error as exc:
            with contextlib.suppress(Exception):
                imap.logout()
            raise invalid(
                "ACARA_IMAP_USERNAME", f"the IMAP server refused the login: {_said(exc)}"
            ) from None
        try:
            status, _ = imap.select(_quoted(self.folder), readonly=True)
            if status != "OK":
                raise invalid("ACARA_IMAP_URL", f"the folder {self.folder!r} cannot be opened")
            _, data = imap.response("UIDVALIDITY")
            self._validity = _text(data[0]) if data and data[0] else "0"
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise MailboxUnavailable(f"{self.host} stopped answering: {exc}") from exc
        self._imap = imap
        return self

    def __exit__(self, *exc: object) -> None:
        if self._imap is not None:
            with contextlib.suppress(Exception):
                self._imap.logout()
            self._imap = None

    @property
    def imap(self) -> imaplib.IMAP4:
        if self._imap is None:
            raise RuntimeError("open the mailbox first (with ImapMailbox(...) as mailbox)")
        return self._imap

    def envelopes(self, skip: Collection[str] = ()) -> list[Envelope]:
        uids = [u for u in self._command("SEARCH", None, "ALL")[0].split() if u]
        wanted = [u for u in (_text(u) for u in uids) if f"{self._validity}:{u}" not in skip]
        found = []
        for start in range(0, len(wanted), _CHUNK):
            chunk = ",".join(wanted[start : start + _CHUNK])
            for item in self._command("FETCH", chunk, "(UID RFC822.SIZE)"):
                line = _text(item[0] if isinstance(item, tuple) else item)
                uid = re.search(r"UID (\d+)", line)
                size = re.search(r"RFC822\.SIZE (\d+)", line)
                if uid and size:
                    found.append((int(uid.group(1)), int(size.group(1))))
        return [Envelope(f"{self._validity}:{uid}", size) for uid, size in sorted(found)]

    def fetch(self, key: str) -> bytes | None:
        return self._body(key, "BODY.PEEK[]")

    def header(self, key: str) -> bytes | None:
        return self._body(key, "BODY.PEEK[HEADER]")

    def _body(self, key: str, what: str) -> bytes | None:
        validity, _, uid = key.partition(":")
        if validity != self._validity or not uid.isdigit():
            return None  # the server renumbered the folder: the key is no longer valid
        for item in self._command("FETCH", uid, f"({what})"):
            if isinstance(item, tuple) and len(item) > 1 and isinstance(item[1], bytes):
                return item[1]
        return None

    def _command(self, command: str, *args: str | None) -> list[object]:
        try:
            status, data = self.imap.uid(command, *args)
        except (OSError, imaplib.IMAP4.abort) as exc:
            raise MailboxUnavailable(f"{self.host} stopped answering: {exc}") from exc
        except imaplib.IMAP4.error as exc:
            raise MailboxUnavailable(f"{self.host} refused UID {command}: {_said(exc)}") from exc
        if status != "OK":
            raise MailboxUnavailable(f"{self.host} answered {status} to UID {command}")
        return list(data or [])


def _text(value: object) -> str:
    return value.decode("ascii", "replace") if isinstance(value, bytes) else str(value)


def _said(exc: BaseException) -> str:
    return " ".join(_text(a) for a in exc.args) or type(exc).__name__


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- from the settings -------------------------------------------------------------------------


def mailbox_from_url(
    url: str, *, username: str | None = None, password: str | None = None, timeout: float = 30
) -> Mailbox:
    """imaps://host[:993][/Folder], imap://host[:143][/Folder] (STARTTLS), maildir:/path.

    `?security=none|starttls|tls` overrides the scheme's default; user and password may be
    in the URL (percent-encoded), the arguments win over it.
    """
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "maildir":
        return MaildirMailbox(Path(unquote(parts.path or parts.netloc)))
    if scheme not in ("imap", "imaps") or not parts.hostname:
        raise invalid(
            "ACARA_IMAP_URL", f"must be imaps://host, imap://host or maildir:/path: {url}"
        )
    security = parse_qs(parts.query).get("security", ["tls" if scheme == "imaps" else "starttls"])
    try:
        port = parts.port or (993 if security[-1] == "tls" else 143)
    except ValueError:
        raise invalid("ACARA_IMAP_URL", f"bad port in {url}") from None
    user = username if username is not None else unquote(parts.username or "")
    secret = password if password is not None else unquote(parts.password or "")
    if not user:
        raise invalid("ACARA_IMAP_USERNAME", "the IMAP user is needed to read the mailbox")
    return ImapMailbox(
        parts.hostname,
        port,
        username=user,
        password=secret,
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
        security=security[-1].lower(),
        timeout=timeout,
    )


def mailbox_from_settings() -> Mailbox | None:
    """The organiser's mailbox the settings name (ACARA_IMAP_URL), or None when none is set."""
    settings = get_settings()
    if not settings.imap_url:
        return None
    password = settings.imap_password.get_secret_value() if settings.imap_password else None
    if password is None and settings.imap_password_block:
        from acara.messages.channels.email import _secret_block

        password = _secret_block(settings.imap_password_block, "ACARA_IMAP_PASSWORD_BLOCK")
    return mailbox_from_url(settings.imap_url, username=settings.imap_username, password=password)
