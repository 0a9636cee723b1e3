"""{% per_language %}...{% end_per_language %}: a part of a template drawn once per language
and process, then given as it was drawn; `{% per_language a b %}` once per language and values
of the context's `a` and `b`.

For a part every page draws, made of constant text, {% translate %} and {% url %} tags and the
values it names alone: templates/device.html's sixty texts for static/js/outbox.js cost about
a sixth of the CPU of a refusal page, the menu (templates/menu.html) about a tenth
(bench/request_cpu.py). Nothing else in it may read the context (the user, the request): it
would be drawn for the first request and shown to every other.
"""

from django import template
from django.urls import get_script_prefix, get_urlconf
from django.utils.functional import LazyObject, empty
from django.utils.translation import trans_real

register = template.Library()


class PerLanguageNode(template.Node):
    def __init__(self, nodelist, values):
        self.nodelist = nodelist
        self.values = values
        self.drawn = {}  # the node lives as long as the loader keeps its template

    def render(self, context):
        # The catalogue itself, not the language's code: a development server reloads the
        # catalogues when `make catalogues` compiles them, and the part is drawn again. The
        # addresses' prefix and URL map too, for the {% url %} tags.
        key = (
            trans_real.catalog(),
            get_script_prefix(),
            get_urlconf(),
            *(_plain(value.resolve(context)) for value in self.values),
        )
        drawn = self.drawn.get(key)
        if drawn is None:
            drawn = self.drawn[key] = self.nodelist.render(context)
        return drawn


def _plain(value):
    """What a lazy value (villages.context_processors.roles gives them) wraps, so that the
    kept parts' keys hold no request's user."""
    if isinstance(value, LazyObject):
        if value._wrapped is empty:
            value._setup()
        return value._wrapped
    return value


@register.tag
def per_language(parser, token):
    values = [parser.compile_filter(name) for name in token.split_contents()[1:]]
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist, values)
