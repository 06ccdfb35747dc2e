"""E-mail: every message is a kind (kinds.py) with its templates (templates/mail/), queued in the transaction
that wants it (queue.py), rendered in the recipient's language and delivered by the worker (delivery.py),
over SMTP or into the local mailbox an administrator reads at /admin/correos."""
