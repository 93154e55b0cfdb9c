#!/usr/bin/env bash
# The demo: a fresh data folder, the Jambi sub-district heads' visit imported and shown.
set -euo pipefail
cd "$(dirname "$0")/.."
export ACARA_DATA_DIR="${ACARA_DATA_DIR:-data/demo}"
export PREFECT_HOME="${PREFECT_HOME:-$PWD/$ACARA_DATA_DIR/prefect}"
export PREFECT_SERVER_ANALYTICS_ENABLED=false
rm -rf "$ACARA_DATA_DIR"
acara() { .venv/bin/acara "$@"; }

# The examples, moved so that the visit is six days from today (DAY): the demo plays its whole
# life now, the days after it with --at (a simulated time).
FILES="$ACARA_DATA_DIR/files"
DAY=$(.venv/bin/python scripts/demo_dates.py examples "$FILES" kunjungan-camat-jambi.yaml \
  camat_jambi.csv notulen-kunker-camat-jambi.md penandatanganan-mou-ombudsman.yaml)
after() { date -d "$DAY + $1 days" +%F; }

acara db upgrade
# The hosts' kop, logo, sender mailbox and signatories; event files name their host by key.
acara organisations import examples/organisations.yaml
acara organisations list
# The web app's demo officer (an admin), with a fresh password: printed at the end.
DEMO_OFFICER=demo
DEMO_PASSWORD=$(.venv/bin/python -c "import secrets; print(secrets.token_urlsafe(12))")
printf '%s\n' "$DEMO_PASSWORD" | acara officer add "$DEMO_OFFICER" --role admin --password-stdin
acara event import "$FILES/kunjungan-camat-jambi.yaml"
acara event show kunker-camat-jambi-2026

# --- Invitations: one letter + calendar invite each; then the visit moves half an hour -------
acara invite kunker-camat-jambi-2026 --dry-run   # the plan: who gets what; nothing is sent
acara invite kunker-camat-jambi-2026 --yes       # announces the visit; 34 invitations
acara invite kunker-camat-jambi-2026 --yes       # again: nothing is sent twice
acara event reschedule kunker-camat-jambi-2026 --start "$DAY 08:00" --yes   # 34 updates

# --- A calendar reply: the Camat of Kumpeh presses "Accept" in Outlook; acara reads it back ---
INBOX="$ACARA_DATA_DIR/inbox"   # the organiser's mailbox; in production ACARA_IMAP_URL
.venv/bin/python scripts/demo_reply.py "$ACARA_DATA_DIR/outbox/new" "$INBOX" \
  camat.kumpeh@jambiprov.go.id ACCEPTED
acara replies fetch --maildir "$INBOX"   # pending -> accepted, by calendar
acara replies fetch --maildir "$INBOX"   # again: every message is read once
# --- Answers given by phone and WhatsApp, recorded by the officer ("via telepon" in the audit) --
acara rsvp kunker-camat-jambi-2026 "0812 7000 014" decline --note "Ditelepon ajudan camat" --yes
acara rsvp kunker-camat-jambi-2026 "Hasan Hasibuan" represent --via whatsapp \
  --name "Rizal Siregar, S.STP." --position "Sekretaris Kecamatan Pauh" \
  --email sekcam.pauh@jambiprov.go.id --yes   # the stand-in gets an invitation of his own
# The whole list to a file, its first lines shown (head on a pipe would cut the command short).
acara participants list kunker-camat-jambi-2026 --format csv > "$ACARA_DATA_DIR/peserta.csv"
head -4 "$ACARA_DATA_DIR/peserta.csv"

# --- The day and after it: attendance, minutes (notulen), follow-up, press release ----------
EV=kunker-camat-jambi-2026
DOCS="$ACARA_DATA_DIR/documents/$EV"
status() { acara event show "$EV" | head -1 | sed -E 's/.*, ([a-z]+)\)$/\1/'; }
[[ $(status) == draft ]] && acara event transition "$EV" announce
acara minutes record "$EV" "$FILES/notulen-kunker-camat-jambi.md"
# The desk's paper list: two excused, one absent, everyone else checked in at 08.47 WIB.
acara checkin "$EV" camat.tabir@jambiprov.go.id camat.pauh@jambiprov.go.id --status excused \
  --at "$DAY 08:40"
acara checkin "$EV" camat.betara@jambiprov.go.id --status absent --at "$DAY 08:40"
acara checkin "$EV" --rest --at "$DAY 08:47"
[[ $(status) =~ ^(announced|ongoing)$ ]] && acara event transition "$EV" hold --at "$DAY 15:30"
# PDF + HTML mailed to everyone present and every owner; then the guests are thanked.
acara minutes approve "$EV" --at "$DAY 16:00" --yes
acara minutes approve "$EV" --at "$DAY 16:05" --yes  # again: nothing new is owed or sent
acara attendance "$EV" --format pdf
acara attendance "$EV" --format csv
acara followup run "$EV" --at "$(after 1) 09:00" --yes   # the day after: survey; held -> reported
acara followup run "$EV" --at "$(after 4) 09:00" --yes   # three days before the first due date
acara action list "$EV"
acara letters "$EV" --all   # every participant's current letter (the update), one PDF to print
echo
echo "Documents of $EV:"
echo "  Daftar Hadir (PDF, CSV): $DOCS/daftar-hadir-$EV.pdf, .csv"
echo "  Notulen (PDF, HTML):     $DOCS/notulen-$EV.pdf, .html"
echo "  Siaran Pers (draft):     $DOCS/siaran-pers-$EV.md, .html"
echo "  Surat (every letter):    $DOCS/surat-$EV.pdf; each e-mail carries its own, and the code"
echo "                           under its QR opens /verify/<code> in the web app"
echo "  Every e-mail sent:       $ACARA_DATA_DIR/outbox/new/ ($(ls "$ACARA_DATA_DIR/outbox/new" | wc -l) .eml files)"

# --- A second event, the MoU signing with Ombudsman RI Banten, invited and then cancelled ----
acara event import "$FILES/penandatanganan-mou-ombudsman.yaml"
acara invite mou-ombudsman-banten-2027 --yes
acara event cancel mou-ombudsman-banten-2027 --yes \
  --reason "Jadwal Wali Kota bertepatan dengan rapat paripurna DPRD"
OUT="$ACARA_DATA_DIR/outbox/new"
count() { find "$OUT" -name "acara.*.$1.*.eml" | wc -l; }
echo
echo "Calendar mail in $OUT/ (open any .eml file with a mail program):"
echo "  invitations:   $(count invitation)  (Jambi visit and MoU signing)"
echo "  updates:       $(count update)  (the Jambi visit moved to 08.00 WIB; same UID, SEQUENCE 1)"
echo "  cancellations: $(count cancellation)  (the MoU signing; METHOD:CANCEL, SEQUENCE 1)"
echo
echo "Web app: ACARA_DATA_DIR=$ACARA_DATA_DIR .venv/bin/acara web, then http://127.0.0.1:8000/login"
echo "  name: $DEMO_OFFICER   password: $DEMO_PASSWORD"
