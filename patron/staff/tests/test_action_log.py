"""The staff action log: one entry per export, configuration save and permission change (of a
staff member, a role or an integration token), read in the admin (System > Staff Action Log) and
through ``GET /api/v1/staff/actions``; and progress jobs through ``GET /api/v1/jobs/{id}``.

Mass actions' entries are tested with the mass actions (customers/tests/test_mass_actions.py).
"""

import csv
import io
import json
import uuid

import pytest
from django import forms
from django.contrib.auth.models import Group, Permission, User

from patron.core.actors import SYSTEM, Actor
from patron.core.progress import start_job
from patron.customers.tests.factories import make_customer
from patron.staff.models import StaffAction, StaffProfile
from patron.staff.services import (
    create_integration_token,
    record_staff_action,
    revoke_integration_token,
)
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user, set_config

STREET_LINES = "customer/address/street_lines"
AUTO_GROUP = "customer/create_account/auto_group_assign"
LOG_URL = "/api/v1/staff/actions"
EXPORT_URL = "/api/v1/customers/grid/export"
ADMIN_LOG_URL = "/admin/staff/staffaction/"
ENTRY_FIELDS = ("actor_kind", "actor_id", "actor_label", "action", "target", "count", "details")


def entries(action: str | None = None) -> list[tuple]:
    """The log's entries (optionally of one kind), oldest first."""
    log = StaffAction.objects.order_by("pk")
    if action is not None:
        log = log.filter(action=action)
    return list(log.values_list(*ENTRY_FIELDS))


def put_config(client, payload, **headers):
    return client.put(
        "/api/v1/config", data=json.dumps(payload), content_type="application/json", **headers
    )


def permission(name: str) -> Permission:
    app_label, codename = name.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def form_data(form) -> dict:
    """What a browser posts for ``form`` as it was rendered (its initial values)."""
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        key = form.add_prefix(name)
        value = form[name].value()
        widget = field.widget
        if isinstance(widget, forms.MultiWidget):
            parts = widget.decompress(value)
            for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=True)):
                data[f"{key}_{index}"] = sub.format_value(part) or ""
        elif isinstance(widget, forms.CheckboxInput):
            if value:
                data[key] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[key] = list(value or [])
        else:
            data[key] = "" if value is None else value
    return data


def change_form_data(response, **changes) -> dict:
    """What a browser posts for an unchanged admin change form (with its inlines), with
    ``changes`` applied."""
    data = form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        data |= form_data(inline.formset.management_form)
        for form in inline.formset.forms:
            data |= form_data(form)
    return data | changes


