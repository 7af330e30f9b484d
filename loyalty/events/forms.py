"""Forms of the event pages (create and edit an event)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.access import Tier
from clients.models import Interest

from ..models import Event

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class EventForm(forms.ModelForm):
    target_tiers = forms.MultipleChoiceField(
        label=_("Target tiers"),
        choices=Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every tier."),
    )
    target_interests = forms.MultipleChoiceField(
        label=_("Target interests"),
        choices=Interest.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Clients with any of these interests are suggested. None chosen: any."),
    )

    class Meta:
        model = Event
        fields = [
            "title",
            "title_zh",
            "kind",
            "starts_at",
            "ends_at",
            "location",
            "capacity",
            "target_tiers",
            "target_interests",
            "reminder_hours",
            "description",
        ]
        widgets = {"starts_at": DATETIME_WIDGET, "ends_at": DATETIME_WIDGET}

    def values(self) -> dict:
        return {f: self.cleaned_data.get(f) for f in self.Meta.fields}
