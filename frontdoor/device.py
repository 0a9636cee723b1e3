"""The field device: the installable app, its service worker, and what a phone keeps to work with
no network (docs/offline.md).

Three things live on the device, each in a store of its own:
- the outbox (IndexedDB `softbridge-outbox`, static/js/outbox-core.js): every field form is written
  there first and sent as an ordinary POST with its submission key, until the server answers;
- drafts and the device's notes (IndexedDB `softbridge-device`): what a form holds before it is
  saved, and which user the device works for;
- device copies of the field pages (the service worker's cache `softbridge-device-copies`): the
  pages `kept_pages` lists, rendered for the device, that is without phone or ID numbers.

Everything of a user is cleared at sign-out (the page warns when the outbox is not empty).
"""

import hashlib
import json
import math
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.contrib.staticfiles.storage import staticfiles_storage
from django.db.models import CharField, Count, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from frontdoor.home import TODAY_PAGE_SIZE, today_page_count
from frontdoor.households import PAGE_SIZE as LIST_PAGE_SIZE
from mobilization.models import Application, HomeVisit
from mobilization.selectors import follow_ups_due, households_due
from softbridge import errors
from softbridge.calendar import commune_today
from softbridge.submissions import SAVED_HEADER
from softbridge.text import fold
from training.models import Attendance
from training.selectors import (
    ATTENDANCE_PAGE_HOUSEHOLDS,
    attendance_candidates,
    attendance_households,
    sessions_visible_to,
)
from villages.access import reads_aggregates_only, villages_editable_by, villages_in_charge
from villages.models import Household, Resident, Role
from villages.selectors import households_open_to_outreach, with_list_columns

# The request header the service worker sends when it fetches a page to keep on the device.
DEVICE_COPY_HEADER = "Softbridge-Device-Copy"
# The request header the outbox sends with each record it replays.
OUTBOX_HEADER = "Softbridge-Outbox"
# The answer's header that says who is signed in (DeviceAnswers).
USER_HEADER = "Softbridge-User"
# A field device keeps copies of this many households in the user's charge at most (households_kept),
# the most urgent first (households_most_urgent): a village head of several villages is a few hundred.
# The per-phone budget docs/offline.md states and bench/field.py holds rests on it.
KEPT_HOUSEHOLDS = 400
# A village head's phone keeps the register's forms (_register_forms) of this many of those
# households at most, the most urgent first: they are about 39 KB and 10 pages a household (four
# forms and a move per member) against 14 KB and 2 pages for a household's page and visit form;
# kept for all 400 they would weigh 21 MB and take over half an hour at 400 kbps. The head's
# budget docs/offline.md states and bench/field.py holds rests on it.
KEPT_REGISTER_HOUSEHOLDS = 100
# Attendance is kept for the sessions held in this many days before today, this many at most.
KEPT_SESSION_DAYS = 7
KEPT_SESSIONS = 20
# The files every field page needs, kept when the service worker is installed.
FIELD_STATIC = (
    "css/softbridge.css",
    "css/fieldwork.css",
    "css/device.css",
    "js/site.js",
    "js/fieldwork.js",
    "js/model_tag.js",
    "js/outbox-core.js",
    "js/outbox-page.js",
    "js/outbox-status.js",
    "js/outbox-forms.js",
    "js/outbox-search.js",
    "js/outbox.js",
    # The sessions' pages and their attendance: a phone that never opened one with a signal
    # draws it styled, and offers a ticked resident's achievements, with no network.
    "css/program.css",
    "js/attendance.js",
    "js/device-report.js",
    "js/push.js",
    "vendor/idb/idb.umd.js",
    "django_htmx/htmx-2.min.js",
    "django_htmx/django-htmx.js",
    "icons/softbridge.svg",
)
# In the order they load: each needs the ones before it.
WORKBOX = (
    "workbox-core",
    "workbox-routing",
    "workbox-strategies",
    "workbox-expiration",
    "workbox-precaching",
)


def is_device_copy(request) -> bool:
    """Is this page rendered to be kept on a device? Then it leaves out phone and ID numbers."""
    return request.headers.get(DEVICE_COPY_HEADER) == "1"


