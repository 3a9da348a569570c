"""The customers grid's state (columns, keyword, filters, sort, direction, page size): how it is
cleaned, read from and written to query parameters; and a staff member's saved views of the
grid through ``/api/v1/customers/grid/views``."""

import datetime as dt
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.core.errors import InvalidInput
from patron.customers import grid, services
from patron.customers.models import GridView
from patron.testing.fixtures import bearer, make_integration_token, make_staff_user

VIEWS_URL = "/api/v1/customers/grid/views"
DEFAULT_COLUMNS = [
    "id", "name", "email", "group", "telephone", "postcode", "country", "region", "created_at",
    "website", "confirmed", "created_in", "dob", "taxvat", "gender",
]  # fmt: skip
ALL_COLUMNS = [column.code for column in grid.COLUMNS]
TEXT_FILTERS = [column.code for column in grid.COLUMNS if column.filter == "text"]

# --- Strategies: what a saved view or a request may hold ----------------------------------------

numbers = st.integers(min_value=0, max_value=10**6)
days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))
filter_values = {
    **{code: st.text(max_size=30) for code in TEXT_FILTERS},
    "group": numbers,
    "website": numbers.map(str),
    "created_in": numbers,
    "gender": st.sampled_from(["1", "2", "3"]),
    "country": st.sampled_from(["US", "DE", "FR"]),
    "confirmed": st.sampled_from(["1", "0", "yes", "no"]),
    "status": st.sampled_from(["active", "inactive", "1"]),
    "lock": st.sampled_from(["locked", "unlocked"]),
    "id__from": numbers,
    "id__to": numbers.map(str),
    "created_at__from": days.map(dt.date.isoformat),
    "created_at__to": days.map(dt.date.isoformat),
    "dob__from": days.map(dt.date.isoformat),
    "dob__to": days,
}
raw_filters = st.lists(st.sampled_from(sorted(filter_values)), unique=True).flatmap(
    lambda keys: st.fixed_dictionaries({key: filter_values[key] for key in keys})
)
raw_states = st.fixed_dictionaries(
    {},
    optional={
        "columns": st.one_of(
            st.lists(st.sampled_from(ALL_COLUMNS)),
            st.lists(st.sampled_from(ALL_COLUMNS), min_size=1).map(",".join),
        ),
        "keyword": st.text(max_size=200),
        "filters": raw_filters,
        "sort": st.sampled_from(ALL_COLUMNS),
        "direction": st.sampled_from(["asc", "desc", "DESC", "", None]),
        "page_size": st.sampled_from(grid.PAGE_SIZES).flatmap(
            lambda size: st.sampled_from([size, str(size)])
        ),
    },
)


def problems_of(error: InvalidInput) -> list[tuple[str, str]]:
    return sorted((problem.field, problem.code) for problem in error.problems)


# --- Cleaning a state ---------------------------------------------------------------------------


def test_the_default_state_shows_the_default_columns_by_id_twenty_a_page():
    # then
    assert grid.default_state() == {
        "columns": DEFAULT_COLUMNS,
        "keyword": "",
        "filters": {},
        "sort": "id",
        "direction": "asc",
        "page_size": 20,
    }


def test_an_empty_state_is_cleaned_to_the_default_state():
    # then
    assert grid.clean_state({}) == grid.default_state()


@given(raw=raw_states)
def test_cleaning_a_clean_state_changes_nothing(raw):
    # given
    state = grid.clean_state(raw)

    # then
    assert grid.clean_state(state) == state


@given(raw=raw_states)
def test_a_state_survives_the_round_trip_through_query_parameters(raw):
    # given
    state = grid.clean_state(raw)

    # when
    query = grid.query_from_state(state)

    # then
    assert all(isinstance(value, str) and value for value in query.values())
    assert grid.state_from_query(query) == state


def test_a_keyword_cut_at_200_characters_survives_the_round_trip():
    # given: the 200th character is a space
    state = grid.clean_state({"keyword": "a" * 199 + " tail"})

    # then
    assert grid.state_from_query(grid.query_from_state(state)) == state


