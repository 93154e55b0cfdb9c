"""Configuration from the environment (ACARA_*), created once."""

from __future__ import annotations

import getpass
import ipaddress
import re
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.errors import AcaraError
from models.organisations import Letterhead, Signer

_DEV_SECRET = "acara-development-secret-change-me"


class SettingsError(AcaraError):
    """An ACARA_* variable is wrong: named, never echoed (it may be a secret)."""

    exit_code = 2


_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.\-]*://[^/\s:@]*:)[^\s@/]*@")


def masked(text: str) -> str:
    """Text with the password of every URL in it replaced by ***: for printing and logs."""
    return _URL_PASSWORD.sub(lambda m: m["head"] + "***@", str(text))


def is_local_url(url: str) -> bool:
    """Whether a base URL points at this machine (localhost, 127.0.0.0/8, ::1)."""
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Settings(BaseSettings):
    """Everything acara reads from its environment; defaults run the demo on one laptop."""

    model_config = SettingsConfigDict(env_prefix="ACARA_", env_file=".env", extra="ignore")

    environment: str = "development"  # "production" refuses development defaults
    language: str = "id"  # what the CLI speaks: id (the officers' language) or en
    data_dir: Path = Path("data")
    database_url: str | None = None  # default: SQLite file in data_dir
    smtp_url: str | None = None  # smtp://host:587 (STARTTLS) or smtps://host:465; None: maildir
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_block: str | None = None  # name of a Prefect Secret block holding the password
    # Send the password over a connection without TLS (a relay on the same host): off, so a
    # server that offers no STARTTLS never sees it in clear text.
    smtp_allow_plaintext_auth: bool = False
    # The relay's caps on what one sender may send (0: none); delivery paces itself to them.
    smtp_limit_per_minute: int = 0
    smtp_limit_per_hour: int = 0
    smtp_limit_per_day: int = 0
    smtp_workers: int = 4
    # The organiser's mailbox, where calendar replies, typed answers and bounces arrive:
    # imaps://host[:993][/Folder], imap://host[:143] (STARTTLS), or maildir:/path; None: unread.
    imap_url: str | None = None
    imap_username: str | None = None
    imap_password: SecretStr | None = None
    imap_password_block: str | None = None  # name of a Prefect Secret block holding it
    imap_max_bytes: int = 10_000_000  # a larger message is set aside unread (headers only)
    # The letterhead of an event with no host organisation (models.organisations): its From
    # mailbox and name, and the city of its date line.
    sender_email: str = "protokol@tangerangkota.go.id"
    sender_name: str = "Bagian Protokol Setda Kota Tangerang"
    sender_city: str = "Tangerang"
    # Who acts at this terminal (audit, documents); default: OS user. In the web app the
    # logged-in officer's account name acts instead (`acara officer add`).
    officer: str | None = None
    base_url: str = "http://127.0.0.1:8000"  # where participants reach the RSVP pages
    secret_key: SecretStr = SecretStr(_DEV_SECRET)  # signs RSVP and check-in tokens
    # Follow-up after the event (days): see models.followup.FollowUpPolicy.
    escalate_after_days: int = 7  # overdue action item -> the host official(s) are told
    action_remind_before_days: int = 3  # owner reminded this long before the due date
    action_remind_every_days: int = 7  # and again this often once it is overdue
    thank_you_wait_days: int = 3  # thank-you waits this long for approved minutes
    survey_open_days: int = 30  # the feedback survey takes answers this long
    # What an import reads at most (participant lists, event files, minutes).
    import_max_bytes: int = 20_000_000  # the file on disk
    import_max_unpacked_bytes: int = 100_000_000  # an .xlsx once unzipped
    import_max_rows: int = 100_000  # rows of a participant list
    # The office's protocol order (models.precedence): one rank of offices per line.
    precedence_file: Path | None = None  # None: UU 9/2010's order

    @model_validator(mode="after")
    def _no_placeholders_outside_development(self) -> Settings:
        # The development defaults are public (they are in this file): they may only sign
        # links and open the officer pages on a developer's own machine.
        local = self.environment == "development" and is_local_url(self.base_url)
        where = (
            f"ACARA_BASE_URL is not on this machine ({self.base_url})"
            if self.environment == "development"
            else f"ACARA_ENVIRONMENT is {self.environment!r}"
        )
        if not local and self.secret_key.get_secret_value() == _DEV_SECRET:
            raise ValueError(
                f"ACARA_SECRET_KEY must be set: {where}, and the development secret is public "
                "(anyone could sign RSVP links with it)"
            )
        return self

    @property
    def database(self) -> str:
        """The SQLAlchemy URL in use."""
        return self.database_url or f"sqlite:///{(self.data_dir / 'acara.db').resolve()}"

    @property
    def maildir(self) -> Path:
        """Where messages go when no SMTP server is configured."""
        return self.data_dir / "outbox"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; SettingsError naming each wrong variable, never its value."""
    try:
        return Settings()
    except ValidationError as exc:
        raise SettingsError(settings_message(exc)) from None


def settings_message(error: ValidationError) -> str:
    """What is wrong with the ACARA_* variables, without any of their values."""
    lines = []
    for item in error.errors(include_input=False, include_url=False, include_context=False):
        name = "_".join(str(part) for part in item["loc"]).upper()
        variable = f"ACARA_{name}" if name else "settings"
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(message if message.startswith("ACARA_") else f"{variable}: {message}")
    return "acara's settings are not usable:\n" + "\n".join(f"  - {line}" for line in lines)


def office_letterhead() -> Letterhead:
    """The letterhead of an event with no host organisation: the office's own settings."""
    settings = get_settings()
    return Letterhead(
        name=settings.sender_name,
        kop_lines=(settings.sender_name.upper(),),
        logo=None,
        address="",
        phone="",
        website="",
        email=settings.sender_email,
        city=settings.sender_city,
        sender_name=settings.sender_name,
        sender_email=settings.sender_email,
        signatory=Signer(settings.sender_name, "", "", ""),
    )


def officer_name() -> str:
    """Who acts at this terminal: ACARA_OFFICER, else the operating-system user."""
    return (get_settings().officer or "").strip() or getpass.getuser()
