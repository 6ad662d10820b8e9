"""Who a departure is about, as one comparable key: "the same person" for duplicates."""


def identity_key(work_email: str | None, personal_email: str | None, full_name: str) -> str:
    """The lower-cased trimmed work email, else the personal one, else the name lower-cased
    with its whitespace collapsed (the departures table is unique on it and the last day)."""
    for email in (work_email, personal_email):
        if email and email.strip():
            return email.strip().lower()
    return " ".join(full_name.lower().split())
