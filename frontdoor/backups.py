"""A portable backup of the whole register: every table worth keeping, in one compressed file.

The file is gzip-compressed JSON lines: a header line (format version, the migrations the
database was at, how many rows each model holds), then one line per row in Django's
serializer format. Primary keys are kept, so that relations survive as they are; content
types and permissions are named by their natural keys because `migrate` recreates them
with other ids. The same file restores into SQLite or PostgreSQL.

What is left out is what the site rebuilds or throws away anyway: content types and
permissions (migrate makes them), sessions (everyone signs in again) and sign-in lockout
counters. Everything else any installed app holds is in, so a new model is backed up
without anyone remembering to add it here.
"""

import datetime
import gzip
import json
import os
import re
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.color import no_style
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.python import Deserializer as PythonDeserializer
from django.core.serializers.python import Serializer as PythonSerializer
from django.db import DatabaseError, IntegrityError, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

FORMAT = "softbridge-backup"
FORMAT_VERSION = 1
# Rebuilt by migrate, or not worth keeping across a restore (see the module docstring).
LEFT_OUT_MODELS = {"contenttypes.contenttype", "auth.permission", "sessions.session"}
LEFT_OUT_APPS = {"axes"}
# Tables database triggers write whenever the register changes (reports.ledger,
# reports.shared_numbers): loading
# the register during a restore makes the triggers append rows of their own, so these
# are emptied again once everything else is in, then loaded from the backup as they were.
# The year rows go with them: the triggers empty them when a commune is deleted.
WRITTEN_BY_TRIGGERS = {"reports.adoptionchange", "reports.adoptionyearchange", "reports.sharednumber"}
CHUNK = 1000
# App labels and migration names, as the header lists them: one word each.
NAME = re.compile(r"\w+", re.ASCII)
# How much of a value or an error from the file a message quotes.
QUOTED = 120


class BackupError(Exception):
    """The file cannot be restored; the message says why in words a person can act on."""


@dataclass
class BackupSummary:
    path: Path
    rows: dict[str, int]
    created: str

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def backed_up_models() -> list[type[models.Model]]:
    """Every concrete model whose rows a backup carries, parents before children where possible."""
    chosen = [
        model
        for model in apps.get_models()
        if not model._meta.proxy
        and model._meta.managed
        and model._meta.label_lower not in LEFT_OUT_MODELS
        and model._meta.app_label not in LEFT_OUT_APPS
    ]
    return serializers.sort_dependencies([(None, chosen)], allow_cycles=True)


def backed_up_tables(model_list: list[type[models.Model]]) -> list[str]:
    """The models' tables and their automatic many-to-many tables."""
    tables = []
    for model in model_list:
        tables.append(model._meta.db_table)
        for field in model._meta.local_many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return tables


def migration_state(app_labels, using: str = "default") -> dict[str, list[str]]:
    """The migrations applied to the database, per app, for the apps named."""
    applied = MigrationRecorder(connections[using]).applied_migrations()
    state: dict[str, list[str]] = {label: [] for label in sorted(app_labels)}
    for app_label, name in applied:
        if app_label in state:
            state[app_label].append(name)
    return {label: sorted(names) for label, names in state.items()}


def _rows(model: type[models.Model], using: str) -> Iterator[models.Model]:
    m2m = [f.name for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]
    queryset = model._base_manager.using(using).order_by(model._meta.pk.name)
    if m2m:
        queryset = queryset.prefetch_related(*m2m)
    return queryset.iterator(chunk_size=CHUNK)


