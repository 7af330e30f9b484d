from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .portfolio import CURRENCY_CHOICES, ImportJob, ProductCategory


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
