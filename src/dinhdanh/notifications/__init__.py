"""The notification outbox: every SMS and e-mail is stored, sent by a pluggable backend, and retried."""
