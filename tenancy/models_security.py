"""Credentials other than the password: API tokens, authenticators
(TOTP) and recovery codes.

All are platform tables (a user row, not a tenant row): authentication reads
them before any tenant is known. Neither keeps a secret in clear: a token is
stored as knox's SHA-512 digest plus its first 15 characters (to find the
row), a recovery code as its SHA-256 digest, an authenticator's secret
encrypted with FIELD_ENCRYPTION_KEY (it must be read back to check a code).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from base64 import b32encode
from urllib.parse import quote, urlencode

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin
from django_otp.oath import TOTP
from django_otp.util import random_hex
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from .crypto import decrypt, encrypt


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


def _new_totp_secret() -> str:
    return encrypt(random_hex(20))


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """A TOTP authenticator app (RFC 6238, django-otp's ``oath.TOTP``).
    django-otp's own ``TOTPDevice`` keeps its secret in clear; this one keeps
    it encrypted, and checks codes the same way: a window of ``tolerance``
    steps, clock drift followed, and a time step accepted once (no replay)."""

    encrypted_key = models.TextField(default=_new_totp_secret, editable=False)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)  # a code's time step is accepted once

    class Meta:
        verbose_name = _("authenticator")
        verbose_name_plural = _("authenticators")

    @property
    def bin_key(self) -> bytes:
        return bytes.fromhex(decrypt(self.encrypted_key))

    def get_throttle_factor(self):
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        allowed, _info = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            value = int(token)
        except (TypeError, ValueError):
            verified = False
        else:
            totp = TOTP(self.bin_key, self.step, self.t0, self.digits, self.drift)
            totp.time = time.time()
            verified = totp.verify(value, self.tolerance, self.last_t + 1)
            if verified:
                self.last_t = totp.t()
                self.drift = totp.drift
                self.throttle_reset(commit=False)
                self.set_last_used_timestamp(commit=False)
                self.save()
        if not verified:
            self.throttle_increment(commit=True)
        return verified

    @property
    def config_url(self) -> str:
        """The otpauth:// URI authenticator apps read (Key Uri Format)."""
        issuer = (getattr(settings, "OTP_TOTP_ISSUER", "") or "").replace(":", "")
        label = self.user.get_username()
        params = urlencode(
            {
                "secret": b32encode(self.bin_key).decode(),
                "algorithm": "SHA1",
                "digits": self.digits,
                "period": self.step,
            }
        )
        if issuer:
            label = f"{issuer}:{label}"
            params += f"&issuer={quote(issuer)}"
        return f"otpauth://totp/{quote(label)}?{params}"


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
