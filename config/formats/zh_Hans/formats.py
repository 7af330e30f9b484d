"""Django's zh_Hans formats with the grouping Chinese banks print on
statements: 1,234,567.89 (Django's default has no thousands separator)."""

from django.conf.locale.zh_Hans.formats import *  # noqa: F403

THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
