"""The admin's lines of the authorization matrix's table (tests/matrix_table.py, which says how
to read them)."""

from tests.matrix_rows import TOKEN, VIEW_ON_SITE, R, Row, oid, pk

ADMIN_TABLE: dict[str, Row] = {
    "admin:index": R("login ok ok ok ok ok ok"),
    "admin:login": R("ok ok ok ok ok ok ok"),
    "admin:logout": R("ok 405 405 405 405 405 405", post="ok login login login login login login"),
    "admin:password_change": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:password_change_done": R("login ok ok ok ok ok ok"),
    "admin:autocomplete": R("login 403 403 403 403 403 403"),
    "admin:jsi18n": R("login ok ok ok ok ok ok"),
    "admin:view_on_site": R("login 404 404 404 404 404 404", target=VIEW_ON_SITE),
    "admin:auth_group_changelist": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_group_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_group_history": R("login 403 403 403 403 403 ok", target=oid("authgroup")),
    "admin:auth_group_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("authgroup")
    ),
    "admin:auth_group_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("authgroup")
    ),
    "admin/auth/group/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("authgroup"), path="/admin/auth/group/{object_id}/"
    ),
    "admin:auth_user_password_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=pk("user", "id")
    ),
    "admin:auth_user_changelist": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_user_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:auth_user_history": R("login 403 403 403 403 403 ok", target=oid("user")),
    "admin:auth_user_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("user")
    ),
    "admin:auth_user_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("user")
    ),
    "admin/auth/user/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("user"), path="/admin/auth/user/{object_id}/"
    ),
    "admin:authtoken_tokenproxy_changelist": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"
    ),
    "admin:authtoken_tokenproxy_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:authtoken_tokenproxy_history": R("login 403 403 403 403 403 ok", target=TOKEN),
    "admin:authtoken_tokenproxy_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=TOKEN
    ),
    "admin:authtoken_tokenproxy_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=TOKEN
    ),
    "admin/authtoken/tokenproxy/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=TOKEN, path="/admin/authtoken/tokenproxy/{object_id}/"
    ),
    "admin:axes_accessattempt_changelist": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"
    ),
    "admin:axes_accessattempt_add": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:axes_accessattempt_history": R("login 403 403 403 403 403 ok", target=oid("accessattempt")),
    "admin:axes_accessattempt_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessattempt")
    ),
    "admin:axes_accessattempt_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessattempt")
    ),
    "admin/axes/accessattempt/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("accessattempt"), path="/admin/axes/accessattempt/{object_id}/"
    ),
    "admin:axes_accesslog_changelist": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:axes_accesslog_add": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:axes_accesslog_history": R("login 403 403 403 403 403 ok", target=oid("accesslog")),
    "admin:axes_accesslog_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accesslog")
    ),
    "admin:axes_accesslog_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accesslog")
    ),
    "admin/axes/accesslog/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("accesslog"), path="/admin/axes/accesslog/{object_id}/"
    ),
    "admin:axes_accessfailurelog_changelist": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"
    ),
    "admin:axes_accessfailurelog_add": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:axes_accessfailurelog_history": R("login 403 403 403 403 403 ok", target=oid("accessfailurelog")),
    "admin:axes_accessfailurelog_delete": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessfailurelog")
    ),
    "admin:axes_accessfailurelog_change": R(
        "login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok", target=oid("accessfailurelog")
    ),
    "admin/axes/accessfailurelog/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("accessfailurelog"),
        path="/admin/axes/accessfailurelog/{object_id}/",
    ),
    "admin:villages_commune_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 ok"
    ),
    "admin:villages_commune_import": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:villages_commune_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_commune_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_commune_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:villages_commune_history": R("login 404 ok ok ok ok ok", target=oid("commune")),
    "admin:villages_commune_delete": R(
        "login 404 403 403 403 403 ok", post="login 404 403 403 403 403 ok", target=oid("commune")
    ),
    "admin:villages_commune_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 403 ok", target=oid("commune")
    ),
    "admin/villages/commune/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("commune"), path="/admin/villages/commune/{object_id}/"
    ),
    "admin:villages_village_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:villages_village_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_village_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_village_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_village_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_village_history": R("login 404 ok ok ok ok ok", target=oid("village")),
    "admin:villages_village_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("village")
    ),
    "admin:villages_village_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("village")
    ),
    "admin/villages/village/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("village"), path="/admin/villages/village/{object_id}/"
    ),
    "admin:villages_household_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:villages_household_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_household_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_household_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_household_add": R("login ok 403 ok 403 ok ok", post="login ok 403 ok 403 ok ok"),
    "admin:villages_household_history": R("login 404 ok ok ok ok ok", target=oid("household")),
    "admin:villages_household_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=oid("household")
    ),
    "admin:villages_household_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 ok 403 ok ok", target=oid("household")
    ),
    "admin/villages/household/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("household"), path="/admin/villages/household/{object_id}/"
    ),
    "admin:villages_resident_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:villages_resident_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_resident_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_resident_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:villages_resident_add": R("login ok 403 ok 403 ok ok", post="login ok 403 ok 403 ok ok"),
    "admin:villages_resident_history": R("login 404 ok ok ok ok ok", target=oid("resident")),
    "admin:villages_resident_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=oid("resident")
    ),
    "admin:villages_resident_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 ok 403 ok ok", target=oid("resident")
    ),
    "admin/villages/resident/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("resident"), path="/admin/villages/resident/{object_id}/"
    ),
    "admin:villages_role_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:villages_role_import": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:villages_role_export": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_role_changelist": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:villages_role_add": R("login 403 403 403 403 403 ok", post="login 403 403 403 403 403 ok"),
    "admin:villages_role_history": R("login 404 404 404 404 ok ok", target=oid("role")),
    "admin:villages_role_delete": R(
        "login 404 404 404 404 403 ok", post="login 404 404 404 404 403 ok", target=oid("role")
    ),
    "admin:villages_role_change": R(
        "login 404 404 404 404 ok ok", post="login 404 404 404 404 403 ok", target=oid("role")
    ),
    "admin/villages/role/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("role"), path="/admin/villages/role/{object_id}/"
    ),
    "admin:mobilization_workergroup_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_workergroup_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_workergroup_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_workergroup_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_workergroup_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_workergroup_history": R("login 404 ok ok ok ok ok", target=oid("group")),
    "admin:mobilization_workergroup_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("group")
    ),
    "admin:mobilization_workergroup_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("group")
    ),
    "admin/mobilization/workergroup/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("group"), path="/admin/mobilization/workergroup/{object_id}/"
    ),
    "admin:mobilization_worker_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_worker_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_worker_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_worker_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_worker_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_worker_history": R("login 404 ok ok ok ok ok", target=oid("worker")),
    "admin:mobilization_worker_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("worker")
    ),
    "admin:mobilization_worker_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("worker")
    ),
    "admin/mobilization/worker/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("worker"), path="/admin/mobilization/worker/{object_id}/"
    ),
    "admin:mobilization_membership_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_membership_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_membership_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_membership_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_membership_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_membership_history": R("login 404 ok ok ok ok ok", target=oid("membership")),
    "admin:mobilization_membership_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("membership")
    ),
    "admin:mobilization_membership_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("membership")
    ),
    "admin/mobilization/membership/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("membership"),
        path="/admin/mobilization/membership/{object_id}/",
    ),
    "admin:mobilization_communicator_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicator_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicator_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_communicator_changelist": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_communicator_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_communicator_history": R("login 404 ok ok ok ok ok", target=oid("communicator")),
    "admin:mobilization_communicator_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("communicator")
    ),
    "admin:mobilization_communicator_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("communicator")
    ),
    "admin/mobilization/communicator/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("communicator"),
        path="/admin/mobilization/communicator/{object_id}/",
    ),
    "admin:mobilization_homevisit_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_homevisit_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_homevisit_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_homevisit_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_homevisit_add": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "admin:mobilization_homevisit_history": R("login 404 ok ok ok ok ok", target=oid("visit")),
    "admin:mobilization_homevisit_delete": R(
        "login 404 ok 403 403 ok ok", post="login 404 ok 403 403 ok ok", target=oid("visit")
    ),
    "admin:mobilization_homevisit_change": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=oid("visit")
    ),
    "admin/mobilization/homevisit/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("visit"), path="/admin/mobilization/homevisit/{object_id}/"
    ),
    "admin:mobilization_visithelp_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_visithelp_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_visithelp_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_visithelp_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_visithelp_add": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_visithelp_history": R("login 404 ok ok ok ok ok", target=oid("visithelp")),
    "admin:mobilization_visithelp_delete": R(
        "login 404 403 403 403 403 403", post="login 404 403 403 403 403 403", target=oid("visithelp")
    ),
    "admin:mobilization_visithelp_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 403 403", target=oid("visithelp")
    ),
    "admin/mobilization/visithelp/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("visithelp"), path="/admin/mobilization/visithelp/{object_id}/"
    ),
    "admin:mobilization_communicationactivity_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicationactivity_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_communicationactivity_export": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_communicationactivity_changelist": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_communicationactivity_add": R(
        "login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"
    ),
    "admin:mobilization_communicationactivity_history": R(
        "login 404 ok ok ok ok ok", target=oid("communication")
    ),
    "admin:mobilization_communicationactivity_delete": R(
        "login 404 403 ok 403 ok ok", post="login 404 403 ok 403 ok ok", target=oid("communication")
    ),
    "admin:mobilization_communicationactivity_change": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=oid("communication")
    ),
    "admin/mobilization/communicationactivity/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("communication"),
        path="/admin/mobilization/communicationactivity/{object_id}/",
    ),
    "admin:mobilization_application_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_application_import": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_application_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_application_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:mobilization_application_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:mobilization_application_history": R("login 404 ok ok ok ok ok", target=oid("application")),
    "admin:mobilization_application_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("application")
    ),
    "admin:mobilization_application_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("application")
    ),
    "admin/mobilization/application/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("application"),
        path="/admin/mobilization/application/{object_id}/",
    ),
    "admin:mobilization_mobilizationmodel_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_mobilizationmodel_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:mobilization_mobilizationmodel_export": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_mobilizationmodel_changelist": R(
        "login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"
    ),
    "admin:mobilization_mobilizationmodel_add": R(
        "login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"
    ),
    "admin:mobilization_mobilizationmodel_history": R("login 404 ok ok ok ok ok", target=oid("model")),
    "admin:mobilization_mobilizationmodel_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("model")
    ),
    "admin:mobilization_mobilizationmodel_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("model")
    ),
    "admin/mobilization/mobilizationmodel/<path:object_id>/": R(
        "login ok ok ok ok ok ok",
        target=oid("model"),
        path="/admin/mobilization/mobilizationmodel/{object_id}/",
    ),
    "admin:training_topic_process_import": R(
        "login 405 405 405 405 405 405", post="login ok 403 403 403 ok ok"
    ),
    "admin:training_topic_import": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:training_topic_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_topic_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_topic_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:training_topic_history": R("login 404 ok ok ok ok ok", target=oid("topic")),
    "admin:training_topic_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("topic")
    ),
    "admin:training_topic_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("topic")
    ),
    "admin/training/topic/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("topic"), path="/admin/training/topic/{object_id}/"
    ),
    "admin:training_trainingsession_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:training_trainingsession_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:training_trainingsession_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_trainingsession_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_trainingsession_add": R("login ok ok ok 403 ok ok", post="login ok ok ok 403 ok ok"),
    "admin:training_trainingsession_history": R("login 404 ok ok ok ok ok", target=oid("session")),
    "admin:training_trainingsession_delete": R(
        "login 404 ok 403 403 ok ok", post="login 404 ok 403 403 ok ok", target=oid("session")
    ),
    "admin:training_trainingsession_change": R(
        "login 404 ok ok ok ok ok", post="login 404 ok ok 403 ok ok", target=oid("session")
    ),
    "admin/training/trainingsession/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("session"), path="/admin/training/trainingsession/{object_id}/"
    ),
    "admin:training_attendance_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:training_attendance_import": R(
        "login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"
    ),
    "admin:training_attendance_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_attendance_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:training_attendance_add": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:training_attendance_history": R("login 404 ok ok ok ok ok", target=oid("attendance")),
    "admin:training_attendance_delete": R(
        "login 404 403 403 403 403 403", post="login 404 403 403 403 403 403", target=oid("attendance")
    ),
    "admin:training_attendance_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 403 403", target=oid("attendance")
    ),
    "admin/training/attendance/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("attendance"), path="/admin/training/attendance/{object_id}/"
    ),
    "admin:reports_target_process_import": R(
        "login 405 405 405 405 405 405", post="login 403 403 403 403 403 403"
    ),
    "admin:reports_target_import": R("login 403 403 403 403 403 403", post="login 403 403 403 403 403 403"),
    "admin:reports_target_export": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:reports_target_changelist": R("login ok ok ok ok ok ok", post="login ok ok ok ok ok ok"),
    "admin:reports_target_add": R("login ok 403 403 403 ok ok", post="login ok 403 403 403 ok ok"),
    "admin:reports_target_history": R("login 404 ok ok ok ok ok", target=oid("target")),
    "admin:reports_target_delete": R(
        "login 404 403 403 403 ok ok", post="login 404 403 403 403 ok ok", target=oid("target")
    ),
    "admin:reports_target_change": R(
        "login 404 ok ok ok ok ok", post="login 404 403 403 403 ok ok", target=oid("target")
    ),
    "admin/reports/target/<path:object_id>/": R(
        "login ok ok ok ok ok ok", target=oid("target"), path="/admin/reports/target/{object_id}/"
    ),
    "admin:app_list": R("login ok ok ok ok ok ok", app_label="villages"),
    "admin/(?P<url>.*)$": R("login 404 404 404 404 404 404", path="/admin/no-such-page/"),
}
