"""The authorization matrix's table (tests/test_authorization_matrix.py says how it is read):
for each URL pattern, what each role gets, in the order of tests.matrix_data.ROLES.
"""

from tests.matrix_admin_table import ADMIN_TABLE
from tests.matrix_data import PROVINCE_LEADER
from tests.matrix_rows import ADOPTION, AREA, COMMUNE, MEMBER, PROVINCE, VISIT_HOUSEHOLD, R, Row, pk

TABLE: dict[str, Row] = {
    "home": R("login ok ok ok ok ok ok"),
    # The Today list: those who may log visits (a leader only reads).
    "today": R("login ok ok ok 403 ok ok"),
    # The installable field app (frontdoor.device): its worker, manifest and offline page are
    # the same for everyone; the list of pages a device keeps and the outbox page need a user.
    "service_worker": R("ok ok ok ok ok ok ok"),
    "manifest": R("ok ok ok ok ok ok ok"),
    "offline": R("ok ok ok ok ok ok ok"),
    "device_pages": R("login ok ok ok ok ok ok"),
    "outbox": R("login ok ok ok ok ok ok"),
    # The phones' reports (frontdoor.device_reports): the commune's officials read them.
    "devices": R("login ok 403 403 403 ok ok"),
    # Reminders (reminders.views): each user's own settings; officials invite and read what was
    # sent; a resident's consent is read by whoever sees them, changed by those who meet them.
    "reminders:settings": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "reminders:sent": R("login ok 403 403 403 ok ok"),
    # Without a commune named the POST finds none: 404 for those who manage one.
    "reminders:sms_mode": R("login 405 405 405 405 405 405", post="login 404 404 404 404 404 404"),
    "reminders:invite": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "reminders:consent": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=pk("resident", "resident_pk")
    ),
    # Kannel's callbacks: only with the secret token of the settings (none is set here).
    "reminders:delivery_report": R("404 404 404 404 404 404 404", token="not-the-token"),
    "reminders:inbound": R("404 404 404 404 404 404 404", token="not-the-token"),
    "login": R("ok ok ok ok ok ok ok", post="ok ok ok ok ok ok ok"),
    "logout": R("405 405 405 405 405 405 405", post="login login login login login login login"),
    "password_change": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "password_change_done": R("login ok ok ok ok ok ok"),
    "api_token_end": R("login 405 405 405 405 405 405", post="login ok ok ok ok ok ok"),
    # A phone's Web Push subscription (reminders.push_views), for those who may open Today; the
    # matrix's empty body is no subscription (400). tests/test_push_subscriptions.py sends real ones.
    "push:subscribe": R("login 405 405 405 405 405 405", post="login 400 400 400 403 400 400"),
    "push:unsubscribe": R("login 405 405 405 405 405 405", post="login 400 400 400 400 400 400"),
    "set_language": R("ok ok ok ok ok ok ok", post="ok ok ok ok ok ok ok"),
    **ADMIN_TABLE,
    "villages:households": R("login ok ok ok ok ok ok"),
    "villages:household_new": R("login ok 403 ok 403 ok ok", post="login ok 403 ok 403 ok ok"),
    "villages:household": R("login 404 ok ok ok ok ok", target=pk("household")),
    "villages:household_edit": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "villages:household_history": R("login 404 403 403 403 ok ok", target=pk("household")),
    # Probable duplicates and their merge (villages.duplicate_views): the commune's officials.
    "villages:duplicates": R("login ok 403 403 403 ok ok"),
    "villages:duplicate_merge": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("resident")
    ),
    "villages:member_new": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "villages:member_edit": R("login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER),
    "villages:member_ladder": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER
    ),
    "villages:member_departure": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER
    ),
    "villages:member_move": R("login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=MEMBER),
    "villages:household_options": R("login 404 403 ok 403 ok ok", target=pk("household")),
    "villages:household_split": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    "villages:household_head": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("household")
    ),
    # Moves between communes (villages.between_communes_views): a commune's officials read
    # their own commune's records only; ending a stay takes one of their residents (404 else).
    "villages:moves": R("login ok 403 403 403 ok ok"),
    "villages:moves_resolve": R(
        "login 405 405 405 405 405 405",
        post="login 404 403 403 403 ok ok",
        target=pk("resident", "member_pk"),
    ),
    "roster:upload": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "roster:preview": R(
        "login 404 403 403 403 404 404",
        post="login 404 403 403 403 404 404",
        token="00000000000000000000000000000000",
    ),
    "roster:confirm": R(
        "login 405 405 405 405 405 405",
        post="login 404 403 403 403 404 404",
        token="00000000000000000000000000000000",
    ),
    "roster:template": R("login ok ok ok ok ok ok"),
    "roster:exports": R("login ok ok ok ok ok ok"),
    "roster:export": R("login ok ok ok ok ok ok", kind="residents", extension="csv"),
    "visits:list": R("login ok ok ok ok ok ok"),
    "visits:new": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "visits:household_options": R("login ok ok ok 403 ok ok"),
    "visits:household": R("login 404 ok ok 403 ok ok", target=VISIT_HOUSEHOLD),
    "visits:follow_ups": R("login ok ok ok ok ok ok"),
    "program:communications": R("login ok ok ok ok ok ok"),
    "program:communication_new": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "program:communication_edit": R(
        "login 404 ok ok 403 ok ok", post="login 404 ok ok 403 ok ok", target=pk("communication")
    ),
    "program:communication_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=pk("communication")
    ),
    "program:models": R("login ok ok ok ok ok ok"),
    "program:model_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:model": R("login 404 ok ok ok ok ok", target=pk("model")),
    "program:model_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("model")
    ),
    "program:model_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("model")
    ),
    "program:model_review": R("login 404 ok ok ok ok ok", target=pk("model")),
    "program:model_review_xlsx": R("login 404 ok ok ok ok ok", target=pk("model")),
    "program:groups": R("login ok ok ok ok ok ok"),
    "program:group_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:group": R("login 404 ok ok ok ok ok", target=pk("group")),
    "program:group_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("group")
    ),
    "program:workers": R("login ok ok ok ok ok ok"),
    "program:worker_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:worker": R("login 404 ok ok ok ok ok", target=pk("worker")),
    "program:worker_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("worker")
    ),
    "program:communicators": R("login ok ok ok ok ok ok"),
    "program:communicator_new": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "program:communicator_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("communicator")
    ),
    "training:sessions": R("login ok ok ok ok ok ok"),
    "training:new": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "training:topics": R("login ok ok ok ok ok ok"),
    "training:session": R("login 404 ok ok ok ok ok", target=pk("session")),
    "training:edit": R("login 404 ok ok 403 ok ok", post="login 404 ok ok 403 ok ok", target=pk("session")),
    "training:delete": R(
        "login 404 ok 403 403 ok ok", post="login 404 ok 403 403 ok ok", target=pk("session")
    ),
    "training:attendance": R(
        "login 404 ok ok 403 ok ok", post="login 404 ok ok 403 ok ok", target=pk("session")
    ),
    "reports:dashboard": R("login 404 ok ok ok ok ok", target=AREA),
    "reports:export": R("login 404 ok ok ok ok ok", target=AREA, table="villages", fmt="csv"),
    "reports:monthly": R("login 404 ok ok ok ok ok", target=AREA),
    "reports:monthly_export": R("login 404 ok ok ok ok ok", target=AREA, table="indicators", fmt="csv"),
    "reports:targets": R("login 404 ok ok ok ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE),
    "reports:target_edit": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("target")
    ),
    "reports:target_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=pk("target")
    ),
    "reports:savings_settings": R(
        "login 404 403 403 403 ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    "reports_api:adoption": R("login 404 ok ok ok ok ok", target=ADOPTION),
    "reports:official": R("login 404 403 403 ok ok ok", target=COMMUNE),
    "reports:official_export": R("login 404 403 403 ok ok ok", target=COMMUNE, table="official", fmt="csv"),
    "reports:official_month": R(
        "login 404 403 403 403 ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    "reports:official_upload": R(
        "login 404 403 403 403 ok ok", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    # The signed monthly report (reports.signed_views): officials prepare, leaders sign, and
    # the whole commune's readers (the province leader too: signed reports only) read it.
    "reports:signed": R("login 404 403 403 ok ok ok", target=COMMUNE),
    "reports:signed_prepare": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok", target=COMMUNE
    ),
    "reports:signed_sign": R(
        "login 404 403 403 ok 403 403", post="login 403 403 403 ok 403 403", target=COMMUNE
    ),
    "reports_api:signed": R("login 404 403 403 ok ok ok", target=PROVINCE),
    "reports:province": R("login 404 404 404 404 404 ok", target=PROVINCE),
    "reports:province_export": R(
        "login 404 404 404 404 404 ok", target=PROVINCE, table="communes", fmt="csv"
    ),
    "api:token": R("405 405 405 405 405 405 405", post="400 400 400 400 400 400 400"),
    "api:token-revoke": R("login 405 405 405 405 405 405", post="login ok ok ok ok ok ok"),
    "api:schema": R("ok ok ok ok ok ok ok"),
    "api:docs": R("ok ok ok ok ok ok ok"),
    "api:devices": R("login ok 403 403 403 ok ok", post="login 405 405 405 405 405 405"),
    # Each phone posts its own report with the session's CSRF token (an empty body: 400); signed
    # out, a page that outlived its session: 401 {"signin": true}.
    "api:device-report": R("403 405 405 405 405 405 405", post="login 400 400 400 400 400 400"),
    "api:household-history": R("login 404 403 403 403 ok ok", target=pk("household")),
    "api:commune-list": R("login ok ok ok ok ok ok", post="login 405 405 405 405 405 405"),
    "api:commune-list (format)": R("login ok ok ok ok ok ok", post="login 405 405 405 405 405 405"),
    "api:commune-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("commune"),
    ),
    "api:commune-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("commune"),
    ),
    "api:village-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:village-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:village-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("village"),
    ),
    "api:village-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("village"),
    ),
    "api:household-list": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:household-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:household-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("household"),
    ),
    "api:household-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("household"),
    ),
    "api:resident-list": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:resident-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 400 403 400 400"),
    "api:resident-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("resident"),
    ),
    "api:resident-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 ok 403 ok ok",
        delete="login 404 403 409 403 409 409",
        target=pk("resident"),
    ),
    "api:resident-departure": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-departure (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-move": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-move (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:household-split": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:household-split (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:household-head": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:household-head (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("household")
    ),
    "api:resident-ladder": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:resident-ladder (format)": R(
        "login 405 405 405 405 405 405", post="login 404 403 400 403 400 400", target=pk("resident")
    ),
    "api:worker-group-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-group-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-group-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("group"),
    ),
    "api:worker-group-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 409 409",
        target=pk("group"),
    ),
    "api:worker-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:worker-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("worker"),
    ),
    "api:worker-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("worker"),
    ),
    "api:visit-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:visit-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:visit-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("visit"),
    ),
    "api:visit-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 405 405 405 405 405 405",
        target=pk("visit"),
    ),
    "api:training-session-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:training-session-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:training-session-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 ok 403 403 ok ok",
        target=pk("session"),
    ),
    "api:training-session-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 ok 403 403 ok ok",
        target=pk("session"),
    ),
    "api:training-session-attendance": R(
        "login 405 405 405 405 405 405", post="login 404 400 400 403 400 400", target=pk("session")
    ),
    "api:training-session-attendance (format)": R(
        "login 405 405 405 405 405 405", post="login 404 400 400 403 400 400", target=pk("session")
    ),
    "api:communication-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:communication-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:communication-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 403 ok 403 ok ok",
        target=pk("communication"),
    ),
    "api:communication-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 ok ok 403 ok ok",
        delete="login 404 403 ok 403 ok ok",
        target=pk("communication"),
    ),
    "api:application-list": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:application-list (format)": R("login ok ok ok ok ok ok", post="login 400 400 400 403 400 400"),
    "api:application-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 405 405 405 405 405 405",
        delete="login 405 405 405 405 405 405",
        target=pk("application"),
    ),
    "api:application-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 405 405 405 405 405 405",
        delete="login 405 405 405 405 405 405",
        target=pk("application"),
    ),
    "api:target-list": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:target-list (format)": R("login ok ok ok ok ok ok", post="login 400 403 403 403 400 400"),
    "api:target-detail": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("target"),
    ),
    "api:target-detail (format)": R(
        "login 404 ok ok ok ok ok",
        patch="login 404 403 403 403 ok ok",
        delete="login 404 403 403 403 ok ok",
        target=pk("target"),
    ),
    "api:api-root": R("login ok ok ok ok ok ok"),
    "api:api-root (format)": R("login ok ok ok ok ok ok"),
    "api/^(?P<path>.*/)$": R("404 404 404 404 404 404 404", path="/api/no-such-thing/"),
}

