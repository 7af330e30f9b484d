from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=_("The 6-digit code from your authenticator app, or a recovery code."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


class TenantTwoFactorForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Require two-factor login for all staff"), required=False
    )
