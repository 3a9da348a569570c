import pytest
from django.db import transaction

from patron.core import events
from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput, NotFound
from patron.scopes import services
from patron.scopes.config import get_config
from patron.scopes.models import ConfigValue, Scope, StoreView, Website
from patron.scopes.selectors import routing
from patron.testing.fixtures import set_config

STORE_NAME = "general/store_information/name"
STREET_LINES = "customer/address/street_lines"
CAPTCHA_TIMEOUT = "customer/captcha/timeout"
MIN_PASSWORD = "customer/password/minimum_password_length"


def stored_rows():
    return sorted(ConfigValue.objects.values_list("path", "scope", "scope_id", "value"))


@pytest.fixture
def received_events():
    received = []
    events.subscribe("configurationChanged", dispatch_uid="test.config")(received.append)
    yield received
    events.unsubscribe("configurationChanged", dispatch_uid="test.config")


@pytest.fixture
def no_save_guards(monkeypatch):
    monkeypatch.setattr(services, "_save_guards", {})


def test_saving_returns_the_cleaned_values_and_stores_them(website_b):
    # when
    saved = services.save_config(
        scope=Scope.WEBSITE,
        scope_id=website_b.pk,
        values={STREET_LINES: "3", STORE_NAME: "  Second  "},
        actor=SYSTEM,
    )

    # then
    assert saved == {STREET_LINES: 3, STORE_NAME: "Second"}
    assert stored_rows() == [
        (STREET_LINES, "website", website_b.pk, 3),
        (STORE_NAME, "website", website_b.pk, "Second"),
    ]


@pytest.mark.parametrize("street_lines", [0, 5], ids=["zero_case", "five_case"])
def test_street_lines_outside_one_to_four_are_refused(website_b, street_lines):
    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=Scope.WEBSITE,
            scope_id=website_b.pk,
            values={STREET_LINES: street_lines},
            actor=SYSTEM,
        )

    # then
    assert error.value.code == ("min_value" if street_lines == 0 else "max_value")
    assert error.value.field == STREET_LINES
    assert stored_rows() == []


def test_all_invalid_values_are_reported_together_and_nothing_is_saved(website_b):
    # given
    set_config({STORE_NAME: "Before"}, website=website_b)

    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=Scope.WEBSITE,
            scope_id=website_b.pk,
            values={STREET_LINES: 5, CAPTCHA_TIMEOUT: 0, STORE_NAME: "After"},
            actor=SYSTEM,
        )

    # then
    assert error.value.code == "invalid"
    assert [(p.code, p.field) for p in error.value.problems] == [
        ("max_value", STREET_LINES),
        ("min_value", CAPTCHA_TIMEOUT),
    ]
    assert error.value.as_dict()["errors"][0] == {
        "code": "max_value",
        "message": "Number of Lines in a Street Address: Enter a number no greater than 4.",
        "field": STREET_LINES,
    }
    assert stored_rows() == [(STORE_NAME, "website", website_b.pk, "Before")]


def test_name_and_address_options_cannot_be_set_for_a_store_view(view_b_de):
    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=Scope.STORE_VIEW, scope_id=view_b_de.pk, values={STREET_LINES: 3}, actor=SYSTEM
        )

    # then
    assert error.value.code == "scope_not_allowed"
    assert error.value.field == STREET_LINES
    assert str(error.value.message) == (
        "Number of Lines in a Street Address cannot be set at the Store View scope."
    )
    assert stored_rows() == []


def test_global_setting_cannot_be_set_for_a_website(website_b):
    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=Scope.WEBSITE, scope_id=website_b.pk, values={MIN_PASSWORD: 12}, actor=SYSTEM
        )

    # then
    assert error.value.code == "scope_not_allowed"
    assert stored_rows() == []


def test_unknown_path_is_refused(db):
    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=Scope.DEFAULT, scope_id=0, values={"nope/nope/nope": 1}, actor=SYSTEM
        )

    # then
    assert (error.value.code, error.value.field) == ("unknown_setting", "nope/nope/nope")
    assert stored_rows() == []


@pytest.mark.parametrize(
    ("scope", "scope_id"),
    [
        pytest.param(Scope.WEBSITE, 999_999, id="missing_website_case"),
        pytest.param(Scope.STORE_VIEW, 999_999, id="missing_store_view_case"),
        pytest.param(Scope.DEFAULT, 1, id="default_with_id_case"),
        pytest.param("galaxy", 1, id="unknown_scope_case"),
    ],
)
def test_unknown_scope_is_refused(db, scope, scope_id):
    # when
    with pytest.raises(NotFound) as error:
        services.save_config(scope=scope, scope_id=scope_id, values={STORE_NAME: "x"}, actor=SYSTEM)

    # then
    assert error.value.code == "scope_not_found"
    assert stored_rows() == []


def test_inherit_removes_the_stored_value(website_b, view_b_de):
    # given
    set_config({STREET_LINES: 1})
    set_config({STREET_LINES: 3, STORE_NAME: "Second"}, website=website_b)

    # when
    set_config({}, website=website_b, inherit=[STREET_LINES])

    # then
    assert stored_rows() == [
        (STREET_LINES, "default", 0, 1),
        (STORE_NAME, "website", website_b.pk, "Second"),
    ]
    assert get_config(STREET_LINES, store_view=view_b_de) == 1


