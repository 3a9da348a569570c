"""Grid mass actions through ``POST /api/v1/customers/mass-actions``: Delete, Subscribe and
Unsubscribe, Assign a Customer Group, Activate and Deactivate; each customer on its own, the
permission of each action, website scope, the queued path with its progress job, and the staff
action log entry every mass action writes."""

import json

import pytest

from patron.core.actors import SYSTEM
from patron.core.models import Job, JobState
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import (
    ConsentSource,
    Customer,
    CustomerGridRow,
    NewsletterSubscriber,
    SubscriberStatus,
    TaxClass,
)
from patron.customers.tests.factories import make_customer, share_accounts
from patron.staff.models import StaffAction
from patron.testing.fixtures import (
    bearer,
    make_integration_token,
    make_staff_user,
    make_store_view,
)

MASS_URL = "/api/v1/customers/mass-actions"
GENERAL, WHOLESALE = 1, 2
MISSING_ID = 987_654
PERMISSIONS = {
    "delete": "customers.delete_customer",
    "subscribe": "customers.change_newslettersubscriber",
    "unsubscribe": "customers.change_newslettersubscriber",
    "assign_group": "customers.assign_customer_group",
    "activate": "customers.change_customer_status",
    "deactivate": "customers.change_customer_status",
}
ALL_MASS_PERMISSIONS = sorted(set(PERMISSIONS.values()))


def post(client, payload, **headers):
    return client.post(
        MASS_URL, data=json.dumps(payload), content_type="application/json", **headers
    )


def ids_of(*customers) -> list[int]:
    return [customer.pk for customer in customers]


def subscriptions():
    return sorted(
        NewsletterSubscriber.objects.values_list(
            "customer_id", "store_view__code", "status", "consent_source"
        )
    )


def customer_states():
    """Every customer's id, group and status, and every subscription: what a refused mass
    action must leave as it was."""
    return (
        sorted(Customer.objects.values_list("pk", "group_id", "is_active")),
        subscriptions(),
    )


def active_flags() -> dict[int, tuple[bool, bool]]:
    """Each customer's is_active and its grid row's is_active."""
    rows = dict(CustomerGridRow.objects.values_list("customer_id", "is_active"))
    return {
        pk: (active, rows[pk]) for pk, active in Customer.objects.values_list("pk", "is_active")
    }


def subscribe(customer, store_view, **options):
    services.subscribe_newsletter(
        store_view=store_view, customer=customer, actor=SYSTEM, source=ConsentSource.API, **options
    )


@pytest.fixture
def clerk(client, db):
    """A signed-in staff member holding the permission of every mass action."""
    user = make_staff_user("clerk", permissions=ALL_MASS_PERMISSIONS)
    client.force_login(user)
    return user


@pytest.fixture
def trio(view_a):
    return [
        make_customer("ada@example.com", store_view=view_a),
        make_customer("grace@example.com", store_view=view_a, firstname="Grace"),
        make_customer("linus@example.com", store_view=view_a, firstname="Linus"),
    ]


@pytest.fixture
def bystander(view_a):
    """A customer no mass action selects."""
    return make_customer("alan@example.com", store_view=view_a, firstname="Alan")


@pytest.fixture
def queue_above_two(monkeypatch):
    """Queue mass actions on more than two customers instead of 200."""
    monkeypatch.setattr(services, "MASS_ACTION_TASK_THRESHOLD", 2)


# --- Assign a Customer Group (acceptance check 34) ----------------------------------------------


def test_assign_group_moves_every_selected_customer(client, clerk, trio, bystander):
    # when
    response = post(client, {"action": "assign_group", "ids": ids_of(*trio), "group_id": WHOLESALE})

    # then
    assert response.status_code == 200
    assert response.json() == {"action": "assign_group", "done": 3, "failed": []}
    groups = dict(Customer.objects.values_list("pk", "group_id"))
    assert [groups[pk] for pk in ids_of(*trio)] == [WHOLESALE] * 3
    assert groups[bystander.pk] == GENERAL
    rows = dict(CustomerGridRow.objects.values_list("customer_id", "group_id"))
    assert [rows[pk] for pk in ids_of(*trio)] == [WHOLESALE] * 3


