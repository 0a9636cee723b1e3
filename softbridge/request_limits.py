"""How much one request may carry: the longest list of each kind, and the longest search.

Each maximum is far above what a real visit, session or activity holds, and far below what
costs a server worker more than a moment: a list is counted before any of its items is
looked up, so that a refused body costs milliseconds (bench/bounds.py). The API declares
each maximum (maxItems in /api/schema/) and answers a longer list 400 naming the field; a
form shows the same message beside the field. docs/operations-errors-and-limits.md gives
the reasons for each figure.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

# The members of one household: those helped at a visit, those who split off. A household
# in a commune's register has rarely more than a dozen members.
HOUSEHOLD_MEMBERS_MAX = 50
# The workers who made one visit together, the facilitators of one session: two or three.
WORKERS_MAX = 20
# The villages (xóm, thôn) of one communication activity or mobilization model: all of a
# commune's at most, and a merged commune has a few dozen.
VILLAGES_MAX = 100
# The residents present at one training session: a commune hall holds a couple of hundred.
ATTENDEES_MAX = 500
# The topics of one training session.
TOPICS_MAX = 50
# A search box's text: the longest name the register holds is 120 characters
# (Resident.full_name); codes and numbers are shorter.
SEARCH_MAX_LENGTH = 120
# The words of a search compared with names (villages.selectors.names_matching): a name has a
# handful. Each word is one more condition in the query, and SQLite refuses a query nested too
# deep ("Expression tree is too large"); the words past this are not looked for.
SEARCH_MAX_WORDS = 10
# How deep an API body may nest lists and objects (softbridge.api_limits.ShallowJSONParser): the
# deepest the API takes, a session's attendees with their achievements, is 3 levels.
JSON_DEPTH_MAX = 16

# An API request's body. The largest a real client sends, a session with ATTENDEES_MAX attendees
# each with every achievement and a procedure's name, is under half of this even with every
# letter escaped (tests/test_request_limits.py builds it); the finding's 2.25 MB body of
# 150,000 helped residents is refused unread.
API_BODY_MAX_BYTES = 1024 * 1024

TOO_MANY = gettext_lazy("This list holds at most %(limit)s items; %(count)s were sent.")


def too_many(count: int, limit: int) -> ValidationError:
    """The refusal of a list of `count` items where `limit` is the most allowed."""
    return ValidationError(TOO_MANY, code="max_length", params={"limit": limit, "count": count})
