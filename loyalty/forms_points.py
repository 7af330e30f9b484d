"""Forms of the points and rewards pages (the client 360° points section,
the catalogue, the approvals and the settings)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients.access import RANKED_TIERS

from .models import PointsSettings, Reward
from .points.services import MAX_POINTS, SETTINGS_FIELDS


class AdjustForm(forms.Form):
    points = forms.IntegerField(
        label=_("Points (negative deducts)"), min_value=-MAX_POINTS, max_value=MAX_POINTS
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def clean_points(self):
        value = self.cleaned_data["points"]
        if value == 0:
            raise forms.ValidationError(_("Give a whole number of points other than zero."))
        return value


class RedeemForClientForm(forms.Form):
    """The catalogue's redeem form: a client id (checked through the access policy)."""

    client = forms.IntegerField(label=_("Client number (id)"), min_value=1)


class RewardForm(forms.ModelForm):
    class Meta:
        model = Reward
        fields = ["name", "description", "points_cost", "stock", "min_tier", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["min_tier"].required = False
        self.fields["min_tier"].choices = [("", _("any tier"))] + [
            c for c in Reward._meta.get_field("min_tier").choices if c[0] in RANKED_TIERS
        ]
        self.fields["points_cost"].min_value = 1
        self.fields["points_cost"].widget.attrs["min"] = 1
        self.fields["stock"].widget.attrs["min"] = 0


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class PointsSettingsForm(forms.ModelForm):
    class Meta:
        model = PointsSettings
        fields = list(SETTINGS_FIELDS)

    def values(self) -> dict:
        return {k: self.cleaned_data[k] for k in SETTINGS_FIELDS}
