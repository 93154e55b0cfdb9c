"""Typed domain facts: one wire name each, and the stored payload turns back into the fact."""

from __future__ import annotations

import json

import pytest

from models.events import (
    WIRE_NAMES,
    ActionItemOverdue,
    DomainFact,
    EventCancelled,
    EventRescheduled,
    InvitationAnswered,
    MinutesApproved,
    from_wire,
)

SAMPLES: list[DomainFact] = [
    kind(event_id=7)  # type: ignore[call-arg]
    for kind in WIRE_NAMES
    if kind not in (InvitationAnswered, ActionItemOverdue, MinutesApproved)
] + [
    EventCancelled(event_id=7, sequence=3, reason="Wali Kota berhalangan hadir"),
    EventRescheduled(
        event_id=7, sequence=2, starts_at="2026-12-14T02:00:00+00:00", ends_at="", via="import"
    ),
    InvitationAnswered(
        event_id=7,
        participant_id=12,
        answer="represent",
        rsvp="represented",
        previous="pending",
        channel="phone",
        representative_id=40,
        promoted_ids=(13, 14),
    ),
    ActionItemOverdue(event_id=7, action_id=3, due_on="2026-12-20"),
    MinutesApproved(event_id=7, minutes_id=2),
]


def test_every_fact_has_its_own_wire_name_in_the_acara_namespace() -> None:
    names = list(WIRE_NAMES.values())
    assert len(set(names)) == len(names)
    assert all(name.startswith("acara.") for name in names)
    assert all(kind.name == name for kind, name in WIRE_NAMES.items())


@pytest.mark.parametrize("fact", SAMPLES, ids=lambda f: type(f).__name__)
def test_a_stored_fact_reads_back_as_the_same_fact(fact: DomainFact) -> None:
    stored = json.loads(json.dumps(fact.payload()))  # as the JSON column keeps it
    assert from_wire(fact.name, stored) == fact
    assert stored["event_id"] == 7  # what prefect.yaml's triggers read


def test_facts_are_frozen() -> None:
    fact = EventCancelled(event_id=1, reason="Banjir")
    with pytest.raises(AttributeError):
        fact.reason = "Hujan"  # type: ignore[misc]
