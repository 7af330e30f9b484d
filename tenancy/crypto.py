"""Personal data at rest: Fernet encryption with FIELD_ENCRYPTION_KEY, and a
keyed hash (blind index) for exact-match lookup without decrypting.

``EncryptedTextField`` stores ciphertext; pair it with a ``CharField`` that
holds ``blind_index(value)`` and look rows up by that. Normalise before
hashing (``normalize``) so '110 101...' and '110101...' match.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _keys(raw: str) -> tuple[Fernet, bytes]:
    material = raw.encode()
    try:
        fernet_key = base64.urlsafe_b64decode(material)
        if len(fernet_key) != 32:
            raise ValueError
        fernet_key = base64.urlsafe_b64encode(fernet_key)
    except ValueError:
        # Not a Fernet key: derive one (so any passphrase works for the demo).
        fernet_key = base64.urlsafe_b64encode(hashlib.sha256(b"steward-enc:" + material).digest())
    hmac_key = hashlib.sha256(b"steward-blind-index:" + material).digest()
    return Fernet(fernet_key), hmac_key


def encrypt(value: str) -> str:
    fernet, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    return fernet.encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    fernet, _ = _keys(settings.FIELD_ENCRYPTION_KEY)
    try:
        return fernet.decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError(
            "Cannot decrypt a personal-data field: wrong FIELD_ENCRYPTION_KEY?"
        ) from None


def normalize(value: str) -> str:
    return "".join(value.split()).upper()


def blind_index(value: str) -> str:
    """Keyed hash of the normalised value ('' for empty)."""
    if not value:
        return ""
    _, key = _keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(key, normalize(value).encode(), hashlib.sha256).hexdigest()


def mask(value: str, *, keep_start: int = 3, keep_end: int = 4) -> str:
    """'110101199001011234' -> '110***********1234'; short values fully masked."""
    if not value:
        return ""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


def mask_email(value: str) -> str:
    if not value or "@" not in value:
        return mask(value)
    local, domain = value.split("@", 1)
    return (local[:1] + "***@" + domain) if local else "***@" + domain


class EncryptedTextField(models.TextField):
    """Ciphertext in the database, plain text in Python."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
