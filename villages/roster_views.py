"""The roster in the browser: officials upload a file, check the preview, then confirm;
everyone downloads the exports of their area and the import template.

The upload is kept on the server under a random token held in the user's session, so
that the confirmation imports exactly the file that was previewed, checked again at that
moment (the register may have changed in between). The preview is checked once and kept
beside the file: opening it again (a reload, the back button) shows it without reading
the file again, so that a file that is slow to read costs its reading once per upload.
Both live in a directory only the server's user may open (ROSTER_UPLOAD_DIR), and the
preview is JSON signed with the site's key for its uploader (villages.roster.kept): a file
someone else put there is never loaded as code, nor shown to another user.
Uploads and imports are for the commune's officials (villages.access.communes_managed_by);
the exports read through the scoped selectors, so each user's file holds their area only.
"""

import dataclasses
import datetime
import os
import re
import secrets
import stat
import time
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from softbridge.spreadsheets import Sheet, xlsx_attachment
from villages.access import communes_managed_by
from villages.exports import csv_response, export_filename, households_export, residents_export, xlsx_response
from villages.roster.columns import COLUMNS, roster_template_rows
from villages.roster.importing import roster_import
from villages.roster.kept import result_from_json, result_to_json

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ERRORS_SHOWN = 500
# Uploads wait for their confirmation this long, then are deleted.
UPLOAD_LIFETIME = datetime.timedelta(hours=24)
UPLOADS_PER_SESSION = 5
SESSION_KEY = "roster_uploads"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{20,64}")


# Signs a kept preview: a different salt from every other signature of the site.
PREVIEW_SALT = "villages.roster_views.preview"


def upload_dir() -> Path:
    """ROSTER_UPLOAD_DIR, made if missing, refused unless only the server's user may open it:
    a directory someone else made (in a shared /tmp) could hand the server their files."""
    path = Path(settings.ROSTER_UPLOAD_DIR)
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = path.stat()
    if found.st_uid != os.getuid() or stat.S_IMODE(found.st_mode) & 0o077:
        raise ImproperlyConfigured(
            f"ROSTER_UPLOAD_DIR {path} must belong to the server's user and be closed to others (mode 700)."
        )
    return path