def test_assign_group_records_the_change_on_each_timeline(client, clerk, trio):
    # when
    post(client, {"action": "assign_group", "ids": ids_of(*trio), "group_id": WHOLESALE})

    # then
    for customer in trio:
        entries = customer.timeline.filter(kind=TimelineKind.GROUP_CHANGED)
        assert list(entries.values_list("params", "actor_kind", "actor_id", "actor_label")) == [
            ({"old": "General", "new": "Wholesale", "reason": ""}, "staff", clerk.pk, "clerk")
        ]


@pytest.mark.parametrize(
    ("group_id", "code"), [(None, "required"), (MISSING_ID, "unknown_group"), (0, "guest_group")]
)
def test_assign_group_needs_a_group_accounts_may_have(client, clerk, trio, group_id, code):
    # given
    before = customer_states()

    # when
    response = post(client, {"action": "assign_group", "ids": ids_of(*trio), "group_id": group_id})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, "group_id")
    assert customer_states() == before
    assert not StaffAction.objects.exists()


# --- Delete (acceptance check 35) ---------------------------------------------------------------


def test_delete_removes_the_selected_accounts_and_keeps_the_others(
    client, clerk, trio, bystander, django_capture_on_commit_callbacks, emitted
):
    # given
    selected = trio[:2]

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {"action": "delete", "ids": ids_of(*selected)})

    # then
    assert response.json() == {"action": "delete", "done": 2, "failed": []}
    assert sorted(Customer.objects.values_list("email", flat=True)) == [
        "alan@example.com",
        "linus@example.com",
    ]
    assert sorted(CustomerGridRow.objects.values_list("customer_id", flat=True)) == sorted(
        ids_of(trio[2], bystander)
    )
    deleted = [payload for name, payload in emitted if name == "accountDeleted"]
    assert sorted(
        (p["customer_id"], p["email"], p["actor"]["actor_label"]) for p in deleted
    ) == sorted((c.pk, c.email, "clerk") for c in selected)


# --- Subscribe and Unsubscribe ------------------------------------------------------------------


def test_subscribe_uses_each_customers_store_view_when_accounts_are_per_website(
    client, clerk, view_a, view_b
):
    # given
    on_a = make_customer("ada@example.com", store_view=view_a)
    on_b = make_customer("byron@example.org", store_view=view_b)

    # when
    response = post(client, {"action": "subscribe", "ids": ids_of(on_a, on_b)})

    # then
    assert response.json() == {"action": "subscribe", "done": 2, "failed": []}
    assert subscriptions() == sorted(
        [
            (on_a.pk, "default", SubscriberStatus.SUBSCRIBED, ConsentSource.BACK_OFFICE),
            (on_b.pk, "second_en", SubscriberStatus.SUBSCRIBED, ConsentSource.BACK_OFFICE),
        ]
    )


def test_subscribe_uses_the_default_websites_default_view_when_accounts_are_global(
    client, clerk, view_a, view_b
):
    # given
    share_accounts("global")
    on_b = make_customer("byron@example.org", store_view=view_b)

    # when
    response = post(client, {"action": "subscribe", "ids": [on_b.pk]})

    # then
    assert response.json() == {"action": "subscribe", "done": 1, "failed": []}
    assert subscriptions() == [
        (on_b.pk, "default", SubscriberStatus.SUBSCRIBED, ConsentSource.BACK_OFFICE)
    ]


def test_subscribe_leaves_an_existing_subscription_as_it_is(client, clerk, trio, view_a):
    # given
    ada = trio[0]
    subscribe(ada, view_a)

    # when
    response = post(client, {"action": "subscribe", "ids": [ada.pk]})

    # then
    assert response.json() == {"action": "subscribe", "done": 1, "failed": []}
    assert subscriptions() == [(ada.pk, "default", SubscriberStatus.SUBSCRIBED, ConsentSource.API)]


