"""`acara invite`, `acara event reschedule` and `acara event cancel` as an officer types them."""

from __future__ import annotations

from email import message_from_bytes, policy
from pathlib import Path

from tests.conftest import EXAMPLES
from tests.e2e.test_cli import Officer
from tests.smtp_server import SmtpSink

MOU = "mou-ombudsman-banten-2027"


def methods_in(outbox: Path) -> list[str]:
    """The calendar METHOD of every message file in the maildir."""
    found = []
    for path in sorted(outbox.glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                found.append(part.get_param("method"))
    return found


def test_invite_writes_the_maildir_says_where_and_later_changes_follow(tmp_path: Path) -> None:
    officer = Officer(tmp_path)
    officer("db", "upgrade")
    officer("organisations", "import", str(EXAMPLES / "organisations.yaml"))
    officer("event", "import", str(EXAMPLES / "penandatanganan-mou-ombudsman.yaml"))
    outbox = tmp_path / "data" / "outbox" / "new"

    first = officer("invite", MOU, "--yes")
    assert "8 new message(s) owed" in first.out
    assert "Sent now" in first.out and "│ 8 " in first.out
    assert str(outbox) in first.out.replace("\n", "")
    assert methods_in(outbox) == ["REQUEST"] * 8

    again = officer("invite", MOU, "--yes")
    assert "0 new message(s) owed" in again.out
    assert "Already sent before (skipped) │ 8" in again.out

    # Without a Prefect service the change is handled right here (the reaction table).
    moved = officer("event", "reschedule", MOU, "--start", "2027-01-08 10:00", "--yes")
    assert "Sent now" in moved.out and "│ 8 " in moved.out
    assert sorted(methods_in(outbox)) == ["REQUEST"] * 16
    officer("event", "cancel", MOU, "--reason", "Wali Kota berhalangan hadir", "--yes")
    assert sorted(methods_in(outbox)) == ["CANCEL"] * 8 + ["REQUEST"] * 16

    refused = officer("invite", MOU, "--yes", expect=2)
    assert "cancelled: invitations can no longer be sent" in refused.err


def test_over_smtp_a_dead_server_is_one_clear_error_and_refused_recipients_are_named(
    tmp_path: Path,
) -> None:
    officer = Officer(tmp_path)
    officer("db", "upgrade")
    officer("organisations", "import", str(EXAMPLES / "organisations.yaml"))
    officer("event", "import", str(EXAMPLES / "penandatanganan-mou-ombudsman.yaml"))
    with SmtpSink() as probe:
        port = probe.port
    officer.env["ACARA_SMTP_URL"] = f"smtp://127.0.0.1:{port}"  # nobody listens there now
    down = officer("invite", MOU, "--yes", expect=5)
    assert "Cannot reach the mail server" in down.err and str(port) in down.err
    assert "8 not sent stay queued" in down.err
    with SmtpSink(port=port, fail_rcpt={"redaksi@satelitnews.example": 550}) as sink:
        run = officer("invite", MOU, "--yes")
        assert f"Sent through smtp://127.0.0.1:{port}" in run.out
        assert "redaksi@satelitnews.example" in run.out and "550" in run.out
        assert sink.count == 7
