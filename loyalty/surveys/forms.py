"""Forms of the survey pages (parse input; the services decide)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Survey, SurveySettings
from .services import SETTINGS_FIELDS


class RecoveryForm(forms.Form):
    action = forms.CharField(
        label=_("What was done"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )
    close = forms.BooleanField(label=_("Close the follow-up"), required=False)


class SurveySettingsForm(forms.ModelForm):
    class Meta:
        model = SurveySettings
        fields = list(SETTINGS_FIELDS)

    def values(self) -> dict:
        return {f: self.cleaned_data[f] for f in SETTINGS_FIELDS}


class SurveyTemplateForm(forms.ModelForm):
    class Meta:
        model = Survey
        fields = ["name", "kind", "question", "question_zh", "active"]
