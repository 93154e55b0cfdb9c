"""prefect.yaml, the one declaration of what runs when, as `acara serve` builds it."""

from __future__ import annotations

from typing import Any

import pytest

from acara.service import build_deployments, declared_deployments, load_flow
from acara.stages.reactions import REACTIONS

EXPECTED = {
    "send-invitations": ["acara.event.announced"],
    "send-updates": ["acara.event.rescheduled"],
    "cancel-event": ["acara.event.cancelled"],
    "follow-up": ["acara.event.held", "acara.minutes.approved"],
}


@pytest.fixture(scope="module")
def deployments() -> dict[str, Any]:
    built, missing = build_deployments()
    assert [d.name for d in missing] == []  # every declared flow exists
    return {d.name: d for d in built}


def test_each_lifecycle_fact_triggers_its_stage_flow(deployments: dict[str, Any]) -> None:
    for name, facts in EXPECTED.items():
        (trigger,) = deployments[name].triggers
        assert sorted(trigger.expect) == sorted(facts)
        assert trigger.match.model_dump() == {"prefect.resource.id": "acara.event.*"}
        # The event's id reaches the flow as an int, not the string Jinja renders.
        assert trigger.parameters["event_id"] == {
            "__prefect_kind": "json",
            "value": {"__prefect_kind": "jinja", "template": "{{ event.payload.event_id }}"},
        }
    # An update knows which change started it: a run for a replaced change ends quietly.
    (moved,) = deployments["send-updates"].triggers
    assert moved.parameters["sequence"]["value"]["template"] == "{{ event.payload.sequence }}"


def test_the_sweeps_run_on_jakarta_time(deployments: dict[str, Any]) -> None:
    (reminders,) = deployments["reminder-sweep"].schedules
    (follow_up,) = deployments["follow-up-sweep"].schedules
    assert (reminders.schedule.cron, reminders.schedule.timezone) == (
        "*/15 * * * *",
        "Asia/Jakarta",
    )
    assert (follow_up.schedule.cron, follow_up.schedule.timezone) == ("0 7 * * *", "Asia/Jakarta")


def test_every_deployment_has_a_typed_form_for_the_prefect_ui(
    deployments: dict[str, Any],
) -> None:
    for name, deployment in deployments.items():
        properties = deployment._parameter_openapi_schema.properties
        assert deployment.description, name
        if name in EXPECTED:
            assert properties["event_id"]["type"] == "integer", name


def test_every_parameter_has_a_description_in_the_run_form(deployments: dict[str, Any]) -> None:
    for name, deployment in deployments.items():
        properties = deployment._parameter_openapi_schema.properties
        for parameter, schema in properties.items():
            assert len(schema.get("description", "")) > 20, (name, parameter)


def test_every_work_pool_run_sends_heartbeats_that_the_crash_automation_watches() -> None:
    from acara.service import HEARTBEAT_SECONDS, MISSED_HEARTBEATS, TAG, crash_automation

    automation = crash_automation(HEARTBEAT_SECONDS)
    assert automation.trigger.within.total_seconds() == MISSED_HEARTBEATS * HEARTBEAT_SECONDS
    assert automation.trigger.within.total_seconds() + 30 <= 180  # CRASHED within 3 minutes
    assert "prefect.flow-run.Completed" in automation.trigger.expect
    assert automation.actions[0].force is False  # a finished run is never re-marked
    for declared in declared_deployments():
        env = declared.spec["work_pool"]["job_variables"]["env"]
        assert env["PREFECT_FLOWS_HEARTBEAT_FREQUENCY"] == str(HEARTBEAT_SECONDS)
        assert TAG in declared.spec["tags"], declared.name


def test_every_flow_run_for_an_event_is_named_after_it() -> None:
    for declared in declared_deployments():
        flow = load_flow(declared)
        if "event_id" in flow.parameters.properties:
            assert flow.flow_run_name is not None, declared.name


def test_the_reaction_table_and_the_triggers_of_prefect_yaml_say_the_same(
    deployments: dict[str, Any],
) -> None:
    triggered = {
        (fact, name)
        for name, deployment in deployments.items()
        for trigger in deployment.triggers or []
        for fact in trigger.expect
    }
    assert triggered == {(kind.name, reaction.deployment) for kind, reaction in REACTIONS.items()}
