"""Host organisations as their letters show them: kop, logo, address, city, sender, signatories.

An organisations file (YAML, see examples/organisations.yaml) describes each host under its
key; importing it writes or updates these rows by key, all or nothing. An event names its host
by key and may name one of its signatories; `letterhead` is what every letter, document,
e-mail From and calendar ORGANIZER of the event is built on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import pydantic
from pydantic import (
    BaseModel,
    ConfigDict,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, Session, SQLModel, col, select

from models.errors import N_, InvalidInput, Problem
from models.event import Event
from models.plan import Text, normalise_email, problems_from

KEY = re.compile(r"^[a-z0-9][a-z0-9\-_.]*$")
LOGO_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}


class Organisation(SQLModel, table=True):
    """A host or guest institution (Pemkot Tangerang Selatan, Ombudsman RI Perwakilan Banten).

    A host has a key and its letterhead (from an organisations file); a guest named only in an
    event file has a name and nothing else."""

    id: int | None = Field(default=None, primary_key=True)
    # How files name it ("kota-tangerang-selatan"); None: a guest named only in an event file.
    key: str | None = Field(default=None, unique=True, index=True, max_length=80)
    name: str = Field(unique=True, max_length=300)  # official name as written on letters
    kop_lines: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    logo: str = Field(default="", max_length=500)  # absolute path of the logo image, or ""
    address: str = Field(default="", max_length=500)
    phone: str = Field(default="", max_length=80)
    website: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=320)  # the office's public address (on the kop)
    city: str = Field(default="", max_length=120)  # of the date line: "Tangerang Selatan, ..."
    sender_name: str = Field(default="", max_length=300)  # From name of its messages
    sender_email: str = Field(default="", max_length=320)  # From mailbox, calendar ORGANIZER
    default_signatory: str = Field(default="", max_length=80)  # key of a Signatory


class Signatory(SQLModel, table=True):
    """Someone who signs an organisation's letters: jabatan, name with titles, pangkat, NIP."""

    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    organisation_id: int = Field(foreign_key="organisation.id", index=True, ondelete="CASCADE")
    key: str = Field(max_length=80)  # "sekda", named by an event file's `signatory:`
    position: str = Field(max_length=300)  # jabatan: "Sekretaris Daerah"
    name: str = Field(max_length=300)  # with titles: "Dr. H. Ahmad Fauzi, S.Sos., M.Si."
    rank: str = Field(default="", max_length=120)  # pangkat/golongan: "Pembina Utama Madya (IV/d)"
    nip: str = Field(default="", max_length=18)  # 18 digits


# --- what letters are built on ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Signer:
    """The signature block of a letter."""

    position: str  # jabatan
    name: str  # with titles
    rank: str  # pangkat/golongan ("" when not given)
    nip: str  # 18 digits ("" when not given)


@dataclass(frozen=True, slots=True)
class Letterhead:
    """Who an event's letters come from: the kop, the sender, the city and the signatory."""

    name: str  # the organisation's name: "Pemerintah Kota Tangerang Selatan"
    kop_lines: tuple[str, ...]  # ("PEMERINTAH KOTA TANGERANG SELATAN", "SEKRETARIAT DAERAH")
    logo: Path | None  # an image WeasyPrint renders (SVG, PNG, JPEG); None: no logo
    address: str
    phone: str
    website: str
    email: str  # the office's public address, printed on the kop
    city: str  # "Tangerang Selatan": the letter's "<city>, 2 Desember 2026"
    sender_name: str  # the From name of e-mails
    sender_email: str  # the From mailbox and calendar ORGANIZER; replies arrive there
    signatory: Signer


def letterhead(session: Session, event: Event, fallback: Letterhead | None = None) -> Letterhead:
    """The letterhead of an event (an Event row): its host's, signed by the event's signatory
    or the host's default one. An event without a host gets `fallback` (the office's own
    settings, see acara.settings.office_letterhead); without one, InvalidInput naming `host`."""
    org = session.get(Organisation, event.host_id) if event.host_id else None
    if org is None or org.key is None:
        if fallback is None:
            raise InvalidInput(
                [
                    Problem(
                        "host",
                        N_("event {event!r} names no host organisation for its letters"),
                        {"event": event.code},
                    )
                ]
            )
        return fallback
    return organisation_letterhead(session, org, event.signatory)


