"""Baseline (b): prefect-email's email_send_message once per message, from a flow.

This is what the integration's documentation shows a Prefect user: one task call per e-mail,
each opening its own SMTP connection. Subject, HTML, text and the invitation's .ics (as a file
attachment, the only way the task takes one) are those acara produced for the same people.
"""

from __future__ import annotations

import pickle
from pathlib import Path

from prefect import flow
from prefect_email import EmailServerCredentials, email_send_message

from bench.corpus import Parts


@flow(name="bench-prefect-email", log_prints=False)
async def send_with_prefect_email(prepared: str, host: str, port: int, sender: str) -> int:
    """Send each message with one email_send_message task run."""
    # The messages come from a file: a flow's parameters are stored by the API server.
    with open(prepared, "rb") as fh:
        messages, files = pickle.load(fh)
    credentials = EmailServerCredentials(
        smtp_server=host, smtp_port=port, smtp_type="INSECURE", username=None
    )
    for message, ics_file in zip(messages, files, strict=True):
        await email_send_message(
            subject=message.subject,
            msg=message.html,
            msg_plain=message.text,
            email_server_credentials=credentials,
            email_from=sender,
            email_to=message.recipient,
            attachments=[ics_file] if ics_file else None,
        )
    return len(messages)


def write_ics_files(messages: list[Parts], folder: Path) -> list[str | None]:
    """The task attaches files by path: write each recipient's .ics before the clock starts."""
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[str | None] = []
    for n, message in enumerate(messages):
        if message.ics is None:
            paths.append(None)
            continue
        path = folder / f"invite-{n}.ics"
        path.write_bytes(message.ics)
        paths.append(str(path))
    return paths
