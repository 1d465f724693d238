"""What every list page shares: pages of PAGE_SIZE rows whose links keep the filters, and the
sentences that name a bad filter or page parameter (the page still shows, never a 500).

    page, problems = lists.paginate(request, queryset)
    problems += lists.filter_problems(filterset)
    ... render(..., {"page": page, "problems": problems}, status=lists.status_for(problems))

and in the template {% include "web/partials/pagination.html" %} (and
{% include "web/partials/list_problems.html" %} above the list).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _

PAGE_SIZE = 25


@dataclass(frozen=True)
class ListProblem:
    """A request parameter the list could not use: its name, and what was done instead."""

    param: str
    message: str
    bad_request: bool = True  # a value no link of the pages makes (400); False: a stale page number (200)


def query_without(request: HttpRequest, *params: str) -> str:
    """The request's query string without `params`: the filters that page links keep."""
    query = request.GET.copy()
    for name in params:
        query.pop(name, None)
    return query.urlencode()


def paginate(request: HttpRequest, items, *, per_page: int = PAGE_SIZE, param: str = "page",
             fragment: str = "") -> tuple[Page, list[ListProblem]]:
    """The page of `items` that ?<param>= asks for. A value that is not a page number shows page 1,
    a number past the end the last page; either way with a problem that names the parameter."""
    paginator = Paginator(items, per_page)
    raw = (request.GET.get(param) or "").strip()
    problems: list[ListProblem] = []
    number = 1
    if raw:
        try:
            number = int(raw)
            if number < 1:
                raise ValueError
        except ValueError:
            number = 1
            problems.append(ListProblem(param, _(
                "The parameter “%(param)s” must be a page number from 1 to %(last)s, not “%(value)s”: page 1 is shown."
            ) % {"param": param, "last": paginator.num_pages, "value": raw[:40]}))
        else:
            if number > paginator.num_pages:
                problems.append(ListProblem(param, _(
                    "There is no page %(number)s (parameter “%(param)s”): the list has %(last)s, the last is shown."
                ) % {"number": number, "param": param, "last": _pages(paginator.num_pages)}, bad_request=False))
                number = paginator.num_pages
    page = paginator.page(number)
    query = query_without(request, param)
    prefix = f"?{query}&" if query else "?"

    def url(n: int) -> str:
        return f"{prefix}{param}={n}{fragment}"

    page.param = param
    page.links = [
        {"number": n, "url": url(n), "current": n == number} if n != Paginator.ELLIPSIS else {"ellipsis": True}
        for n in paginator.get_elided_page_range(number, on_each_side=2, on_ends=1)
    ]
    page.previous_url = url(number - 1) if page.has_previous() else ""
    page.next_url = url(number + 1) if page.has_next() else ""
    return page, problems


def _pages(n: int) -> str:
    from django.utils.translation import ngettext

    return ngettext("%(n)s page", "%(n)s pages", n) % {"n": n}


def filter_problems(filterset) -> list[ListProblem]:
    """One problem per filter parameter whose value the filter set refused (that filter is left out;
    the others still apply: django-filter filters by the cleaned, valid fields only)."""
    if filterset.is_valid():
        return []
    problems = []
    for name, errors in filterset.form.errors.items():
        field = filterset.form.fields.get(name)
        value = filterset.data.get(name, "")
        problems.append(ListProblem(name, _(
            "The filter “%(label)s” (parameter “%(param)s”) could not use “%(value)s” and was left out: %(error)s"
        ) % {"label": field.label if field else name, "param": name, "value": str(value)[:60],
             "error": " ".join(str(e) for e in errors)}))
    return problems


def status_for(problems: list[ListProblem]) -> int:
    return 400 if any(p.bad_request for p in problems) else 200