def organisation_letterhead(
    session: Session, org: Organisation, signatory: str | None = None
) -> Letterhead:
    """An organisation's letterhead, signed by the signatory with that key or its default."""
    signer = session.exec(
        select(Signatory).where(
            Signatory.organisation_id == org.id,
            Signatory.key == (signatory or org.default_signatory),
        )
    ).first()
    logo = Path(org.logo) if org.logo else None
    return Letterhead(
        name=org.name,
        kop_lines=tuple(org.kop_lines) or (org.name.upper(),),
        logo=logo if logo is not None and logo.is_file() else None,
        address=org.address,
        phone=org.phone,
        website=org.website,
        email=org.email,
        city=org.city,
        sender_name=org.sender_name or org.name,
        sender_email=org.sender_email,
        signatory=Signer(signer.position, signer.name, signer.rank, signer.nip)
        if signer
        else Signer("", "", "", ""),
    )


# --- the organisations file --------------------------------------------------------------------


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class SignatorySpec(_Spec):
    """One signatory as written in the file."""

    position: Text = pydantic.Field(min_length=1, max_length=300)
    name: Text = pydantic.Field(min_length=1, max_length=300)
    rank: Text = pydantic.Field(default="", max_length=120)
    nip: Text = pydantic.Field(default="")

    @field_validator("nip", mode="before")
    @classmethod
    def _nip(cls, value: Any) -> str:
        text = "".join(str(value or "").split())
        if text and not re.fullmatch(r"\d{18}", text):
            raise ValueError(N_("a NIP has 18 digits"))
        return text


Key = Annotated[str, pydantic.Field(pattern=KEY.pattern, max_length=80)]


class OrganisationSpec(_Spec):
    """One host organisation as written in the file, under its key."""

    name: Text = pydantic.Field(min_length=1, max_length=300)
    kop: list[Text] = pydantic.Field(min_length=1)  # the kop's lines, top to bottom
    logo: Text = ""  # an image file, relative to the organisations file
    address: Text = pydantic.Field(default="", max_length=500)
    phone: Text = pydantic.Field(default="", max_length=80)
    website: Text = pydantic.Field(default="", max_length=200)
    email: Text = ""
    city: Text = pydantic.Field(min_length=1, max_length=120)
    sender_name: Text = pydantic.Field(min_length=1, max_length=300)
    sender_email: Text
    signatories: dict[Key, SignatorySpec] = pydantic.Field(min_length=1)
    default_signatory: Key

    @field_validator("email", "sender_email")
    @classmethod
    def _email(cls, value: str) -> str:
        return normalise_email(value) if value else value

    @field_validator("logo")
    @classmethod
    def _logo_file(cls, value: str, info: ValidationInfo) -> str:
        # Resolved against the folder of the file that names it, and stored as a full path.
        if not value:
            return value
        if Path(value).suffix.lower() not in LOGO_TYPES:
            raise ValueError(f"a logo is an image file: {', '.join(sorted(LOGO_TYPES))}")
        logo = (info.context["folder"] / value).resolve()
        if not logo.is_file():
            raise ValueError(f"no image file {logo}")
        return str(logo)

    @field_validator("default_signatory")
    @classmethod
    def _default_is_a_signatory(cls, value: str, info: ValidationInfo) -> str:
        signatories = info.data.get("signatories")  # absent when they are wrong themselves
        if signatories is not None and value not in signatories:
            raise ValueError(f"{value!r} is not one of its signatories ({', '.join(signatories)})")
        return value


class OrganisationsFile(_Spec):
    """An organisations file: every host under its key."""

    organisations: dict[Key, OrganisationSpec] = pydantic.Field(min_length=1)


