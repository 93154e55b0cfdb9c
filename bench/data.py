"""Benchmark data: a public forum like FKP Volume-3, with N invited civil servants and RW heads."""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select
from sqlmodel import Session

from acara import db as acara_db
from acara.userfiles import load_yaml
from models.event import Event
from models.lifecycle import Action, apply
from models.organisations import import_organisations, parse_organisations
from models.people import Language, Participant, Person, Role
from models.plan import EventSpec
from models.planning import import_event

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

_FIRST = [
    "Ahmad",
    "Budi",
    "Citra",
    "Dewi",
    "Eko",
    "Fitri",
    "Gunawan",
    "Hendra",
    "Indah",
    "Joko",
    "Kartini",
    "Lestari",
    "Muhamad",
    "Nur",
    "Putri",
    "Rahmat",
    "Siti",
    "Teguh",
    "Umar",
    "Wahyu",
    "Yusuf",
    "Zulkifli",
    "Agus",
    "Bambang",
    "Retno",
    "Sri",
    "Dian",
    "Rina",
]
_LAST = [
    "Hidayat",
    "Saputra",
    "Harahap",
    "Nasution",
    "Siregar",
    "Wibowo",
    "Santoso",
    "Lubis",
    "Pratama",
    "Kusuma",
    "Setiawan",
    "Hasibuan",
    "Rahman",
    "Permana",
    "Suryadi",
    "Wijaya",
    "Gultom",
    "Sembiring",
    "Hakim",
    "Ramadhan",
]
_PREFIX = ("", "", "", "Drs.", "H.", "Hj.", "Dr.", "Ir.")
_SUFFIX = ("", "S.Sos.", "S.T., M.Si.", "S.H., M.H.", "S.E., M.M.", "S.STP., M.Si.", "S.I.Kom.")
_POSITIONS = ("Ketua RW {n:02d}", "Lurah {k}", "Camat {k}", "Kepala Seksi Pemerintahan {k}")
_KELURAHAN = "Cikokol Sukasari Babakan Sukarasa Karawaci Nusa Jaya Cimone Poris Gaga Panunggangan"


def event_spec(start: datetime) -> EventSpec:
    """The event every benchmark sends about: a public forum with a plenary agenda."""
    day = start.date().isoformat()
    return EventSpec.model_validate(
        {
            "code": "bench-fkp-volume-3",
            "kind": "forum",
            "title": "Forum Komunikasi Publik",
            "series": "Forum Komunikasi Publik",
            "number": "3",
            "timezone": "WIB",
            "start": start.replace(tzinfo=None).isoformat(),
            "end": (start + timedelta(hours=5)).replace(tzinfo=None).isoformat(),
            "host": "kota-tangerang",  # examples/organisations.yaml
            "letter_number": "005/2211-Prot/2026",
            "subject": "Undangan Forum Komunikasi Publik Volume-3",
            "description": "Penyusunan Rencana Kerja Pemerintah Daerah bersama ketua RW "
            "se-Kota Tangerang dan aparatur sipil negara.",
            "venues": [
                {
                    "name": "Pusat Pemerintahan Kota Tangerang",
                    "address": "Jl. Satria Sudirman No. 1, Sukaasih, Kec. Tangerang",
                    "rooms": [{"name": "Ruang Akhlakul Karimah", "capacity": 12000}],
                }
            ],
            "agenda": [
                {
                    "date": day,
                    "sessions": [
                        {
                            "title": "Pembukaan oleh Wali Kota Tangerang",
                            "start": "09:00",
                            "end": "10:00",
                            "room": "Ruang Akhlakul Karimah",
                            "speakers": ["Wali Kota Tangerang"],
                        },
                        {
                            "title": "Diskusi panel: layanan publik di tingkat RW",
                            "start": "10:00",
                            "end": "12:30",
                            "room": "Ruang Akhlakul Karimah",
                            "speakers": ["Sekretaris Daerah", "Kepala Bappeda"],
                            "moderator": "Kepala Bagian Protokol",
                        },
                    ],
                }
            ],
        }
    )


def _people(count: int, seed: int = 6) -> list[dict[str, object]]:
    rng = random.Random(seed)
    places = _KELURAHAN.split()
    rows = []
    for n in range(count):
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        rows.append(
            {
                "email": f"{first.lower()}.{last.lower()}.{n}@rw.tangerangkota.go.id",
                "name": f"{first} {last}",
                "title_prefix": rng.choice(_PREFIX),
                "title_suffix": rng.choice(_SUFFIX),
                "salutation": "Ibu" if first in {"Citra", "Dewi", "Fitri", "Indah"} else "Bapak",
                "position": rng.choice(_POSITIONS).format(n=n % 99 + 1, k=rng.choice(places)),
                "organisation": "Pemerintah Kota Tangerang",
                "phone": f"0812{n:08d}",
                # Guests from abroad write in English; most invitees read Indonesian.
                "language": Language.EN if n % 20 == 0 else Language.ID,
            }
        )
    return rows


@dataclass(frozen=True, slots=True)
class BenchEvent:
    """A prepared database and the event in it."""

    url: str
    event_id: int
    participants: int


def build_database(url: str, participants: int, *, start: datetime | None = None) -> BenchEvent:
    """Migrate `url`, load the example host organisations, import the forum, add
    `participants` invitees in bulk and announce it."""
    acara_db.upgrade(url)
    parsed = parse_organisations(
        load_yaml(EXAMPLES / "organisations.yaml"), "organisations.yaml", EXAMPLES
    )
    with acara_db.unit_of_work(url) as session:
        import_organisations(session, parsed)
    zone = ZoneInfo("Asia/Jakarta")
    start = start or datetime.now(zone).replace(hour=9, minute=0, second=0, microsecond=0)
    start += timedelta(days=30)
    with acara_db.unit_of_work(url) as session:
        result = import_event(session, event_spec(start), [], actor="bench")
        event_id = result.event_id
    engine = acara_db.engine_for(url)
    people = _people(participants)
    with engine.begin() as conn:
        for chunk in range(0, len(people), 5000):
            conn.execute(insert(Person), people[chunk : chunk + 5000])
        ids = conn.execute(select(Person.id).order_by(Person.id)).scalars().all()
        roles = [Role.COMMUNITY, Role.STAFF, Role.GUEST]
        rows = [
            {"event_id": event_id, "person_id": pid, "role": roles[i % 3]}
            for i, pid in enumerate(ids)
        ]
        for chunk in range(0, len(rows), 5000):
            conn.execute(insert(Participant), rows[chunk : chunk + 5000])
    with Session(engine, expire_on_commit=False) as session:
        event = session.get(Event, event_id)
        assert event is not None
        apply(session, event, Action.ANNOUNCE, actor="bench")
        session.commit()
    engine.dispose()
    return BenchEvent(url, event_id, participants)


def copy_sqlite(source: Path, target: Path) -> str:
    """Copy a prepared SQLite database (and its WAL, if any); return the new URL."""
    shutil.copyfile(source, target)
    for suffix in ("-wal", "-shm"):
        side = source.with_name(source.name + suffix)
        if side.exists():
            shutil.copyfile(side, target.with_name(target.name + suffix))
    return f"sqlite:///{target}"
