"""Forms of the risk pages (the client 360° section and the risk desk)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.models.portfolio import BASE_CURRENCY, CURRENCY_CHOICES
from tenancy.filters import SafeDateField

from .configuration import SETTINGS_FIELDS
from .models import (
    AlertKind,
    Classification,
    CollateralKind,
    ReviewKind,
    RiskAlert,
    RiskSettings,
    Severity,
)


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


class AlertFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("current", _("Open and acknowledged")),
        *RiskAlert.Status.choices,
        ("all", _("All")),
    ]
    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    severity = forms.ChoiceField(
        label=_("severity"), choices=[("", _("All")), *Severity.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("kind"), choices=[("", _("All")), *AlertKind.choices], required=False
    )


class AlertUpdateForm(forms.Form):
    status = forms.ChoiceField(
        label=_("status"),
        choices=[
            ("", _("Keep the status")),
            (RiskAlert.Status.ACKNOWLEDGED, _("Acknowledge")),
            (RiskAlert.Status.RESOLVED, _("Resolve")),
        ],
        required=False,
    )
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )


class RiskSettingsForm(forms.ModelForm):
    """Every setting, grouped (``GROUPS``); a haircut field per collateral kind.
    The rules themselves live in ``risk.configuration`` (shared with the API)."""

    GROUPS = (
        (_("Weights of the composite"), ("weight_credit", "weight_market", "weight_operational")),
        (
            _("Capital and caps"),
            (
                "tier1_capital",
                "net_capital",
                "single_client_cap_pct",
                "client_loans_cap_pct",
                "large_exposure_pct",
                "group_cap_pct",
            ),
        ),
        (_("Haircut per kind of collateral (%)"), tuple(f"haircut_{k}" for k in CollateralKind)),
        (
            _("Review cadences"),
            (
                "kyc_refresh_years_high",
                "kyc_refresh_years_medium",
                "kyc_refresh_years_low",
                "real_estate_revaluation_months",
            ),
        ),
        (_("Alerts"), ("reminder_lead_days", "coverage_alert_ratio", "large_outflow_pct")),
    )

    class Meta:
        model = RiskSettings
        fields = list(SETTINGS_FIELDS)

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for kind, label in CollateralKind.choices:
            self.fields[f"haircut_{kind}"] = forms.DecimalField(
                label=label,
                max_digits=5,
                decimal_places=2,
                initial=self.instance.haircut_for(kind),
            )
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def groups(self):
        return [(title, [self[name] for name in names]) for title, names in self.GROUPS]

    def values(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["haircuts"] = {k: self.cleaned_data[f"haircut_{k}"] for k in CollateralKind.values}
        return data


class GradeForm(forms.Form):
    """One grade of the master scale: review months and PD (the bounds are read-only)."""

    code = forms.CharField(widget=forms.HiddenInput)
    review_months = forms.IntegerField(label=_("review every (months)"))
    pd_pct = forms.DecimalField(
        label=_("probability of default (%)"), max_digits=7, decimal_places=4, required=False
    )


GradeFormSet = forms.formset_factory(GradeForm, extra=0, max_num=50, validate_max=True)


class OverrideRatesForm(forms.Form):
    months = forms.IntegerField(label=_("months"), min_value=1, max_value=60, required=False)


class WatchListForm(forms.Form):
    """Add to or take off the watch list: a reason is required."""

    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.TextInput(attrs={"required": True})
    )
