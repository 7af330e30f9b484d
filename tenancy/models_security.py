"""Credentials other than the password: API tokens and recovery codes.

Both are platform tables (a user row, not a tenant row): authentication reads
them before any tenant is known. Neither keeps a secret in clear: a token is
stored as knox's SHA-512 digest plus its first 15 characters (to find the
row), a recovery code as its SHA-256 digest.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    """One API token per login (device). Knox's default key is the digest; an
    integer id lets the owner list and revoke a token without seeing it."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    device = models.CharField(_("device"), max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]
        indexes = [models.Index(fields=["user", "expiry"], name="apitoken_user_expiry")]

    def __str__(self) -> str:
        return f"{self.token_key[:4]}… ({self.user_id})"


RECOVERY_CODE_COUNT = 10
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i


def _normalise(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _digest(code: str) -> str:
    return hashlib.sha256(_normalise(code).encode()).hexdigest()


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """Single-use recovery codes (django-otp device). Each code is 16 random
    characters (about 78 bits), so an unsalted SHA-256 digest cannot be
    reversed; a used code's digest is removed."""

    digests = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("recovery codes")
        verbose_name_plural = _("recovery codes")

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def generate(self) -> list[str]:
        """New codes (the old ones stop working); returned once, never stored."""
        codes = []
        for _i in range(RECOVERY_CODE_COUNT):
            raw = "".join(secrets.choice(_ALPHABET) for _j in range(16))
            codes.append("-".join(raw[k : k + 4] for k in range(0, 16, 4)))
        self.digests = [_digest(c) for c in codes]
        self.save()
        return codes

    @property
    def remaining(self) -> int:
        return len(self.digests)

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed or not isinstance(token, str):
            return False
        # lock the row: two concurrent uses of one code cannot both succeed
        locked = type(self).objects.select_for_update().get(pk=self.pk)
        digest = _digest(token)
        if digest in locked.digests:
            self.digests = [d for d in locked.digests if d != digest]
            self.throttle_reset(commit=False)
            self.last_used_at = timezone.now()
            self.save()
            return True
        self.throttle_increment()
        return False