def test_the_keyword_is_trimmed_and_cut_at_200_characters():
    # then
    assert grid.clean_state({"keyword": "  ada  "})["keyword"] == "ada"
    assert grid.clean_state({"keyword": "x" * 300})["keyword"] == "x" * 200


def test_columns_keep_their_order_and_appear_once():
    # then
    assert grid.clean_state({"columns": ["email", "id", "email"]})["columns"] == ["email", "id"]
    assert grid.clean_state({"columns": "status,email,"})["columns"] == ["status", "email"]


def test_blank_filters_are_dropped_and_values_trimmed():
    # when
    state = grid.clean_state({"filters": {"name": "  ", "email": " ada ", "group": 2}})

    # then
    assert state["filters"] == {"email": "ada", "group": "2"}


def test_any_direction_but_desc_is_ascending():
    # then
    assert grid.clean_state({"direction": "desc"})["direction"] == "desc"
    assert grid.clean_state({"direction": "DESC"})["direction"] == "asc"
    assert grid.clean_state({"direction": "sideways"})["direction"] == "asc"


def test_unknown_columns_filter_sort_and_page_size_are_reported_together():
    # when
    with pytest.raises(InvalidInput) as error:
        grid.clean_state(
            {
                "columns": ["id", "shoe_size", "hat_size"],
                "filters": {"shoe_size": "42"},
                "sort": "shoe_size",
                "page_size": 25,
            }
        )

    # then
    assert problems_of(error.value) == [
        ("columns", "unknown_column"),
        ("page_size", "invalid_page_size"),
        ("shoe_size", "unknown_filter"),
        ("sort", "unknown_column"),
    ]
    assert "shoe_size, hat_size" in str(error.value.problems[0].message)


def test_each_bad_filter_is_reported():
    # when
    with pytest.raises(InvalidInput) as error:
        grid.clean_state({"filters": {"shoe_size": "42", "created_at__from": "2026-02-30"}})

    # then
    assert problems_of(error.value) == [
        ("created_at__from", "invalid_date"),
        ("shoe_size", "unknown_filter"),
    ]


@pytest.mark.parametrize(
    ("filters", "field", "code"),
    [
        ({"created_at__from": "2026-02-30"}, "created_at__from", "invalid_date"),
        ({"dob__to": "yesterday"}, "dob__to", "invalid_value"),
        ({"id__from": "one"}, "id__from", "invalid_value"),
        ({"group": "wholesale"}, "group", "invalid_value"),
        ({"email__from": "a"}, "email__from", "unknown_filter"),
        ({"created_at": "2026-01-01"}, "created_at", "unknown_filter"),
    ],
)
def test_filter_values_of_the_wrong_kind_are_refused(filters, field, code):
    # when
    with pytest.raises(InvalidInput) as error:
        grid.clean_state({"filters": filters})

    # then
    assert problems_of(error.value) == [(field, code)]


@pytest.mark.parametrize("page_size", [19, -20, 25, "twenty", 1000])
def test_page_sizes_other_than_the_offered_ones_are_refused(page_size):
    # when
    with pytest.raises(InvalidInput) as error:
        grid.clean_state({"page_size": page_size})

    # then
    assert problems_of(error.value) == [("page_size", "invalid_page_size")]


# --- Query parameters ---------------------------------------------------------------------------


def test_state_from_query_reads_filters_from_f_parameters_only():
    # when
    state = grid.state_from_query(
        {
            "keyword": "ada",
            "page_size": "50",
            "f_group": "2",
            "f_created_at__from": "2026-01-01",
            "f_city": "",
            "group": "3",
            "page": "4",
        }
    )

    # then
    assert state == {
        **grid.default_state(),
        "keyword": "ada",
        "page_size": 50,
        "filters": {"group": "2", "created_at__from": "2026-01-01"},
    }


def test_query_from_state_leaves_out_empty_values():
    # then
    assert grid.query_from_state(grid.default_state()) == {
        "columns": ",".join(DEFAULT_COLUMNS),
        "sort": "id",
        "direction": "asc",
        "page_size": "20",
    }


