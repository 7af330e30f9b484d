from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def render_section(context, section: dict):
    """Render a registered section (My day, client 360°) with its context
    dict available both spread out (``holdings``) and as ``section.holdings``."""
    tpl = context.template.engine.get_template(section["template"])
    with context.push(section=section, **section):
        return tpl.render(context)