@pytest.fixture
def root(client, db):
    """A signed-in superuser."""
    user = make_staff_user("root", superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def clerk(db):
    return make_staff_user("clerk", permissions=["customers.view_customer"])


@pytest.fixture
def auditors(db):
    role = Group.objects.create(name="Auditors")
    role.permissions.add(permission("staff.view_staffaction"))
    return role


# --- Configuration saves ------------------------------------------------------------------------


def test_a_configuration_save_by_staff_is_logged_once(client, website_b):
    # given
    set_config({AUTO_GROUP: True}, website=website_b)
    editor = make_staff_user("editor", permissions=["scopes.change_configvalue"])
    client.force_login(editor)

    # when
    response = put_config(
        client,
        {
            "scope": "website",
            "scope_id": website_b.pk,
            "values": {STREET_LINES: 3},
            "inherit": [AUTO_GROUP],
        },
    )

    # then
    assert response.status_code == 200
    assert entries() == [
        (
            "staff",
            editor.pk,
            "editor",
            "configuration",
            f"website:{website_b.pk}",
            2,
            {"changed": [STREET_LINES], "reset": [AUTO_GROUP]},
        )
    ]


def test_a_configuration_save_by_an_integration_is_logged_with_the_token(client, db):
    # given
    token, secret = make_integration_token("Deploy", permissions=["scopes.change_configvalue"])

    # when
    put_config(client, {"values": {STREET_LINES: 3}}, **bearer(secret))

    # then
    assert entries("configuration") == [
        (
            "integration",
            token.pk,
            "Deploy",
            "configuration",
            "default:0",
            1,
            {"changed": [STREET_LINES], "reset": []},
        )
    ]


def test_saving_the_configuration_unchanged_is_not_logged(client, db):
    # given
    set_config({STREET_LINES: 3})
    client.force_login(make_staff_user("editor", permissions=["scopes.change_configvalue"]))

    # when
    response = put_config(client, {"values": {STREET_LINES: 3}})

    # then
    assert response.status_code == 200
    assert entries() == []


def test_a_refused_configuration_save_is_not_logged(client, db):
    # given
    client.force_login(make_staff_user("editor", permissions=["scopes.change_configvalue"]))

    # when
    response = put_config(client, {"values": {STREET_LINES: 3, AUTO_GROUP: "perhaps"}})

    # then
    assert response.status_code == 400
    assert entries() == []


def test_patrons_own_configuration_changes_are_not_logged(db):
    # when
    set_config({STREET_LINES: 3})

    # then
    assert entries() == []


# --- Permission changes in the admin ------------------------------------------------------------


def user_change_url(user) -> str:
    return f"/admin/auth/user/{user.pk}/change/"


def role_change_url(role) -> str:
    return f"/admin/auth/group/{role.pk}/change/"


def snapshot(*, groups=(), permissions=(), websites=()) -> dict:
    return {
        "is_active": True,
        "is_staff": True,
        "is_superuser": False,
        "groups": list(groups),
        "permissions": list(permissions),
        "websites": list(websites),
    }


def test_giving_a_staff_member_a_role_logs_one_permission_change(client, root, clerk, auditors):
    # given
    page = client.get(user_change_url(clerk))

    # when
    response = client.post(user_change_url(clerk), change_form_data(page, groups=[auditors.pk]))

    # then
    assert response.status_code == 302
    assert list(clerk.groups.values_list("name", flat=True)) == ["Auditors"]
    before = snapshot(permissions=["customers.view_customer"])
    after = snapshot(groups=["Auditors"], permissions=["customers.view_customer"])
    assert entries() == [
        (
            "staff",
            root.pk,
            "root",
            "permissions",
            "Staff member clerk",
            None,
            {"before": before, "after": after},
        )
    ]


def test_limiting_a_staff_member_to_websites_logs_one_permission_change(
    client, root, clerk, website_b
):
    # given
    page = client.get(user_change_url(clerk))

    # when
    response = client.post(
        user_change_url(clerk),
        change_form_data(page, **{"staff_profile-0-websites": [website_b.pk]}),
    )

    # then
    assert response.status_code == 302
    assert list(StaffProfile.objects.get(user=clerk).websites.values_list("code", flat=True)) == [
        "second"
    ]
    [entry] = entries()
    assert entry[3:5] == ("permissions", "Staff member clerk")
    assert (entry[6]["before"]["websites"], entry[6]["after"]["websites"]) == ([], ["second"])


def test_taking_a_permission_from_a_staff_member_logs_one_permission_change(client, root, clerk):
    # given
    page = client.get(user_change_url(clerk))

    # when
    response = client.post(
        user_change_url(clerk),
        change_form_data(page, user_permissions=[], is_superuser="on"),
    )

    # then
    assert response.status_code == 302
    [entry] = entries()
    assert entry[6] == {
        "before": snapshot(permissions=["customers.view_customer"]),
        "after": {**snapshot(), "is_superuser": True},
    }


def test_saving_a_staff_member_without_a_permission_change_logs_nothing(client, root, clerk):
    # given
    page = client.get(user_change_url(clerk))

    # when
    unchanged = client.post(user_change_url(clerk), change_form_data(page))
    renamed = client.post(user_change_url(clerk), change_form_data(page, first_name="Clara"))

    # then
    assert (unchanged.status_code, renamed.status_code) == (302, 302)
    assert User.objects.get(pk=clerk.pk).first_name == "Clara"
    assert entries() == []


def test_a_refused_staff_member_save_logs_nothing(client, root, clerk, auditors):
    # given
    page = client.get(user_change_url(clerk))

    # when
    response = client.post(
        user_change_url(clerk), change_form_data(page, username="", groups=[auditors.pk])
    )

    # then
    assert response.status_code == 200
    assert not clerk.groups.exists()
    assert entries() == []


def test_changing_a_roles_permissions_logs_one_permission_change(client, root, auditors):
    # given
    page = client.get(role_change_url(auditors))
    wanted = [permission("staff.view_staffaction").pk, permission("core.view_job").pk]

    # when
    response = client.post(role_change_url(auditors), change_form_data(page, permissions=wanted))

    # then
    assert response.status_code == 302
    assert entries() == [
        (
            "staff",
            root.pk,
            "root",
            "permissions",
            "Role Auditors",
            None,
            {
                "before": ["staff.view_staffaction"],
                "after": ["core.view_job", "staff.view_staffaction"],
            },
        )
    ]


def test_saving_a_role_without_a_permission_change_logs_nothing(client, root, auditors):
    # given
    page = client.get(role_change_url(auditors))

    # when
    response = client.post(role_change_url(auditors), change_form_data(page))

    # then
    assert response.status_code == 302
    assert entries() == []


# --- Integration tokens -------------------------------------------------------------------------


def test_creating_an_integration_token_is_logged(clerk):
    # when
    token, _secret = create_integration_token(
        name="Shop",
        permissions=["customers.view_customer", "customers.add_customer"],
        actor=Actor.staff(clerk),
    )

    # then
    assert entries() == [
        (
            "staff",
            clerk.pk,
            "clerk",
            "permissions",
            "Integration token Shop",
            None,
            {
                "token_id": token.pk,
                "change": "created",
                "permissions": ["customers.add_customer", "customers.view_customer"],
            },
        )
    ]


def test_revoking_an_integration_token_is_logged_once(clerk):
    # given
    token, _secret = make_integration_token("Shop")

    # when
    revoke_integration_token(token=token, actor=Actor.staff(clerk))
    revoke_integration_token(token=token, actor=Actor.staff(clerk))

    # then
    assert entries()[1:] == [
        (
            "staff",
            clerk.pk,
            "clerk",
            "permissions",
            "Integration token Shop",
            None,
            {"token_id": token.pk, "change": "revoked"},
        )
    ]


def test_a_refused_integration_token_is_not_logged(clerk):
    # when
    with pytest.raises(Exception, match="Unknown permissions"):
        create_integration_token(
            name="Shop", permissions=["customers.fly"], actor=Actor.staff(clerk)
        )

    # then
    assert entries() == []


def test_changing_a_tokens_permissions_in_the_admin_logs_one_permission_change(client, root):
    # given
    token, _secret = make_integration_token("Shop", permissions=["customers.view_customer"])
    url = f"/admin/staff/integrationtoken/{token.pk}/change/"
    page = client.get(url)

    # when
    response = client.post(
        url,
        change_form_data(
            page, permissions=json.dumps(["customers.view_customer", "customers.add_customer"])
        ),
    )

    # then
    assert response.status_code == 302
    assert entries()[1:] == [
        (
            "staff",
            root.pk,
            "root",
            "permissions",
            "Integration token Shop",
            None,
            {
                "before": ["customers.view_customer"],
                "after": ["customers.add_customer", "customers.view_customer"],
            },
        )
    ]


# --- Exports ------------------------------------------------------------------------------------


@pytest.fixture
def exporter(client, db):
    user = make_staff_user(
        "exporter", permissions=["customers.view_customer", "customers.export_customers"]
    )
    client.force_login(user)
    return user


@pytest.fixture
def three_customers(view_a):
    return [
        make_customer("ada@example.com", store_view=view_a),
        make_customer("grace@example.com", store_view=view_a, firstname="Grace"),
        make_customer("linus@example.com", store_view=view_a, firstname="Linus"),
    ]


def test_an_export_of_selected_rows_is_logged_with_their_count(client, exporter, three_customers):
    # given
    ada, grace, _linus = three_customers

    # when
    response = client.get(EXPORT_URL, {"ids": f"{ada.pk},{grace.pk}"})

    # then
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows) == 3
    assert entries() == [
        (
            "staff",
            exporter.pk,
            "exporter",
            "export",
            "customers.csv",
            2,
            {"format": "csv", "selected": 2, "filters": {"keyword": ""}},
        )
    ]