# --- Saved views: the API -----------------------------------------------------------------------


def send(client, method, url, payload=None, **headers):
    kwargs = dict(headers)
    if payload is not None:
        kwargs.update(data=json.dumps(payload), content_type="application/json")
    return getattr(client, method)(url, **kwargs)


def view_rows():
    return sorted(GridView.objects.values_list("user__username", "name", "state"))


@pytest.fixture
def alice(client, db):
    """A signed-in staff member who may see customers."""
    user = make_staff_user("alice", permissions=["customers.view_customer"])
    client.force_login(user)
    return user


@pytest.fixture
def bobs_view(db):
    bob = make_staff_user("bob", permissions=["customers.view_customer"])
    return services.save_grid_view(user=bob, name="Bob's list", state={})


def save_view(user, name, **state):
    return services.save_grid_view(user=user, name=name, state=state)


def test_saving_a_view_stores_its_complete_clean_state(client, alice):
    # when
    response = send(
        client,
        "post",
        VIEWS_URL,
        {
            "name": "  Wholesale in Boston ",
            "state": {
                "columns": ["email", "name"],
                "filters": {"group": 2, "city": "Boston", "postcode": " "},
                "sort": "email",
                "direction": "desc",
            },
        },
    )

    # then
    assert response.status_code == 201
    expected_state = {
        "columns": ["email", "name"],
        "keyword": "",
        "filters": {"group": "2", "city": "Boston"},
        "sort": "email",
        "direction": "desc",
        "page_size": 20,
    }
    view = GridView.objects.get()
    assert response.json() == {
        "id": view.pk,
        "name": "Wholesale in Boston",
        "state": expected_state,
    }
    assert (view.user, view.name, view.state) == (alice, "Wholesale in Boston", expected_state)


def test_the_list_holds_only_your_own_views(client, alice, bobs_view):
    # given
    save_view(alice, "Zeta", keyword="zeta")
    save_view(alice, "Alpha", sort="email")

    # when
    response = send(client, "get", VIEWS_URL)

    # then
    assert response.status_code == 200
    assert [(v["name"], v["state"]["keyword"], v["state"]["sort"]) for v in response.json()] == [
        ("Alpha", "", "email"),
        ("Zeta", "zeta", "id"),
    ]


def test_a_second_view_with_the_same_name_is_refused(client, alice):
    # given
    save_view(alice, "Wholesale")

    # when
    response = send(client, "post", VIEWS_URL, {"name": "WHOLESALE ", "state": {"sort": "email"}})

    # then
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["field"]) == ("name_taken", "name")
    assert view_rows() == [("alice", "Wholesale", grid.default_state())]


def test_another_staff_members_view_name_is_free_to_use(client, alice, bobs_view):
    # when
    response = send(client, "post", VIEWS_URL, {"name": "Bob's list"})

    # then
    assert response.status_code == 201
    assert [row[:2] for row in view_rows()] == [("alice", "Bob's list"), ("bob", "Bob's list")]


@pytest.mark.parametrize(("name", "code"), [("   ", "required"), ("x" * 101, "too_long")])
def test_a_view_needs_a_name_of_at_most_100_characters(client, alice, name, code):
    # when
    response = send(client, "post", VIEWS_URL, {"name": name})

    # then
    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, "name")
    assert view_rows() == []


def test_a_view_with_an_invalid_state_is_refused(client, alice):
    # when
    response = send(
        client,
        "post",
        VIEWS_URL,
        {"name": "Broken", "state": {"columns": ["shoe_size"], "page_size": 7}},
    )

    # then
    assert response.status_code == 400
    assert sorted((e["field"], e["code"]) for e in response.json()["errors"]) == [
        ("columns", "unknown_column"),
        ("page_size", "invalid_page_size"),
    ]
    assert view_rows() == []