@pytest.mark.parametrize(
    ("scope", "path", "code"),
    [
        pytest.param(Scope.DEFAULT, STORE_NAME, "cannot_inherit", id="default_scope_case"),
        pytest.param(Scope.WEBSITE, "nope/nope/nope", "unknown_setting", id="unknown_path_case"),
    ],
)
def test_inherit_refusals(website_b, scope, path, code):
    # given
    set_config({STORE_NAME: "Default Name"})
    scope_id = website_b.pk if scope == Scope.WEBSITE else 0

    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=scope, scope_id=scope_id, values={}, inherit=[path], actor=SYSTEM
        )

    # then
    assert (error.value.code, error.value.field) == (code, path)
    assert stored_rows() == [(STORE_NAME, "default", 0, "Default Name")]


def test_saved_value_is_read_after_commit(website_b, django_capture_on_commit_callbacks):
    # given a value read once, so the snapshot is cached
    assert get_config(STREET_LINES, website=website_b) == 2

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.save_config(
            scope=Scope.WEBSITE, scope_id=website_b.pk, values={STREET_LINES: 4}, actor=SYSTEM
        )

    # then
    assert get_config(STREET_LINES, website=website_b) == 4


def test_save_guard_receives_the_cleaned_value_and_can_refuse(website_b, no_save_guards):
    # given
    calls = []

    def refuse_three(value, scope, scope_id):
        calls.append((value, scope, scope_id))
        if value == 3:
            raise InvalidInput("Three is taken.", code="three_taken", field=STREET_LINES)

    services.register_save_guard(STREET_LINES, refuse_three)

    # when
    with pytest.raises(InvalidInput) as error:
        services.save_config(
            scope=Scope.WEBSITE,
            scope_id=website_b.pk,
            values={STREET_LINES: "3", STORE_NAME: "Second"},
            actor=SYSTEM,
        )

    # then
    assert calls == [(3, "website", website_b.pk)]
    assert (error.value.code, error.value.field) == ("three_taken", STREET_LINES)
    assert stored_rows() == []


def test_save_guard_lets_other_values_through(website_b, no_save_guards):
    # given
    services.register_save_guard(STREET_LINES, lambda value, scope, scope_id: None)

    # when
    set_config({STREET_LINES: 4}, website=website_b)

    # then
    assert stored_rows() == [(STREET_LINES, "website", website_b.pk, 4)]


def test_configuration_changed_is_emitted_after_commit(
    website_b, received_events, django_capture_on_commit_callbacks
):
    # given
    set_config({STORE_NAME: "Old"}, website=website_b)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.save_config(
            scope=Scope.WEBSITE,
            scope_id=website_b.pk,
            values={STREET_LINES: 3},
            inherit=[STORE_NAME],
            actor=SYSTEM,
        )
        handled_before_commit = list(received_events)

    # then
    assert handled_before_commit == []
    assert [(e.name, e.payload) for e in received_events] == [
        (
            "configurationChanged",
            {
                "scope": "website",
                "scope_id": website_b.pk,
                "changed": [STREET_LINES],
                "reset": [STORE_NAME],
                "actor": {"actor_kind": "system", "actor_id": None, "actor_label": "Patron"},
            },
        )
    ]


def test_configuration_changed_is_not_emitted_on_rollback(
    website_b, received_events, django_capture_on_commit_callbacks
):
    # when
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        services.save_config(
            scope=Scope.WEBSITE, scope_id=website_b.pk, values={STREET_LINES: 3}, actor=SYSTEM
        )
        raise RuntimeError("the caller failed later")

    # then
    assert callbacks == []
    assert received_events == []
    assert stored_rows() == []


def test_saving_an_unchanged_value_emits_nothing(
    website_b, received_events, django_capture_on_commit_callbacks
):
    # given
    set_config({STREET_LINES: 3}, website=website_b)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.save_config(
            scope=Scope.WEBSITE, scope_id=website_b.pk, values={STREET_LINES: "3"}, actor=SYSTEM
        )

    # then
    assert received_events == []


def test_making_a_website_default_clears_the_previous_default(website_a):
    # when
    new_default = services.save_website(code="other", name="Other", is_default=True)

    # then
    assert list(Website.objects.filter(is_default=True)) == [new_default]


def test_store_view_with_an_unshipped_language_is_refused(website_a):
    # given
    store = website_a.stores.get()
    before = StoreView.objects.count()

    # when
    with pytest.raises(InvalidInput) as error:
        services.save_store_view(store=store, code="klingon", name="Klingon", locale="tlh")

    # then
    assert (error.value.code, error.value.field) == ("unknown_language", "locale")
    assert StoreView.objects.count() == before


def test_new_store_view_is_routed_after_commit(website_a, django_capture_on_commit_callbacks):
    # given the routing table cached before the change
    assert "extra" not in routing().by_code

    # when
    with django_capture_on_commit_callbacks(execute=True):
        view = services.save_store_view(
            store=website_a.stores.get(), code="extra", name="Extra", locale="fr"
        )

    # then
    assert routing().by_code["extra"] == view.pk