def backup_write(*, path: str | os.PathLike, using: str = "default") -> BackupSummary:
    """Write a backup of the database to `path`, atomically.

    The rows are read in one transaction (a repeatable snapshot on PostgreSQL), written to
    a temporary file beside `path` that only its owner can read (the register holds
    personal data), then renamed over `path`: a backup interrupted halfway never leaves a
    file that looks whole.
    """
    path = Path(path)
    model_list = backed_up_models()
    created = timezone.now().isoformat()
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    raw = os.fdopen(handle, "wb")
    try:
        connection = connections[using]
        outermost = not connection.in_atomic_block
        with transaction.atomic(using=using):
            if connection.vendor == "postgresql" and outermost:
                # Every table read from the same moment, as pg_dump does.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            rows = {m._meta.label_lower: m._base_manager.using(using).count() for m in model_list}
            header = {
                "format": FORMAT,
                "version": FORMAT_VERSION,
                "created": created,
                "database": connection.vendor,
                "migrations": migration_state({m._meta.app_label for m in model_list}, using),
                "rows": rows,
            }
            with raw:
                with gzip.GzipFile(fileobj=raw, mode="wb") as zipped:
                    zipped.write(json.dumps(header, ensure_ascii=False).encode() + b"\n")
                    serializer = _Serializer(zipped)
                    for model in model_list:
                        serializer.serialize(_rows(model, using))
                raw.flush()
                os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return BackupSummary(path=path, rows=rows, created=created)


class _Serializer(PythonSerializer):
    """Rows as dicts; content types and permissions by natural key, everything else by id.

    Ids keep every relation as it was without a lookup per row at restore time; content
    types and permissions get new ids from each database's migrate. Each row is written
    as one JSON line as soon as it is read, so a large register never sits in memory.
    """

    def __init__(self, out):
        super().__init__()
        self.out = out

    def end_object(self, obj):
        row = json.dumps(self.get_dump_object(obj), cls=_Encoder, ensure_ascii=False)
        self.out.write(row.encode() + b"\n")
        self._current = None

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in _BY_NATURAL_KEY
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in _BY_NATURAL_KEY
        super().handle_m2m_field(obj, field)


_BY_NATURAL_KEY = (ContentType, Permission)


class _Encoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o):
        if isinstance(o, datetime.datetime | datetime.time):
            return o.isoformat()
        return super().default(o)


def backup_header(path: str | os.PathLike) -> dict:
    """Read and check the header of a backup file; raise BackupError if it is not one."""
    try:
        with gzip.open(path, "rb") as zipped:
            first = zipped.readline()
        header = json.loads(first)
    except FileNotFoundError:
        raise BackupError(_("There is no file at %(path)s.") % {"path": path}) from None
    except (OSError, EOFError, zlib.error, ValueError, RecursionError):
        raise BackupError(
            _("%(path)s is not a Softbridge backup, or it is damaged.") % {"path": path}
        ) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(_("%(path)s is not a Softbridge backup, or it is damaged.") % {"path": path})
    if header.get("version") != FORMAT_VERSION:
        raise BackupError(
            _("%(path)s is a backup of format %(found)s; this version of Softbridge reads format %(ours)s.")
            % {"path": path, "found": _quoted(header.get("version")), "ours": FORMAT_VERSION}
        )
    if not _header_fits(header):
        raise BackupError(_("%(path)s is not a Softbridge backup, or it is damaged.") % {"path": path})
    return header


def _header_fits(header: dict) -> bool:
    """The header has the shape `backup_write` gives it, so that no reader of it trips."""
    migrations, rows = header.get("migrations"), header.get("rows")
    return (
        isinstance(header.get("created"), str)
        and isinstance(migrations, dict)
        and all(
            NAME.fullmatch(label) and isinstance(names, list) and all(_is_name(n) for n in names)
            for label, names in migrations.items()
        )
        and isinstance(rows, dict)
        and all(type(count) is int and count >= 0 for count in rows.values())
    )


def _is_name(value) -> bool:
    return isinstance(value, str) and NAME.fullmatch(value) is not None


