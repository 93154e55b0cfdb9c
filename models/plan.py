"""The shape of an event file and of a participant row, validated field by field."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from typing import Annotated, Any, get_args

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from models.errors import N_, InvalidInput, Problem
from models.event import DEFAULT_REMINDER_OFFSETS, EventKind
from models.names import split_name
from models.people import Language, Role, Via


def _strip(value: Any) -> Any:
    # Control characters in a name or title would end up in mail headers and ICS lines.
    if isinstance(value, str):
        return " ".join("".join(c if c.isprintable() else " " for c in value).split())
    return value


def _optional_str(value: Any) -> Any:
    value = _strip(value)
    if isinstance(value, int | float):
        return str(value)
    return value or None


Text = Annotated[str, BeforeValidator(_strip)]
OptionalText = Annotated[str | None, BeforeValidator(_optional_str)]


def normalise_email(value: str) -> str:
    """A syntactically valid address in lower case, or ValueError with the reason."""
    try:
        checked = validate_email(str(value).strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(f"not a valid e-mail address ({exc})") from None
    return checked.normalized.lower()


def normalise_phone(value: str) -> str:
    """A phone number in E.164 (+6281280000000), read as Indonesian unless it names its
    country (0812 8000 0000, +62 812-8000-0000, 62.812.8000.0000); ValueError saying why not."""
    text = str(value).strip()
    try:
        number = phonenumbers.parse(text, "ID")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValueError(
            N_("not a phone number; write it like 0812 3456 7890 or +62 812 3456 7890")
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def is_mobile(phone: str) -> bool:
    """Whether an E.164 number is a mobile one (it can receive a chat)."""
    if not phone:
        return False
    kind = phonenumbers.number_type(phonenumbers.parse(phone))
    return kind in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )


def reach(email: str | None, phone: str, via: Via | None) -> Via:
    """How someone is reached: e-mail when they have an address; otherwise what the list
    asked for, by default a printed letter, plus a chat when their phone is a mobile."""
    if email:
        return Via.EMAIL
    if via is not None and via is not Via.EMAIL:
        return via
    return Via.LETTER_AND_CHAT if is_mobile(phone) else Via.LETTER


_CLOCK = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def _parse_clock(value: Any) -> Any:
    # Officers write 09:30 or 09.30 (Indonesian style). A number must never get here: pydantic
    # would read 9.3 as nine seconds past midnight, so anything but text is refused.
    if isinstance(value, time) and value.tzinfo is None:
        return value
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"{value!r} is not a time like 09:30 (local time of the event, without a zone)"
        )
    return time(int(match[1]), int(match[2]))


Clock = Annotated[time, BeforeValidator(_parse_clock)]


# Names Windows keeps for devices: a folder called CON or nul.txt cannot be copied there.
_DEVICE_NAMES = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$", re.IGNORECASE)


def safe_file_name(code: str) -> str:
    """An event code that is safe as a folder name, or ValueError saying why not."""
    if code.strip(".") == "":
        raise ValueError(f"{code!r} is reserved (it names a folder, not an event)")
    if code.startswith((".", "-")):
        raise ValueError(N_("must not begin with '.' or '-'; begin with a letter or digit"))
    if _DEVICE_NAMES.match(code):
        raise ValueError(f"{code!r} is a name Windows reserves for a device")
    if not re.fullmatch(r"[\w.\-]+", code) or "/" in code or "\\" in code:
        raise ValueError(N_("use only letters, digits, '.', '-' and '_'"))
    return code


class Spec(BaseModel):
    """Common settings: unknown keys are mistakes, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


TITLE_LENGTH = 500  # the title and subject columns (models.event)


def _texts(value: Any) -> Any:
    # A plain string is the office's own text; a mapping gives it per language.
    return {"id": value} if isinstance(value, str) else value


class Texts(Spec):
    """A text in the office's language (`id`) and, for foreign guests, in English (`en`):
    `title: {id: ..., en: ...}`; a plain string is `id` alone."""

    id: Text = ""
    en: Text | None = None

    @field_validator("en")
    @classmethod
    def _not_empty(cls, value: str | None) -> str | None:
        if value is not None and not value:
            raise ValueError(N_("empty: write the English text or leave `en` out"))
        return value

    def limited(self, *, required: bool = False) -> Texts:
        """These texts when they fit a title's 500 characters (and `id` is given if `required`)."""
        if required and not self.id:
            raise ValueError(N_("missing value: give the text in Indonesian (`id`)"))
        if any(len(value or "") > TITLE_LENGTH for value in (self.id, self.en)):
            raise ValueError(N_("too long: at most 500 characters"))
        return self

    def others(self) -> dict[str, str]:
        """The texts in other languages than the office's own, by language."""
        return {"en": self.en} if self.en else {}


Translatable = Annotated[Texts, BeforeValidator(_texts)]


