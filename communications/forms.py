from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenancy.api_fields import BoundedFormDateTimeField

from .models import CommunicationSettings, FollowUp, Interaction

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _now_local() -> datetime:
    return timezone.localtime().replace(second=0, microsecond=0)


def _tomorrow_morning() -> datetime:
    tomorrow = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(tomorrow, time(9, 0)))


class _NamedRows(ModelChoiceIterator):
    """The options of a client select as (id, name) rows, not model instances
    (the quick log offers up to 300 clients: 7 ms as instances, 3 as rows).
    Validation still looks the chosen id up in the field's queryset."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class ClientChoiceField(forms.ModelChoiceField):
    iterator = _NamedRows


class SharedRows:
    """A queryset evaluated once for the several selects that offer it (the
    log form shows the colleagues in up to four selects: one query, not four)."""

    def __init__(self, queryset):
        self.queryset = queryset
        self._rows = None

    def rows(self) -> list:
        if self._rows is None:
            self._rows = list(self.queryset)
        return self._rows


class SharedChoiceIterator(ModelChoiceIterator):
    def __iter__(self):
        shared = getattr(self.field, "shared_rows", None)
        if shared is None:
            yield from super().__iter__()
            return
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in shared.rows():
            yield self.choice(obj)

    def __len__(self):
        shared = getattr(self.field, "shared_rows", None)
        if shared is None:
            return super().__len__()
        return len(shared.rows()) + (1 if self.field.empty_label is not None else 0)

    def __bool__(self):
        return self.field.empty_label is not None or bool(len(self))


def _use(field, colleagues) -> None:
    """Give a staff field its choices: a queryset, or SharedRows around one."""
    if isinstance(colleagues, SharedRows):
        field.queryset = colleagues.queryset
        field.shared_rows = colleagues
    else:
        field.queryset = colleagues


class StaffChoiceField(forms.ModelChoiceField):
    iterator = SharedChoiceIterator

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class StaffMultipleChoiceField(forms.ModelMultipleChoiceField):
    iterator = SharedChoiceIterator

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class ContactChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} · {obj.title}" if obj.title else obj.name


class InteractionForm(forms.Form):
    """Log a call report (the next steps are a formset alongside)."""

    client = ClientChoiceField(label=_("Client"), queryset=None, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=Interaction.Kind.choices, initial=Interaction.Kind.MEETING
    )
    occurred_at = BoundedFormDateTimeField(label=_("Time"), widget=DATETIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=24 * 60, required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    sentiment = forms.ChoiceField(
        label=_("Sentiment"),
        choices=Interaction.Sentiment.choices,
        initial=Interaction.Sentiment.NEUTRAL,
    )
    contacts = ContactChoiceField(
        label=_("Client-side attendees"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attendees = StaffMultipleChoiceField(
        label=_("Bank-side attendees"), queryset=None, required=False
    )
    confidential = forms.BooleanField(
        label=_("Confidential call report"),
        required=False,
        help_text=_("Only attendees, the client's managers and compliance can read it."),
    )

    def __init__(self, *args, clients=None, contacts=None, colleagues=None, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("occurred_at", _now_local())
        super().__init__(*args, **kwargs)
        if clients is None:
            del self.fields["client"]
        else:
            self.fields["client"].queryset = clients
            self.fields["client"].required = True
        if contacts is None:
            del self.fields["contacts"]
        else:
            self.fields["contacts"].queryset = contacts
        _use(self.fields["attendees"], colleagues)


class NextStepForm(forms.Form):
    note = forms.CharField(label=_("Next step"), max_length=500, required=False)
    due_at = BoundedFormDateTimeField(label=_("Due"), widget=DATETIME_WIDGET, required=False)
    assignee = StaffChoiceField(
        label=_("Assignee"), queryset=None, required=False, empty_label=_("Me")
    )

    def __init__(self, *args, colleagues=None, **kwargs):
        super().__init__(*args, **kwargs)
        _use(self.fields["assignee"], colleagues)

    def clean(self):
        data = super().clean()
        if data.get("note") and not data.get("due_at"):
            self.add_error("due_at", _("A next step needs a due time."))
        return data


class BaseNextStepFormSet(forms.BaseFormSet):
    def __init__(self, *args, colleagues=None, **kwargs):
        self.colleagues = colleagues
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {"colleagues": self.colleagues}

    @property
    def empty_form(self):
        form = self.form(
            auto_id=self.auto_id,
            prefix=self.add_prefix("__prefix__"),
            colleagues=self.colleagues,
            empty_permitted=True,
            use_required_attribute=False,
            renderer=self.renderer,
        )
        self.add_fields(form, None)
        return form

    def steps(self) -> list[dict]:
        return [
            {
                "note": f.cleaned_data["note"],
                "due_at": f.cleaned_data["due_at"],
                "assignee": f.cleaned_data.get("assignee"),
            }
            for f in self.forms
            if f.cleaned_data.get("note") or f.cleaned_data.get("due_at")
        ]


NextStepFormSet = forms.formset_factory(
    NextStepForm, formset=BaseNextStepFormSet, extra=2, max_num=10
)


class InteractionEditForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Interaction.Kind.choices)
    occurred_at = BoundedFormDateTimeField(label=_("Time"), widget=DATETIME_WIDGET)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=0, max_value=24 * 60, required=False
    )
    subject = forms.CharField(label=_("Subject"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    outcome = forms.CharField(
        label=_("Outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    sentiment = forms.ChoiceField(label=_("Sentiment"), choices=Interaction.Sentiment.choices)
    confidential = forms.BooleanField(label=_("Confidential call report"), required=False)


class AmendmentForm(forms.Form):
    text = forms.CharField(label=_("Amendment"), widget=forms.Textarea(attrs={"rows": 3}))


class FollowUpForm(forms.Form):
    due_at = BoundedFormDateTimeField(label=_("Due"), widget=DATETIME_WIDGET)
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    assignee = StaffChoiceField(label=_("Assignee"), queryset=None)

    def __init__(self, *args, colleagues=None, user=None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("due_at", _tomorrow_morning())
        if user is not None:
            initial.setdefault("assignee", user.pk)
        super().__init__(*args, **kwargs)
        _use(self.fields["assignee"], colleagues)


class SnoozeForm(forms.Form):
    CHOICES = [("1h", _("1 hour")), ("tomorrow", _("Tomorrow 9:00")), ("1w", _("1 week"))]
    until = forms.ChoiceField(label=_("Snooze"), choices=CHOICES)

    def until_datetime(self) -> datetime:
        choice = self.cleaned_data["until"]
        if choice == "1h":
            return timezone.now() + timedelta(hours=1)
        if choice == "1w":
            return timezone.now() + timedelta(days=7)
        return _tomorrow_morning()


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=FollowUp.Status.choices)


class CommunicationSettingsForm(forms.ModelForm):
    class Meta:
        model = CommunicationSettings
        fields = [
            "edit_window_hours",
            "cadence_platinum_days",
            "cadence_gold_days",
            "cadence_silver_days",
            "digest_hour",
        ]
