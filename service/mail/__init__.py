"""Email through a transactional outbox: rows written with the change, delivered by a relay.

- outbox.py   ``queue_email``: render in the recipient's language, add the row, deliver after commit
- relay.py    claim a row (FOR UPDATE SKIP LOCKED), send it over SMTP, record the outcome
- smtp.py     the SMTP conversation (stdlib smtplib, Flask-Mail's MAIL_* settings)
- tasks.py    the jobs: deliver one row, relay a tenant's due rows, the periodic sweep
- views.py    /platform/outbox for platform admins; cli.py ``flask mail test``
"""
