"""Customer groups and tax classes (spec c §1, checks 1-5)."""

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import Conflict, InvalidInput
from patron.customers import services
from patron.customers.history import TimelineKind
from patron.customers.models import Customer, CustomerGroup, TaxClass
from patron.customers.tests.factories import make_customer
from patron.testing.fixtures import set_config

DEFAULT_GROUP = "customer/create_account/default_group"


@pytest.fixture
def retail(db):
    return TaxClass.objects.get(kind="customer", name="Retail Customer")


@pytest.fixture
def vip(retail):
    return services.create_group(code="VIP", tax_class=retail, actor=SYSTEM)


def group_rows():
    return list(CustomerGroup.objects.order_by("pk").values_list("pk", "code", "tax_class__name"))


def test_fresh_install_has_the_four_default_groups_on_retail_customer(db):
    # then
    assert group_rows() == [
        (0, "NOT LOGGED IN", "Retail Customer"),
        (1, "General", "Retail Customer"),
        (2, "Wholesale", "Retail Customer"),
        (3, "Retailer", "Retail Customer"),
    ]
    assert sorted(TaxClass.objects.values_list("kind", "name")) == [
        ("customer", "Retail Customer"),
        ("product", "Taxable Goods"),
    ]


def test_new_group_takes_the_next_id(retail, website_b):
    # when
    group = services.create_group(
        code="  VIP ", tax_class=retail, excluded_websites=[website_b], actor=SYSTEM
    )

    # then
    assert (group.pk, group.code) == (4, "VIP")
    assert list(group.excluded_websites.values_list("code", flat=True)) == ["second"]


