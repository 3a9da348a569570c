"""Shopper assistance ("Log in as Customer") services: who may start a session, for whom and on
which store view, the single-use 60-second secret, the assisted actor, the log record and the
timeline entries, and the consent changes (staff with a reason, never while assisting)."""

import datetime as dt
import hashlib

import pytest
from django.contrib.auth.models import Permission, User
from django.core import mail
from django.utils import timezone, translation

from patron.accounts import services as account_services
from patron.assistance import services
from patron.assistance import settings_fields as fields
from patron.assistance.history import AssistanceKind
from patron.assistance.models import AssistanceAction, AssistanceSession
from patron.assistance.tests.conftest import NO_CONSENT, PASSWORD
from patron.core.actors import SYSTEM, Actor
from patron.core.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from patron.customers import services as customer_services
from patron.customers.history import TimelineKind
from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import make_staff_user, make_store_view, set_config


@pytest.fixture
def helper(db):
    return make_staff_user("helper", permissions=[services.PERMISSION])


@pytest.fixture
def ada(view_a):
    return make_customer(
        "ada@example.com", store_view=view_a, password=PASSWORD, allow_remote_assistance=True
    )


def start(customer, staff, **kwargs):
    return services.start_assistance(
        customer=customer, actor=Actor.staff(staff), may=True, staff_user=staff, **kwargs
    )


def opened(customer, staff) -> AssistanceSession:
    """A session as its opened link leaves it, set up without the link (which has tests of its
    own), so that the rules of a running session are checked on every database."""
    session, _secret = start(customer, staff)
    now = timezone.now()
    AssistanceSession.objects.filter(pk=session.pk).update(started_at=now, last_activity_at=now)
    return AssistanceSession.objects.get(pk=session.pk)


def fresh(customer) -> Customer:
    return Customer.objects.get(pk=customer.pk)


def timeline_kinds(customer) -> list[str]:
    return list(fresh(customer).timeline.order_by("pk").values_list("kind", flat=True))


# --- Who may start a session --------------------------------------------------------------------


def test_switched_off_by_default_refuses_even_a_permitted_staff_member(helper, ada):
    # when
    with pytest.raises(Forbidden) as refused:
        start(ada, helper)

    # then
    assert refused.value.code == "assistance_disabled"
    assert services.is_enabled() is False
    assert AssistanceSession.objects.count() == 0


def test_without_the_permission_a_session_is_refused(enabled, helper, ada):
    # when
    with pytest.raises(Forbidden) as refused:
        services.start_assistance(customer=ada, actor=Actor.staff(helper), may=False)

    # then
    assert refused.value.code == "permission_denied"
    assert refused.value.params == {"permission": "assistance.login_as_customer"}
    assert AssistanceSession.objects.count() == 0


def test_opt_in_refuses_a_customer_without_consent_and_says_why(enabled, helper, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a)

    # when
    with pytest.raises(Conflict) as refused:
        start(grace, helper)

    # then
    assert services.consent_policy() == fields.OPT_IN
    assert (refused.value.code, refused.value.message) == ("no_consent", NO_CONSENT)
    assert AssistanceSession.objects.count() == 0


def test_always_policy_needs_no_consent(enabled, helper, view_a):
    # given
    set_config({fields.CONSENT_POLICY: fields.ALWAYS})
    grace = make_customer("grace@example.com", store_view=view_a)

    # when
    session, secret = start(grace, helper)

    # then
    assert grace.allow_remote_assistance is False
    assert session.customer_id == grace.pk
    assert secret


def test_opt_out_still_respects_a_customer_who_unticked_the_box(enabled, helper, view_a):
    # given
    set_config({fields.CONSENT_POLICY: fields.OPT_OUT})
    grace = make_customer("grace@example.com", store_view=view_a)

    # when
    with pytest.raises(Conflict) as refused:
        start(grace, helper)

    # then
    assert refused.value.code == "no_consent"


