"""Forms of the risk pages (the client 360° section and the risk desk)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models.portfolio import BASE_CURRENCY, CURRENCY_CHOICES
from tenancy.filters import SafeDateField

from .models import Classification, ReviewKind


class AssessmentForm(forms.Form):
    credit_score = forms.IntegerField(label=_("Credit risk"), min_value=0, max_value=100)
    market_score = forms.IntegerField(label=_("Market risk"), min_value=0, max_value=100)
    operational_score = forms.IntegerField(label=_("Operational risk"), min_value=0, max_value=100)
    rating_override = forms.ChoiceField(label=_("Rating override"), required=False)
    override_reason = forms.CharField(
        label=_("Override reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    rationale = forms.CharField(
        label=_("Rationale"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, grades=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating_override"].choices = [("", _("none (use the scale)"))] + [
            (g, g) for g in grades
        ]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("reject", _("Reject"))])
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ClassificationForm(forms.Form):
    classification = forms.ChoiceField(label=_("Classification"), choices=Classification.choices)
    reason = forms.CharField(label=_("Reason"), required=False)


class WhatIfForm(forms.Form):
    amount = forms.DecimalField(
        label=_("New loan (CNY)"), max_digits=20, decimal_places=2, min_value=Decimal("0.01")
    )


class GroupLimitForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Group limit"), max_digits=20, decimal_places=2, min_value=Decimal("0")
    )
    currency = forms.ChoiceField(
        label=_("Currency"), choices=CURRENCY_CHOICES, initial=BASE_CURRENCY
    )
    expires_on = SafeDateField(label=_("Expires on"))


class CalendarFilterForm(forms.Form):
    """The review calendar page's filters (validated; bad values are ignored
    with the field's message shown)."""

    WINDOW_CHOICES = [
        ("", _("All")),
        ("overdue", _("Overdue")),
        ("next30", _("Next 30 days")),
        ("range", _("Date range")),
    ]
    kind = forms.ChoiceField(label=_("kind"), required=False)
    window = forms.ChoiceField(label=_("when"), choices=WINDOW_CHOICES, required=False)
    due_after = SafeDateField(label=_("from"), required=False)
    due_before = SafeDateField(label=_("to"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All")), *ReviewKind.choices]
