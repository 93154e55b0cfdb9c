"""Everything about messages in and out of acara.

- composers/: an outbox row in, a channel-neutral ComposedMessage out (one module per kind);
- channels/: one transport per channel (today e-mail, over SMTP or into a maildir), and the
  registry that maps an outbox row's channel to its transport;
- delivery.py: claim rows of a channel, compose each, hand them to the transport, mark each;
- inbound/: replies coming back (read from IMAP or a maildir).

A new channel (a printed letter, a chat link) is a value of models.outbox.Channel, a module in
channels/ with a transport, and its line in the channel registry; composers stay as they are.
"""