def test_unsubscribe_ends_every_active_subscription_of_the_selected(
    client, clerk, trio, view_a, website_a
):
    # given: Ada on two views, one still waiting for confirmation; Grace is not selected
    ada, grace, _linus = trio
    view_a_fr = make_store_view(website_a, "default_fr", "fr", name="French")
    subscribe(ada, view_a)
    subscribe(ada, view_a_fr, require_confirmation=True)
    subscribe(grace, view_a)

    # when
    response = post(client, {"action": "unsubscribe", "ids": [ada.pk]})

    # then
    assert response.json() == {"action": "unsubscribe", "done": 1, "failed": []}
    assert sorted(
        NewsletterSubscriber.objects.values_list("customer_id", "store_view__code", "status")
    ) == sorted(
        [
            (ada.pk, "default", SubscriberStatus.UNSUBSCRIBED),
            (ada.pk, "default_fr", SubscriberStatus.UNSUBSCRIBED),
            (grace.pk, "default", SubscriberStatus.SUBSCRIBED),
        ]
    )


# --- Activate and Deactivate --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "before", "after"), [("deactivate", True, False), ("activate", False, True)]
)
def test_activate_and_deactivate_set_the_status_and_the_grid_row(
    client, clerk, trio, bystander, action, before, after
):
    # given
    for customer in [*trio, bystander]:
        services.update_customer(customer=customer, actor=SYSTEM, is_active=before)

    # when
    response = post(client, {"action": action, "ids": ids_of(*trio)})

    # then
    assert response.json() == {"action": action, "done": 3, "failed": []}
    flags = active_flags()
    assert [flags[pk] for pk in ids_of(*trio)] == [(after, after)] * 3
    assert flags[bystander.pk] == (before, before)


# --- One customer at a time ---------------------------------------------------------------------


def test_a_missing_customer_fails_alone(client, clerk, trio):
    # given
    ada, grace, _linus = trio

    # when
    response = post(client, {"action": "deactivate", "ids": [ada.pk, MISSING_ID, grace.pk]})

    # then
    assert response.status_code == 200
    assert response.json() == {
        "action": "deactivate",
        "done": 2,
        "failed": [
            {
                "id": MISSING_ID,
                "code": "customer_not_found",
                "message": "There is no such customer.",
            }
        ],
    }
    flags = active_flags()
    assert (flags[ada.pk], flags[grace.pk]) == ((False, False), (False, False))


def test_a_customer_refused_by_a_rule_does_not_undo_the_others(client, clerk, trio, website_b):
    # given: a customer of a website without any store view to subscribe on
    ada, grace, _linus = trio
    homeless = make_customer("nomad@example.com", website=website_b)

    # when
    response = post(client, {"action": "subscribe", "ids": [ada.pk, homeless.pk, grace.pk]})

    # then
    body = response.json()
    assert (body["done"], [(f["id"], f["code"]) for f in body["failed"]]) == (
        2,
        [(homeless.pk, "no_store_view")],
    )
    assert [row[:3] for row in subscriptions()] == sorted(
        [(ada.pk, "default", "subscribed"), (grace.pk, "default", "subscribed")]
    )


def test_a_customer_selected_twice_is_acted_on_and_counted_once(client, clerk, trio):
    # given
    ada, grace, _linus = trio

    # when
    response = post(
        client,
        {"action": "assign_group", "ids": [ada.pk, grace.pk, ada.pk], "group_id": WHOLESALE},
    )

    # then
    assert response.json() == {"action": "assign_group", "done": 2, "failed": []}
    assert ada.timeline.filter(kind=TimelineKind.GROUP_CHANGED).count() == 1
    assert StaffAction.objects.get().count == 2


# --- Who may do what ----------------------------------------------------------------------------


@pytest.mark.parametrize("action", PERMISSIONS)
def test_each_action_needs_its_own_permission(client, trio, action):
    # given: a staff member with every mass-action permission but this action's
    needed = PERMISSIONS[action]
    granted = [name for name in ALL_MASS_PERMISSIONS if name != needed]
    client.force_login(make_staff_user("clerk", permissions=granted))
    before = customer_states()

    # when
    response = post(client, {"action": action, "ids": ids_of(*trio), "group_id": WHOLESALE})

    # then
    assert response.status_code == 403
    assert (response.json()["code"], response.json()["params"]) == (
        "permission_denied",
        {"permission": needed},
    )
    assert customer_states() == before
    assert not StaffAction.objects.exists()