def device(request) -> dict:
    """Template context: `device_copy`, for the templates that show phone or ID numbers;
    `keeps_pages`, whether this user's device keeps pages at all (a province leader's keeps
    none, device_pages: their pages say nothing of an offline sync)."""
    user = getattr(request, "user", None)
    return {
        "device_copy": is_device_copy(request),
        "keeps_pages": user is not None and not reads_aggregates_only(user),
    }


def households_kept(user):
    """The households whose pages a field device keeps: those of the villages the user works in
    on the ground (villages.access.villages_in_charge), where they may log visits. An official's
    whole commune stays on the server: the office has the network, and a phone not the room."""
    return households_open_to_outreach(user).filter(village__in=villages_in_charge(user))


def households_most_urgent(user) -> list[int]:
    """The ids of the households a device keeps, the most urgent first in Today's order
    (mobilization.selectors.households_due: follow-ups overdue, due this week, never visited,
    members short of a step), at most KEPT_HOUSEHOLDS: when the charge is larger, the least
    urgent stay on the server, and the phone says so (device_pages' `charge`)."""
    due = households_due(user, today=commune_today()).filter(village__in=villages_in_charge(user))
    return list(due.values_list("pk", flat=True)[:KEPT_HOUSEHOLDS])


def _count_and_last(model, household_path: str):
    """A subquery: '<count>.<highest id>' of `model`'s rows of the outer household."""
    rows = (
        model.objects.filter(**{household_path: OuterRef("pk")})
        .order_by()
        .values(household_path)
        .annotate(seen=Concat(Cast(Count("id"), CharField()), Value("."), Cast(Max("id"), CharField())))
        .values("seen")
    )
    return Coalesce(Subquery(rows, output_field=CharField()), Value(""))


def _household_stamps(kept: list[int]) -> dict[int, str]:
    """For each household a device keeps, what its pages show has changed when this has:
    the household's and its members' versions (every save counts), and the count and last
    id of its visits, attendances and applications."""
    members = (
        Resident.objects.filter(household=OuterRef("pk"))
        .order_by()
        .values("household")
        .annotate(seen=Concat(Cast(Count("id"), CharField()), Value("."), Cast(Sum("version"), CharField())))
        .values("seen")
    )
    households = (
        Household.objects.filter(pk__in=kept)
        .order_by()
        .annotate(
            members_seen=Coalesce(Subquery(members, output_field=CharField()), Value("")),
            visits_seen=_count_and_last(HomeVisit, "household"),
            attendances_seen=_count_and_last(Attendance, "resident__household"),
            applications_seen=_count_and_last(Application, "resident__household"),
        )
        .values_list("pk", "version", "members_seen", "visits_seen", "attendances_seen", "applications_seen")
    )
    found = {row[0]: "-".join(map(str, row[1:])) for row in households}
    return {pk: found[pk] for pk in kept if pk in found}  # the most urgent first


