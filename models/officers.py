"""Officer accounts, their sessions and the login rate limit: tables and rules.

An account has a name (what the audit, documents and domain facts record), a role and an
argon2 password hash. A session is a row keyed by the SHA-256 of a random id; the browser's
cookie carries only that id, so a copy of the database opens no session. Failed logins are
rows too, so the limit holds across every web worker on the same database.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, update
from sqlmodel import Field, Session, SQLModel, col, select

from models.audit import record
from models.clock import UTCDateTime
from models.errors import N_, AcaraError, NotFound, invalid

SESSION_HOURS = 12  # one working day at the desk; then log in again
SEEN_EVERY = timedelta(minutes=1)  # last_seen is written at most this often
LOGIN_WINDOW = timedelta(minutes=1)
LOGIN_FAILURES = 10  # failures within the window, per account or per address, before 429
MIN_PASSWORD = 10
MAX_PASSWORD = 200
MAX_NAME = 60

_HASHER = PasswordHasher()  # argon2id with the library's current recommended parameters
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_UNKNOWN = _HASHER.hash(secrets.token_urlsafe(16))


class Role(StrEnum):
    """What an account may do: desk < officer < admin."""

    DESK = "desk"  # the registration desk and check-in only
    OFFICER = "officer"  # runs events: invitations, minutes, documents
    ADMIN = "admin"  # everything, and manages officer accounts

    def allows(self, needed: Role) -> bool:
        """Whether this role may do what `needed` may."""
        order = list(Role)
        return order.index(self) >= order.index(needed)


class OfficerAccount(SQLModel, table=True):
    """A protocol officer who logs in to the web app."""

    __tablename__ = "officer_account"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=MAX_NAME)  # as typed: "Rina Marlina"
    key: str = Field(max_length=MAX_NAME, unique=True)  # casefolded: the name is one account
    role: str = Field(max_length=10)
    password_hash: str | None = Field(default=None, max_length=200)
    # The one-time link in force (its random part); None once used or replaced.
    link_nonce: str | None = Field(default=None, max_length=40)
    active: bool = True
    created_at: datetime = Field(sa_type=UTCDateTime)
    disabled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class OfficerSession(SQLModel, table=True):
    """A logged-in browser: the cookie's random id, hashed."""

    __tablename__ = "officer_session"

    id: str = Field(primary_key=True, max_length=64)  # sha256 hex of the cookie value
    officer_id: int = Field(foreign_key="officer_account.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime)
    last_seen_at: datetime = Field(sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)
    address: str = Field(default="", max_length=64)


class LoginFailure(SQLModel, table=True):
    """One wrong password (or unknown name), kept for the length of the window."""

    __tablename__ = "login_failure"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=UTCDateTime, index=True)
    account: str = Field(max_length=MAX_NAME, index=True)
    address: str = Field(max_length=64, index=True)


class LoginFailed(AcaraError):
    """A wrong name or password (which of the two is not said)."""

    code = "login-failed"
    http_status = 401


class TooManyAttempts(AcaraError):
    """Too many wrong logins within the window, for this account or from this address."""

    code = "too-many-logins"
    http_status = 429

    def __init__(self, seconds: int) -> None:
        super().__init__(
            N_("Too many failed logins. Try again in {seconds} seconds."), seconds=seconds
        )
        self.retry_after = seconds


class PasswordLinkInvalid(AcaraError):
    """A set-password link that was used already, replaced by a newer one, or is unknown."""

    code = "password-link-used"
    public = N_("This link has been used or replaced. Ask an administrator for a new one.")
    http_status = 410


@dataclass(frozen=True, slots=True)
class Account:
    """What the edges see of an account (no hash)."""

    id: int
    name: str
    role: Role
    active: bool
    has_password: bool
    created_at: datetime
    sessions: int = 0

    @property
    def state(self) -> str:
        """active, waiting (for its one-time link) or disabled."""
        if not self.active:
            return "disabled"
        return "active" if self.has_password else "waiting"


def account_view(row: OfficerAccount, sessions: int = 0) -> Account:
    """The plain view of an account row."""
    assert row.id is not None
    return Account(
        row.id,
        row.name,
        Role(row.role),
        row.active,
        row.password_hash is not None,
        row.created_at,
        sessions,
    )


