"""argon2id password hashes, rehashed on login when the parameters change; and the
refusal of common passwords."""

import functools
import string

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


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords of public breaches, as shipped (MIT licence) by
    zxcvbn: read from the installed package, never fetched from the network."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


# What people add to a common word to pass a length rule: digits and punctuation.
_PADDING = string.digits + string.punctuation + " "


def is_common(password: str) -> bool:
    """On the list ignoring case, or made of a listed one: padded with digits and symbols
    ("Sunshine2024!"), or repeated ("passwordpassword", "abcabcabcabc")."""
    common = _common_passwords()
    lowered = password.strip().lower()
    core = lowered.strip(_PADDING)
    if lowered in common or (len(core) >= 4 and core in common) or not core:
        return True
    for size in range(1, len(lowered) // 2 + 1):
        unit = lowered[:size]
        if len(lowered) % size == 0 and unit * (len(lowered) // size) == lowered:
            return size <= 4 or unit in common or unit.strip(_PADDING) in common
    return False
