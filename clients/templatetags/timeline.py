"""``{% timeline_entries entries %}``: a client timeline page's entries
(``clients.timeline``), each written by its source's ``write`` or, without
one, by including its template with ``obj`` — in the context's time zone
(``{% timezone %}``) and language."""

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag(takes_context=True)
def timeline_entries(context, entries) -> str:
    engine = context.template.engine
    out = []
    for entry in entries:
        if entry.write is not None:
            out.append(entry.write(entry.obj))
        else:
            with context.push(obj=entry.obj):
                out.append(engine.get_template(entry.template).render(context))
    # each write escapes every value it writes; an included template autoescapes
    return mark_safe("".join(out))  # noqa: S308