# What Cao Bằng's province leader gets (get, post, patch, delete) on the pages of figures they
# may open, for the record of village A (and of B, which they read too; Quang Long's answers
# 404). Every other line of TABLE answers them 403, whatever the method and the record.
PROVINCE_LEADER_ANSWERS: dict[str, tuple[str, ...]] = {
    "home": ("ok",),
    "login": ("ok", "ok"),
    "logout": ("405", "login"),
    "password_change": ("ok", "ok"),
    "password_change_done": ("ok",),
    "api_token_end": ("405", "ok"),
    "service_worker": ("ok",),
    "manifest": ("ok",),
    "offline": ("ok",),
    "device_pages": ("ok",),
    "set_language": ("ok", "ok"),
    "reports:province": ("ok",),
    "reports:province_export": ("ok",),
    "reports:dashboard": ("ok",),
    "reports:export": ("ok",),
    "reports:monthly": ("ok",),
    "reports:monthly_export": ("ok",),
    "reports_api:adoption": ("ok",),
    "reports:official": ("ok",),
    "reports:official_export": ("ok",),
    "reports:signed": ("ok",),
    "reports_api:signed": ("ok",),
    "api:token": ("405", "400"),
    "api:token-revoke": ("405", "ok"),
    "api:schema": ("ok",),
    "api:docs": ("ok",),
}
# The places whose figures the province leader reads: Hạ Lang's villages.
PROVINCE_FIGURES = {"a", "b"}


# Which records each role may see: "a" village A of Hạ Lang, "b" village B, "x" the other commune.
SEES = {
    "anonymous": set(),
    "outsider": {"x"},
    "worker_a": {"a"},
    "head_a": {"a"},
    "leader": {"a", "b"},
    "official": {"a", "b"},
    "superuser": {"a", "b", "x"},
    # No record at all, whatever the place: only figures.
    PROVINCE_LEADER: set(),
}


# Program rosters read commune-wide (docs/user-guide.md, "Field work in the browser"): a worker of
# village A reads village B's communicators as the commune's groups and workers.
COMMUNE_WIDE = {"communicator"}


# Text that names a record of each place: a page showing it to someone who may not see it leaks.
MARKERS = {
    "a": ("NK-001", "Nông Thị NK", "VNeID NK"),
    "b": ("BT-001", "Nông Thị BT", "VNeID BT"),
    "x": ("QL-001", "Nông Thị QL", "VNeID QL", "Đoàn QL", "Hoàng Văn QL", "Mô hình QL", "Dịch vụ công QL"),
}
