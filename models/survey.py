"""The feedback survey after an event: its questions, one answer per participant, a summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import UniqueConstraint
from sqlmodel import Field as SQLField
from sqlmodel import Session, SQLModel, col, func, select

from models.audit import record
from models.clock import UTCDateTime, require_aware
from models.errors import N_, InvalidInput
from models.event import Event
from models.people import Participant
from models.plan import problems_from


@dataclass(frozen=True, slots=True)
class Question:
    """A rating question (1 to 5); its text is English, translated where it is shown."""

    key: str
    text: str


# The rating questions, in the order they are asked; each is a column of SurveyResponse.
QUESTIONS: tuple[Question, ...] = (
    Question(
        "overall",
        "Overall, how satisfied are you with this event?",
    ),
    Question(
        "content",
        "How useful were the presentations and discussion for your work?",
    ),
    Question(
        "organisation",
        "How well was the event organised (invitation, schedule, reception)?",
    ),
)
RATING_KEYS = tuple(q.key for q in QUESTIONS)


class SurveyResponse(SQLModel, table=True):
    """One participant's feedback on one event; answering again replaces it."""

    __table_args__ = (UniqueConstraint("participant_id", name="uq_surveyresponse_participant"),)

    id: int | None = SQLField(default=None, primary_key=True)
    event_id: int = SQLField(foreign_key="event.id", index=True, ondelete="CASCADE")
    participant_id: int = SQLField(foreign_key="participant.id", ondelete="CASCADE")
    overall: int  # 1 (poor) to 5 (excellent)
    content: int
    organisation: int
    comment: str = ""  # free text: suggestions for next time
    submitted_at: datetime = SQLField(sa_type=UTCDateTime)


class SurveyAnswers(BaseModel):
    """A submitted form, validated: each rating 1 to 5, a comment of reasonable length."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    overall: int = Field(ge=1, le=5)
    content: int = Field(ge=1, le=5)
    organisation: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=4000)

    @field_validator(*RATING_KEYS, mode="before")
    @classmethod
    def _rating(cls, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            raise ValueError(N_("please choose a rating from 1 to 5"))
        return value


def parse_answers(data: dict[str, Any]) -> SurveyAnswers:
    """Validate a submitted form; every problem names its question."""
    try:
        return SurveyAnswers.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(problems_from(exc), heading=N_("The survey is not complete")) from None


def submit(
    session: Session, participant: Participant, answers: SurveyAnswers, *, now: datetime
) -> tuple[SurveyResponse, bool]:
    """Store a participant's answers; returns the row and whether it replaced an earlier one."""
    require_aware(now, "now")
    row = session.exec(
        select(SurveyResponse).where(SurveyResponse.participant_id == participant.id)
    ).first()
    replaced = row is not None
    if row is None:
        assert participant.id is not None
        row = SurveyResponse(
            event_id=participant.event_id,
            participant_id=participant.id,
            overall=answers.overall,
            content=answers.content,
            organisation=answers.organisation,
            submitted_at=now,
        )
    row.overall, row.content = answers.overall, answers.content
    row.organisation, row.comment = answers.organisation, answers.comment
    row.submitted_at = now
    session.add(row)
    record(
        session,
        actor=f"participant:{participant.id}",
        action="survey.answered",
        event_id=participant.event_id,
        detail={"replaced": replaced},
    )
    session.flush()
    return row, replaced


def answer_of(session: Session, participant_id: int) -> SurveyResponse | None:
    """A participant's stored answers, if any (to pre-fill the form)."""
    return session.exec(
        select(SurveyResponse).where(SurveyResponse.participant_id == participant_id)
    ).first()


@dataclass(frozen=True, slots=True)
class SurveySummary:
    """What the answers say: how many, the average and spread per question, the comments."""

    responses: int
    invited: int  # survey invitations queued for the event
    averages: dict[str, float] = field(default_factory=dict)
    counts: dict[str, dict[int, int]] = field(default_factory=dict)  # question -> rating -> n
    comments: list[str] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        """Share of invited participants who answered."""
        return self.responses / self.invited if self.invited else None


def summarise(session: Session, event: Event) -> SurveySummary:
    """The survey of one event in numbers."""
    from models.outbox import Message  # the outbox records who was invited

    rows = session.exec(select(SurveyResponse).where(SurveyResponse.event_id == event.id)).all()
    invited = session.exec(
        select(func.count())
        .select_from(Message)
        .where(Message.event_id == event.id, col(Message.purpose) == "survey")
    ).one()
    averages: dict[str, float] = {}
    counts: dict[str, dict[int, int]] = {}
    for key in RATING_KEYS:
        values = [getattr(r, key) for r in rows]
        counts[key] = {n: values.count(n) for n in range(1, 6)}
        if values:
            averages[key] = round(sum(values) / len(values), 2)
    comments = [r.comment for r in sorted(rows, key=lambda r: r.submitted_at) if r.comment]
    return SurveySummary(len(rows), int(invited), averages, counts, comments)
