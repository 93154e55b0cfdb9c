"""Configuration from the environment (ACARA_*), created once."""

from __future__ import annotations

import getpass
from functools import lru_cache
from pathlib import Path

from pydantic import SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_DEV_SECRET = "acara-development-secret-change-me"


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
    smtp_workers: int = 4
    # The organiser's mailbox, where calendar replies, typed answers and bounces arrive:
    # imaps://host[:993][/Folder], imap://host[:143] (STARTTLS), or maildir:/path; None: unread.
    imap_url: str | None = None
    imap_username: str | None = None
    imap_password: SecretStr | None = None
    imap_password_block: str | None = None  # name of a Prefect Secret block holding it
    imap_max_bytes: int = 10_000_000  # a larger message is set aside unread (headers only)
    sender_email: str = "protokol@tangerangkota.go.id"
    sender_name: str = "Bagian Protokol Setda Kota Tangerang"
    sender_region: str = "Kota Tangerang"  # whose events the sender may speak for
    officer: str | None = None  # who acts at this terminal (audit, documents); default: OS user
    base_url: str = "http://127.0.0.1:8000"  # where participants reach the RSVP pages
    secret_key: SecretStr = SecretStr(_DEV_SECRET)  # signs RSVP and check-in tokens
    officer_token: SecretStr = SecretStr("protokol")  # officer login for the web app
    # Follow-up after the event (days): see models.followup.FollowUpPolicy.
    escalate_after_days: int = 7  # overdue action item -> the host official(s) are told
    action_remind_before_days: int = 3  # owner reminded this long before the due date
    action_remind_every_days: int = 7  # and again this often once it is overdue
    thank_you_wait_days: int = 3  # thank-you waits this long for approved minutes
    survey_open_days: int = 30  # the feedback survey takes answers this long

    @model_validator(mode="after")
    def _no_placeholders_in_production(self) -> Settings:
        if self.environment != "development":
            if self.secret_key.get_secret_value() == _DEV_SECRET:
                raise ValueError("ACARA_SECRET_KEY must be set outside development")
            if self.officer_token.get_secret_value() == "protokol":
                raise ValueError("ACARA_OFFICER_TOKEN must be set outside development")
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
    """The process-wide settings."""
    return Settings()


def officer_name() -> str:
    """Who acts at this terminal: ACARA_OFFICER, else the operating-system user."""
    return (get_settings().officer or "").strip() or getpass.getuser()
