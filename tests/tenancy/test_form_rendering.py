"""The project's form renderer writes <select> in Python (tenancy/form_rendering.py):
its markup must be Django's own, escaping included, for every kind of select."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from tenancy.form_rendering import FormRenderer

GROUPED = [
    ("", "— none —"),
    ("Retail", [("a&b", 'Alpha "A" <b>'), ("2", "Beta")]),
    ("Wealth", [("3", "Gamma")]),
    ("4", "Delta"),
]


class Sample(forms.Form):
    plain = forms.ChoiceField(choices=[("x", "X"), ("y", "Y & Z")])
    grouped = forms.ChoiceField(choices=GROUPED, required=False)
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two"), ("3", "<Three>")])
    styled = forms.ChoiceField(
        choices=[("1", "One")],
        widget=forms.Select(attrs={"class": "wide", "data-x": 'q"uote', "disabled": True}),
    )
    flag = forms.NullBooleanField()
    text = forms.CharField(
        max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "b" <c>'})
    )
    number = forms.DecimalField(max_digits=8, decimal_places=2, required=False)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    secret = forms.CharField(widget=forms.PasswordInput, required=False)
    hidden = forms.CharField(widget=forms.HiddenInput, initial="x&y")
    tick = forms.BooleanField(required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


SELECTS = {"plain", "grouped", "many", "styled", "flag"}


def _normal(html: str) -> str:
    return re.sub(r">\s+<", "><", str(html)).strip()


@pytest.mark.parametrize(
    "data",
    [
        None,
        {
            "plain": "y",
            "grouped": "a&b",
            "many": ["1", "3"],
            "styled": "1",
            "flag": "true",
            "text": "<O'Brien & Co>",
            "number": "12.5",
            "day": "2026-02-30",
            "secret": "s3cret",
            "hidden": '"quoted"',
            "tick": "on",
            "note": "line 1\n<b>line 2</b>",
        },
    ],
)
@pytest.mark.parametrize("name", list(Sample.base_fields))
def test_widgets_are_djangos_markup(name, data):
    ours = Sample(data, renderer=FormRenderer())[name]
    django = Sample(data, renderer=DjangoTemplates())[name]
    assert str(ours) == str(django) if name not in SELECTS else _normal(ours) == _normal(django)
    assert str(ours).startswith(("<select", "<input", "<textarea"))


def test_labels_and_values_are_escaped():
    html = str(Sample(renderer=FormRenderer())["grouped"])
    assert 'value="a&amp;b"' in html and "Alpha &quot;A&quot; &lt;b&gt;" in html
    assert "<b>" not in html


def test_a_custom_option_template_goes_through_the_templates(settings):
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    class F(forms.Form):
        f = forms.ChoiceField(choices=[("1", "One")], widget=Custom)

    assert _normal(F(renderer=FormRenderer())["f"]) == _normal(F(renderer=DjangoTemplates())["f"])


def test_the_setting_uses_it():
    from django.forms.renderers import get_default_renderer

    assert isinstance(get_default_renderer(), FormRenderer)


class Labelled(forms.Form):
    plain = forms.CharField(label='Name & "alias" <b>')
    required_one = forms.CharField(label="Why?")
    many = forms.MultipleChoiceField(choices=[("1", "One")], widget=forms.CheckboxSelectMultiple)


@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("name", list(Labelled.base_fields))
def test_labels_are_djangos_markup(name, auto_id):
    def both(**kwargs):
        ours = Labelled(renderer=FormRenderer(), auto_id=auto_id, **kwargs)[name]
        django = Labelled(renderer=DjangoTemplates(), auto_id=auto_id, **kwargs)[name]
        return ours, django

    ours, django = both()
    assert str(ours.label_tag()) == str(django.label_tag())
    assert str(ours.label_tag(attrs={"class": 'x "y"'}, tag="legend")) == str(
        django.label_tag(attrs={"class": 'x "y"'}, tag="legend")
    )
    assert str(ours.legend_tag()) == str(django.legend_tag())
    if auto_id:
        assert str(ours.label_tag()).startswith("<label")
    assert "<b>" not in str(ours.label_tag())