def test_an_unknown_action_is_refused(client, clerk, trio):
    # when
    response = post(client, {"action": "archive", "ids": ids_of(*trio)})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("unknown_action", "action")
    assert not StaffAction.objects.exists()


def test_an_empty_selection_is_refused(client, clerk, trio):
    # when
    response = post(client, {"action": "deactivate", "ids": []})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("required", "ids")
    assert not StaffAction.objects.exists()


def test_a_selection_above_the_limit_is_refused(client, clerk, trio, monkeypatch):
    # given
    monkeypatch.setattr(services, "MASS_ACTION_LIMIT", 2)
    before = customer_states()

    # when
    response = post(client, {"action": "deactivate", "ids": ids_of(*trio)})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == ("too_many", "ids")
    assert customer_states() == before


def test_a_website_scoped_token_cannot_reach_other_websites_customers(
    client, website_a, trio, view_b
):
    # given
    _token, secret = make_integration_token(
        "Website A", permissions=["customers.change_customer_status"], websites=[website_a]
    )
    ada = trio[0]
    on_b = make_customer("byron@example.org", store_view=view_b)

    # when
    response = post(client, {"action": "deactivate", "ids": [ada.pk, on_b.pk]}, **bearer(secret))

    # then
    body = response.json()
    assert (body["done"], [(f["id"], f["code"]) for f in body["failed"]]) == (
        1,
        [(on_b.pk, "customer_not_found")],
    )
    flags = active_flags()
    assert (flags[ada.pk], flags[on_b.pk]) == ((False, False), (True, True))


# --- Large selections: queued with a progress job -----------------------------------------------


def test_above_the_threshold_the_action_is_queued_and_runs_after_commit(
    client, clerk, trio, queue_above_two, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {"action": "deactivate", "ids": [*ids_of(*trio), MISSING_ID]})

    # then
    assert response.status_code == 202
    body = response.json()
    assert body["status_url"] == f"/api/v1/jobs/{body['job_id']}"
    job = Job.objects.get(pk=body["job_id"])
    assert (job.kind, job.label, job.state, job.done, job.total) == (
        "customers.mass_action",
        "Deactivate",
        JobState.SUCCEEDED,
        4,
        4,
    )
    assert (job.actor_kind, job.actor_id) == ("staff", clerk.pk)
    assert job.result == {
        "done": 3,
        "failed": [
            {
                "id": MISSING_ID,
                "code": "customer_not_found",
                "message": "There is no such customer.",
            }
        ],
    }
    flags = active_flags()
    assert [flags[pk] for pk in ids_of(*trio)] == [(False, False)] * 3


def test_a_queued_actions_job_page_leads_back_to_the_customers_grid(
    client, clerk, trio, queue_above_two, django_capture_on_commit_callbacks
):
    # given an action queued as a job
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {"action": "deactivate", "ids": ids_of(*trio)})

    # when its progress page is shown
    page = client.get(f"/admin/jobs/{response.json()['job_id']}/")

    # then its Back button leads to the customers grid
    assert 'href="/admin/customers/customer/"' in page.content.decode()


def test_a_selection_of_exactly_the_threshold_runs_at_once(client, clerk, trio, monkeypatch):
    # given
    monkeypatch.setattr(services, "MASS_ACTION_TASK_THRESHOLD", 3)

    # when
    response = post(client, {"action": "deactivate", "ids": ids_of(*trio)})

    # then
    assert response.status_code == 200
    assert response.json()["done"] == 3
    assert not Job.objects.exists()


def test_a_queued_action_whose_group_was_deleted_meanwhile_fails_its_job(
    client, clerk, trio, queue_above_two, django_capture_on_commit_callbacks
):
    # given
    vip = services.create_group(
        code="VIP", tax_class=TaxClass.objects.filter(kind="customer").first(), actor=SYSTEM
    )
    vip_id = vip.pk

    # when: the group goes before the request's transaction commits and the task starts
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, {"action": "assign_group", "ids": ids_of(*trio), "group_id": vip_id}
        )
        services.delete_group(group=vip, actor=SYSTEM)

    # then
    job = Job.objects.get(pk=response.json()["job_id"])
    assert (job.state, job.done) == (JobState.FAILED, 0)
    assert [(m["level"], m["text"]) for m in job.messages] == [
        ("error", f"There is no customer group {vip_id}.")
    ]
    assert set(Customer.objects.values_list("group_id", flat=True)) == {GENERAL}


