from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .models import Branch, Role


class StaffCreateForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    first_name = forms.CharField(label=_("Given name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Family name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class StaffUpdateForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    is_active = forms.BooleanField(label=pgettext_lazy("staff status", "Active"), required=False)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches


class BranchCreateForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    code = forms.CharField(label=_("Code"), max_length=40, required=False)
    level = forms.ChoiceField(
        label=_("Level"), choices=Branch.Level.choices, initial=Branch.Level.BRANCH
    )
    parent = forms.ModelChoiceField(label=_("Parent branch"), queryset=None)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = branches


def apply_errors(form: forms.Form, error) -> None:
    """Attach a service's ValidationError to the form's fields."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class AuditFilterForm(forms.Form):
    """Filters of the audit trail; every field optional."""

    actor = forms.ModelChoiceField(
        label=_("Who"), queryset=None, required=False, empty_label=_("Everyone")
    )
    action = forms.ChoiceField(label=_("Event"), required=False)
    object_type = forms.ChoiceField(label=_("Object kind"), required=False)
    object_id = forms.CharField(label=_("Object id"), max_length=64, required=False)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, staff, actions, object_kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["actor"].queryset = staff
        self.fields["actor"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.username})"
        )
        self.fields["action"].choices = [("", _("All events")), *actions]
        self.fields["object_type"].choices = [("", _("All objects")), *object_kinds]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data