class RosterUploadForm(forms.Form):
    commune = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Commune"), empty_label=None)
    file = forms.FileField(
        label=gettext_lazy("Roster file"),
        help_text=gettext_lazy("CSV (UTF-8) or Excel (.xlsx), up to 20 MB, one row per resident."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, communes, too_large: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        self.fields["commune"].queryset = communes
        only = list(communes[:2])
        if len(only) == 1:
            self.fields["commune"].initial = only[0].pk
            self.fields["commune"].widget = forms.HiddenInput()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if self.too_large or (upload is not None and upload.size > MAX_UPLOAD_BYTES):
            raise forms.ValidationError(
                _("The file is larger than %(limit)s: split it by village and import the parts one by one.")
                % {"limit": filesizeformat(MAX_UPLOAD_BYTES)}
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(
                _("Choose a .csv or .xlsx file (in Excel: Save as, CSV UTF-8 or .xlsx).")
            )
        return upload

    def full_clean(self):
        # A file stopped at the cap never reaches request.FILES: say why rather than "required".
        if self.too_large and self.is_bound:
            self.files = {}
            self.fields["file"].required = False
        super().full_clean()


class _UploadCap(FileUploadHandler):
    """Stops receiving a file past the cap, so that a huge upload never fills the disk."""

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > MAX_UPLOAD_BYTES:
            self.request.roster_upload_too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None


def _managed_communes(request):
    """The communes the user may import into; 403 for a user who manages none."""
    communes = communes_managed_by(request.user).order_by("code")
    if not communes.exists():
        raise PermissionDenied
    return communes


@csrf_exempt
@login_required
def upload(request):
    """The upload form; a valid file is stored and the preview shown."""
    # The cap must be in place before the body is read, which the CSRF check would do.
    request.upload_handlers.insert(0, _UploadCap(request))
    return _upload(request)


@csrf_protect
def _upload(request):
    communes = _managed_communes(request)
    if request.method == "POST":
        data, files = request.POST, request.FILES  # reading the body runs _UploadCap
        too_large = getattr(request, "roster_upload_too_large", False)
        form = RosterUploadForm(data, files, communes=communes, too_large=too_large)
        if form.is_valid():
            token = _keep_upload(request, form.cleaned_data["commune"], form.cleaned_data["file"])
            return redirect("roster:preview", token=token)
    else:
        form = RosterUploadForm(communes=communes)
    return render(
        request,
        "villages/roster_upload.html",
        {"form": form, "columns": COLUMNS},
    )


def _keep_upload(request, commune, uploaded) -> str:
    _forget_old_uploads()
    token = secrets.token_urlsafe(24)
    with open(upload_dir() / token, "wb") as file:
        for chunk in uploaded.chunks():
            file.write(chunk)
    uploads = dict(request.session.get(SESSION_KEY, {}))
    uploads[token] = {"commune": commune.pk, "name": Path(uploaded.name).name, "at": time.time()}
    for old in sorted(uploads, key=lambda t: uploads[t]["at"])[:-UPLOADS_PER_SESSION]:
        _remove_upload_files(old)
        del uploads[old]
    request.session[SESSION_KEY] = uploads
    return token


def _forget_old_uploads() -> None:
    cutoff = time.time() - UPLOAD_LIFETIME.total_seconds()
    for path in upload_dir().iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            pass  # another process removed it first


def _kept_upload(request, token: str):
    """The user's stored upload and its commune; 404 for a token that is not theirs."""
    upload = request.session.get(SESSION_KEY, {}).get(token)
    path = upload_dir() / token
    if not _TOKEN.fullmatch(token) or upload is None or not path.exists():
        raise Http404(_("This upload has expired or was already imported: upload the file again."))
    commune = get_object_or_404(communes_managed_by(request.user), pk=upload["commune"])
    return upload, commune, path


def _remove_upload_files(token: str) -> None:
    (upload_dir() / token).unlink(missing_ok=True)
    _preview_path(token).unlink(missing_ok=True)


def _discard_upload(request, token: str) -> None:
    _remove_upload_files(token)
    uploads = dict(request.session.get(SESSION_KEY, {}))
    uploads.pop(token, None)
    request.session[SESSION_KEY] = uploads


def _preview_path(token: str) -> Path:
    # Not a token (a token has no dot): _kept_upload never takes it for an upload.
    return upload_dir() / f"{token}.preview"


def _keep_preview(request, token: str, result) -> tuple:
    """The preview of the upload `token` as _preview shows it, kept for the uploader's next visit."""
    # The errors shown and their count: a bad file can have a million.
    kept = (dataclasses.replace(result, errors=result.errors[:ERRORS_SHOWN]), len(result.errors))
    payload = {"user": request.user.pk, "token": token, "result": result_to_json(kept[0]), "errors": kept[1]}
    _preview_path(token).write_text(signing.dumps(payload, salt=PREVIEW_SALT, compress=True))
    return kept


def _kept_preview(request, token: str) -> tuple | None:
    """The kept preview of the upload `token`, if this user's and signed by this site; else None
    (not kept yet, by another version of the app, or not theirs: the file is checked again)."""
    try:
        payload = signing.loads(_preview_path(token).read_text(), salt=PREVIEW_SALT, max_age=UPLOAD_LIFETIME)
        if payload["user"] != request.user.pk or payload["token"] != token:
            return None
        return result_from_json(payload["result"]), payload["errors"]
    except (OSError, ValueError, KeyError, TypeError, signing.BadSignature):
        return None


def _preview(request, token, upload, commune, result, error_count: int, status=200):
    return render(
        request,
        "villages/roster_preview.html",
        {
            "token": token,
            "upload": upload,
            "commune": commune,
            "result": result,
            "error_count": error_count,
            "errors": result.errors[:ERRORS_SHOWN],
            "errors_hidden": max(0, error_count - ERRORS_SHOWN),
            "created_hidden": max(0, result.residents.created - len(result.created)),
            "updated_hidden": max(0, result.residents.updated - result.moved - len(result.updated)),
        },
        status=status,
    )


@login_required
def preview(request, token: str):
    """What the file would create, change and refuse; nothing is saved.

    The file is checked on the first visit only: later visits show that check again.
    """
    _managed_communes(request)
    upload, commune, path = _kept_upload(request, token)
    kept = _kept_preview(request, token)
    if kept is None:
        kept = _keep_preview(request, token, roster_import(commune=commune, source=path, dry_run=True))
    result, error_count = kept
    return _preview(request, token, upload, commune, result, error_count)


@login_required
@require_POST
def confirm(request, token: str):
    """Import the previewed file, checking it again; all or nothing."""
    _managed_communes(request)
    upload, commune, path = _kept_upload(request, token)
    result = roster_import(commune=commune, source=path, user=request.user)
    if not result.saved:
        # This check is the newer: the preview shows it from now on.
        _keep_preview(request, token, result)
        return _preview(request, token, upload, commune, result, len(result.errors), status=409)
    _discard_upload(request, token)
    messages.success(
        request,
        _(
            "%(file)s imported into %(commune)s. Villages: %(v_created)s created, %(v_updated)s updated, "
            "%(v_unchanged)s unchanged. Households: %(h_created)s created, %(h_updated)s updated, "
            "%(h_unchanged)s unchanged. Residents: %(r_created)s created, %(r_updated)s updated, "
            "%(r_unchanged)s unchanged. Moved: %(moved)s."
        )
        % {
            "file": upload["name"],
            "commune": commune,
            "v_created": result.villages.created,
            "v_updated": result.villages.updated,
            "v_unchanged": result.villages.unchanged,
            "h_created": result.households.created,
            "h_updated": result.households.updated,
            "h_unchanged": result.households.unchanged,
            "r_created": result.residents.created,
            "r_updated": result.residents.updated,
            "r_unchanged": result.residents.unchanged,
            "moved": result.moved,
        },
    )
    return redirect("roster:upload")


@login_required
def template(request):
    """The import template: the Vietnamese headers, an example row, and a sheet explaining the columns."""
    headers, rows = roster_template_rows()
    names = [c.name for c in COLUMNS]
    # ID numbers and phone numbers are text: typed into a number cell they lose their leading zeros.
    as_text = {names.index(column): "@" for column in ("national_id", "phone")}
    widths = {index: max(12, len(str(header)) + 2) for index, header in enumerate(headers)}
    guide = [[_("Vietnamese header"), _("English header"), _("Meaning"), _("Required")]]
    guide += [
        [column.vietnamese, column.name, str(column.label), _("yes") if column.required else ""]
        for column in COLUMNS
    ]
    return xlsx_attachment(
        "softbridge-roster-template.xlsx",
        [
            Sheet("danh_sach", [headers, *rows], formats=as_text, date_format="DD/MM/YYYY", widths=widths),
            Sheet("huong_dan", guide, widths={2: 60}),
        ],
    )


EXPORTS = {"households": households_export, "residents": residents_export}


@login_required
def exports(request):
    """The downloads of the user's area."""
    return render(
        request, "villages/roster_exports.html", {"may_import": communes_managed_by(request.user).exists()}
    )


@login_required
def export(request, kind: str, extension: str):
    """Households or residents of the user's area, as CSV or XLSX."""
    if kind not in EXPORTS or extension not in ("csv", "xlsx"):
        raise Http404
    headers, rows = EXPORTS[kind](request.user)
    filename = export_filename(kind, extension)
    if extension == "csv":
        return csv_response(filename, headers, rows)
    return xlsx_response(filename, headers, rows, sheet_title=kind)