@pytest.mark.parametrize(
    ("policy", "ticked"), [(fields.OPT_IN, False), (fields.OPT_OUT, True), (fields.ALWAYS, False)]
)
def test_only_opt_out_starts_the_registration_box_ticked(db, policy, ticked):
    # given
    set_config({fields.CONSENT_POLICY: policy})

    # when
    default = services.consent_default_for_new_accounts()

    # then
    assert default is ticked


def test_an_inactive_customer_cannot_be_assisted(enabled, helper, ada):
    # given
    Customer.objects.filter(pk=ada.pk).update(is_active=False)

    # when
    with pytest.raises(Conflict) as refused:
        start(ada, helper)

    # then
    assert refused.value.code == "customer_inactive"


# --- The log record and the secret --------------------------------------------------------------


def test_a_session_is_one_log_record_with_a_sixty_second_secret(enabled, helper, ada, view_a):
    # given
    before = timezone.now()

    # when
    session, secret = start(ada, helper)

    # then
    record = AssistanceSession.objects.get()
    assert record.pk == session.pk
    assert (record.customer_id, record.customer_email, record.customer_name) == (
        ada.pk,
        "ada@example.com",
        "Ada Lovelace",
    )
    assert (record.staff_user_id, record.actor_kind, record.actor_id, record.actor_label) == (
        helper.pk,
        "staff",
        helper.pk,
        "helper",
    )
    assert record.store_view_id == view_a.pk
    assert before <= record.created_at <= timezone.now()
    assert record.secret_expires_at - record.created_at == pytest.approx(
        dt.timedelta(seconds=60), abs=dt.timedelta(seconds=1)
    )
    assert record.secret_digest == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in record.secret_digest
    assert (record.started_at, record.ended_at, record.actions_count) == (None, None, 0)


def test_opening_the_link_starts_the_session_and_writes_the_timeline(enabled, helper, ada):
    # given
    session, secret = start(ada, helper)

    # when
    opened = services.redeem_secret(secret)

    # then
    assert opened.pk == session.pk
    assert opened.is_active
    assert opened.started_at == opened.last_activity_at
    entry = fresh(ada).timeline.get(kind=AssistanceKind.STARTED)
    assert entry.params == {"session_id": session.pk, "store_view": "default"}
    assert (entry.actor_kind, entry.actor_id, entry.actor_label) == ("staff", helper.pk, "helper")
    assert AssistanceSession.objects.count() == 1


def test_a_secret_works_only_once(enabled, helper, ada):
    # given
    _session, secret = start(ada, helper)
    services.redeem_secret(secret)

    # when
    with pytest.raises(NotAuthenticated) as refused:
        services.redeem_secret(secret)

    # then
    assert refused.value.code == "invalid_assistance_link"
    assert timeline_kinds(ada).count(AssistanceKind.STARTED) == 1


@pytest.mark.parametrize(("seconds", "works"), [(59, True), (61, False)])
def test_a_secret_works_for_sixty_seconds(enabled, helper, ada, monkeypatch, seconds, works):
    # given
    session, secret = start(ada, helper)
    later = timezone.now() + dt.timedelta(seconds=seconds)
    monkeypatch.setattr("django.utils.timezone.now", lambda: later)

    # when
    try:
        services.redeem_secret(secret)
        outcome = "opened"
    except NotAuthenticated as refused:
        outcome = refused.code

    # then
    assert outcome == ("opened" if works else "invalid_assistance_link")
    assert AssistanceSession.objects.get(pk=session.pk).is_active is works


@pytest.mark.parametrize("secret", ["", "not-a-secret"])
def test_an_unknown_secret_is_refused(enabled, helper, ada, secret):
    # given
    start(ada, helper)

    # when
    with pytest.raises(NotAuthenticated) as refused:
        services.redeem_secret(secret)

    # then
    assert refused.value.code == "invalid_assistance_link"
    assert AssistanceSession.objects.filter(started_at__isnull=False).count() == 0


