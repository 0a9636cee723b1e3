"""The site's own writes about a user's credentials: the API token, issued and revoked.

An API token (`Authorization: Token <key>`, POST /api/token/) is one per user, shared by the
user's devices: exchanging the password again gives the same key until it ends, so that a
second phone does not sign the first one out. It ends, whichever comes first:
- API_TOKEN_LIFETIME_HOURS after it was issued (villages.signin refuses it 401, "expired");
- when the user's password changes, by any door (the password page, the admin, a command,
  set_password in a service): api_token_revoke_on_password_change;
- when a role of the user's is removed (villages.services.role_remove);
- when the user ends it (POST /api/token/revoke/, or the button on the password page).
docs/operations.md ("API tokens") says the same to the operator.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

from softbridge.security_log import security_event


def api_token_lifetime() -> datetime.timedelta:
    """How long a token works after it was issued (API_TOKEN_LIFETIME_HOURS)."""
    return datetime.timedelta(hours=settings.API_TOKEN_LIFETIME_HOURS)


def api_token_expires_at(token: Token) -> datetime.datetime:
    """When `token` stops working."""
    return token.created + api_token_lifetime()


def api_token_expired(token: Token, *, now: datetime.datetime | None = None) -> bool:
    """Whether `token` is past its lifetime: the one rule the token check and the exchange share."""
    return (now or timezone.now()) >= api_token_expires_at(token)


@transaction.atomic
def api_token_issue(*, user, request=None) -> Token:
    """The user's working token: the one they hold while it has not expired, else a new key.

    An expired token is deleted and replaced; the security log notes each new key.
    """
    token = Token.objects.select_for_update().filter(user=user).first()
    if token is not None and not api_token_expired(token):
        return token
    if token is not None:
        token.delete()
    token = Token.objects.create(user=user)
    security_event(request, "api_token_issued", token_user_id=user.pk)
    return token


@transaction.atomic
def api_token_revoke(*, user, reason: str, request=None) -> bool:
    """End the user's token at once, wherever it is used; True when there was one.

    `reason` goes to the security log (password_changed, role_removed, by_user).
    """
    deleted, _by_model = Token.objects.filter(user=user).delete()
    if deleted:
        security_event(request, "api_token_revoked", token_user_id=user.pk, reason=reason)
    return bool(deleted)


def api_token_revoke_on_password_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    """pre_save of the user model (connected in SoftbridgeConfig.ready): a new password ends the
    user's API token.

    A signal, against STYLE.md's habit, because a password has no one door of ours: Django's
    password page, the admin's, `changepassword` and set_password all end in the user's save.
    The stored hash is compared, so that a save that keeps the password ends nothing.
    """
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = sender._default_manager.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        api_token_revoke(user=instance, reason="password_changed")
