"""Incoming messages: where replies to acara's letters will be read and parsed.

Replies arrive by e-mail (read from an IMAP mailbox, or a maildir in the demo and the tests):
calendar REPLY parts answering an invitation, and plain answers to a letter. This package will
read them, match each to the outbox row it answers (by In-Reply-To / References, which carry the
Message-ID that row was sent with) and hand the answer to the RSVP stage. Nothing lives here yet.
"""