def test_a_queued_action_waits_for_the_request_to_commit(
    client, clerk, trio, queue_above_two, django_capture_on_commit_callbacks
):
    # when: the request's transaction has not committed
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(client, {"action": "deactivate", "ids": ids_of(*trio)})

    # then
    assert response.status_code == 202
    assert Job.objects.get(pk=response.json()["job_id"]).state == JobState.PENDING
    assert all(active for active, _row in active_flags().values())
    assert callbacks


def test_the_starter_follows_a_queued_action_at_its_status_url(
    client, clerk, trio, queue_above_two, django_capture_on_commit_callbacks
):
    # given
    with django_capture_on_commit_callbacks(execute=True):
        queued = post(
            client, {"action": "assign_group", "ids": ids_of(*trio), "group_id": WHOLESALE}
        ).json()

    # when
    response = client.get(queued["status_url"])

    # then
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["state"], body["done"], body["total"], body["percent"]) == (
        queued["job_id"],
        "succeeded",
        3,
        3,
        100,
    )
    assert body["label"] == "Assign a Customer Group: Wholesale"
    assert body["result"] == {"done": 3, "failed": []}


def test_a_queued_action_of_a_scoped_token_keeps_its_website_scope(
    client, website_a, trio, view_b, queue_above_two, django_capture_on_commit_callbacks
):
    # given
    _token, secret = make_integration_token(
        "Website A", permissions=["customers.change_customer_status"], websites=[website_a]
    )
    on_b = make_customer("byron@example.org", store_view=view_b)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(
            client, {"action": "deactivate", "ids": [*ids_of(*trio), on_b.pk]}, **bearer(secret)
        )

    # then
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.result["done"] == 3
    assert [(f["id"], f["code"]) for f in job.result["failed"]] == [(on_b.pk, "customer_not_found")]
    assert active_flags()[on_b.pk] == (True, True)


# --- The staff action log -----------------------------------------------------------------------

LABELS = {
    "delete": "Delete",
    "subscribe": "Subscribe to Newsletter",
    "unsubscribe": "Unsubscribe from Newsletter",
    "assign_group": "Assign a Customer Group: Wholesale",
    "activate": "Activate",
    "deactivate": "Deactivate",
}


@pytest.mark.parametrize("action", LABELS)
def test_each_mass_action_writes_one_staff_action(client, clerk, trio, action):
    # given
    payload = {"action": action, "ids": [*ids_of(*trio), MISSING_ID]}
    if action == "assign_group":
        payload["group_id"] = WHOLESALE

    # when
    post(client, payload)

    # then
    expected_details = {"action": action, "done": 3, "failed": 1}
    if action == "assign_group":
        expected_details["group_id"] = WHOLESALE
    assert list(
        StaffAction.objects.values_list(
            "actor_kind", "actor_id", "actor_label", "action", "target", "count", "details"
        )
    ) == [("staff", clerk.pk, "clerk", "mass_action", LABELS[action], 4, expected_details)]


def test_a_queued_mass_action_is_logged_once_with_its_job(
    client, clerk, trio, queue_above_two, django_capture_on_commit_callbacks
):
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {"action": "activate", "ids": ids_of(*trio)})

    # then
    entry = StaffAction.objects.get()
    assert (entry.actor_kind, entry.actor_id, entry.action, entry.target, entry.count) == (
        "staff",
        clerk.pk,
        "mass_action",
        "Activate",
        3,
    )
    assert entry.details == {"action": "activate", "job_id": response.json()["job_id"]}


def test_a_token_mass_action_is_logged_with_the_token_as_actor(client, trio):
    # given
    token, secret = make_integration_token("Sync", permissions=["customers.change_customer_status"])

    # when
    post(client, {"action": "deactivate", "ids": ids_of(*trio)}, **bearer(secret))

    # then
    logged = StaffAction.objects.filter(action="mass_action")
    assert list(logged.values_list("actor_kind", "actor_id", "actor_label", "count")) == [
        ("integration", token.pk, "Sync", 3)
    ]