def kept_pages(user, *, language: str, kept: list[int] | None = None) -> list[dict]:
    """The pages a field device keeps for `user`, each with a stamp that changes when what the
    page shows may have: the home page, the household list, the follow-ups, the outbox, the
    visit form, and for each household in the user's charge its page and its visit form; the
    sessions of the last days in the user's villages, with their attendance, and the training
    list; every page of Today; the register's forms of the households the user keeps the
    register of (_register_forms).

    The device fetches a page again only when its stamp changed (or its copy is old), so that
    keeping a village's pages costs the network once, not at every sync; and in this order, so
    that an interrupted first sync holds the most urgent households. `kept`: the households
    (households_most_urgent), when the caller has them already."""
    today = commune_today()
    # What every page shows whatever the household: the user, their roles, the language, the
    # day (forms default to it) and the site's own version (its templates and static files).
    roles = list(
        Role.objects.filter(user=user).order_by("pk", "villages").values_list("pk", "kind", "villages")
    )
    context = hashlib.sha256(
        repr((user.pk, roles, language, today.isoformat(), _site_version())).encode()
    ).hexdigest()[:16]

    def page(url: str, stamp: str = "") -> dict:
        return {"url": url, "stamp": context + (":" + stamp if stamp else "")}

    # Pages that list many households change whenever any of them does (or at the day's end).
    home, household_list, follow_ups = (
        page(reverse("home")),
        page(reverse("villages:households")),
        page(reverse("visits:follow_ups")),
    )
    order = households_most_urgent(user) if kept is None else kept
    pages = [home, household_list, follow_ups, page(reverse("outbox"))]
    # The visit form only for whoever has households to visit: a commune leader's phone asked
    # for it at every sync, was refused (403) and never said "ready offline".
    if order:
        pages.insert(3, page(reverse("visits:new")))
    stamps = _household_stamps(order)

    # The home page (Today: the most urgent households, an order any change may move) changes
    # with every household; the household list's first page with its own households; the
    # follow-ups with the follow-ups due (a visit that closes one, or sets one, changes them).
    # A visit changes only the lists that show it (issue 27: 526 KB to sync after one visit).
    def digest(value) -> str:
        return hashlib.sha256(repr(value).encode()).hexdigest()[:16]

    first_listed = (
        Household.objects.filter(pk__in=list(stamps))
        .order_by("village__code", "code", "pk")
        .values_list("pk", flat=True)[:LIST_PAGE_SIZE]
    )
    due = follow_ups_due(user, today=today).order_by("pk").values_list("pk", "household", "follow_up_on")
    home["stamp"] += ":" + digest(sorted(stamps.items()))
    household_list["stamp"] += ":" + digest((len(stamps), [(pk, stamps[pk]) for pk in first_listed]))
    follow_ups["stamp"] += ":" + digest(
        [(pk, household, str(on), stamps.get(household)) for pk, household, on in due]
    )
    for pk, stamp in stamps.items():
        pages.append(page(reverse("villages:household", args=[pk]), stamp))
        pages.append(page(f"{reverse('visits:new')}?household={pk}", stamp))
    since = today - timedelta(days=KEPT_SESSION_DAYS)
    # Held sessions only: a planned one takes no attendance before its day (its form would be
    # refused), and the phone keeps it from that day on.
    sessions = (
        sessions_visible_to(user)
        .held(today)
        .filter(held_on__gte=since, village__in=villages_in_charge(user))
        .select_related("village")
        .order_by("-held_on", "-pk")
        .annotate(
            attendances_seen=Concat(
                Cast(Count("attendances"), CharField()),
                Value("."),
                Cast(Coalesce(Max("attendances__id"), 0), CharField()),
            )
        )[:KEPT_SESSIONS]
    )
    for session in sessions:
        # An attendance page shows its ten households' members: it changes when one of them
        # does (their stamps), not when any household of the charge does.
        listed = attendance_households(attendance_candidates(session, user))
        chunks = [
            listed[start : start + ATTENDANCE_PAGE_HOUSEHOLDS]
            for start in range(0, len(listed), ATTENDANCE_PAGE_HOUSEHOLDS)
        ] or [[]]
        pages.append(page(reverse("training:session", args=[session.pk]), session.attendances_seen))
        attendance = reverse("training:attendance", args=[session.pk])
        for number, households in enumerate(chunks, start=1):
            seen = hashlib.sha256(repr([stamps.get(pk, pk) for pk in households]).encode()).hexdigest()[:16]
            address = attendance if number == 1 else f"{attendance}?page={number}"
            pages.append(page(address, f"{session.attendances_seen}:{seen}"))
    # The training list leads to the sessions kept above, and every page of Today to the
    # households' visit forms (each with Today's own stamp). Register forms come last: a village
    # head's day needs the visit forms first.
    listed = sessions_visible_to(user).aggregate(count=Count("id"), last=Max("id"))
    pages.append(page(reverse("training:sessions"), f"{listed['count']}.{listed['last']}"))
    # Today's further pages, each stamped with the households it lists in Today's order (the
    # order `order` is in): a visit refetches the pages whose households moved or changed, not
    # all of them (their counts at the top wait for that page's next change). Pages past the
    # households the phone keeps are not kept: their visit forms are not either.
    kept_today = math.ceil(len(order) / TODAY_PAGE_SIZE)
    for number in range(2, min(today_page_count(user), kept_today) + 1):
        shown = order[(number - 1) * TODAY_PAGE_SIZE : number * TODAY_PAGE_SIZE]
        pages.append(page(f"{reverse('home')}?page={number}", digest([(pk, stamps[pk]) for pk in shown])))
    pages.extend(page(url, stamps[pk]) for pk, url in _register_forms(user, stamps))
    return pages


