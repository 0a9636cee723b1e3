"""Worker groups, workers and grassroots communicators: the lists and the officials' forms to
keep them. A group's and a worker's own page count training's sessions too, so they are the
roof's (frontdoor.worker_pages).

Everyone with a role in a commune reads its program; officials change it
(villages.access.may_manage_program). Records of another commune answer 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from mobilization.forms import (
    CommunicatorForm,
    MembershipFormSet,
    WorkerForm,
    WorkerGroupForm,
)
from mobilization.models import Worker, WorkerGroup, membership_active_q
from mobilization.selectors import (
    communicators_visible_to,
    worker_groups_visible_to,
    workers_visible_to,
)
from mobilization.services import worker_group_save
from softbridge.calendar import commune_today
from softbridge.paging import page_of
from softbridge.submissions import answered_once
from softbridge.typed_ids import row_id
from villages.access import communes_managed_by, may_manage_program
from villages.models import Commune, Village
from villages.selectors import commune_villages_visible_to

# --- Worker groups


@login_required
def groups(request):
    queryset = (
        worker_groups_visible_to(request.user)
        .select_related("village", "commune")
        .annotate(
            member_count=Count("memberships", filter=membership_active_q(commune_today(), "memberships__"))
        )
        .order_by("commune__code", "kind", "name")
    )
    return render(
        request,
        "mobilization/group_list.html",
        {"page": page_of(request, queryset), "may_create": communes_managed_by(request.user).exists()},
    )


@login_required
@answered_once
def group_new(request):
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    form = WorkerGroupForm(
        request.POST or None, communes=communes, villages=Village.objects.filter(commune__in=communes)
    )
    if request.method == "POST" and form.is_valid() and _group_saved(form):
        group = form.instance
        messages.success(request, _("The group %(name)s was created.") % {"name": group.name})
        return redirect("program:group", pk=group.pk)
    return render(request, "mobilization/group_form.html", {"form": form})


def _group_saved(form) -> bool:
    """Save the form's group through worker_group_save, or put its refusals on the form."""
    try:
        worker_group_save(group=form.save(commit=False))
    except ValidationError as error:
        form.add_error(None, error)
        return False
    return True


@login_required
@answered_once
def group_edit(request, pk):
    group = get_object_or_404(worker_groups_visible_to(request.user), pk=pk)
    if not may_manage_program(request.user, group.commune):
        raise PermissionDenied
    form = WorkerGroupForm(
        request.POST or None,
        instance=group,
        communes=Commune.objects.filter(pk=group.commune_id),
        villages=group.commune.villages.all(),
    )
    if request.method == "POST" and form.is_valid() and _group_saved(form):
        messages.success(request, _("The group %(name)s was saved.") % {"name": group.name})
        return redirect("program:group", pk=group.pk)
    return render(request, "mobilization/group_form.html", {"form": form, "group": group})


# --- Workers


def _worker_form_and_memberships(request, *, instance, communes, groups):
    form = WorkerForm(request.POST or None, instance=instance, communes=communes)
    formset = MembershipFormSet(request.POST or None, instance=instance, groups=groups, prefix="memberships")
    return form, formset


def _save_worker(form, formset) -> Worker | None:
    """Save the worker and their memberships together, or nothing when a group is of
    another commune than the worker."""
    commune = form.cleaned_data.get("commune") or form.instance.commune
    for membership_form in formset.forms:
        if membership_form.cleaned_data.get("DELETE"):
            continue
        group = membership_form.cleaned_data.get("group")
        if group is not None and group.commune_id != commune.pk:
            membership_form.add_error("group", WorkerGroup.other_commune_refusal)
            return None
    with transaction.atomic():
        worker = form.save()
        formset.instance = worker
        formset.save()
    return worker


@login_required
@answered_once
def worker_new(request):
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    form, formset = _worker_form_and_memberships(
        request, instance=Worker(), communes=communes, groups=WorkerGroup.objects.filter(commune__in=communes)
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        worker = _save_worker(form, formset)
        if worker is not None:
            messages.success(request, _("%(name)s was added.") % {"name": worker.full_name})
            return redirect("program:worker", pk=worker.pk)
    return render(request, "mobilization/worker_form.html", {"form": form, "formset": formset})


@login_required
@answered_once
def worker_edit(request, pk):
    worker = get_object_or_404(workers_visible_to(request.user), pk=pk)
    if not may_manage_program(request.user, worker.commune):
        raise PermissionDenied
    form, formset = _worker_form_and_memberships(
        request,
        instance=worker,
        communes=Commune.objects.filter(pk=worker.commune_id),
        groups=WorkerGroup.objects.filter(commune=worker.commune_id),
    )
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        if _save_worker(form, formset) is not None:
            messages.success(request, _("%(name)s was saved.") % {"name": worker.full_name})
            return redirect("program:worker", pk=worker.pk)
    return render(
        request, "mobilization/worker_form.html", {"form": form, "formset": formset, "worker": worker}
    )


# --- Grassroots communicators


@login_required
def communicators(request):
    queryset = (
        communicators_visible_to(request.user)
        .select_related("worker", "village")
        .order_by("village__code", "worker__full_name", "id")
    )
    village = request.GET.get("village", "")
    villages = commune_villages_visible_to(request.user).order_by("commune__code", "code")
    if row_id(village) is not None:
        queryset = queryset.filter(village=village)
    return render(
        request,
        "mobilization/communicator_list.html",
        {
            "page": page_of(request, queryset),
            "villages": villages,
            "village": village,
            "may_create": communes_managed_by(request.user).exists(),
            "managed_communes": set(communes_managed_by(request.user).values_list("id", flat=True)),
        },
    )


@login_required
@answered_once
def communicator_new(request):
    communes = communes_managed_by(request.user)
    if not communes.exists():
        raise PermissionDenied
    form = CommunicatorForm(
        request.POST or None,
        communes=communes,
        workers=Worker.objects.filter(commune__in=communes),
        villages=Village.objects.filter(commune__in=communes),
        initial={"chosen_on": commune_today()},
    )
    if request.method == "POST" and form.is_valid():
        communicator = form.save()
        messages.success(
            request, _("%(name)s was recorded as a communicator.") % {"name": communicator.worker}
        )
        return redirect("program:communicators")
    return render(request, "mobilization/communicator_form.html", {"form": form})


@login_required
@answered_once
def communicator_edit(request, pk):
    communicator = get_object_or_404(communicators_visible_to(request.user), pk=pk)
    if not may_manage_program(request.user, communicator.commune):
        raise PermissionDenied
    form = CommunicatorForm(
        request.POST or None,
        instance=communicator,
        communes=Commune.objects.filter(pk=communicator.commune_id),
        workers=Worker.objects.filter(commune=communicator.commune_id),
        villages=Village.objects.filter(commune=communicator.commune_id),
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("%(name)s was saved.") % {"name": communicator.worker})
        return redirect("program:communicators")
    return render(
        request, "mobilization/communicator_form.html", {"form": form, "communicator": communicator}
    )