def test_an_export_of_the_filtered_rows_is_logged_with_the_filters(
    client, exporter, three_customers
):
    # when
    response = client.get(EXPORT_URL, {"format": "xml", "group": "1", "keyword": "ada"})

    # then
    b"".join(response.streaming_content)
    assert entries() == [
        (
            "staff",
            exporter.pk,
            "exporter",
            "export",
            "customers.xml",
            1,
            {"format": "xml", "selected": 0, "filters": {"group": "1", "keyword": "ada"}},
        )
    ]


def test_an_export_by_a_token_is_logged_with_the_token(client, three_customers):
    # given
    token, secret = make_integration_token(
        "BI", permissions=["customers.view_customer", "customers.export_customers"]
    )

    # when
    b"".join(client.get(EXPORT_URL, **bearer(secret)).streaming_content)

    # then
    assert [entry[:5] for entry in entries("export")] == [
        ("integration", token.pk, "BI", "export", "customers.csv")
    ]


def test_an_export_logs_the_number_of_rows_it_wrote(client, exporter, three_customers):
    # given
    ada, grace, _linus = three_customers

    # when
    response = client.get(EXPORT_URL, {"ids": f"{ada.pk},{grace.pk},987654"})

    # then
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert len(rows[1:]) == 2
    assert StaffAction.objects.get().count == 2