def migrations_differ(header: dict, using: str = "default") -> list[str]:
    """What stands between the backup's migrations and the database's, one line per app."""
    theirs = header.get("migrations") or {}
    labels = set(theirs) | {m._meta.app_label for m in backed_up_models()}
    ours = migration_state(labels, using)
    lines = []
    for label in sorted(labels):
        missing_here = sorted(set(theirs.get(label, [])) - set(ours.get(label, [])))
        missing_there = sorted(set(ours.get(label, [])) - set(theirs.get(label, [])))
        if missing_here:
            lines.append(
                _("%(app)s: the backup has migrations this database lacks: %(names)s")
                % {"app": label, "names": ", ".join(missing_here)}
            )
        if missing_there:
            lines.append(
                _("%(app)s: this database has migrations the backup lacks: %(names)s")
                % {"app": label, "names": ", ".join(missing_there)}
            )
    return lines


def backup_restore(*, path: str | os.PathLike, using: str = "default") -> BackupSummary:
    """Replace every backed-up table's rows with the backup's, in one transaction.

    Refuses (BackupError, one line, nothing changed) a file that is not a backup, is
    damaged or truncated, was made at other migrations, holds a row of another shape than
    `backup` writes (checked for every row before anything is written), a value a field
    cannot take or the database refuses, or rows that do not add up to the counts its
    header promises. Foreign keys are checked once every row is in, so rows load in any
    order. On PostgreSQL the id sequences are moved past the restored ids.
    """
    header = backup_header(path)
    differences = migrations_differ(header, using)
    if differences:
        raise BackupError(
            _("The backup was made at other migrations than this database is at; nothing was restored.")
            + "\n"
            + "\n".join(differences)
        )
    model_list = backed_up_models()
    by_label = {m._meta.label_lower: m for m in model_list}
    known = set(by_label)
    connection = connections[using]
    loaded: dict[str, int] = dict.fromkeys(known, 0)
    try:
        _check_rows(path, header, by_label)
        with transaction.atomic(using=using):
            with connection.cursor() as cursor:
                for table in backed_up_tables(model_list):
                    cursor.execute("DELETE FROM %s" % connection.ops.quote_name(table))  # noqa: UP031
            _load_rows(path, known - WRITTEN_BY_TRIGGERS, loaded, using)
            derived = [m for m in model_list if m._meta.label_lower in WRITTEN_BY_TRIGGERS]
            with connection.cursor() as cursor:
                for model in derived:
                    cursor.execute("DELETE FROM %s" % connection.ops.quote_name(model._meta.db_table))  # noqa: UP031
            _load_rows(path, {m._meta.label_lower for m in derived}, loaded, using)
            promised = {label: count for label, count in header["rows"].items() if count}
            found = {label: count for label, count in loaded.items() if count}
            if promised != found:
                raise BackupError(
                    _("The backup is incomplete: its header promises other row counts than it holds.")
                )
            stored = {m._meta.label_lower: m._base_manager.using(using).count() for m in model_list}
            extra = sorted(label for label, count in stored.items() if count != loaded[label])
            if extra:
                # Something (a trigger not in WRITTEN_BY_TRIGGERS) wrote rows during the load.
                raise BackupError(
                    _("After loading, these tables hold other rows than the backup: %(tables)s.")
                    % {"tables": ", ".join(extra)}
                )
            # Checked here, not only at commit: a restore inside a caller's transaction
            # (a test, a script) would otherwise keep rows that point nowhere.
            connection.check_constraints(table_names=backed_up_tables(model_list))
            _reset_sequences(connection, model_list)
    except BackupError:
        raise
    except (OSError, EOFError, zlib.error, ValueError) as error:
        raise _damaged(str(error)) from None
    except (IntegrityError, DatabaseError) as error:
        raise BackupError(
            _("The database refused the backup's rows; nothing was changed. (%(error)s)")
            % {"error": _one_line(str(error))}
        ) from None
    return BackupSummary(path=Path(path), rows=found, created=header.get("created", ""))


def _damaged(reason: str) -> BackupError:
    return BackupError(
        _("The backup is damaged and was not restored; nothing was changed. (%(error)s)")
        % {"error": _one_line(reason)}
    )


