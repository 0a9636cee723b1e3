"""What every endpoint of the REST API shares: paging, throttles, errors, scoped writes and
the refusal of lost updates.

The rules themselves live elsewhere: who may see a record in the selectors, who may change
it in villages.access, how a write happens in the services. This module only lets a viewset
state them once: `visible(user)` for reads (anything else answers 404), `may_create_any`
and `may_change` for writes (403), and the serializers it reads and writes with.
"""

import re

from django.core.validators import MaxLengthValidator
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission, IsAuthenticated
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.response import Response

from softbridge.api_errors import Conflict as Conflict  # the endpoints raise it from here
from softbridge.api_errors import PreconditionFailed
from softbridge.api_limits import NOT_JSON
from softbridge.request_limits import too_many
from softbridge.submissions import FIELD, confirmed
from softbridge.versions import StaleWrite

# Ids beyond this many digits cannot exist; the URL does not match them (404) rather than
# letting a database refuse an out-of-range integer.
ID_PATTERN = "[0-9]{1,18}"


@csrf_exempt  # a DELETE to a wrong path is a 404, not a CSRF failure page
def not_found(request, path=""):
    """Any other path under /api/ (an id that is not a number, a misspelt resource): a JSON
    404 like the rest of the API, not the site's HTML page."""
    return JsonResponse({"detail": str(exceptions.NotFound.default_detail)}, status=404)


# --- Fields that point at other records


