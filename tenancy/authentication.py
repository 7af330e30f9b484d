"""API authentication classes (kept apart from ``api_base``: DRF imports
these while ``rest_framework.views`` is still loading)."""

from __future__ import annotations

from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from rest_framework import exceptions


class ApiTokenAuthentication(KnoxTokenAuthentication):
    """``Authorization: Token KEY`` against knox's hashed, expiring tokens
    (``tenancy.ApiToken``). A key that is not plain ASCII is simply invalid."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        return super().authenticate_credentials(token)