def translations(**fields: Texts | None) -> dict[str, dict[str, str]]:
    """What a Translated row stores (models.event): {language: {field: text}}."""
    out: dict[str, dict[str, str]] = {}
    for name, texts in fields.items():
        for language, value in (texts.others() if texts else {}).items():
            out.setdefault(language, {})[name] = value
    return out


class RoomSpec(Spec):
    name: Text = Field(min_length=1, max_length=300)
    capacity: int | None = Field(default=None, ge=1)


class VenueSpec(Spec):
    name: Text = Field(min_length=1, max_length=300)
    address: Text = Field(default="", max_length=500)
    rooms: list[RoomSpec] = []


class GroupSpec(Spec):
    name: Text = Field(min_length=1, max_length=200)
    venue: OptionalText = None


class SessionSpec(Spec):
    title: Translatable
    start: Clock
    end: Clock
    venue: OptionalText = None  # defaults to the group's venue, or the event's only venue
    room: OptionalText = None
    group: OptionalText = None  # None: everyone (plenary)
    speakers: list[Text] = []
    moderator: OptionalText = Field(default=None, max_length=300)
    description: Translatable = Texts()

    @field_validator("title")
    @classmethod
    def _title(cls, value: Texts) -> Texts:
        return value.limited(required=True)


class DaySpec(Spec):
    date: date
    sessions: list[SessionSpec] = Field(min_length=1)


# Indonesian words officers put in the role and language columns, mapped to stored values.
_ALIASES = {
    "tuan_rumah": Role.HOST_OFFICIAL.value,
    "pejabat": Role.HOST_OFFICIAL.value,
    "tamu": Role.GUEST.value,
    "peserta": Role.GUEST.value,
    "narasumber": Role.SPEAKER.value,
    "pembicara": Role.SPEAKER.value,
    "notulis": Role.MINUTE_TAKER.value,
    "notulen": Role.MINUTE_TAKER.value,
    "wartawan": Role.MEDIA.value,
    "pers": Role.MEDIA.value,
    "masyarakat": Role.COMMUNITY.value,
    "perwakilan_masyarakat": Role.COMMUNITY.value,
    "asn": Role.STAFF.value,
    "pegawai": Role.STAFF.value,
    "indonesia": Language.ID.value,
    "bahasa_indonesia": Language.ID.value,
    "inggris": Language.EN.value,
    "bahasa_inggris": Language.EN.value,
    "english": Language.EN.value,
}
# What officers write in the channel column ("surat", "wa", "surat+wa").
_VIA = {
    "email": Via.EMAIL,
    "e-mail": Via.EMAIL,
    "surel": Via.EMAIL,
    "surat": Via.LETTER,
    "letter": Via.LETTER,
    "wa": Via.CHAT,
    "whatsapp": Via.CHAT,
    "chat": Via.CHAT,
    "surat+wa": Via.LETTER_AND_CHAT,
    "wa+surat": Via.LETTER_AND_CHAT,
    "letter+chat": Via.LETTER_AND_CHAT,
    "chat+letter": Via.LETTER_AND_CHAT,
}