def parse_organisations(data: Any, source: str, folder: Path) -> OrganisationsFile:
    """Validate a loaded organisations file (logos are looked up in `folder`); every problem is
    reported at once, each naming its key path (organisations.KEY.signatories.KEY.nip)."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem(source, N_("expected a mapping of fields at the top level"))])
    try:
        return OrganisationsFile.model_validate(data, context={"folder": folder})
    except ValidationError as exc:
        raise InvalidInput(
            problems_from(exc, model=OrganisationsFile),
            heading=N_("{source} is not valid"),
            source=source,
        ) from None


@dataclass(frozen=True, slots=True)
class OrganisationsImported:
    """What importing an organisations file did."""

    created: tuple[str, ...]  # keys
    updated: tuple[str, ...]


def import_organisations(session: Session, parsed: OrganisationsFile) -> OrganisationsImported:
    """Write every organisation of the file, updating those with the same key (or, for a guest
    first named in an event file, the same name). A signatory an event still names cannot be
    dropped from the file; nothing is written when any problem is found."""
    created, updated, problems = [], [], []
    for key, spec in parsed.organisations.items():
        org = session.exec(select(Organisation).where(Organisation.key == key)).first()
        same_name = session.exec(select(Organisation).where(Organisation.name == spec.name)).first()
        if same_name is not None and same_name is not org:
            if org is None and same_name.key is None:
                org = same_name  # a guest named in an event file becomes a host
            else:
                problems.append(
                    Problem(
                        f"organisations.{key}.name",
                        N_("{name!r} is already the name of organisation {other!r}"),
                        {"name": spec.name, "other": same_name.key or same_name.name},
                    )
                )
                continue
        (updated if org is not None else created).append(key)
        org = org or Organisation(key=key, name=spec.name)
        org.key, org.name = key, spec.name
        org.kop_lines = list(spec.kop)
        org.logo = spec.logo
        org.address, org.phone, org.website, org.email = (
            spec.address,
            spec.phone,
            spec.website,
            spec.email,
        )
        org.city, org.sender_name, org.sender_email = spec.city, spec.sender_name, spec.sender_email
        org.default_signatory = spec.default_signatory
        session.add(org)
        session.flush()
        existing = {
            s.key: s
            for s in session.exec(select(Signatory).where(Signatory.organisation_id == org.id))
        }
        for skey, sspec in spec.signatories.items():
            row = existing.pop(skey, None) or Signatory(
                organisation_id=org.id, key=skey, position="", name=""
            )
            row.position, row.name, row.rank, row.nip = (
                sspec.position,
                sspec.name,
                sspec.rank,
                sspec.nip,
            )
            session.add(row)
        for gone in existing.values():
            using = session.exec(
                select(Event.code)
                .where(Event.host_id == org.id, Event.signatory == gone.key)
                .order_by(col(Event.code))
            ).all()
            if using:
                problems.append(
                    Problem(
                        f"organisations.{key}.signatories",
                        N_("{signatory!r} signs the letters of {events}: keep it in the file"),
                        {"signatory": gone.key, "events": ", ".join(using)},
                    )
                )
            else:
                session.delete(gone)
    if problems:
        raise InvalidInput(problems, heading=N_("Nothing imported; fix these organisations"))
    session.flush()
    return OrganisationsImported(tuple(created), tuple(updated))


def host_of(
    session: Session, host: str | None, signatory: str | None
) -> tuple[int | None, str | None]:
    """(organisation id, signatory key) an event file names (`host:` key, `signatory:` key);
    InvalidInput naming the field when either is unknown. No signatory: the default one."""
    if not host:
        if signatory:
            raise InvalidInput(
                [Problem("signatory", N_("a signatory needs a host organisation (host:)"))],
                heading=N_("The event file is not valid"),
            )
        return None, None
    org = session.exec(select(Organisation).where(Organisation.key == host)).first()
    if org is None:
        known = session.exec(
            select(Organisation.key)
            .where(col(Organisation.key).is_not(None))
            .order_by(col(Organisation.key))
        ).all()
        raise InvalidInput(
            [
                Problem(
                    "host",
                    N_(
                        "no organisation {host!r}; known: {known}. "
                        "`acara organisations import FILE` adds organisations"
                    ),
                    {"host": host, "known": ", ".join(k for k in known if k) or "-"},
                )
            ],
            heading=N_("The event file is not valid"),
        )
    wanted = signatory or org.default_signatory
    signer = session.exec(
        select(Signatory).where(Signatory.organisation_id == org.id, Signatory.key == wanted)
    ).first()
    if signer is None:
        keys = session.exec(
            select(Signatory.key)
            .where(Signatory.organisation_id == org.id)
            .order_by(col(Signatory.key))
        ).all()
        raise InvalidInput(
            [
                Problem(
                    "signatory",
                    N_("{host!r} has no signatory {signatory!r}; known: {known}"),
                    {"host": host, "signatory": wanted, "known": ", ".join(keys) or "-"},
                )
            ],
            heading=N_("The event file is not valid"),
        )
    return org.id, signatory


def hosts(session: Session) -> list[tuple[Organisation, list[Signatory]]]:
    """Every host organisation (those with a key) with its signatories, by key."""
    orgs = session.exec(
        select(Organisation)
        .where(col(Organisation.key).is_not(None))
        .order_by(col(Organisation.key))
    ).all()
    return [
        (
            org,
            list(
                session.exec(
                    select(Signatory)
                    .where(Signatory.organisation_id == org.id)
                    .order_by(col(Signatory.key))
                )
            ),
        )
        for org in orgs
    ]
