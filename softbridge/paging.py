"""A page of a long list, as every list page shows it."""

from django.core.paginator import Page, Paginator

PAGE_SIZE = 25


def page_of(request, queryset, per_page: int = PAGE_SIZE) -> Page:
    """The page of `queryset` the request's `page` parameter names (the last one when beyond)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