@pytest.mark.parametrize(
    ("permissions", "query", "status"),
    [
        (["customers.view_customer", "customers.export_customers"], {"format": "pdf"}, 400),
        (["customers.view_customer", "customers.export_customers"], {"sort": "shoe"}, 400),
        (["customers.view_customer"], {}, 403),
    ],
    ids=["unknown_format", "unknown_sort", "no_permission"],
)
def test_a_refused_export_is_not_logged(client, three_customers, permissions, query, status):
    # given
    client.force_login(make_staff_user("clerk", permissions=permissions))

    # when
    response = client.get(EXPORT_URL, query)

    # then
    assert response.status_code == status
    assert entries() == []


# --- Reading the log in the admin ---------------------------------------------------------------


def test_the_admin_lists_the_log_to_holders_of_its_view_permission(client, clerk, auditors):
    # given
    record_staff_action(actor=Actor.staff(clerk), action="export", target="customers.csv")
    auditor = make_staff_user("auditor")
    auditor.groups.add(auditors)
    client.force_login(auditor)

    # when
    response = client.get(ADMIN_LOG_URL)

    # then
    assert response.status_code == 200
    assert [entry.target for entry in response.context["cl"].result_list] == ["customers.csv"]


def test_the_admin_hides_the_log_from_staff_without_its_view_permission(client, clerk):
    # given
    client.force_login(clerk)

    # when
    response = client.get(ADMIN_LOG_URL)

    # then
    assert response.status_code == 403


def test_the_log_cannot_be_written_or_deleted_in_the_admin(client, auditors):
    # given: a superuser, who holds every permission the admin lets anyone have
    entry = record_staff_action(actor=SYSTEM, action="export", target="customers.csv")
    client.force_login(make_staff_user("root", superuser=True))

    # when
    add = client.get(f"{ADMIN_LOG_URL}add/")
    change = client.post(f"{ADMIN_LOG_URL}{entry.pk}/change/", {"target": "nothing"})
    delete = client.post(f"{ADMIN_LOG_URL}{entry.pk}/delete/", {"post": "yes"})

    # then
    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    assert list(StaffAction.objects.values_list("target", flat=True)) == ["customers.csv"]


# --- Reading the log through the API ------------------------------------------------------------


@pytest.fixture
def logged(clerk):
    """Three entries: an export, a mass action, an export (oldest first)."""
    actor = Actor.staff(clerk)
    return [
        record_staff_action(actor=actor, action="export", target="first.csv", count=1),
        record_staff_action(actor=actor, action="mass_action", target="Delete", count=2),
        record_staff_action(actor=actor, action="export", target="third.csv", count=3),
    ]


@pytest.mark.parametrize(
    ("caller", "status"),
    [
        ("staff without permission", 403),
        ("token without permission", 403),
        ("staff with permission", 200),
        ("token with permission", 200),
    ],
)
def test_the_log_api_needs_its_view_permission(client, logged, caller, status):
    # given
    granted = ["staff.view_staffaction"] if caller.endswith("with permission") else []
    headers = {}
    if caller.startswith("staff"):
        client.force_login(make_staff_user("reader", permissions=granted))
    else:
        headers = bearer(make_integration_token("Reader", permissions=granted)[1])

    # when
    response = client.get(LOG_URL, **headers)

    # then
    assert response.status_code == status
    if status == 403:
        assert response.json()["params"] == {"permission": "staff.view_staffaction"}


