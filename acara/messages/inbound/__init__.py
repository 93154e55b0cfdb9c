"""Incoming messages: replies read back from the organiser's mailbox.

- mailboxes.py: where they are read (IMAP over IMAPS or STARTTLS, or a maildir), read-only;
- parse.py: one e-mail in, plain data out (models.replies.MailRead): a calendar REPLY,
  COUNTER or REFRESH in any client's shape, a bounce (RFC 3464), a typed or automatic reply.

What a message does to an event is decided in models/replies.py; acara/stages/replies.py
claims each message once (models.inbound) and applies it in one transaction.
"""
