"""argon2id password hashes, rehashed on login when the parameters change."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

# Cheap parameters keep the test suite fast; everything else uses argon2-cffi's defaults
# (RFC 9106's second recommendation: 64 MiB, 3 passes).
_HASHERS = {
    "standard": PasswordHasher(),
    "cheap": PasswordHasher(time_cost=1, memory_cost=8, parallelism=1),
}


def _hasher() -> PasswordHasher:
    return _HASHERS[current_app.config["PASSWORD_HASH_COST"]]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


# Verified when the email is unknown, so that both answers take the same time.
_DUMMY: dict[str, str] = {}


def verify_password(stored_hash: str | None, password: str) -> bool:
    hasher = _hasher()
    if stored_hash is None:
        cost = current_app.config["PASSWORD_HASH_COST"]
        stored_hash = _DUMMY.setdefault(cost, hasher.hash("not a password"))
        password = password + "\x00"  # never matches
    try:
        return hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher().check_needs_rehash(stored_hash)
