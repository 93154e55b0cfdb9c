"""Protocol order (tata tempat): who is listed first, in every list and document.

The regional head first, then by office, then by role, then by name. The offices are ranked
by a precedence: one rank per line, highest first, each a comma-separated list of how the
office is written at the start of a position (jabatan). A position takes the rank of the
longest such beginning it has ("Wakil Wali Kota Tangerang" is a Wakil Wali Kota, not a Wali
Kota; "Kepala Bagian Umum" a Kepala Bagian, not a Kepala). "Pj", "Plt" and "Plh" in front
count as the office itself. Positions no rank names come after every ranked one.

The default follows UU 9/2010 tentang Keprotokolan, Pasal 11 (acara resmi di kabupaten/kota),
with the national and provincial officials of Pasal 9 and 10 before them (Pasal 11 ayat 2), as
far as an office shows in a position. An office configures its own (ACARA_PRECEDENCE_FILE).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.errors import N_, InvalidInput, Problem
from models.people import Role

DEFAULT_ORDER = """\
# Tata tempat: one rank per line, highest first, its ways of writing the office separated by
# commas; a line ending in a comma goes on on the next.
Presiden
Wakil Presiden
Ketua MPR, Ketua DPR, Ketua DPD, Ketua Mahkamah Agung, Ketua Mahkamah Konstitusi, Ketua BPK
Menteri, Jaksa Agung, Panglima TNI, Kapolri, Kepala Kepolisian Negara
Anggota DPR, Anggota DPD
Gubernur
Wakil Gubernur
Mantan Gubernur, Mantan Wakil Gubernur
Ketua DPRD Provinsi
Konsul Jenderal, Konsul, Kepala Perwakilan Konsuler
Wakil Ketua DPRD Provinsi
Sekretaris Daerah Provinsi, Sekda Provinsi, Pangdam, Kapolda, Ketua Pengadilan Tinggi,
  Kepala Kejaksaan Tinggi, Kajati
Anggota DPRD Provinsi
Wali Kota, Walikota, Bupati
Wakil Wali Kota, Wakil Walikota, Wakil Bupati
Mantan Wali Kota, Mantan Walikota, Mantan Bupati,
  Mantan Wakil Wali Kota, Mantan Wakil Walikota, Mantan Wakil Bupati
Ketua DPRD
Wakil Ketua DPRD
Sekretaris Daerah, Sekda, Dandim, Komandan Kodim, Kapolres, Kepala Kepolisian Resor,
  Ketua Pengadilan, Kepala Kejaksaan Negeri, Kajari
Pemimpin Partai, Ketua Partai, Ketua DPC
Anggota DPRD
Pemuka Agama, Pemuka Adat, Tokoh Agama, Tokoh Adat, Tokoh Masyarakat, Ketua MUI, Ketua FKUB
Asisten, Staf Ahli, Kepala Badan, Kepala Dinas, Kadis, Kaban, Inspektur, Sekretaris DPRD,
  Kepala Satuan Polisi Pamong Praja, Kasatpol PP, Direktur RSUD,
  Kepala Kantor Perwakilan Bank Indonesia, Ketua KPU, Ketua Bawaslu,
  Kepala Bappeda, Kepala BPSDM, Kepala BKPSDM, Kepala BPBD, Kepala BPKAD, Kepala Bapenda
Kepala Kantor, Kepala UPT, Kepala Unit Pelaksana Teknis, Kapolsek, Danramil
Kepala Bagian, Kabag, Camat, Sekretaris Dinas, Sekretaris Badan, Kepala Bidang, Kabid
Lurah, Kepala Desa, Sekretaris Kecamatan, Sekcam, Kepala Seksi, Kasi, Kepala Subbagian, Kasubbag
"""

# Within one rank (and for everyone unranked): hosts, then speakers and guests, then support.
ROLE_ORDER = {
    Role.HOST_OFFICIAL: 0,
    Role.SPEAKER: 1,
    Role.MODERATOR: 2,
    Role.GUEST: 3,
    Role.COMMUNITY: 4,
    Role.STAFF: 5,
    Role.MEDIA: 6,
    Role.MINUTE_TAKER: 7,
}
# Acting in the office: Penjabat, Pelaksana Tugas, Pelaksana Harian.
_ACTING = ("pj", "plt", "plh", "penjabat", "pelaksana tugas", "pelaksana harian")
_PUNCTUATION = re.compile(r"[^\w]+")


def _words(text: str) -> str:
    return " ".join(_PUNCTUATION.sub(" ", text.casefold()).split())


def office(position: str) -> str:
    """A position as ranks read it: lower case, no punctuation, 'Pj'/'Plt'/'Plh' dropped."""
    words = _words(position)
    for acting in _ACTING:
        if words.startswith(acting + " "):
            return words.removeprefix(acting + " ")
    return words


@dataclass(frozen=True, slots=True)
class Precedence:
    """Ranked offices: `ranks[0]` holds the ways the highest office is written."""

    ranks: tuple[tuple[str, ...], ...]

    def rank(self, position: str) -> int:
        """The rank of a position (0 highest); len(ranks) when no rank names it."""
        held = office(position)
        best, length = len(self.ranks), 0
        for index, ways in enumerate(self.ranks):
            for way in ways:
                if len(way) > length and (held == way or held.startswith(way + " ")):
                    best, length = index, len(way)
        return best

    def key(self, position: str, role: Role, name: str) -> tuple[int, int, str]:
        """Sort key: office, then role, then name."""
        return (self.rank(position), ROLE_ORDER.get(role, len(ROLE_ORDER)), name.casefold())

    def lines(self) -> list[str]:
        """The ranks as a precedence file writes them (one per line)."""
        return [", ".join(ways) for ways in self.ranks]


def parse_precedence(text: str, source: str = "precedence") -> Precedence:
    """A precedence from its text: one rank per line (a trailing comma continues it), '#'
    starts a comment."""
    ranks: list[tuple[str, ...]] = []
    pending = ""
    for line in text.splitlines():
        pending += line.split("#", 1)[0].strip()
        if pending.endswith(","):
            continue
        ways = tuple(way for part in pending.split(",") if (way := office(part)))
        if ways:
            ranks.append(ways)
        pending = ""
    if not ranks:
        raise InvalidInput([Problem(source, N_("no ranks: write one office per line"))])
    return Precedence(tuple(ranks))


DEFAULT = parse_precedence(DEFAULT_ORDER, "default")