def test_consent_withdrawn_before_the_link_is_opened_refuses_it(enabled, helper, ada):
    # given
    _session, secret = start(ada, helper)
    customer_services.set_assistance_consent(customer=ada, allowed=False, actor=Actor.customer(ada))

    # when
    with pytest.raises(Conflict) as refused:
        services.redeem_secret(secret)

    # then
    assert refused.value.code == "no_consent"
    assert AssistanceSession.objects.get().started_at is None


def test_feature_switched_off_before_the_link_is_opened_refuses_it(enabled, helper, ada):
    # given
    _session, secret = start(ada, helper)
    set_config({fields.ENABLED: False})

    # when
    with pytest.raises(Forbidden) as refused:
        services.redeem_secret(secret)

    # then
    assert refused.value.code == "assistance_disabled"
    assert AssistanceSession.objects.get().started_at is None


def test_permission_revoked_before_the_link_is_opened_refuses_it(enabled, helper, ada):
    # given
    _session, secret = start(ada, helper)
    helper.user_permissions.remove(
        Permission.objects.get(content_type__app_label="assistance", codename="login_as_customer")
    )
    assert not User.objects.get(pk=helper.pk).has_perm(services.PERMISSION)

    # when
    with pytest.raises(Forbidden) as refused:
        services.redeem_secret(secret)

    # then
    assert refused.value.code == "permission_denied"
    assert AssistanceSession.objects.get().started_at is None


# --- Store View to Log in -----------------------------------------------------------------------


def test_manual_selection_requires_a_store_view(enabled, helper, ada):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})

    # when
    with pytest.raises(InvalidInput) as refused:
        start(ada, helper)

    # then
    assert (refused.value.code, refused.value.field) == ("required", "store_view")
    assert AssistanceSession.objects.count() == 0


def test_manual_selection_refuses_a_store_view_of_another_website(enabled, helper, ada, website_b):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    elsewhere = make_store_view(website_b, "second_en", "en", is_default=True)

    # when
    with pytest.raises(InvalidInput) as refused:
        start(ada, helper, store_view=elsewhere)

    # then
    assert (refused.value.code, refused.value.field) == ("invalid_store_view", "store_view")
    assert AssistanceSession.objects.count() == 0


def test_manual_selection_opens_the_chosen_store_view(enabled, helper, ada, website_a):
    # given
    set_config({fields.STORE_VIEW_CHOICE: True})
    french = make_store_view(website_a, "fr", "fr", name="Français")

    # when
    session, _secret = start(ada, helper, store_view=french)

    # then
    assert session.store_view_id == french.pk
    assert list(services.store_views_for(ada).values_list("code", flat=True)) == ["default", "fr"]


def test_auto_detection_opens_the_store_view_the_account_was_created_in(enabled, helper, website_a):
    # given
    french = make_store_view(website_a, "fr", "fr", name="Français")
    pierre = make_customer("pierre@example.com", store_view=french, allow_remote_assistance=True)

    # when
    session, _secret = start(pierre, helper)

    # then
    assert services.store_view_is_chosen_by_staff() is False
    assert session.store_view_id == french.pk


def test_auto_detection_for_a_moved_customer_opens_a_view_of_their_website(
    enabled, helper, ada, website_b
):
    # given
    own_view = make_store_view(website_b, "second_en", "en", is_default=True)
    customer_services.move_customer_to_website(customer=ada, website=website_b, actor=SYSTEM)

    # when
    session, _secret = start(fresh(ada), helper)

    # then
    assert session.store_view.store.website_id == website_b.pk
    assert session.store_view_id == own_view.pk


# --- While the session lasts --------------------------------------------------------------------


def test_a_session_is_usable_only_between_opening_and_ending(enabled, helper, ada):
    # given
    unopened, _secret = start(ada, helper)
    running = opened(ada, helper)

    # when
    before_end = services.active_session(running.pk)
    services.end_assistance(session=running)
    after_end = services.active_session(running.pk)

    # then
    assert services.active_session(unopened.pk) is None
    assert before_end is not None and before_end.pk == running.pk
    assert after_end is None