class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A reference to a record the user may see, chosen by `scope(user)`.

    With `outside_is_404`, a record the user may not see answers 404 for the whole request,
    as the web pages do for the household or village a write is about; otherwise it is a
    400 naming the field, as for any other bad value. Either way nothing tells the client
    whether the record exists elsewhere. `may_write(user, record)`, when given, answers 403
    for a record the user may see but not write in (a leader's village).
    """

    def __init__(self, *, scope, outside_is_404: bool = False, may_write=None, **kwargs):
        self.scope = scope
        self.outside_is_404 = outside_is_404
        self.may_write = may_write
        super().__init__(**kwargs)

    @classmethod
    def many_init(cls, *args, max_length: int, **kwargs):
        """`many=True` needs `max_length`: a list of references longer than it is refused whole
        (400 naming the field) before any of them is looked up."""
        list_kwargs = {key: value for key, value in kwargs.items() if key in MANY_RELATION_KWARGS}
        return ShortManyRelatedField(
            child_relation=cls(*args, **kwargs), max_length=max_length, **list_kwargs
        )

    def get_queryset(self):
        return self.scope(self.context["request"].user)

    def to_internal_value(self, data):
        try:
            record = super().to_internal_value(data)
        except serializers.ValidationError as error:
            if self.outside_is_404 and error.get_codes() == ["does_not_exist"]:
                raise exceptions.NotFound(
                    _("%(field)s: no such record in your area.")
                    % {"field": self.field_name or getattr(self.parent, "field_name", "")}
                ) from None
            raise
        if self.may_write is not None and not self.may_write(self.context["request"].user, record):
            raise exceptions.PermissionDenied(ScopedWrites.message)
        return record


# --- Lists, counted before their items are read (softbridge.request_limits)


def _count_first(data, limit: int | None) -> None:
    if limit is not None and isinstance(data, list | tuple) and len(data) > limit:
        raise serializers.ValidationError(too_many(len(data), limit).messages, code="max_length")


def _declare(field, limit: int) -> None:
    # What drf-spectacular reads for the schema's maxItems; the list was counted before this runs.
    field.validators.append(MaxLengthValidator(limit))


class ShortManyRelatedField(serializers.ManyRelatedField):
    """A list of references to records, of at most `max_length`: ScopedPrimaryKeyField(many=True)."""

    def __init__(self, *, max_length: int, **kwargs):
        self.max_length = max_length
        super().__init__(**kwargs)
        _declare(self, max_length)

    def to_internal_value(self, data):
        _count_first(data, self.max_length)
        return super().to_internal_value(data)


class ShortListSerializer(serializers.ListSerializer):
    """A list of nested records (`Meta.list_serializer_class`), of at most `max_length`."""

    def __init__(self, *args, **kwargs):
        if kwargs.get("max_length") is None:
            raise TypeError(f"{type(self).__name__} needs max_length (softbridge.request_limits).")
        super().__init__(*args, **kwargs)
        _declare(self, self.max_length)

    def to_internal_value(self, data):
        _count_first(data, self.max_length)
        return super().to_internal_value(data)


class ShortListField(serializers.ListField):
    """A list of values of at most `max_length`, counted before its items are validated."""

    def __init__(self, *, max_length: int, **kwargs):
        super().__init__(max_length=max_length, **kwargs)

    def to_internal_value(self, data):
        _count_first(data, self.max_length)
        return super().to_internal_value(data)


# --- Permissions


class ScopedWrites(BasePermission):
    """Reads are for everyone signed in (the queryset is already scoped); writes ask the viewset.

    `may_create_any(user)` refuses a create before the body is read when the user may
    create nothing of the kind anywhere (a leader); the record's own village or commune is
    checked once the body is valid. `may_change(user, obj)` decides updates and the
    actions on one record, `may_delete(user, obj)` deletes.
    """

    message = gettext_lazy("Your role does not allow this change.")

    def has_permission(self, request, view):
        # A method the route does not offer goes on to its 405.
        if request.method in SAFE_METHODS or getattr(view, "detail", False) or view.action is None:
            return True
        return view.may_create_any(request.user)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        if request.method == "DELETE":
            return view.may_delete(request.user, obj)
        return view.may_change(request.user, obj)


def refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise exceptions.PermissionDenied(ScopedWrites.message)


# --- Viewsets


class ScopedViewSet(viewsets.GenericViewSet):
    """Reads start from `visible(user)`; responses use `serializer_class`, request bodies
    `input_serializer_class` (and `update_serializer_class` for PUT and PATCH when the
    fields that may change differ from those of a new record)."""

    permission_classes = [IsAuthenticated, ScopedWrites]
    lookup_value_regex = ID_PATTERN
    ordering_fields: list[str] = []
    input_serializer_class = None
    update_serializer_class = None

    def visible(self, user):
        raise NotImplementedError

    def with_related(self, queryset):
        """Joins and prefetches that keep a page at a fixed number of queries."""
        return queryset

    def get_queryset(self):
        return self.with_related(self.visible(self.request.user))

    def filter_queryset(self, queryset):
        # One record by id and no query parameters: no filter or ordering would apply, and
        # building the filter set for nothing costs about as much as the lookup itself.
        if self.detail and not self.request.query_params:
            return queryset
        return super().filter_queryset(queryset)

    def may_create_any(self, user) -> bool:
        return False

    def may_change(self, user, obj) -> bool:
        return False

    def may_delete(self, user, obj) -> bool:
        return self.may_change(user, obj)

    def input_class(self):
        if self.action in ("update", "partial_update") and self.update_serializer_class is not None:
            return self.update_serializer_class
        return self.input_serializer_class

    def get_input_serializer(self, *args, **kwargs):
        kwargs.setdefault("context", self.get_serializer_context())
        return self.input_class()(*args, **kwargs)

    def output(self, instance, status_code=status.HTTP_200_OK, headers=None) -> Response:
        """The record as it is now in the database, read through the scoped queryset."""
        fresh = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(fresh).data, status=status_code, headers=headers)


class ListRetrieve(mixins.ListModelMixin, mixins.RetrieveModelMixin):
    pass


class CreateFromInput:
    """POST: validate the input serializer, `perform_create` returns the saved record."""

    def create(self, request, *args, **kwargs):
        serializer = self.get_input_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        instance, created = self.perform_create(serializer)
        response = self.output(instance, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
        key = serializer.validated_data.get(FIELD) if getattr(self, "replays_submission_key", False) else None
        # The record of this key is stored (now, or by the user's earlier send): a client
        # forgets what it was sending only when the answer names its key.
        return confirmed(response, key) if key is not None else response

    def perform_create(self, serializer):
        """Return (record, created): a repeated submission key answers 200 with the first record."""
        raise NotImplementedError


class UpdateFromInput:
    """PUT and PATCH: validate the input serializer against the record, then save it."""

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        instance = self.get_object()
        self.check_before_input(request, instance)
        serializer = self.get_input_serializer(instance, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.output(serializer.instance)

    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def check_before_input(self, request, instance) -> None:
        """Refuse the write before its body is validated (get_object has checked the role)."""

    def perform_update(self, serializer):
        # A record with no rule beyond its fields (a village's name, a group, a target): the
        # input serializer's validation is the whole of its rules. A record with rules of its
        # own overrides this with its update service (visit_update, session_update, ...).
        serializer.save()


class Destroy(mixins.DestroyModelMixin):
    """DELETE: `perform_destroy` calls the record's delete service (resident_delete, ...), which
    holds the rules; a RecordInUse it raises answers 409 (api_errors.exception_handler)."""

    def perform_destroy(self, instance):
        raise NotImplementedError("Call the record's delete service.")


# --- Lost updates: ETag and If-Match, or a version field


def etag_of(instance) -> str:
    return f'"{instance.version}"'


_ETAG = re.compile(r'\s*(?:W/)?"([^"]*)"\s*')


def if_match_versions(header: str) -> set[str] | None:
    """The versions an If-Match header accepts; None for `*` (any version)."""
    if header.strip() == "*":
        return None
    versions = set()
    for part in header.split(","):
        match = _ETAG.fullmatch(part)
        versions.add(match.group(1) if match else part.strip())
    return versions


def read_version_field() -> serializers.IntegerField:
    """The `version` a client read, sent back with its write (VersionedWrites): optional."""
    return serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy("The version you read; a stale one is refused with 409. Optional."),
    )


class VersionedWrites:
    """Households and residents refuse a write based on an old read.

    A read answers with `ETag: "<version>"`. A PUT, PATCH or DELETE with `If-Match` is
    refused with 412 when the record has changed since; a body's `version` field does the
    same with 409. Neither is required: a write without them applies to the current record.
    The check and the save happen under one row lock (Versioned.save_unless_stale), so two
    writes based on the same read cannot both pass.
    """

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        return Response(self.get_serializer(instance).data, headers={"ETag": etag_of(instance)})

    def expected_version(self, request, instance, sent_version: int | None) -> tuple[int | None, bool]:
        """(version the write is based on, whether it came as If-Match); None when the writer
        sent neither: such a write applies to the record as it is when it is saved, not as this
        request read it (someone's save in between is no conflict).

        A stale one raises StaleWrite (409, softbridge.api_errors.exception_handler) or, for
        If-Match, PreconditionFailed (412) with the same message."""
        header = request.headers.get("If-Match")
        if header is not None:
            versions = if_match_versions(header)
            if versions is not None and str(instance.version) not in versions:
                raise PreconditionFailed(StaleWrite(instance).message)
            # `*` accepts whatever is stored then.
            return (instance.version if versions is not None else None), True
        instance.refuse_if_stale(sent_version)
        return sent_version, False

    def check_before_input(self, request, instance) -> None:
        # A stale write is refused before the body is validated: what validation says of the
        # body (an ID number taken by someone else) is for a write that could be saved.
        sent = request.data.get("version") if isinstance(request.data, dict) else None
        self.expected_version(request, instance, sent if type(sent) is int else None)

    def save_versioned(self, instance, sent_version: int | None, *, update) -> None:
        """Save through `update(version=...)`, the record's update service, which refuses a
        stale write with StaleWrite: 412 when the version came as If-Match."""
        expected, if_match = self.expected_version(self.request, instance, sent_version)
        try:
            update(version=expected)
        except StaleWrite as stale:
            if if_match:
                raise PreconditionFailed(stale.message) from None
            raise

    def output(self, instance, status_code=status.HTTP_200_OK, headers=None) -> Response:
        response = super().output(instance, status_code, headers)
        fresh_version = response.data.get("version")
        if fresh_version is not None:
            response["ETag"] = f'"{fresh_version}"'
        return response

    def destroy(self, request, *args, **kwargs):
        instance = self.get_object()
        self.expected_version(request, instance, None)
        self.perform_destroy(instance)
        return Response(status=status.HTTP_204_NO_CONTENT)


IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        'The ETag the record was read with, for example "3". Optional; when sent and the record '
        "has changed since, the write is refused with 412 and nothing changes."
    ),
)
ETAG = OpenApiParameter(
    "ETag",
    str,
    OpenApiParameter.HEADER,
    response=[200],
    required=True,
    description=gettext_lazy('The record\'s version as an entity tag, for example "3". Send it as If-Match.'),
)


# --- The schema


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


VALIDATION_ERROR = {
    "type": "object",
    "description": gettext_lazy(
        "Messages per field that was refused; non_field_errors for the record as a whole."
    ),
    "additionalProperties": {},
}
ERROR_DESCRIPTIONS = {
    "400": gettext_lazy("Bad input: the body names each field that was refused."),
    "401": gettext_lazy("No valid credentials: sign in or send `Authorization: Token <key>`."),
    "403": gettext_lazy("Your role does not allow this."),
    "404": gettext_lazy("No such record in your area."),
    "409": gettext_lazy(
        "Conflicts with the record's current state (stale version, records that refer to it)."
    ),
    "412": gettext_lazy("If-Match does not match the record's current ETag: someone changed it since."),
    "415": NOT_JSON,
    "429": gettext_lazy("Too many requests: wait and try again (see Retry-After)."),
}


REPLAYED = gettext_lazy("A submission key sent before: the record the first request saved, unchanged.")


class SoftbridgeSchema(AutoSchema):
    """drf-spectacular's schema with our request and response serializers and every error
    an operation can answer, so that clients (and schemathesis) can rely on the codes."""

    def _write_action(self) -> bool:
        return getattr(self.view, "action", None) in ("create", "update", "partial_update")

    def get_request_serializer(self):
        if self._write_action() and hasattr(self.view, "input_class"):
            return self.view.input_class()
        return super().get_request_serializer()

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if isinstance(self.view, VersionedWrites):
            action = getattr(self.view, "action", None)
            if action in ("update", "partial_update", "destroy"):
                parameters = [*parameters, IF_MATCH]
            if action in ("retrieve", "update", "partial_update"):
                parameters = [*parameters, ETAG]
        return parameters

    def _error_codes(self) -> list[str]:
        codes = ["429"]
        if self.get_auth() and {} not in self.get_auth():
            codes.append("401")
        if not isinstance(self.view, ScopedViewSet):
            # A view of its own (the adoption figures, the token): every refusal is possible.
            codes += ["400", "403", "404"]
            return [*codes, "415"] if self.method in ("POST", "PUT", "PATCH") else codes
        if self.method in SAFE_METHODS:
            if self._is_list_view():
                codes.append("400")  # a filter's bad value
            codes.append("404")  # outside the user's area, or a page past the end
            return codes
        codes += ["400", "403", "404", "409"]
        if self.method in ("POST", "PUT", "PATCH"):
            codes.append("415")
        if isinstance(self.view, VersionedWrites) and self.method in ("PUT", "PATCH", "DELETE"):
            codes.append("412")
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        if "201" in responses and getattr(self.view, "replays_submission_key", False):
            responses["200"] = {
                **responses["201"],
                "description": str(REPLAYED),
            }
        for code in self._error_codes():
            if code in responses:
                continue
            if code == "400":
                schema = {**VALIDATION_ERROR, "description": str(VALIDATION_ERROR["description"])}
            else:
                schema = self.resolve_serializer(ErrorSerializer, direction).ref
            responses[code] = {
                "content": {"application/json": {"schema": schema}},
                "description": str(ERROR_DESCRIPTIONS[code]),
            }
        return responses


def drop_titles(result, generator, request, public):
    """SPECTACULAR_SETTINGS's POSTPROCESSING_HOOKS: no `title` in the schema's paths and
    components.

    drf-spectacular titles a field or a filter with its verbose name in the request's
    language, and client generators make class and module names of titles: a client generated
    from the schema read in Vietnamese had a module `visits_list_kế_t_qu_ả.py`, and two teams
    got two clients from one server. Without titles, names come from the field's name; the
    descriptions still follow the language. The API's own title (`info`) is a name and stays.
    """
    _drop_titles(result.get("paths", {}))
    _drop_titles(result.get("components", {}))
    return result


def _drop_titles(node, *, names_fields: bool = False) -> None:
    if isinstance(node, dict):
        # In `properties` a key is a field's name: a field called "title" stays.
        if not names_fields and isinstance(node.get("title"), str):
            del node["title"]
        for key, value in node.items():
            _drop_titles(value, names_fields=key == "properties")
    elif isinstance(node, list):
        for item in node:
            _drop_titles(item)