def _one_line(text: str) -> str:
    """Text from the file or the database, on one line and short enough to read."""
    text = " ".join(text.split())
    return text if len(text) <= 2 * QUOTED else text[: 2 * QUOTED] + "…"


def _quoted(value) -> str:
    """A value read from the file, as JSON (newlines escaped), cut short."""
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= QUOTED else text[:QUOTED] + "…"


def _file_rows(path) -> Iterator[tuple[int, object]]:
    """Each line after the header, parsed, with its line number (blank lines skipped)."""
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        lines.readline()
        for line_number, line in enumerate(lines, start=2):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except (ValueError, RecursionError):
                raise _damaged(_("line %(line)s is not a row of JSON") % {"line": line_number}) from None
            yield line_number, row


def _check_rows(path, header: dict, by_label: dict[str, type[models.Model]]) -> None:
    """Check every row's shape (`_check_row`) and that the rows add up to the header's
    counts, before anything is written."""
    counts: Counter[str] = Counter()
    for line_number, row in _file_rows(path):
        counts[_check_row(row, line_number, by_label)] += 1
    promised = {label: count for label, count in header["rows"].items() if count}
    if dict(counts) != promised:
        raise BackupError(_("The backup is incomplete: its header promises other row counts than it holds."))


def _check_row(row, line_number: int, by_label: dict[str, type[models.Model]]) -> str:
    """The row's model label, once the row has the shape `backup_write` gives it: an
    object of exactly model, pk and fields; a model backed up here; an id that is a
    number or text; exactly the fields the serializer writes for that model, each
    holding a value of the right kind (a plain value, an id or natural key for a
    relation, a list of them for a many-to-many, text for a date, a time or a decimal,
    anything for a JSON field). Whether
    the value suits the field (a date, a number) is the deserializer's to say."""
    if not isinstance(row, dict) or set(row) != {"model", "pk", "fields"}:
        raise _damaged(
            _("line %(line)s is not a row: an object of model, pk and fields") % {"line": line_number}
        )
    label = row["model"]
    model = by_label.get(label) if isinstance(label, str) else None
    if model is None:
        raise BackupError(
            _("Line %(line)s of the backup holds a row of %(model)s, which is not backed up here.")
            % {"line": line_number, "model": _quoted(label)}
        )
    where = {"line": line_number, "record": _record(label, row["pk"])}
    if not _is_key(row["pk"]):
        raise _damaged(_("line %(line)s, %(record)s: the id is not a number or text") % where)
    fields = row["fields"]
    if not isinstance(fields, dict):
        raise _damaged(
            _("line %(line)s, %(record)s: the fields are not an object of names and values") % where
        )
    expected = _serialized_fields(model)
    unknown = sorted(set(fields) - set(expected))
    if unknown:
        raise _damaged(
            _("line %(line)s, %(record)s: %(model)s has no field %(fields)s")
            % {**where, "model": label, "fields": ", ".join(_quoted(name) for name in unknown)}
        )
    missing = sorted(set(expected) - set(fields))
    if missing:
        raise _damaged(
            _("line %(line)s, %(record)s: the row lacks the field %(fields)s")
            % {**where, "fields": ", ".join(missing)}
        )
    for name, value in fields.items():
        if not _value_fits(expected[name], value):
            raise _damaged(
                _("line %(line)s, %(record)s: %(field)s cannot hold %(value)s")
                % {**where, "field": name, "value": _quoted(value)}
            )
    return label


def _record(label: str, pk) -> str:
    return "%s %s" % (label, _quoted(pk))  # noqa: UP031


def _serialized_fields(model: type[models.Model]) -> dict[str, models.Field]:
    """The fields Django's serializer writes for a row of `model`, by name."""
    fields = {f.name: f for f in model._meta.concrete_model._meta.local_fields if f.serialize}
    for field in model._meta.concrete_model._meta.local_many_to_many:
        if field.serialize and field.remote_field.through._meta.auto_created:
            fields[field.name] = field
    return fields