@pytest.mark.parametrize("change", ["customer_deactivated", "feature_off", "staff_deactivated"])
def test_the_session_stops_working_when_its_conditions_go(enabled, helper, ada, change):
    # given
    session = opened(ada, helper)
    assert services.active_session(session.pk) is not None

    # when
    if change == "customer_deactivated":
        customer_services.update_customer(customer=ada, actor=SYSTEM, is_active=False)
    elif change == "feature_off":
        set_config({fields.ENABLED: False})
    else:
        User.objects.filter(pk=helper.pk).update(is_active=False)

    # then
    assert services.active_session(session.pk) is None


def test_a_change_is_recorded_on_the_session(enabled, helper, ada):
    # given
    session = opened(ada, helper)

    # when
    services.record_action(session, method="POST", path="/customer/address/new/", status=302)

    # then
    action = AssistanceAction.objects.get()
    assert (action.session_id, action.method, action.path, action.status) == (
        session.pk,
        "POST",
        "/customer/address/new/",
        302,
    )
    assert AssistanceSession.objects.get(pk=session.pk).actions_count == 1


def test_the_assisted_actor_names_the_customer_and_the_staff_member(enabled, helper, ada):
    # given
    session = opened(ada, helper)

    # when
    actor = services.assisted_actor(session)

    # then
    assert (actor.kind, actor.id) == ("customer", ada.pk)
    assert actor.label == "ada@example.com (assisted by helper)"
    assert actor.on_behalf_of_staff_id == helper.pk


def test_ending_a_session_writes_assistance_ended_once(enabled, helper, ada):
    # given
    session = opened(ada, helper)
    services.record_action(session, method="POST", path="/customer/address/new/", status=302)
    session = AssistanceSession.objects.get(pk=session.pk)

    # when
    services.end_assistance(session=session)
    services.end_assistance(session=session, reason="again")

    # then
    ended = AssistanceSession.objects.get(pk=session.pk)
    assert ended.ended_at is not None
    assert ended.end_reason == "ended"
    entries = fresh(ada).timeline.filter(kind=AssistanceKind.ENDED)
    assert [e.params for e in entries] == [
        {"session_id": session.pk, "actions": 1, "reason": "ended"}
    ]
    assert entries[0].actor_label == "helper"


# --- What assisting staff may not change --------------------------------------------------------


def test_changing_the_password_while_assisting_is_refused(enabled, helper, ada):
    # given
    actor = services.assisted_actor(opened(ada, helper))
    before = fresh(ada).password

    # when
    with pytest.raises(Forbidden) as refused:
        account_services.change_password(
            customer=fresh(ada), current_password=PASSWORD, password="Zyxwvut2?long",
            confirmation="Zyxwvut2?long", actor=actor,
        )  # fmt: skip

    # then
    assert refused.value.code == "not_while_assisting"
    assert refused.value.message == "While assisting a customer you cannot change their password."
    assert fresh(ada).password == before


def test_changing_the_email_while_assisting_is_refused(enabled, helper, ada, view_a):
    # given
    actor = services.assisted_actor(opened(ada, helper))

    # when
    with pytest.raises(Forbidden) as refused:
        account_services.request_email_change(
            customer=fresh(ada), new_email="ada.new@example.com", current_password=PASSWORD,
            store_view=view_a, actor=actor,
        )  # fmt: skip

    # then
    assert refused.value.code == "not_while_assisting"
    assert "email address" in refused.value.message
    customer = fresh(ada)
    assert (customer.email, customer.pending_email) == ("ada@example.com", "")
    assert mail.outbox == []


def test_changing_the_consent_while_assisting_is_refused(enabled, helper, ada):
    # given
    actor = services.assisted_actor(opened(ada, helper))

    # when
    with pytest.raises(Forbidden) as refused:
        customer_services.set_assistance_consent(
            customer=ada, allowed=False, actor=actor, reason="The customer asked"
        )

    # then
    assert refused.value.code == "not_while_assisting"
    assert fresh(ada).allow_remote_assistance is True