class ParticipantSpec(Spec):
    """One participant as written in an event file or a row of a list."""

    name: Text = Field(min_length=1, max_length=300)  # may carry titles: "Prof. Dr. X, M.Si."
    email: str | None = None  # lower-case; None: reached by letter or chat
    salutation: Text = Field(default="", max_length=20)
    position: Text = Field(default="", max_length=300)
    organisation: Text = Field(default="", max_length=300)
    phone: Text = Field(default="", max_length=40)  # E.164 once read
    address: Text = Field(default="", max_length=500)  # postal address (alamat)
    via: Via | None = None  # surat, wa, surat+wa; None: e-mail, else letter (+ chat on a mobile)
    language: Language = Language.ID
    role: Role = Role.GUEST
    group: OptionalText = None

    @field_validator("name")
    @classmethod
    def _titles_fit(cls, value: str) -> str:
        # Titles are stored apart from the name, in columns of 100 characters each.
        parts = split_name(value)
        if len(parts.title_prefix) > 100 or len(parts.title_suffix) > 100:
            raise ValueError(
                N_("too many titles: at most 100 characters before and after the name")
            )
        return value

    @field_validator("email", mode="before")
    @classmethod
    def _email(cls, value: Any) -> str | None:
        if value is None or not str(value).strip():
            return None
        return normalise_email(value)

    @field_validator("phone", mode="before")
    @classmethod
    def _phone(cls, value: Any) -> str:
        if value is None or not str(value).strip():
            return ""
        return normalise_phone(str(value))

    @field_validator("via", mode="before")
    @classmethod
    def _via(cls, value: Any) -> Via | None:
        if value is None or isinstance(value, Via):
            return value
        key = "".join(str(value).lower().split()).replace("/", "+")
        if not key:
            return None
        if key not in _VIA:
            raise ValueError(N_("not a channel; write surat, wa or surat+wa"))
        return _VIA[key]

    @model_validator(mode="after")
    def _reachable(self) -> ParticipantSpec:
        if not (self.email or self.phone or self.address):
            raise ValueError(
                N_("no e-mail address, phone number or postal address: nobody could reach them")
            )
        if self.via in (Via.CHAT, Via.LETTER_AND_CHAT) and not is_mobile(self.phone):
            raise ValueError(N_("a chat (wa) needs a mobile phone number"))
        return self

    @property
    def reached_by(self) -> Via:
        """How this participant is reached (see `reach`)."""
        return reach(self.email, self.phone, self.via)

    @field_validator("language", "role", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        key = value.strip().lower().replace(" ", "_").replace("-", "_")
        return _ALIASES.get(key, key)


class EventSpec(Spec):
    """An event file: everything needed to create or update one event."""

    code: Text = Field(min_length=1, max_length=120, pattern=r"^[\w.\-]+$")
    kind: EventKind
    title: Translatable
    series: OptionalText = Field(default=None, max_length=200)
    number: OptionalText = Field(default=None, max_length=40)
    timezone: Text = "WIB"
    start: datetime  # local time in `timezone` unless it carries its own offset
    end: datetime
    host: OptionalText = Field(default=None, max_length=80)  # an organisation's key
    signatory: OptionalText = Field(default=None, max_length=80)  # default: the host's
    guest: OptionalText = Field(default=None, max_length=300)
    letter_number: OptionalText = Field(default=None, max_length=120)
    subject: Translatable | None = None
    sifat: Text = Field(default="", max_length=60)  # of the letter: Biasa, Penting, Segera
    lampiran: Text = Field(default="", max_length=200)  # enclosures: "1 (satu) berkas"
    tembusan: list[Text] = Field(default=[], max_length=20)  # copies to, one line each
    description: Translatable = Texts()
    capacity: int | None = Field(default=None, ge=1)
    reminders: Text = DEFAULT_REMINDER_OFFSETS
    venues: list[VenueSpec] = []
    groups: list[GroupSpec] = []
    agenda: list[DaySpec] = []
    participants: list[ParticipantSpec] = []
    participants_file: OptionalText = None

    @field_validator("title")
    @classmethod
    def _title(cls, value: Texts) -> Texts:
        return value.limited(required=True)

    @field_validator("subject")
    @classmethod
    def _subject(cls, value: Texts | None) -> Texts | None:
        # An empty subject is no subject: the letter falls back on the title.
        return value.limited() if value and value.id else None

    @field_validator("code")
    @classmethod
    def _code_is_a_safe_file_name(cls, value: str) -> str:
        # The code names the event's folder of documents: it must be one plain file name.
        return safe_file_name(value)


def _where(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The spec class that holds the last key of `loc` (to list its known keys)."""
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        if field is None:
            return None
        inner = next(iter(get_args(field.annotation)), field.annotation)
        if not (isinstance(inner, type) and issubclass(inner, BaseModel)):
            return None
        model = inner
    return model


def _message(item: Any, model: type[BaseModel] | None) -> tuple[str, dict[str, Any]]:
    """Why pydantic refused a value, as a catalog template and its params: the officer reads
    it in their language. A validator's own ValueError carries an N_ template already."""
    kind, context = item["type"], item.get("ctx") or {}
    if kind == "missing":
        return N_("missing value"), {}
    if kind == "extra_forbidden":
        holder = _model_at(model, tuple(item["loc"])) if model else None
        if holder is None:
            return N_("unknown key"), {}
        return N_("unknown key; known keys: {known}"), {"known": ", ".join(holder.model_fields)}
    if kind == "string_too_short":
        return N_("at least {count} characters"), {"count": context.get("min_length")}
    if kind == "string_too_long":
        return N_("at most {count} characters"), {"count": context.get("max_length")}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return N_("not a whole number"), {}
    return str(item["msg"]).removeprefix("Value error, "), {}


def problems_from(
    error: ValidationError,
    prefix: str = "",
    model: type[BaseModel] | None = None,
    whole: str | None = None,
) -> list[Problem]:
    """Every pydantic complaint as a Problem naming its field path; one about the record as
    a whole names `whole` ("row 12"), else the prefix."""
    problems = []
    for item in error.errors():
        where = _where(tuple(item["loc"]))
        template, params = _message(item, model)
        at = f"{prefix}{where}" if where else (whole or prefix.rstrip(": "))
        problems.append(Problem(at, template, params))
    return problems


def parse_event_spec(data: Any, source: str = "event file") -> EventSpec:
    """Validate a loaded event file; every problem is reported at once."""
    if not isinstance(data, dict):
        raise InvalidInput([Problem(source, N_("expected a mapping of fields at the top level"))])
    try:
        return EventSpec.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(
            problems_from(exc, model=EventSpec), heading=N_("{source} is not valid"), source=source
        ) from None
