"""{% per_language %}...{% end_per_language %}: a part of a template drawn once per language
and process, then given as it was drawn.

For a part made of constant text and {% translate %} tags only, which every page of the site
draws: templates/device.html's sixty texts for static/js/outbox.js cost about a sixth of the
CPU of a refusal page (bench/request_cpu.py). Nothing in it may read the context (the user,
the request, a URL): it would be drawn for the first request and shown to every other.
"""

from django import template
from django.utils.translation import trans_real

register = template.Library()


class PerLanguageNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self.drawn = {}  # the node lives as long as the loader keeps its template

    def render(self, context):
        # Keyed by the catalogue itself, not the language's code: a development server reloads
        # the catalogues when `make catalogues` compiles them, and the part is drawn again.
        catalogue = trans_real.catalog()
        drawn = self.drawn.get(catalogue)
        if drawn is None:
            drawn = self.drawn[catalogue] = self.nodelist.render(context)
        return drawn


@register.tag
def per_language(parser, token):
    nodelist = parser.parse(("end_per_language",))
    parser.delete_first_token()
    return PerLanguageNode(nodelist)
