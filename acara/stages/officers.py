"""Officer accounts and their web sessions: add, list, disable, reset, log in and out.

The CLI (`acara officer ...`) and the web app (login, logout, the set-password page, every
officer page's session check) call these; the rules are in models.officers.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select

from acara.db import unit_of_work
from acara.links import password_url, read_password_token
from acara.stages.unit import change
from models.clock import utcnow
from models.errors import N_, NotFound
from models.officers import (
    Account,
    LoginFailed,
    OfficerAccount,
    Role,
    account_view,
    add_account,
    check_login,
    close_session,
    count_sessions,
    disable_account,
    find_account,
    link_account,
    live_session,
    new_link_nonce,
    open_session,
    reset_account,
    set_password,
    use_link,
)


@dataclass(frozen=True, slots=True)
class Added:
    """A new account, and its one-time link when no password was given."""

    account: Account
    link: str | None


@dataclass(frozen=True, slots=True)
class Reset:
    """A reset account: the new one-time link (or None: the password was given), sessions ended."""

    account: Account
    link: str | None
    sessions_ended: int


@dataclass(frozen=True, slots=True)
class SignedIn:
    """The officer behind a live session cookie."""

    name: str
    role: Role
    session_key: str  # the stored key of the session (the hash of the cookie's id)


def add(name: str, role: Role, password: str | None, *, actor: str) -> Added:
    """A new officer account; without a password, a one-time link sets it."""
    with change() as (session, _):
        row = add_account(session, name, role, password, actor=actor, now=utcnow())
        link = _link(row) if password is None else None
        return Added(account_view(row), link)


def _link(row: OfficerAccount) -> str:
    assert row.id is not None
    return password_url(row.id, row.link_nonce or new_link_nonce(row))


def accounts() -> list[Account]:
    """Every account, by name, with its count of live sessions."""
    with unit_of_work() as session:
        live = count_sessions(session, utcnow())
        rows = session.exec(select(OfficerAccount).order_by(OfficerAccount.key)).all()
        return [account_view(row, live.get(row.id or 0, 0)) for row in rows]


def account(account_id: int) -> Account:
    """One account by its id, or NotFound."""
    with unit_of_work() as session:
        row = session.get(OfficerAccount, account_id)
        if row is None:
            raise NotFound(N_("No officer account with id {id}."), id=account_id)
        return account_view(row)


def disable(name: str, *, actor: str) -> tuple[Account, int]:
    """The account can no longer log in; its sessions end everywhere."""
    with change() as (session, _):
        row = find_account(session, name)
        ended = disable_account(session, row, actor=actor, now=utcnow())
        return account_view(row), ended


def reset(name: str, password: str | None, *, actor: str) -> Reset:
    """A new password (given) or a new one-time link (the old password stops working now);
    either way the account's sessions end."""
    with change() as (session, _):
        row = find_account(session, name)
        if password is None:
            ended = reset_account(session, row, actor=actor)
            return Reset(account_view(row), _link(row), ended)
        ended = set_password(session, row, password, actor=actor, action="officer.reset")
        return Reset(account_view(row), None, ended)


def link_holder(token: str) -> Account:
    """Whose password a one-time link sets, while it is still good."""
    claim = read_password_token(token)
    with unit_of_work() as session:
        return account_view(link_account(session, claim.officer_id, claim.nonce))


def set_password_by_link(token: str, password: str) -> Account:
    """Set the password through a one-time link; the link then stops working."""
    claim = read_password_token(token)
    with change() as (session, _):
        return account_view(use_link(session, claim.officer_id, claim.nonce, password))


def log_in(name: str, password: str, address: str) -> tuple[str, SignedIn]:
    """The new session's cookie value and who it is; LoginFailed or TooManyAttempts."""
    token = secrets.token_urlsafe(32)
    with change() as (session, _):
        now = utcnow()
        row = check_login(session, name, password, address, now=now)
        opened = open_session(session, row, token, address, now=now) if row else None
    if row is None or opened is None:  # the failure is committed, then refused
        raise LoginFailed(N_("Wrong name or password."))
    return token, SignedIn(row.name, Role(row.role), opened.id)


def signed_in(token: str, now: datetime | None = None) -> SignedIn | None:
    """The officer of a session cookie, if the session is live and the account active."""
    with unit_of_work() as session:
        found = live_session(session, token, now=now or utcnow())
        if found is None:
            return None
        opened, row = found
        return SignedIn(row.name, Role(row.role), opened.id)


def log_out(token: str) -> None:
    """End the session of this cookie."""
    with unit_of_work() as session:
        close_session(session, token)
