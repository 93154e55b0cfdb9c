"""The e-mail channel: over SMTP when a server is configured, else into a local maildir."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from acara.messages.channels.maildir import MaildirTransport
from acara.messages.channels.smtp import SmtpTransport
from acara.messages.channels.transport import Transport
from acara.settings import get_settings, masked
from models.errors import invalid


def mail_domain() -> str:
    """The domain Message-IDs are made in: the sender's."""
    return get_settings().sender_email.rpartition("@")[2] or "acara.invalid"


def transport_from_settings() -> Transport:
    """The transport the settings name: ACARA_SMTP_URL, or the maildir when it is not set."""
    settings = get_settings()
    password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    if password is None and settings.smtp_url and settings.smtp_password_block:
        password = _secret_block(settings.smtp_password_block)
    try:
        return transport_from_url(
            settings.smtp_url,
            maildir=settings.maildir,
            username=settings.smtp_username,
            password=password,
            workers=settings.smtp_workers,
            domain=mail_domain(),
            allow_plaintext_auth=settings.smtp_allow_plaintext_auth,
        )
    except ValueError as exc:
        raise invalid("ACARA_SMTP_URL", str(exc)) from None


def _secret_block(name: str, setting: str = "ACARA_SMTP_PASSWORD_BLOCK") -> str:
    """A password kept in a Prefect Secret block (needs the Prefect API)."""
    try:
        from prefect.blocks.system import Secret

        value = Secret.load(name).get()
    except Exception as exc:  # any failure here is a configuration problem for the officer
        raise invalid(setting, f"cannot read the Prefect Secret block {name!r}: {exc}") from None
    return str(value)


def transport_from_url(
    url: str | None,
    *,
    maildir: Path,
    username: str | None = None,
    password: str | None = None,
    workers: int = 4,
    domain: str = "acara.local",
    timeout: float = 30,
    max_attempts: int = 4,
    backoff: Sequence[float] = (0.5, 2, 5),
    allow_plaintext_auth: bool = False,
) -> Transport:
    """Pick the transport from a URL: none means the local maildir.

    smtp://[user[:password]@]host[:port]   STARTTLS when offered (port 25 by default)
    smtps://[user[:password]@]host[:port]  implicit TLS (port 465 by default)
    ?security=none|starttls|tls            overrides either; user and password are
    percent-decoded, and the username/password arguments win over the URL's.
    """
    if not url:
        return MaildirTransport(maildir, domain=domain)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "maildir":
        return MaildirTransport(Path(unquote(parts.path)) if parts.path else maildir, domain=domain)
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(
            f"mail URL must be smtp://host:port or smtps://host:port, not {masked(url)!r}"
        )
    security: str = "tls" if scheme == "smtps" else "starttls"
    query = parse_qs(parts.query)
    if "security" in query:
        security = query["security"][-1].lower()
    try:
        port = parts.port or (465 if security == "tls" else 25)
    except ValueError:
        raise ValueError(f"bad port in mail URL {masked(url)!r}") from None
    return SmtpTransport(
        parts.hostname,
        port,
        security=security,  # type: ignore[arg-type]  # SmtpTransport validates it
        username=username if username is not None else _unquoted(parts.username),
        password=password if password is not None else _unquoted(parts.password),
        workers=workers,
        max_attempts=max_attempts,
        backoff=backoff,
        timeout=timeout,
        domain=domain,
        allow_plaintext_auth=allow_plaintext_auth,
    )


def _unquoted(value: str | None) -> str | None:
    return unquote(value) if value else None