def name_key(name: str) -> str:
    """The account a typed name means: spaces collapsed, case ignored."""
    return " ".join(name.split()).casefold()


def clean_name(name: str) -> str:
    """An account name as stored, or InvalidInput naming the field."""
    cleaned = " ".join(name.split())
    if not cleaned:
        raise invalid("name", N_("an officer needs a name"))
    if len(cleaned) > MAX_NAME:
        raise invalid("name", N_("at most {limit} characters"), limit=MAX_NAME)
    return cleaned


def hash_password(password: str) -> str:
    """The argon2id hash of a password that is long enough, or InvalidInput."""
    if len(password) < MIN_PASSWORD:
        raise invalid("password", N_("at least {limit} characters"), limit=MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise invalid("password", N_("at most {limit} characters"), limit=MAX_PASSWORD)
    return _HASHER.hash(password)


def _password_matches(stored: str | None, password: str) -> bool:
    try:
        return _HASHER.verify(stored or _UNKNOWN, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def find_account(session: Session, name: str) -> OfficerAccount:
    """The account of a name, or NotFound."""
    row = session.exec(select(OfficerAccount).where(OfficerAccount.key == name_key(name))).first()
    if row is None:
        raise NotFound(N_("No officer account named {name!r}."), name=name)
    return row


def add_account(
    session: Session, name: str, role: Role, password: str | None, *, actor: str, now: datetime
) -> OfficerAccount:
    """A new account; without a password it waits for its one-time link (`new_link_nonce`)."""
    cleaned = clean_name(name)
    taken = session.exec(select(OfficerAccount).where(OfficerAccount.key == name_key(cleaned)))
    if taken.first() is not None:
        raise invalid("name", N_("an officer named {name!r} exists already"), name=cleaned)
    row = OfficerAccount(
        name=cleaned,
        key=name_key(cleaned),
        role=role.value,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now,
    )
    session.add(row)
    session.flush()
    _audit(session, actor, "officer.added", row, role=role.value)
    return row


def new_link_nonce(row: OfficerAccount) -> str:
    """Start a one-time link: a fresh random part replaces any earlier link's."""
    row.link_nonce = secrets.token_urlsafe(18)
    return row.link_nonce


def set_password(
    session: Session, row: OfficerAccount, password: str, *, actor: str, action: str
) -> int:
    """Replace the password, void any one-time link and end every session; how many ended."""
    row.password_hash = hash_password(password)
    row.link_nonce = None
    session.add(row)
    _audit(session, actor, action, row)
    return end_sessions(session, row)


def reset_account(session: Session, row: OfficerAccount, *, actor: str) -> int:
    """A reset by link: the old password stops working now; sessions end."""
    row.password_hash = None
    new_link_nonce(row)
    session.add(row)
    _audit(session, actor, "officer.reset", row)
    return end_sessions(session, row)


def use_link(session: Session, officer_id: int, nonce: str, password: str) -> OfficerAccount:
    """Set the password through a one-time link, which then stops working. The link is
    claimed by one UPDATE, so two tabs sending the form at once cannot both use it."""
    row = link_account(session, officer_id, nonce)
    claimed = session.exec(
        update(OfficerAccount)  # type: ignore[call-overload]
        .where(col(OfficerAccount.id) == officer_id, col(OfficerAccount.link_nonce) == nonce)
        .values(link_nonce=None)
    )
    if claimed.rowcount != 1:
        raise PasswordLinkInvalid(N_("This set-password link was used already or replaced."))
    set_password(session, row, password, actor=row.name, action="officer.password-set")
    return row


def link_account(session: Session, officer_id: int, nonce: str) -> OfficerAccount:
    """The account a one-time link is for, while the link is still good."""
    row = session.get(OfficerAccount, officer_id)
    if row is None or not row.active or not row.link_nonce or row.link_nonce != nonce:
        raise PasswordLinkInvalid(N_("This set-password link was used already or replaced."))
    return row


def disable_account(session: Session, row: OfficerAccount, *, actor: str, now: datetime) -> int:
    """The account can no longer log in; its sessions end everywhere. How many ended."""
    row.active = False
    row.disabled_at = now
    row.link_nonce = None
    session.add(row)
    _audit(session, actor, "officer.disabled", row)
    return end_sessions(session, row)


def end_sessions(session: Session, row: OfficerAccount) -> int:
    """Delete every session of an account; how many there were."""
    ended = session.exec(select(func.count()).where(OfficerSession.officer_id == row.id)).one()
    session.exec(delete(OfficerSession).where(col(OfficerSession.officer_id) == row.id))  # type: ignore[call-overload]
    return int(ended)


def session_key(token: str) -> str:
    """What the table stores for a cookie's random id."""
    return hashlib.sha256(token.encode()).hexdigest()


def retry_after(session: Session, key: str, address: str, now: datetime) -> int:
    """Seconds until another attempt is allowed (0: now), per account and per address."""
    since = now - LOGIN_WINDOW
    wait = 0
    for column, value in ((LoginFailure.account, key), (LoginFailure.address, address)):
        times = session.exec(
            select(LoginFailure.at)
            .where(column == value, LoginFailure.at > since)
            .order_by(col(LoginFailure.at).desc())
            .limit(LOGIN_FAILURES)
        ).all()
        if len(times) >= LOGIN_FAILURES:
            # Allowed again once the oldest of the last ten leaves the window.
            left = math.ceil((times[-1] + LOGIN_WINDOW - now).total_seconds())
            wait = max(wait, left, 1)
    return wait


def check_login(
    session: Session, name: str, password: str, address: str, *, now: datetime
) -> OfficerAccount | None:
    """The account if the name and password are right; else the failure is recorded.

    TooManyAttempts before any check when the account or the address is over the limit.
    """
    key = name_key(name)[:MAX_NAME]
    wait = retry_after(session, key, address, now)
    if wait:
        raise TooManyAttempts(wait)
    row = session.exec(select(OfficerAccount).where(OfficerAccount.key == key)).first()
    if _password_matches(row.password_hash if row else None, password) and row and row.active:
        return row
    session.exec(delete(LoginFailure).where(col(LoginFailure.at) <= now - LOGIN_WINDOW))  # type: ignore[call-overload]
    session.add(LoginFailure(at=now, account=key, address=address))
    return None


def open_session(
    session: Session, row: OfficerAccount, token: str, address: str, *, now: datetime
) -> OfficerSession:
    """A new session for a cookie's random id; expired sessions are swept on the way."""
    session.exec(delete(OfficerSession).where(col(OfficerSession.expires_at) <= now))  # type: ignore[call-overload]
    assert row.id is not None
    opened = OfficerSession(
        id=session_key(token),
        officer_id=row.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=SESSION_HOURS),
        address=address[:64],
    )
    session.add(opened)
    return opened


def live_session(
    session: Session, token: str, *, now: datetime
) -> tuple[OfficerSession, OfficerAccount] | None:
    """The session of a cookie and its account, if both still hold; last seen kept fresh."""
    found = session.get(OfficerSession, session_key(token))
    if found is None or found.expires_at <= now:
        return None
    row = session.get(OfficerAccount, found.officer_id)
    if row is None or not row.active:
        return None
    if now - found.last_seen_at >= SEEN_EVERY:
        found.last_seen_at = now
        session.add(found)
    return found, row


def close_session(session: Session, token: str) -> None:
    """Log one browser out: its session row goes."""
    session.exec(delete(OfficerSession).where(col(OfficerSession.id) == session_key(token)))  # type: ignore[call-overload]


def count_sessions(session: Session, now: datetime) -> dict[int, int]:
    """Live sessions per account id."""
    rows = session.exec(
        select(OfficerSession.officer_id, func.count())
        .where(OfficerSession.expires_at > now)
        .group_by(OfficerSession.officer_id)
    ).all()
    return {officer_id: int(n) for officer_id, n in rows}


def _audit(session: Session, actor: str, action: str, row: OfficerAccount, **detail: Any) -> None:
    record(
        session, actor=actor, action=action, event_id=None, detail={"officer": row.name, **detail}
    )