@pytest.fixture
def reader(client, db):
    client.force_login(make_staff_user("reader", permissions=["staff.view_staffaction"]))


def test_the_log_api_lists_the_newest_entry_first(client, reader, logged, clerk):
    # when
    response = client.get(LOG_URL)

    # then
    body = response.json()
    assert [entry["target"] for entry in body] == ["third.csv", "Delete", "first.csv"]
    assert {k: v for k, v in body[0].items() if k != "at"} == {
        "id": logged[2].pk,
        "action": "export",
        "target": "third.csv",
        "count": 3,
        "details": {},
        "actor_kind": "staff",
        "actor_id": clerk.pk,
        "actor_label": "clerk",
    }


def test_the_log_api_filters_by_action(client, reader, logged):
    # when
    response = client.get(LOG_URL, {"action": "export"})

    # then
    assert [entry["target"] for entry in response.json()] == ["third.csv", "first.csv"]


def test_the_log_api_pages_with_before_id_and_limit(client, reader, logged):
    # when
    first_page = client.get(LOG_URL, {"limit": 2}).json()
    second_page = client.get(LOG_URL, {"limit": 2, "before_id": first_page[-1]["id"]}).json()

    # then
    assert [entry["target"] for entry in first_page] == ["third.csv", "Delete"]
    assert [entry["target"] for entry in second_page] == ["first.csv"]


# --- Progress jobs ------------------------------------------------------------------------------


def job_url(job) -> str:
    return f"/api/v1/jobs/{job.pk}"


def test_a_job_is_visible_to_the_staff_member_who_started_it(client, clerk):
    # given
    job = start_job(kind="customers.mass_action", label="Delete", actor=Actor.staff(clerk), total=5)
    client.force_login(clerk)

    # when
    response = client.get(job_url(job))

    # then
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "kind", "label", "state", "done", "total", "percent")} == {
        "id": str(job.pk),
        "kind": "customers.mass_action",
        "label": "Delete",
        "state": "pending",
        "done": 0,
        "total": 5,
        "percent": 0,
    }


def test_a_job_is_visible_to_the_token_that_started_it(client, db):
    # given
    token, secret = make_integration_token("Sync")
    job = start_job(kind="customers.mass_action", label="Delete", actor=Actor.integration(token))

    # when
    response = client.get(job_url(job), **bearer(secret))

    # then
    assert (response.status_code, response.json()["id"]) == (200, str(job.pk))


def test_a_job_is_visible_to_holders_of_the_view_job_permission(client, clerk):
    # given
    job = start_job(kind="customers.mass_action", label="Delete", actor=Actor.staff(clerk))
    client.force_login(make_staff_user("supervisor", permissions=["core.view_job"]))

    # when
    response = client.get(job_url(job))

    # then
    assert (response.status_code, response.json()["id"]) == (200, str(job.pk))


@pytest.mark.parametrize("caller", ["another staff member", "a token", "the system's job"])
def test_a_job_started_by_someone_else_is_not_found(client, clerk, caller):
    # given
    starter = SYSTEM if caller == "the system's job" else Actor.staff(clerk)
    job = start_job(kind="customers.mass_action", label="Delete", actor=starter)
    headers = {}
    if caller == "a token":
        headers = bearer(make_integration_token("Sync", permissions=["customers.view_customer"])[1])
    else:
        client.force_login(make_staff_user("other", permissions=["customers.view_customer"]))

    # when
    response = client.get(job_url(job), **headers)

    # then
    assert (response.status_code, response.json()["code"]) == (404, "job_not_found")


def test_an_unknown_job_is_not_found(client, clerk):
    # given
    client.force_login(make_staff_user("supervisor", permissions=["core.view_job"]))

    # when
    response = client.get(f"/api/v1/jobs/{uuid.uuid4()}")

    # then
    assert (response.status_code, response.json()["code"]) == (404, "job_not_found")
