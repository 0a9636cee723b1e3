"""The signed-in user's own account: the password page, which also shows their API token's
end and a button to end it now (softbridge.services says when a token ends), and signing out."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.models import Token

from reminders.push import subscription_forget
from softbridge.services import api_token_expired, api_token_expires_at, api_token_revoke


class PasswordChange(auth_views.PasswordChangeView):
    """Django's password page, with the user's API token: when it ends, and the button to end it."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = Token.objects.filter(user=self.request.user).first()
        working = token is not None and not api_token_expired(token)
        context["api_token_expires"] = api_token_expires_at(token) if working else None
        return context


@login_required
@require_POST
def api_token_end(request):
    """End the user's API token now, on every device and script that holds it."""
    if api_token_revoke(user=request.user, reason="by_user", request=request):
        messages.success(
            request, _("Your API token has ended. Ask /api/token/ for a new one when you need it.")
        )
    else:
        messages.info(request, _("You hold no API token."))
    return redirect("password_change")


class SignOut(auth_views.LogoutView):
    """Django's sign-out, which first forgets this phone's push subscription: the form carries
    its endpoint (static/js/push.js), so that a phone passed to someone else gets no more of the
    last user's reminders. A phone that signs out with no network cannot say so; the browser's
    subscription is ended on the phone itself all the same, and the push service's 404/410 ends
    the server's copy at the next push."""

    def post(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            subscription_forget(user=request.user, endpoint=request.POST.get("push_endpoint", ""))
        return super().post(request, *args, **kwargs)