@pytest.mark.parametrize("code", ["general", "WHOLESALE", "vip"])
def test_group_name_already_used_is_refused_whatever_its_case(vip, retail, code):
    # when
    with pytest.raises(InvalidInput) as error:
        services.create_group(code=code, tax_class=retail, actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("duplicate_group", "code")
    assert CustomerGroup.objects.count() == 5


@pytest.mark.parametrize(
    ("code", "error_code"),
    [("x" * 32, "too_long"), ("x" * 40, "too_long"), ("   ", "required")],
    ids=["32_chars_case", "40_chars_case", "blank_case"],
)
def test_group_name_must_be_fewer_than_32_characters_and_present(retail, code, error_code):
    # when
    with pytest.raises(InvalidInput) as error:
        services.create_group(code=code, tax_class=retail, actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == (error_code, "code")
    assert CustomerGroup.objects.count() == 4


def test_group_name_of_31_characters_is_accepted(retail):
    # when
    group = services.create_group(code="x" * 31, tax_class=retail, actor=SYSTEM)

    # then
    assert CustomerGroup.objects.get(pk=group.pk).code == "x" * 31


def test_group_can_be_renamed_but_not_onto_another_name(vip):
    # when
    services.update_group(group=vip, code="Very Important", actor=SYSTEM)
    with pytest.raises(InvalidInput) as error:
        services.update_group(group=vip, code="retailer", actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("duplicate_group", "code")
    assert CustomerGroup.objects.get(pk=vip.pk).code == "Very Important"


def test_not_logged_in_cannot_be_renamed(db):
    # when
    with pytest.raises(Conflict) as error:
        services.update_group(group=CustomerGroup.objects.get(pk=0), code="Guests", actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == ("guest_group", "code")
    assert CustomerGroup.objects.get(pk=0).code == "NOT LOGGED IN"


@pytest.mark.parametrize(
    "group_id", [0, 1], ids=["not_logged_in_case", "registry_default_general_case"]
)
def test_guest_group_and_default_group_cannot_be_deleted(
    db, group_id, django_capture_on_commit_callbacks, emitted
):
    # when
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(Conflict) as error,
    ):
        services.delete_group(group=CustomerGroup.objects.get(pk=group_id), actor=SYSTEM)

    # then
    assert error.value.code == "group_protected"
    assert [pk for pk, _code, _tax in group_rows()] == [0, 1, 2, 3]
    assert emitted == []


def test_group_used_as_default_by_one_store_view_cannot_be_deleted(view_a, view_b, vip):
    # given
    set_config({DEFAULT_GROUP: vip.pk}, store_view=view_b)
    member = make_customer(store_view=view_b)

    # when
    with pytest.raises(Conflict) as error:
        services.delete_group(group=vip, actor=SYSTEM)

    # then
    assert error.value.code == "group_protected"
    assert error.value.message == (
        "You can't delete group VIP: it is the guest group or a store's default group."
    )
    member.refresh_from_db()
    assert member.group_id == vip.pk
    assert CustomerGroup.objects.filter(pk=vip.pk).exists()


def test_general_can_be_deleted_once_another_group_is_the_default(view_a, retail):
    # given
    set_config({DEFAULT_GROUP: 2})

    # when
    moved = services.delete_group(group=CustomerGroup.objects.get(pk=1), actor=SYSTEM)

    # then
    assert moved == 0
    assert [pk for pk, _code, _tax in group_rows()] == [0, 2, 3]


def test_deleting_a_group_moves_its_customers_to_their_store_views_default_group(
    view_a, view_b, vip, django_capture_on_commit_callbacks, emitted
):
    # given
    set_config({DEFAULT_GROUP: 3}, store_view=view_b)
    on_a = make_customer("a@example.com", store_view=view_a, group=vip)
    on_b = make_customer("b@example.com", store_view=view_b, group=vip)
    also_on_b = make_customer("c@example.com", store_view=view_b, group=vip)
    untouched = make_customer("d@example.com", store_view=view_a)
    emitted.clear()

    # when
    with django_capture_on_commit_callbacks(execute=True):
        moved = services.delete_group(group=vip, actor=SYSTEM)

    # then
    assert moved == 3
    assert sorted(Customer.objects.values_list("email", "group_id")) == [
        ("a@example.com", 1),
        ("b@example.com", 3),
        ("c@example.com", 3),
        ("d@example.com", 1),
    ]
    assert not CustomerGroup.objects.filter(pk=vip.pk).exists()
    assert list(
        on_b.timeline.filter(kind=TimelineKind.GROUP_CHANGED).values_list("params", flat=True)
    ) == [{"old": "VIP", "new": "Retailer", "reason": "group_deleted"}]
    assert not untouched.timeline.filter(kind=TimelineKind.GROUP_CHANGED).exists()
    assert emitted[-1] == (
        "customerGroupDeleted",
        {"group_code": "VIP", "moved": 3, "actor": SYSTEM.as_fields()},
    )
    assert sorted(p["customer_id"] for n, p in emitted if n == "groupChanged") == sorted(
        [on_a.pk, on_b.pk, also_on_b.pk]
    )


def test_deleting_an_empty_group_moves_nobody(vip):
    # when
    moved = services.delete_group(group=vip, actor=SYSTEM)

    # then
    assert moved == 0
    assert [pk for pk, _code, _tax in group_rows()] == [0, 1, 2, 3]


# --- Tax classes --------------------------------------------------------------------------------


def test_tax_class_is_created_and_renamed(db):
    # when
    wholesale_tax = services.save_tax_class(name=" Wholesale Customer ", actor=SYSTEM)
    services.save_tax_class(name="Trade Customer", tax_class=wholesale_tax, actor=SYSTEM)

    # then
    assert sorted(TaxClass.objects.filter(kind="customer").values_list("name", flat=True)) == [
        "Retail Customer",
        "Trade Customer",
    ]


@pytest.mark.parametrize(
    ("name", "code"),
    [("retail customer", "duplicate_tax_class"), ("  ", "required")],
    ids=["duplicate_case", "blank_case"],
)
def test_tax_class_name_must_be_present_and_unique(db, name, code):
    # when
    with pytest.raises(InvalidInput) as error:
        services.save_tax_class(name=name, actor=SYSTEM)

    # then
    assert (error.value.code, error.value.field) == (code, "name")
    assert TaxClass.objects.filter(kind="customer").count() == 1


def test_product_tax_class_may_share_a_customer_tax_class_name(db):
    # when
    services.save_tax_class(name="Retail Customer", kind="product", actor=SYSTEM)

    # then
    assert sorted(TaxClass.objects.values_list("kind", "name")) == [
        ("customer", "Retail Customer"),
        ("product", "Retail Customer"),
        ("product", "Taxable Goods"),
    ]


def test_tax_class_in_use_cannot_be_deleted(retail):
    # when
    with pytest.raises(Conflict) as error:
        services.delete_tax_class(tax_class=retail, actor=SYSTEM)

    # then
    assert error.value.code == "tax_class_in_use"
    assert error.value.message == (
        "The tax class Retail Customer is used by the groups NOT LOGGED IN, General, Wholesale, "
        "Retailer; give them another class first."
    )
    assert TaxClass.objects.filter(pk=retail.pk).exists()


def test_unused_tax_class_is_deleted(db):
    # given
    spare = services.save_tax_class(name="Spare", actor=SYSTEM)

    # when
    services.delete_tax_class(tax_class=spare, actor=SYSTEM)

    # then
    assert list(TaxClass.objects.filter(kind="customer").values_list("name", flat=True)) == [
        "Retail Customer"
    ]


def test_group_can_move_to_another_tax_class_which_then_is_in_use(vip):
    # given
    trade = services.save_tax_class(name="Trade Customer", actor=SYSTEM)

    # when
    services.update_group(group=vip, tax_class=trade, actor=SYSTEM)
    with pytest.raises(Conflict) as error:
        services.delete_tax_class(tax_class=trade, actor=SYSTEM)

    # then
    assert error.value.code == "tax_class_in_use"
    assert CustomerGroup.objects.get(pk=vip.pk).tax_class_id == trade.pk