def _value_fits(field: models.Field, value) -> bool:
    if isinstance(field, models.JSONField):
        return True
    if field.many_to_many:
        return isinstance(value, list) and all(_refers(field, item) for item in value)
    if field.is_relation:
        return value is None or _refers(field, value)
    if isinstance(field, _WRITTEN_AS_TEXT):
        return value is None or isinstance(value, str)
    return value is None or isinstance(value, str | int | float | bool)


# Dates, times, decimals and the like reach the file as text (_Encoder, DjangoJSONEncoder).
_WRITTEN_AS_TEXT = (
    models.DateField,
    models.TimeField,
    models.DecimalField,
    models.DurationField,
    models.UUIDField,
)


def _refers(field: models.Field, value) -> bool:
    """An id, or for content types and permissions a natural key (a list of texts)."""
    if field.remote_field.model in _BY_NATURAL_KEY:
        return isinstance(value, list) and all(isinstance(part, str) for part in value)
    return _is_key(value)


def _is_key(value) -> bool:
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _load_rows(path, only: set[str], loaded: dict[str, int], using: str) -> None:
    """Insert the file's rows of the models in `only`, in batches, as they are (raw: no
    auto_now, no save()). The rows' shape is checked (`_check_rows`) before this runs; a
    value a field cannot take is a BackupError naming the line and the row."""
    batch: list = []
    for line_number, row in _file_rows(path):
        label = row["model"]
        if label not in only:
            continue
        try:
            items = list(PythonDeserializer([row], using=using))
        except DeserializationError as error:
            raise _damaged(
                _("line %(line)s, %(record)s: %(error)s")
                % {"line": line_number, "record": _record(label, row["pk"]), "error": _reason(error)}
            ) from None
        for item in items:
            if batch and (type(batch[0].object) is not type(item.object) or len(batch) >= CHUNK):
                _insert(batch, using)
                batch = []
            batch.append(item)
            loaded[label] += 1
    if batch:
        _insert(batch, using)


def _reason(error: DeserializationError) -> str:
    """What the field said about the value, without the deserializer's wrapping."""
    original = error.__context__
    if isinstance(original, ValidationError):
        return " ".join(original.messages)
    return str(original or error)


def _insert(batch: list, using: str) -> None:
    """One model's rows and their many-to-many links, in as few INSERTs as the database takes."""
    model = type(batch[0].object)
    if model._meta.parents:
        # Multi-table inheritance spans tables: let Django write each row.
        for item in batch:
            item.save(using=using)
        return
    connection = connections[using]
    fields = model._meta.local_concrete_fields
    objects = [item.object for item in batch]
    size = max(connection.ops.bulk_batch_size(fields, objects), 1)
    manager = model._base_manager.using(using)
    for start in range(0, len(objects), size):
        manager._insert(objects[start : start + size], fields=fields, using=using, raw=True)
    for name in {name for item in batch for name in item.m2m_data}:
        field = model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name() + "_id", field.m2m_reverse_field_name() + "_id"
        links = [
            through(**{source: item.object.pk, target: pk})
            for item in batch
            for pk in item.m2m_data.get(name, ())
        ]
        through._base_manager.using(using).bulk_create(links, batch_size=CHUNK)


def _reset_sequences(connection, model_list) -> None:
    """Move each id sequence past the largest restored id (PostgreSQL; SQLite needs nothing)."""
    through = [
        f.remote_field.through
        for m in model_list
        for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    statements = connection.ops.sequence_reset_sql(no_style(), [*model_list, *through])
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)


def backup_age(header: dict) -> str:
    """The header's creation time as a person reads it."""
    try:
        return datetime.datetime.fromisoformat(header["created"]).strftime("%Y-%m-%d %H:%M %Z")
    except (KeyError, TypeError, ValueError):
        return "?"
