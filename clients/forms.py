from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import (
    CURRENCY_CHOICES,
    Client,
    CoverageTeamMember,
    GroupMembership,
    ImportJob,
    Interest,
    InvestmentGoal,
    LifeEvent,
    ProductCategory,
    RelationshipGroup,
)

_DATE = forms.DateInput(attrs={"type": "date"})
_TIME = forms.TimeInput(attrs={"type": "time"})
_CHECKS = forms.CheckboxSelectMultiple


class ClientFilterForm(forms.Form):
    """The list page's search and filters (all optional, GET)."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Name, core-banking id, id number or phone")}
        ),
    )
    tier = forms.ChoiceField(
        label=_("Tier"), required=False, choices=[("", _("All tiers")), *Client.Tier.choices]
    )
    # options as (id, name) pairs, not model choices: two wide querysets turned
    # into model instances were a third of the list page's rendering
    branch = forms.TypedChoiceField(label=_("Branch"), required=False, coerce=int, empty_value=None)
    manager = forms.TypedChoiceField(
        label=_("Manager"), required=False, coerce=int, empty_value=None
    )
    lifecycle = forms.ChoiceField(
        label=_("Lifecycle"),
        required=False,
        choices=[("", _("All stages")), *Client.Lifecycle.choices],
    )
    risk_tolerance = forms.ChoiceField(
        label=_("Risk tolerance"),
        required=False,
        choices=[("", _("Any")), *Client.RiskTolerance.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("-aum", _("AUM, largest first")),
            ("aum", _("AUM, smallest first")),
            ("tier", _("Tier")),
            ("-last_contacted", _("Last contacted, latest first")),
            ("last_contacted", _("Last contacted, longest ago first")),
            ("external_id", _("Core-banking id")),
        ],
    )

    def __init__(self, *args, branches, managers, **kwargs):
        """``branches``, ``managers``: ``(id, name)`` pairs the reader may filter by."""
        super().__init__(*args, **kwargs)
        self.fields["branch"].choices = [("", _("All branches")), *branches]
        self.fields["manager"].choices = [("", _("All managers")), *managers]


class ClientForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Client.Kind.choices)
    name = forms.CharField(label=_("Name"), max_length=200)
    external_id = forms.CharField(label=_("Core-banking id"), max_length=64)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    dedicated_manager = forms.ModelChoiceField(
        label=_("Dedicated manager"), queryset=None, required=False
    )
    national_id = forms.CharField(
        label=_("National id / registration number"), max_length=40, required=False
    )
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=200, required=False)
    address = forms.CharField(label=_("Address"), max_length=500, required=False)
    lifecycle = forms.ChoiceField(label=_("Lifecycle"), choices=Client.Lifecycle.choices)
    risk_tolerance = forms.ChoiceField(
        label=_("Risk tolerance"), choices=Client.RiskTolerance.choices
    )
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=Client.Channel.choices
    )
    language = forms.ChoiceField(
        label=_("Language"), choices=Client._meta.get_field("language").choices
    )
    contact_time_from = forms.TimeField(label=_("Contact hours from"), required=False, widget=_TIME)
    contact_time_to = forms.TimeField(label=_("Contact hours to"), required=False, widget=_TIME)
    consent = forms.MultipleChoiceField(
        label=_("Consent to marketing contact"),
        required=False,
        choices=Client.Channel.choices,
        widget=_CHECKS,
    )
    investment_goals = forms.MultipleChoiceField(
        label=_("Investment goals"), required=False, choices=InvestmentGoal.choices, widget=_CHECKS
    )
    interests = forms.MultipleChoiceField(
        label=_("Interests"), required=False, choices=Interest.choices, widget=_CHECKS
    )
    kyc_status = forms.ChoiceField(
        label=_("KYC status"), choices=Client._meta.get_field("kyc_status").choices
    )
    next_kyc_review = forms.DateField(label=_("Next KYC review"), required=False, widget=_DATE)
    kyc_risk_level = forms.ChoiceField(
        label=_("KYC risk level"),
        choices=Client._meta.get_field("kyc_risk_level").choices,
        initial=Client._meta.get_field("kyc_risk_level").default,
        required=False,
    )
    kyc_reviewed_on = forms.DateField(label=_("KYC last refreshed"), required=False, widget=_DATE)

    PII = ("national_id", "phone", "email", "address")

    def clean_kyc_risk_level(self):
        # absent from a post (an older form): keep the client's level, or the default
        return (
            self.cleaned_data.get("kyc_risk_level")
            or self.initial.get("kyc_risk_level")
            or Client._meta.get_field("kyc_risk_level").default
        )

    def __init__(
        self,
        *args,
        branches,
        managers=None,
        editing: bool = False,
        masked: dict | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.editing = editing
        if managers is None or editing:
            del self.fields["dedicated_manager"]
        else:
            self.fields["dedicated_manager"].queryset = managers
        if editing:
            for name in self.PII:
                shown = (masked or {}).get(name)
                self.fields[name].help_text = (
                    _("Now %(value)s. Leave blank to keep it.") % {"value": shown} if shown else ""
                )

    def service_fields(self) -> dict:
        """cleaned_data in the shape the services take."""
        data = dict(self.cleaned_data)
        consent = data.pop("consent", [])
        data["marketing_consent"] = {
            channel: channel in consent for channel in Client.Channel.values
        }
        if self.editing:
            for name in self.PII:
                if not data.get(name):
                    data.pop(name, None)
        return data


class AssignManagerForm(forms.Form):
    manager = forms.ModelChoiceField(label=_("Relationship manager"), queryset=None)
    role = forms.ChoiceField(
        label=_("As"),
        choices=[("dedicated", _("Dedicated manager")), ("backup", _("Backup manager"))],
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = managers
        self.fields["manager"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} · {u.branch}"
        )


class TeamMemberForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Staff member"), queryset=None)
    team_role = forms.ChoiceField(label=_("Team role"), choices=CoverageTeamMember.TeamRole.choices)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = staff
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} · {u.get_role_display()}"
        )


class ContactPersonForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    title = forms.CharField(label=_("Title"), max_length=120, required=False)
    is_decision_maker = forms.BooleanField(label=_("Decision maker"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    email = forms.CharField(label=_("Email"), max_length=200, required=False)
    preferred_channel = forms.ChoiceField(
        label=_("Preferred channel"), choices=Client.Channel.choices
    )


class LifeEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Event"), choices=LifeEvent.Kind.choices)
    date = forms.DateField(label=_("Date"), widget=_DATE)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class GroupForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=RelationshipGroup.Kind.choices)
    note = forms.CharField(label=_("Note"), max_length=500, required=False)


class GroupMemberForm(forms.Form):
    external_id = forms.CharField(label=_("Client's core-banking id"), max_length=64)
    role = forms.ChoiceField(label=_("Role in group"), choices=GroupMembership.Role.choices)


class BulkReassignForm(forms.Form):
    from_manager = forms.ModelChoiceField(
        label=_("All clients of (departing manager)"),
        queryset=None,
        required=False,
        help_text=_("Their dedicated clients move as dedicated, their backup clients as backup."),
    )
    client_ids = forms.CharField(
        label=_("Or these clients (ids, comma separated)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    role = forms.ChoiceField(
        label=_("As (for listed clients)"),
        choices=[("dedicated", _("Dedicated manager")), ("backup", _("Backup manager"))],
    )
    to_manager = forms.ModelChoiceField(label=_("New relationship manager"), queryset=None)
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, from_managers, to_managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_manager"].queryset = from_managers
        self.fields["to_manager"].queryset = to_managers
        for f in ("from_manager", "to_manager"):
            self.fields[f].label_from_instance = lambda u: (
                f"{u.get_full_name() or u.username} · {u.branch}" + ("" if u.is_active else " ✕")
            )

    def clean_client_ids(self) -> list[int]:
        raw = self.cleaned_data.get("client_ids") or ""
        parts = [p for p in raw.replace(",", " ").split() if p]
        try:
            return [int(p) for p in parts]
        except ValueError:
            raise forms.ValidationError(_("Client ids must be numbers.")) from None


# --- portfolio: products, tier thresholds, imports ------------------------------------


class ProductForm(forms.Form):
    code = forms.CharField(label=_("Code"), max_length=40)
    name = forms.CharField(label=_("Name"), max_length=200)
    category = forms.ChoiceField(label=_("Category"), choices=ProductCategory.choices)
    risk_level = forms.IntegerField(label=_("Risk level (1–5)"), min_value=1, max_value=5)
    min_investment = forms.DecimalField(
        label=_("Minimum investment"), min_value=0, max_digits=20, decimal_places=2, initial=0
    )
    currency = forms.ChoiceField(label=_("Currency"), choices=CURRENCY_CHOICES, initial="CNY")
    is_esg = forms.BooleanField(label=_("Green / ESG"), required=False)
    vip_only = forms.BooleanField(label=_("VIP only (platinum and gold clients)"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class TierThresholdForm(forms.Form):
    min_aum = forms.DecimalField(
        label=_("Minimum AUM (CNY)"), min_value=0, max_digits=20, decimal_places=2
    )
    min_transactions_12m = forms.IntegerField(
        label=_("Minimum transactions in 12 months"), min_value=0
    )
    min_credit_rating = forms.ChoiceField(
        label=_("Minimum credit rating"),
        required=False,
        choices=[("", _("None"))] + [(r, r) for r in ("AAA", "AA", "A", "BBB", "BB", "B", "CCC")],
    )


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportJob.Kind.choices)
    file = forms.FileField(label=_("CSV file (UTF-8 or GB18030)"))
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=ImportJob.Encoding.choices,
        initial=ImportJob.Encoding.AUTO,
        required=False,
    )
