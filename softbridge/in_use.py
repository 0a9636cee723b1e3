"""The refusal of a delete that would take other records with it.

A service raises RecordInUse when a record still has records that depend on it (a resident
with visits on record, a group with members): a ValidationError, so that the pages and the
admin show its message as any other refusal, and the API answers it with 409
(softbridge.api_errors.exception_handler), as it answers a row the database protects.
"""

from django.core.exceptions import ValidationError


class RecordInUse(ValidationError):
    """The record is still referred to by others and stays; the message says what to do instead."""
