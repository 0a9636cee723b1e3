"""Where a merged-away record went: late records naming it are applied to the record kept.

residents_merge (villages.services) makes two records of one person one, and deletes the
other. A phone may still hold a visit or an attendance naming that other record, made
offline before the merge and sent after it (docs/late-records.md): it is the same person's,
so it is applied to the record kept, never refused and never counted twice. ResidentMerge
remembers each record merged away and the record kept; a merge of the kept record in its
turn points the earlier ones at the new record kept, so one lookup always answers.

Read where a submission names its residents: the visit and attendance forms the outbox
posts (posted_for_kept) and the API's helped residents (mobilization.serializers).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from softbridge.typed_ids import row_id


class ResidentMerge(models.Model):
    """A resident record merged away (its id, the row deleted) and the record kept instead."""

    merged_id = models.BigIntegerField(_("record merged away"), unique=True)
    kept = models.ForeignKey(
        "villages.Resident",
        on_delete=models.CASCADE,
        related_name="merged_away",
        verbose_name=_("record kept"),
    )
    # The commune of both records (a merge is within one): the register's tables carry it.
    commune = models.ForeignKey("villages.Commune", on_delete=models.CASCADE, related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merged resident record")
        verbose_name_plural = _("merged resident records")

    def __str__(self):
        return f"{self.merged_id} -> {self.kept_id}"


def kept_instead(ids) -> dict[int, int]:
    """Of these resident ids, those a merge took away, each with the id of the record kept.
    One query; none without ids."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return {}
    return dict(ResidentMerge.objects.filter(merged_id__in=ids).values_list("merged_id", "kept_id"))


def posted_for_kept(data, *, lists=(), added=(), kept_first=()):
    """Posted form data (a QueryDict) with each merged-away resident's id replaced by the
    record kept's: in the lists of ids named `lists`, and in the keys `<prefix><id>` of the
    prefixes `added` (the values of both records together, each once: what each achieved) or
    `kept_first` (the kept record's value when the form sent one). The data as it was when no
    id was merged away (one query to know)."""
    if not hasattr(data, "getlist"):
        return data
    prefixes = (*added, *kept_first)
    ids = {row_id(value) for name in lists for value in data.getlist(name)}
    ids |= {row_id(key[len(p) :]) for key in data for p in prefixes if key.startswith(p)}
    kept = kept_instead(ids)
    if not kept:
        return data
    data = data.copy()
    for name in lists:
        values = [str(kept.get(row_id(value), value)) for value in data.getlist(name)]
        data.setlist(name, list(dict.fromkeys(values)))
    for merged, instead in kept.items():
        for prefix in prefixes:
            key, kept_key = f"{prefix}{merged}", f"{prefix}{instead}"
            if key not in data:
                continue
            if prefix in added:
                data.setlist(kept_key, list(dict.fromkeys(data.getlist(kept_key) + data.getlist(key))))
            elif kept_key not in data:
                data.setlist(kept_key, data.getlist(key))
            del data[key]
    return data
