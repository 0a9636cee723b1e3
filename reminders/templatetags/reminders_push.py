"""{% push_block %}: the "Allow reminders on this phone" block (templates/reminders/push_block.html)
with what it needs: whether the user gets reminders and the server's public VAPID key."""

from django import template

from reminders.push import may_take_pushes, vapid_public_key

register = template.Library()


@register.inclusion_tag("reminders/push_block.html", takes_context=True)
def push_block(context, quiet: bool = False, allowed: bool | None = None) -> dict:
    """`quiet`: the block shows only to offer reminders (on Today), not to say they are on.
    `allowed`: the page knows already that the user takes reminders (a Today list with a
    household in it), so the block asks the database nothing more; None: it asks."""
    user = context["request"].user
    may = allowed if allowed is not None else may_take_pushes(user)
    shown = may and bool(key := vapid_public_key())
    return {"push_shown": shown, "push_key": key if shown else "", "push_quiet": quiet}
