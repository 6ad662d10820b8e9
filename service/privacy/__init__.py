"""The GDPR lifecycle of one tenant's records: how long each kind is kept, the daily job
that removes what is past its time, the erasure of one leaver, and the page that says it
all in plain words."""
