"""The administrator's page of officer accounts: add (with a one-time link), reset, disable."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from acara.stages import officers as stage
from acara.web.deps import AdminDep
from acara.web.pages import render
from models.officers import Role

router = APIRouter()


def _page(request: Request, link: dict[str, str] | None = None, done: str = "") -> HTMLResponse:
    context = {"accounts": stage.accounts(), "roles": [r.value for r in Role], "link": link}
    return render(request, "officers.html", context | {"done": done})


@router.get("/officers", response_class=HTMLResponse)
def officer_list(request: Request, officer: AdminDep, done: str = "") -> HTMLResponse:
    """Every account with its role, state and open sessions."""
    return _page(request, done=done if done in {"disabled"} else "")


@router.post("/officers", response_class=HTMLResponse)
def officer_add(
    request: Request,
    officer: AdminDep,
    name: Annotated[str, Form()],
    role: Annotated[Role, Form()],
) -> HTMLResponse:
    """A new account; the page shows its one-time link once, to hand to the officer."""
    request.state.back_url = "/officers"
    added = stage.add(name, role, None, actor=officer.actor)
    return _page(request, link={"name": added.account.name, "url": added.link or ""})


@router.post("/officers/{account_id}/reset", response_class=HTMLResponse)
def officer_reset(request: Request, account_id: int, officer: AdminDep) -> HTMLResponse:
    """A new one-time link; the old password stops working and the sessions end."""
    done = stage.reset(_name(account_id), None, actor=officer.actor)
    return _page(request, link={"name": done.account.name, "url": done.link or ""})


@router.post("/officers/{account_id}/disable")
def officer_disable(request: Request, account_id: int, officer: AdminDep) -> RedirectResponse:
    """The account can no longer log in; its sessions end everywhere."""
    stage.disable(_name(account_id), actor=officer.actor)
    return RedirectResponse("/officers?done=disabled", status_code=303)


def _name(account_id: int) -> str:
    return stage.account(account_id).name
