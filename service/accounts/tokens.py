"""Random tokens for cookies and links: the raw token goes to the browser or the email,
only its SHA-256 hash is stored (a leaked table opens no account)."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
