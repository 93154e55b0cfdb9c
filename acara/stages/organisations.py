"""Host organisations come in from a file (kop, logo, sender, signatories) and are listed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from acara.db import unit_of_work
from acara.stages.unit import change
from acara.userfiles import load_yaml
from models.audit import record
from models.organisations import (
    Organisation,
    OrganisationsImported,
    Signatory,
    hosts,
    import_organisations,
    parse_organisations,
)


def import_file(path: Path, *, actor: str) -> OrganisationsImported:
    """Create or update (by key) every organisation of an organisations file, all or nothing."""
    parsed = parse_organisations(load_yaml(path), path.name, path.resolve().parent)
    with change() as (session, _):
        result = import_organisations(session, parsed)
        record(
            session,
            actor=actor,
            action="organisations import",
            event_id=None,
            detail={"file": path.name, "created": result.created, "updated": result.updated},
        )
    return result


@dataclass(frozen=True, slots=True)
class Host:
    """A host organisation with its signatories, as `acara organisations list` shows it."""

    organisation: Organisation
    signatories: list[Signatory]


def all_hosts() -> list[Host]:
    """Every host organisation, by key."""
    with unit_of_work() as session:
        return [Host(org, signers) for org, signers in hosts(session)]