def _register_forms(user, stamps: dict[int, str]) -> list[tuple[int, str]]:
    """(household, address) of the register's forms a device keeps for the households of
    `stamps` whose register the user keeps (a village head's; villages.access.villages_editable_by),
    the KEPT_REGISTER_HOUSEHOLDS most urgent of them: a new member, the household's change, a split,
    a new head, and each present member's move. A member's change is not kept: it shows their ID
    and phone numbers."""
    editable = set(
        households_kept(user)
        .filter(pk__in=list(stamps), village__in=villages_editable_by(user))
        .values_list("pk", flat=True)
    )
    # The most urgent first (stamps is in Today's order), KEPT_REGISTER_HOUSEHOLDS at most.
    editable = [pk for pk in stamps if pk in editable][:KEPT_REGISTER_HOUSEHOLDS]
    forms = []
    for pk in editable:
        for name in ("member_new", "household_edit", "household_split", "household_head"):
            forms.append((pk, reverse(f"villages:{name}", args=[pk])))
    members = (
        Resident.objects.filter(household__in=editable, left_on__isnull=True)
        .order_by("household", "pk")
        .values_list("household", "pk")
    )
    forms.extend((pk, reverse("villages:member_move", args=[pk, member])) for pk, member in members)
    return forms


def _site_version() -> str:
    """Changes with each deploy: the hashed names of the field pages' static files."""
    return hashlib.sha256("\n".join(static(path) for path in FIELD_STATIC).encode()).hexdigest()[:12]


def kept_households(user, *, kept: list[int] | None = None) -> list[dict]:
    """The households whose pages a device keeps, as its household search finds them with no
    network: code, village, the head's name, how many present members, and the code and each
    present member's name folded (softbridge.text.fold: every word typed must be in one of them,
    as villages.selectors.names_matching finds). No phone or ID number."""
    kept = households_most_urgent(user) if kept is None else kept
    households = sorted(
        with_list_columns(households_kept(user).filter(pk__in=kept))
        .order_by()
        .values("pk", "code", "village__code", "village__name", "head_name", "member_count"),
        key=lambda h: (h["village__code"], h["code"], h["pk"]),
    )
    names: dict[int, list[str]] = {}
    present = Resident.objects.filter(
        household__in=[h["pk"] for h in households], left_on__isnull=True
    ).order_by("household", "pk")
    for household, name in present.values_list("household", "search_name"):
        names.setdefault(household, []).append(name)
    return [
        {
            "id": h["pk"],
            "code": h["code"],
            "village": h["village__name"],
            "head": h["head_name"] or "",
            "members": h["member_count"],
            "names": [fold(h["code"]), *names.get(h["pk"], [])],
        }
        for h in households
    ]


@login_required
@require_GET
def device_pages(request):
    """What this user's device keeps: the pages (the service worker fetches each as a device
    copy) and the households its search finds with no network; `charge`, how many households
    the user has in charge (more than the device keeps: the phone says it keeps the most urgent);
    `register_charge` and `register_kept`, the same for the register's forms (a village head's).
    Nothing for a province leader, who reads figures only (villages.access): their phone keeps
    no page.

    The household list changes far less often than the pages (a visit changes none of it): its
    `households_version` is given each time, the list itself only when the device's (the
    `households` parameter) is not that version, so that a sync after a visit stays small."""
    if reads_aggregates_only(request.user):
        kept, households, pages, charge, register = [], [], [], 0, 0
    else:
        kept = households_most_urgent(request.user)
        households = kept_households(request.user, kept=kept)
        pages = kept_pages(request.user, language=request.LANGUAGE_CODE, kept=kept)
        # In one query: the households in charge, and those whose register the user keeps.
        counts = households_kept(request.user).aggregate(
            charge=Count("pk"), register=Count("pk", filter=Q(village__in=villages_editable_by(request.user)))
        )
        charge, register = counts["charge"], counts["register"]
    version = hashlib.sha256(json.dumps(households, sort_keys=True).encode()).hexdigest()[:16]
    body = {
        "user": request.user.pk,
        "pages": pages,
        "charge": charge,
        # The households whose register the user keeps, and of how many the phone keeps the forms.
        "register_charge": register,
        "register_kept": min(register, KEPT_REGISTER_HOUSEHOLDS),
        "households_version": version,
    }
    if request.GET.get("households") != version:
        body["households"] = households
    return JsonResponse(body)