# --- Consent ------------------------------------------------------------------------------------


def test_staff_change_the_consent_only_with_a_reason(db, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a)
    staff = make_staff_user("clerk")

    # when
    with pytest.raises(InvalidInput) as refused:
        customer_services.set_assistance_consent(
            customer=grace, allowed=True, actor=Actor.staff(staff), reason="   "
        )

    # then
    assert (refused.value.code, refused.value.field) == ("required", "assistance_reason")
    assert fresh(grace).allow_remote_assistance is False
    assert TimelineKind.ASSISTANCE_CONSENT_CHANGED not in timeline_kinds(grace)


def test_staff_consent_change_keeps_the_reason_on_the_timeline(db, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a)
    staff = make_staff_user("clerk")

    # when
    customer_services.set_assistance_consent(
        customer=grace, allowed=True, actor=Actor.staff(staff), reason="Asked by phone"
    )

    # then
    assert fresh(grace).allow_remote_assistance is True
    entry = fresh(grace).timeline.get(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED)
    assert (entry.note, entry.params) == ("Asked by phone", {"allowed": True})
    assert (entry.actor_kind, entry.actor_label) == ("staff", "clerk")


def test_a_customer_changes_their_own_consent_without_a_reason(db, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a)

    # when
    customer_services.set_assistance_consent(
        customer=grace, allowed=True, actor=Actor.customer(grace)
    )

    # then
    assert fresh(grace).allow_remote_assistance is True
    entry = fresh(grace).timeline.get(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED)
    assert (entry.note, entry.actor_kind) == ("", "customer")


def test_staff_account_save_changes_the_consent_with_the_given_reason(db, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a)

    # when
    customer_services.save_customer_account(
        customer=grace, actor=Actor.staff(make_staff_user("clerk")), lastname="Hopper",
        allow_remote_assistance=True, consent_reason="Asked in the shop",
    )  # fmt: skip

    # then
    customer = fresh(grace)
    assert (customer.lastname, customer.allow_remote_assistance) == ("Hopper", True)
    entry = customer.timeline.get(kind=TimelineKind.ASSISTANCE_CONSENT_CHANGED)
    assert entry.note == "Asked in the shop"


def test_staff_account_save_without_a_reason_saves_nothing(db, view_a):
    # given
    grace = make_customer("grace@example.com", store_view=view_a)

    # when
    with pytest.raises(InvalidInput) as refused:
        customer_services.save_customer_account(
            customer=grace, actor=Actor.staff(make_staff_user("clerk")), lastname="Hopper",
            allow_remote_assistance=True,
        )  # fmt: skip

    # then
    assert [(p.code, p.field) for p in refused.value.problems] == [
        ("required", "assistance_reason")
    ]
    customer = fresh(grace)
    assert (customer.lastname, customer.allow_remote_assistance) == ("Lovelace", False)


# --- The checkbox texts -------------------------------------------------------------------------


def test_a_website_title_and_tooltip_apply_to_that_website_only(db, website_a, website_b):
    # given
    set_config(
        {fields.CHECKBOX_TITLE: "Let us help you", fields.CHECKBOX_TOOLTIP: "We see your cart."},
        website=website_b,
    )

    # when
    texts_b = services.checkbox_texts(website_b)
    texts_a = services.checkbox_texts(website_a)

    # then
    assert texts_b == ("Let us help you", "We see your cart.")
    assert texts_a == (fields.DEFAULT_TITLE, fields.DEFAULT_TOOLTIP)


def test_the_default_title_is_given_in_the_shopper_language(db, website_a):
    # when
    with translation.override("de"):
        title, _tooltip = services.checkbox_texts(website_a)

    # then
    assert title == "Remote-Einkaufsunterstützung erlauben"
