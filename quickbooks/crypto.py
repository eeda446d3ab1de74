"""OAuth tokens are encrypted at rest with Fernet (AES + HMAC); keys come from the environment."""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models


def _derived_key() -> bytes:
    digest = hashlib.sha256(f"costline-qbo-tokens:{settings.SECRET_KEY}".encode()).digest()
    return base64.urlsafe_b64encode(digest)


def fernet() -> MultiFernet:
    keys = [key.encode() for key in settings.QBO_TOKEN_KEYS] or [_derived_key()]
    return MultiFernet([Fernet(key) for key in keys])


class EncryptedTextField(models.TextField):
    """A text column stored encrypted; reads decrypt. An undecryptable value reads as "" (key lost)."""

    def get_prep_value(self, value):
        if value in (None, ""):
            return value
        return fernet().encrypt(str(value).encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return fernet().decrypt(value.encode()).decode()
        except InvalidToken:
            return ""