@login_required
@require_GET
def outbox(request):
    """What waits on this device to be sent: the list is read from the device (static/js/outbox.js)."""
    return render(request, "outbox.html")


@require_GET
def offline(request):
    """Shown by the service worker when a page is not kept on the device and the network is out.

    The worker keeps it when it installs, for whoever uses the device next: drawn for nobody."""
    return render(request, "offline.html", {"user": AnonymousUser(), "offline_page": True})


@require_GET
def manifest(request):
    """The web app manifest: what the phone needs to install Softbridge on its home screen."""
    icons = [
        {"src": static(f"icons/softbridge-{size}.png"), "sizes": f"{size}x{size}", "type": "image/png"}
        for size in (192, 512)
    ]
    body = {
        "name": _("Softbridge"),
        "short_name": _("Softbridge"),
        "description": _("Community mobilization for digital public services"),
        "start_url": reverse("home"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0a4a82",
        "lang": request.LANGUAGE_CODE,
        "icons": icons,
    }
    return HttpResponse(json.dumps(body, ensure_ascii=False), content_type="application/manifest+json")


@require_GET
def service_worker(request):
    """The service worker, at the site root so that it may answer for every page."""
    field_static = [static(path) for path in FIELD_STATIC]
    # A new deploy (new hashed file names) is a new worker: the browser installs it and the
    # worker drops the files of the old one.
    version = _site_version()
    hashed = not settings.DEBUG and hasattr(staticfiles_storage, "manifest_name")
    response = render(
        request,
        "sw.js",
        {
            "workbox": [static(f"vendor/workbox/{name}.prod.js") for name in WORKBOX],
            "idb": static("vendor/idb/idb.umd.js"),
            "outbox_core": static("js/outbox-core.js"),
            "static_prefix": "/" + settings.STATIC_URL.lstrip("/"),
            "field_static": field_static,
            "version": version,
            "hashed_static": hashed,
            "device_copy_days": settings.DEVICE_COPY_DAYS,
        },
        content_type="text/javascript",
    )
    response["Service-Worker-Allowed"] = "/"
    return response


class DeviceAnswers:
    """What the field device needs of every answer.

    - Each answer says whose it is (the Softbridge-User header, empty when nobody is signed
      in): the service worker shows a user's device copies only after the server said that
      user is the one signed in (templates/sw.js).
    - The outbox's replays get an answer it can read for sure, whatever page they posted to. A
      field form answers a saved record with a redirect and a refused one with the form again
      (200). fetch() cannot tell a redirect to the next page from a redirect to the sign-in
      page without loading it, so for a request with the outbox header a redirect becomes JSON:
      {"saved": true, "location": ..., "messages": [...], "key": ...} (200), or {"signin": true}
      (401) when the session has ended. The form again stays the page it is (the outbox shows
      it). `key` and the Softbridge-Saved-Key header are the submission key the server stored
      (softbridge.submissions): the outbox deletes a record only when they name its key.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.headers.get(OUTBOX_HEADER) == "1" and response.status_code in (301, 302, 303):
            location = response["Location"]
            if location.split("?")[0] == resolve_url(settings.LOGIN_URL):
                response = JsonResponse({"signin": True}, status=401)
            else:
                said = [str(message) for message in messages.get_messages(request)]
                key = response.get(SAVED_HEADER)
                response = JsonResponse({"saved": True, "location": location, "messages": said, "key": key})
                if key is not None:
                    response[SAVED_HEADER] = key
        user = getattr(request, "user", None)
        response[USER_HEADER] = str(user.pk) if user is not None and user.is_authenticated else ""
        return response


def csrf_failure(request, reason=""):
    """A replay refused for its CSRF token (the device sent one older than the session's) is
    kept like one after an ended session: the next page the worker opens gives the device the
    new token, and the outbox sends the record again. Anything else: the site's refusal page."""
    if request.headers.get(OUTBOX_HEADER) == "1":
        return JsonResponse({"signin": True}, status=403)
    return errors.csrf_failure(request, reason=reason)