def test_renaming_a_view_keeps_its_state(client, alice):
    # given
    view = save_view(alice, "Old", keyword="ada", sort="email")

    # when
    response = send(client, "patch", f"{VIEWS_URL}/{view.pk}", {"name": "New"})

    # then
    assert response.status_code == 200
    state = {**grid.default_state(), "keyword": "ada", "sort": "email"}
    assert response.json() == {"id": view.pk, "name": "New", "state": state}
    assert view_rows() == [("alice", "New", state)]


def test_replacing_a_views_state_keeps_its_name(client, alice):
    # given
    view = save_view(alice, "Mine", keyword="ada")

    # when
    response = send(
        client, "patch", f"{VIEWS_URL}/{view.pk}", {"state": {"filters": {"group": "3"}}}
    )

    # then
    assert response.status_code == 200
    assert view_rows() == [("alice", "Mine", {**grid.default_state(), "filters": {"group": "3"}})]


def test_renaming_a_view_to_its_own_name_in_another_case_is_allowed(client, alice):
    # given
    view = save_view(alice, "wholesale")

    # when
    response = send(client, "patch", f"{VIEWS_URL}/{view.pk}", {"name": "Wholesale"})

    # then
    assert (response.status_code, response.json()["name"]) == (200, "Wholesale")


def test_renaming_a_view_to_another_of_your_views_names_is_refused(client, alice):
    # given
    save_view(alice, "Taken")
    view = save_view(alice, "Mine")

    # when
    response = send(client, "patch", f"{VIEWS_URL}/{view.pk}", {"name": "taken"})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "name_taken"
    assert sorted(GridView.objects.values_list("name", flat=True)) == ["Mine", "Taken"]


def test_an_invalid_state_leaves_the_view_as_it_was(client, alice):
    # given
    view = save_view(alice, "Mine", keyword="ada")

    # when
    response = send(
        client, "patch", f"{VIEWS_URL}/{view.pk}", {"name": "Renamed", "state": {"sort": "nope"}}
    )

    # then
    assert (response.status_code, response.json()["field"]) == (400, "sort")
    assert view_rows() == [("alice", "Mine", {**grid.default_state(), "keyword": "ada"})]


def test_deleting_your_view_removes_it(client, alice, bobs_view):
    # given
    view = save_view(alice, "Mine")

    # when
    response = send(client, "delete", f"{VIEWS_URL}/{view.pk}")

    # then
    assert response.status_code == 204
    assert [row[:2] for row in view_rows()] == [("bob", "Bob's list")]


@pytest.mark.parametrize(("method", "payload"), [("patch", {"name": "Mine now"}), ("delete", None)])
def test_another_staff_members_view_cannot_be_changed_or_deleted(
    client, alice, bobs_view, method, payload
):
    # when
    response = send(client, method, f"{VIEWS_URL}/{bobs_view.pk}", payload)

    # then
    assert (response.status_code, response.json()["code"]) == (404, "view_not_found")
    assert view_rows() == [("bob", "Bob's list", grid.default_state())]


@pytest.mark.parametrize(
    ("method", "path", "payload"),
    [
        ("get", "", None),
        ("post", "", {"name": "Sync"}),
        ("patch", "/{id}", {"name": "Sync"}),
        ("delete", "/{id}", None),
    ],
)
def test_integration_tokens_have_no_saved_views(client, bobs_view, method, path, payload):
    # given
    _token, secret = make_integration_token("Sync", permissions=["customers.view_customer"])

    # when
    url = VIEWS_URL + path.format(id=bobs_view.pk)
    response = send(client, method, url, payload, **bearer(secret))

    # then
    assert (response.status_code, response.json()["code"]) == (403, "staff_only")
    assert view_rows() == [("bob", "Bob's list", grid.default_state())]


def test_saved_views_need_the_view_customer_permission(client, db):
    # given
    client.force_login(make_staff_user("clerk", permissions=[]))

    # when
    response = send(client, "post", VIEWS_URL, {"name": "Mine"})

    # then
    assert response.status_code == 403
    assert response.json()["params"] == {"permission": "customers.view_customer"}
    assert view_rows() == []
