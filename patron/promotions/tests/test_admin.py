"""Back office: Marketing > Cart Price Rules over HTTP (spec c §11.1, §11.2, §6, checks 7, 8,
36, 37): the grid with its search and filters, the rule page saving every field through the
service with each problem at its field or condition path, Delete, Manage Coupon Codes (generate,
the codes with their use, delete, CSV export) and permissions."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages

from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer
from patron.promotions import services
from patron.promotions.models import CartPriceRule, Coupon
from patron.sales import services as sales
from patron.segments import services as segments
from patron.segments.tests.conftest import cart_total, set_cart
from patron.staff.models import StaffProfile
from patron.testing.fixtures import (
    default_store_view,
    make_staff_user,
    set_config,
)

GRID = "/admin/promotions/cartpricerule/"
ADD = "/admin/promotions/cartpricerule/add/"
GENERAL, NOT_LOGGED_IN = 1, 0
PERMISSIONS = {
    f"promotions.{action}_cartpricerule" for action in ("view", "add", "change", "delete")
}


def change_url(rule) -> str:
    return f"{GRID}{rule.pk}/change/"


def coupons_url(rule, action: str) -> str:
    return f"{GRID}{rule.pk}/coupons/{action}/"


def combine(*conditions, aggregator="all", value=True) -> dict:
    return {
        "type": "cart_rule.combine", "aggregator": aggregator, "value": value,
        "conditions": list(conditions),
    }  # fmt: skip


def subtotal(operator: str, value) -> dict:
    return {
        "type": "cart_rule.cart_attribute", "attribute": "subtotal", "operator": operator,
        "value": value,
    }  # fmt: skip


def in_segment(*ids: int, operator: str = "matches") -> dict:
    return {"type": "cart_rule.customer_segment", "operator": operator, "value": list(ids)}


def new_rule(name="Ten off", *, websites, groups=(GENERAL, NOT_LOGGED_IN), **fields):
    values = {"discount_amount": "10", **fields}
    return services.save_rule(
        actor=SYSTEM, name=name, websites=list(websites), customer_groups=list(groups), **values
    )


def form_data(website, **changes) -> dict:
    """Everything the rule page posts, for a 10 % rule on ``website`` for every shopper."""
    data = {
        "name": "Ten percent", "description": "", "is_active": "1",
        "websites": [str(website.pk)], "customer_groups": [str(NOT_LOGGED_IN), str(GENERAL)],
        "coupon_type": "none", "coupon_code": "", "uses_per_coupon": "",
        "uses_per_customer": "", "from_date": "", "to_date": "", "priority": "0",
        "conditions": "", "action": "by_percent", "discount_amount": "10", "max_qty": "",
        "discount_step": "0", "apply_to_shipping": "0", "discard_subsequent_rules": "0",
        "free_shipping": "no", "action_conditions": "", "default_label": "", "_save": "",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


def messages_of(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(response.wsgi_request)]


def field_errors(response) -> dict[str, list[str]]:
    return {name: list(errors) for name, errors in response.context["form"].errors.items()}


def embedded(response, script_id: str):
    found = re.search(
        rf'<script id="{re.escape(script_id)}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, f"no {script_id} on the page"
    return json.loads(found.group(1))


class _Table(HTMLParser):
    """The text of each cell of each row of the table with ``id``, header row included."""

    def __init__(self, table_id: str):
        super().__init__()
        self.table_id, self.rows, self._inside, self._cell = table_id, [], False, None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self._inside = True
        elif self._inside and tag == "tr":
            self.rows.append([])
        elif self._inside and tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "table":
            self._inside = False
        elif tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table(response, table_id: str) -> list[list[str]]:
    parser = _Table(table_id)
    parser.feed(response.content.decode())
    return parser.rows


def grid_names(response) -> list[str]:
    return [row[1] for row in table(response, "result_list")[1:]]


def limited_to(user, *websites):
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.websites.set(websites)
    return user


# --- Grid ---------------------------------------------------------------------------------------


def test_the_grid_lists_each_rule_with_its_columns(staff_client, website_a, website_b):
    # given: a coupon rule on both websites and an inactive rule with dates
    new_rule(
        "Summer", websites=[website_a, website_b], coupon_type="specific",
        coupon_code="SUMMER10", priority=2,
    )  # fmt: skip
    new_rule(
        "Winter", websites=[website_b], is_active=False, priority=1,
        from_date="2026-12-01", to_date="2027-02-28",
    )  # fmt: skip

    # when
    response = staff_client.get(GRID)

    # then: in priority order, with the Add New Rule button
    assert response.status_code == 200
    rows = table(response, "result_list")
    # (the header cells of sorted columns begin with their sort priority)
    assert [re.sub(r"^\d+ ", "", cell) for cell in rows[0]] == [
        "ID", "Rule", "Coupon Code", "Priority", "Status", "Web Site", "Start", "End"
    ]  # fmt: skip
    winter, summer = (
        CartPriceRule.objects.get(name="Winter"),
        CartPriceRule.objects.get(name="Summer"),
    )
    assert rows[1] == [
        str(winter.pk), "Winter", "-", "1", "Inactive", "Second Website", "Dec. 1, 2026",
        "Feb. 28, 2027",
    ]  # fmt: skip
    assert rows[2][:5] == [str(summer.pk), "Summer", "SUMMER10", "2", "Active"]
    assert set(rows[2][5].split(", ")) == {website_a.name, "Second Website"}
    assert rows[2][6:] == ["-", "-"]
    assert 'href="/admin/promotions/cartpricerule/add/"' in response.content.decode()
    assert "Add New Rule" in response.content.decode()


def test_the_grid_searches_by_rule_name_and_by_coupon_code(staff_client, website_a):
    # given
    new_rule("Summer sale", websites=[website_a], coupon_type="specific", coupon_code="SUN-10")
    new_rule("Winter sale", websites=[website_a])

    # when / then: by a part of the name, or by the code in any case
    assert grid_names(staff_client.get(GRID, {"q": "summer"})) == ["Summer sale"]
    assert grid_names(staff_client.get(GRID, {"q": "sun-10"})) == ["Summer sale"]
    assert grid_names(staff_client.get(GRID, {"q": "sale"})) == ["Summer sale", "Winter sale"]


def test_the_grid_filters_by_status_and_website(staff_client, website_a, website_b):
    # given
    new_rule("On A", websites=[website_a])
    new_rule("Off A", websites=[website_a], is_active=False)
    new_rule("On B", websites=[website_b], priority=1)

    # when / then
    assert grid_names(staff_client.get(GRID, {"status": "active"})) == ["On A", "On B"]
    assert grid_names(staff_client.get(GRID, {"status": "inactive"})) == ["Off A"]
    assert grid_names(staff_client.get(GRID, {"website": website_b.pk})) == ["On B"]
    both = staff_client.get(GRID, {"website": website_a.pk, "status": "active"})
    assert grid_names(both) == ["On A"]


def test_the_grid_filters_by_start_and_end_date_ranges(staff_client, website_a):
    # given
    new_rule("Spring", websites=[website_a], from_date="2026-03-01", to_date="2026-05-31")
    new_rule("Summer", websites=[website_a], from_date="2026-06-01", to_date="2026-08-31")
    new_rule("Always", websites=[website_a])

    # when / then: Start within a range, End from a day on, both bounds included
    starts = {"from_date__gte": "2026-02-01", "from_date__lte": "2026-03-01"}
    assert grid_names(staff_client.get(GRID, starts)) == ["Spring"]
    assert grid_names(staff_client.get(GRID, {"to_date__gte": "2026-08-31"})) == ["Summer"]
    # an unreadable day is ignored rather than failing the page
    response = staff_client.get(GRID, {"from_date__gte": "not-a-day"})
    assert response.status_code == 200
    assert sorted(grid_names(response)) == ["Always", "Spring", "Summer"]
    # and the counts Django's filters can show leave the range filters alone
    counted = staff_client.get(GRID, {"_facets": "True", "to_date__gte": "2026-08-31"})
    assert grid_names(counted) == ["Summer"]


def test_the_date_range_filter_keeps_the_other_filters(staff_client, website_a):
    # given
    new_rule("Spring", websites=[website_a], from_date="2026-03-01")

    # when
    response = staff_client.get(GRID, {"status": "active", "from_date__gte": "2026-01-01"})

    # then: the range forms carry the status along and show the chosen day
    page = response.content.decode()
    assert '<input type="hidden" name="status" value="active">' in page
    assert 'name="from_date__gte" value="2026-01-01"' in page
    assert grid_names(response) == ["Spring"]


# --- The rule page --------------------------------------------------------------------------------


def test_add_new_rule_saves_every_field_through_the_service(staff_client, website_a, view_a):
    # given
    conditions = combine(subtotal("gte", "50"))
    items = combine({
        "type": "cart_rule.product_attribute", "attribute": "sku", "operator": "is",
        "value": "MUG",
    })  # fmt: skip
    data = form_data(
        website_a, name="Mugs for big carts", description="Staff note", coupon_type="specific",
        coupon_code="MUGS", uses_per_coupon="100", uses_per_customer="1",
        from_date="2026-06-01", to_date="2026-06-30", priority="3",
        conditions=json.dumps(conditions), action="by_fixed", discount_amount="2.50",
        max_qty="4", discount_step="2", apply_to_shipping="1", discard_subsequent_rules="1",
        free_shipping="items", action_conditions=json.dumps(items),
        default_label="Mug deal", **{f"label_{view_a.pk}": "Mug deal (EN)"},
    )  # fmt: skip

    # when
    response = staff_client.post(ADD, data)

    # then: back to the grid with a message, the rule as typed
    assert response.status_code == 302
    assert response["Location"] == GRID
    assert messages_of(response) == [("success", "You saved the rule.")]
    values = services.current_values(CartPriceRule.objects.get())
    values["customer_groups"] = sorted(values["customer_groups"])
    assert values == {
        "name": "Mugs for big carts", "description": "Staff note", "is_active": True,
        "websites": [website_a.pk], "customer_groups": [NOT_LOGGED_IN, GENERAL],
        "coupon_type": "specific", "coupon_code": "MUGS", "uses_per_coupon": 100,
        "uses_per_customer": 1, "from_date": dt.date(2026, 6, 1),
        "to_date": dt.date(2026, 6, 30), "priority": 3,
        "conditions": {**conditions, "conditions": [subtotal("gte", "50")]},
        "action_conditions": items, "action": "by_fixed",
        "discount_amount": Decimal("2.5000"), "max_qty": Decimal("4.0000"),
        "discount_step": 2, "apply_to_shipping": True, "discard_subsequent_rules": True,
        "free_shipping": "items", "default_label": "Mug deal",
        "labels": {view_a.pk: "Mug deal (EN)"},
    }  # fmt: skip


def test_the_rule_page_shows_the_stored_values_and_saves_changes(staff_client, website_a, view_a):
    # given
    rule = new_rule(
        websites=[website_a], discount_amount="12.5", default_label="Deal",
        labels={view_a.pk: "Deal EN"}, conditions=combine(subtotal("gt", "20")),
    )  # fmt: skip

    # when: the page is opened
    page = staff_client.get(change_url(rule))

    # then: the values as typed, the conditions in the builder's text box
    form = page.context["form"]
    assert form["discount_amount"].value() == "12.5"
    assert form["is_active"].value() == "1"
    assert form[f"label_{view_a.pk}"].value() == "Deal EN"
    assert json.loads(form["conditions"].value())["conditions"] == [subtotal("gt", "20")]

    # when: renamed, the store view label cleared, with Save and Continue Edit
    current = {name: form[name].value() for name in form.fields}
    current |= {"name": "Twelve and a half", f"label_{view_a.pk}": "", "_continue": ""}
    current["websites"] = [str(pk) for pk in current["websites"]]
    current["customer_groups"] = [str(pk) for pk in current["customer_groups"]]
    saved = staff_client.post(change_url(rule), current)

    # then: the rule page again, the change kept and nothing else lost
    assert saved.status_code == 302
    assert saved["Location"] == change_url(rule)
    values = services.current_values(CartPriceRule.objects.get())
    assert values["name"] == "Twelve and a half"
    assert values["labels"] == {}
    assert values["discount_amount"] == Decimal("12.5000")
    assert values["conditions"]["conditions"] == [subtotal("gt", "20")]


def test_service_problems_are_shown_at_their_fields(staff_client, website_a):
    # given: no name, no website, a percentage above 100, Specific Coupon without a code and
    # an end before the start
    data = form_data(
        website_a, name="", websites=[], discount_amount="150", coupon_type="specific",
        from_date="2026-06-10", to_date="2026-06-01",
    )  # fmt: skip

    # when
    response = staff_client.post(ADD, data)

    # then: every problem at its field, nothing saved
    assert response.status_code == 400
    assert field_errors(response) == {
        "name": ["Enter the rule name."],
        "websites": ["Choose at least one website."],
        "discount_amount": ["A percentage is at most 100."],
        "coupon_code": ["Enter the coupon code."],
        "to_date": ["The end date is before the start date."],
    }
    assert not CartPriceRule.objects.exists()


def test_a_coupon_code_in_use_is_refused_at_its_field(staff_client, website_a):
    # given
    new_rule("First", websites=[website_a], coupon_type="specific", coupon_code="HELLO")

    # when: the same code in another case
    data = form_data(website_a, coupon_type="specific", coupon_code="hello")
    response = staff_client.post(ADD, data)

    # then
    assert response.status_code == 400
    assert field_errors(response) == {"coupon_code": ["The coupon code hello is already used."]}
    assert CartPriceRule.objects.count() == 1


def test_condition_problems_are_shown_at_their_path(staff_client, website_a):
    # given: a subtotal condition without a value, and an item condition of the wrong scope
    conditions = combine(subtotal("gte", ""))
    items = combine(subtotal("gte", "5"))
    data = form_data(
        website_a, conditions=json.dumps(conditions), action_conditions=json.dumps(items)
    )

    # when
    response = staff_client.post(ADD, data)

    # then: each tree's problems by path for its builder, and listed in words above it
    assert response.status_code == 400
    errors = field_errors(response)
    assert errors["conditions"] == ["Correct the conditions marked below, then save again."]
    assert errors["action_conditions"] == ["Correct the conditions marked below, then save again."]
    config = embedded(response, "conditions-builder-config")
    assert list(config["errors"]) == ["conditions.conditions[0].value"]
    items_config = embedded(response, "action_conditions-builder-config")
    assert list(items_config["errors"]) == ["action_conditions.conditions[0].type"]
    assert items_config["errors"]["action_conditions.conditions[0].type"] == [
        "Cart Attribute cannot be used here."
    ]
    page = response.content.decode()
    assert '<li data-path="conditions.conditions[0].value">Condition 1: value — ' in page
    assert '<li data-path="action_conditions.conditions[0].type">Condition 1: type — ' in page
    assert not CartPriceRule.objects.exists()


def test_conditions_that_are_not_json_are_refused_at_their_field(staff_client, website_a):
    # when
    response = staff_client.post(ADD, form_data(website_a, conditions="{not json"))

    # then
    assert response.status_code == 400
    assert list(field_errors(response)) == ["conditions"]
    assert field_errors(response)["conditions"][0].startswith("Enter the conditions as JSON")
    assert not CartPriceRule.objects.exists()


def test_the_rule_page_offers_each_builder_its_catalogue(staff_client):
    # when
    response = staff_client.get(ADD)

    # then: cart conditions at the root, cart item conditions for the actions
    root = {entry["label"] for entry in embedded(response, "conditions-catalogue")}
    items = {entry["label"] for entry in embedded(response, "action_conditions-catalogue")}
    assert {"Subtotal (Excl. Tax)", "Shipping Country", "Customer Segment"} <= root
    assert {"Price in cart", "SKU", "Category"} <= items
    assert "Subtotal (Excl. Tax)" not in items
    assert "Price in cart" not in root
    page = response.content.decode()
    assert 'data-condition-builder="id_conditions"' in page
    assert 'data-condition-builder="id_action_conditions"' in page


def test_customer_segment_is_offered_only_while_segments_are_on(staff_client):
    # given: Enable Customer Segment Functionality = No (check 8)
    set_config({segments.ENABLED_PATH: False})

    # when
    response = staff_client.get(ADD)

    # then
    types = {entry["type"] for entry in embedded(response, "conditions-catalogue")}
    assert "cart_rule.customer_segment" not in types
    assert "cart_rule.cart_attribute" in types

    # when: switched on again
    set_config({segments.ENABLED_PATH: True})
    types = {entry["type"] for entry in embedded(staff_client.get(ADD), "conditions-catalogue")}

    # then
    assert "cart_rule.customer_segment" in types


def test_delete_asks_first_then_deletes_the_rule_with_its_codes(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")
    services.generate_coupons(rule=rule, quantity=3, actor=SYSTEM)
    delete_url = f"{GRID}{rule.pk}/delete/"

    # when: Delete is followed
    asked = staff_client.get(delete_url)

    # then: the question, saying what goes with it
    assert asked.status_code == 200
    page = asked.content.decode()
    assert f"Delete the cart price rule Ten off (ID {rule.pk})?" in page
    assert "Its 3 coupon codes are deleted with it" in page
    assert CartPriceRule.objects.exists()

    # when: confirmed
    done = staff_client.post(delete_url)

    # then
    assert done.status_code == 302
    assert done["Location"] == GRID
    assert messages_of(done) == [("success", "You deleted the rule.")]
    assert not CartPriceRule.objects.exists()
    assert not Coupon.objects.exists()


# --- Manage Coupon Codes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("coupon_type_case", "shown"), [("none", False), ("specific", False), ("auto", True)]
)
def test_manage_coupon_codes_is_shown_only_for_auto_rules(
    staff_client, website_a, coupon_type_case, shown
):
    # given
    extra = {"coupon_code": "CODE"} if coupon_type_case == "specific" else {}
    rule = new_rule(websites=[website_a], coupon_type=coupon_type_case, **extra)

    # when
    page = staff_client.get(change_url(rule)).content.decode()

    # then
    assert ('id="coupons"' in page) is shown
    assert ('action="' + coupons_url(rule, "generate") + '"' in page) is shown


def test_generate_adds_codes_in_the_chosen_format(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")

    # when
    response = staff_client.post(
        coupons_url(rule, "generate"),
        {"quantity": "5", "length": "6", "format": "numeric", "prefix": "SP-",
         "suffix": "-X", "dash_every": "3"},
    )  # fmt: skip

    # then: five codes like SP-123-456-X, listed on the page
    assert response.status_code == 302
    assert response["Location"] == change_url(rule) + "#coupons"
    assert messages_of(response) == [("success", "5 coupon codes have been generated.")]
    codes = list(rule.coupons.values_list("code", flat=True))
    assert len(codes) == 5
    assert all(re.fullmatch(r"SP-\d{3}-\d{3}-X", code) for code in codes)
    rows = table(staff_client.get(change_url(rule)), "coupon-codes")
    assert rows[0] == ["Select", "Coupon Code", "Created", "Used", "Times Used"]
    assert sorted(row[1] for row in rows[1:]) == sorted(codes)
    assert {(row[3], row[4]) for row in rows[1:]} == {("No", "0")}


def test_generate_problems_are_shown_at_their_fields(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")

    # when: no quantity, a code length of 2, a prefix with a space
    response = staff_client.post(
        coupons_url(rule, "generate"),
        {"quantity": "", "length": "2", "format": "alphanumeric", "prefix": "A B",
         "suffix": "", "dash_every": "0"},
    )  # fmt: skip

    # then: the rule page again, each problem at its field, no code made
    assert response.status_code == 400
    errors = {name: list(e) for name, e in response.context["generate_form"].errors.items()}
    assert errors == {
        "quantity": ["Enter a quantity from 1 to 100000."],
        "length": ["Enter a code length from 4 to 32."],
        "prefix": ["Enter at most 16 characters without spaces."],
    }
    assert not rule.coupons.exists()
    # the rule's own form is shown unbound, with its stored values
    assert response.context["form"]["name"].value() == "Ten off"


def test_the_codes_show_their_use_from_recorded_orders(
    staff_client, website_a, django_capture_on_commit_callbacks
):
    # given: an Auto rule with two codes, one used by a recorded order
    rule = new_rule(websites=[website_a], coupon_type="auto")
    used, unused = services.generate_coupons(rule=rule, quantity=2, actor=SYSTEM)
    sales.save_product(sku="MUG", name="Mug", price=Decimal("10"), actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        sales.record_order(
            store_view=default_store_view(), number="100001", actor=SYSTEM,
            items=[{"sku": "MUG", "qty": Decimal(1), "price": Decimal("10")}],
            customer_email="guest@example.com", status="complete", currency="USD",
            subtotal=Decimal("10"), grand_total=Decimal("9"), coupon_code=used,
            applied_rule_ids=[rule.pk], placed_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        )  # fmt: skip

    # when
    response = staff_client.get(change_url(rule))

    # then
    rows = {row[1]: (row[3], row[4]) for row in table(response, "coupon-codes")[1:]}
    assert rows == {used: ("Yes", "1"), unused: ("No", "0")}
    assert "The rule was applied to 1 order." in response.content.decode()


def test_delete_selected_codes_removes_only_those(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")
    services.generate_coupons(rule=rule, quantity=3, actor=SYSTEM)
    first, second, third = rule.coupons.order_by("pk")

    # when
    response = staff_client.post(
        coupons_url(rule, "delete"), {"coupon": [str(first.pk), str(third.pk)]}
    )

    # then
    assert response.status_code == 302
    assert messages_of(response) == [("success", "2 coupon codes have been deleted.")]
    assert list(rule.coupons.values_list("code", flat=True)) == [second.code]


def test_delete_without_a_ticked_code_deletes_nothing(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")
    services.generate_coupons(rule=rule, quantity=2, actor=SYSTEM)

    # when
    response = staff_client.post(coupons_url(rule, "delete"), {})

    # then
    assert messages_of(response) == [("warning", "Tick the coupon codes to delete.")]
    assert rule.coupons.count() == 2


def test_the_codes_export_as_csv(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")
    codes = services.generate_coupons(rule=rule, quantity=3, actor=SYSTEM)

    # when
    response = staff_client.get(coupons_url(rule, "export"))

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="cart-rule-{rule.pk}-coupons.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Coupon Code", "Created", "Used", "Times Used"]
    assert sorted(row[0] for row in rows[1:]) == sorted(codes)
    assert {(row[2], row[3]) for row in rows[1:]} == {("No", "0")}


def test_codes_are_generated_only_for_auto_rules(staff_client, website_a):
    # given
    rule = new_rule(websites=[website_a])

    # when
    response = staff_client.post(
        coupons_url(rule, "generate"), {"quantity": "2", "length": "8", "format": "numeric"}
    )

    # then: the rule page, which has no Manage Coupon Codes, says why
    assert response.status_code == 302
    assert response["Location"] == change_url(rule)
    assert messages_of(response) == [
        ("error", "Codes are generated only for rules with the Auto coupon.")
    ]
    assert not rule.coupons.exists()


# --- Rules made here behave as the checks say -----------------------------------------------------


def _evaluate(rule_name: str, *, customer=None, visitor_id=""):
    evaluation, *_rest = services.evaluate_cart(
        store_view=default_store_view(),
        items=[{"sku": "ANY", "qty": "1", "price": "100"}],
        customer_id=customer.pk if customer else None,
        visitor_id=visitor_id,
    )
    return [applied.rule.name for applied in evaluation.applied if applied.rule.name == rule_name]


def test_a_rule_saved_without_not_logged_in_never_applies_to_a_guest(staff_client, website_a):
    # given: check 7, a rule for General only, saved on the page
    data = form_data(website_a, name="Members", customer_groups=[str(GENERAL)])
    assert staff_client.post(ADD, data).status_code == 302
    member = make_customer("ada@example.com", website=website_a)

    # when / then
    assert _evaluate("Members", visitor_id="guest-1") == []
    assert _evaluate("Members", customer=member) == ["Members"]


def test_a_segment_condition_saved_on_the_page_applies_to_members_only(staff_client, website_a):
    # given: check 36, Customer Segment matches S1,S2 saved on the page; Ada is in S2 only
    ada = make_customer("ada@example.com", website=website_a, gender=2)
    alan = make_customer("alan@example.com", website=website_a, gender=1)
    nobody = {"type": "combine", "aggregator": "all", "value": True, "conditions": [
        {"type": "customer_attribute", "attribute": "gender", "operator": "is", "value": 3},
    ]}  # fmt: skip
    women = {**nobody, "conditions": [{**nobody["conditions"][0], "value": 2}]}
    s1 = segments.create_segment(name="S1", websites=[website_a], actor=SYSTEM, conditions=nobody)
    s2 = segments.create_segment(name="S2", websites=[website_a], actor=SYSTEM, conditions=women)
    for segment in (s1, s2):
        segments.refresh_segment(segment=segment)
    tree = combine(in_segment(s1.pk, s2.pk))
    data = form_data(website_a, name="Segment deal", conditions=json.dumps(tree))

    # when
    response = staff_client.post(ADD, data)

    # then
    assert response.status_code == 302
    assert CartPriceRule.objects.get().conditions["conditions"] == [in_segment(s1.pk, s2.pk)]
    assert _evaluate("Segment deal", customer=ada) == ["Segment deal"]
    assert _evaluate("Segment deal", customer=alan) == []


def test_a_guest_in_a_mixed_segment_gets_a_rule_saved_for_not_logged_in(
    staff_client, website_a, django_capture_on_commit_callbacks
):
    # given: check 37, a mixed segment of carts of 100 or more, a guest whose cart is 100, and
    # a rule "Customer Segment is one of S" for NOT LOGGED IN saved on the page
    big_carts = segments.create_segment(
        name="Big carts", websites=[website_a], actor=SYSTEM, apply_to="both",
        conditions={"type": "combine", "aggregator": "all", "value": True,
                    "conditions": [cart_total("gte", 100)]},
    )  # fmt: skip
    sales.save_product(sku="MUG", name="Mug", price=Decimal("50"), actor=SYSTEM)
    with django_capture_on_commit_callbacks(execute=True):
        set_cart(default_store_view(), items=[{"sku": "MUG", "qty": 2, "price": "50"}],
                 visitor_id="guest-1")  # fmt: skip
    tree = combine(in_segment(big_carts.pk, operator="is_one_of"))
    data = form_data(
        website_a, name="Big cart deal", customer_groups=[str(NOT_LOGGED_IN)],
        conditions=json.dumps(tree),
    )  # fmt: skip
    assert staff_client.post(ADD, data).status_code == 302

    # when / then: the guest gets it, a guest with another cart does not
    assert _evaluate("Big cart deal", visitor_id="guest-1") == ["Big cart deal"]
    assert _evaluate("Big cart deal", visitor_id="guest-2") == []


# --- Labels ---------------------------------------------------------------------------------------


def test_a_label_problem_is_shown_at_its_store_view(staff_client, website_a, view_a):
    # when
    response = staff_client.post(ADD, form_data(website_a, **{f"label_{view_a.pk}": "x" * 256}))

    # then
    assert response.status_code == 400
    assert field_errors(response) == {f"label_{view_a.pk}": ["Enter at most 255 characters."]}


def test_labels_of_store_views_a_limited_staff_member_cannot_see_are_kept(
    client, website_a, view_a, website_b
):
    # given: a rule on the second website with a label on the first website's store view
    rule = new_rule(websites=[website_b], labels={view_a.pk: "Main label"})
    client.force_login(limited_to(make_staff_user("clerk", permissions=PERMISSIONS), website_b))

    # when: the clerk saves the rule, who is offered no label field for that store view
    page = client.get(change_url(rule))
    assert f"label_{view_a.pk}" not in page.context["form"].fields
    response = client.post(change_url(rule), form_data(website_b, name="Renamed"))

    # then
    assert response.status_code == 302
    values = services.current_values(CartPriceRule.objects.get())
    assert values["name"] == "Renamed"
    assert values["labels"] == {view_a.pk: "Main label"}


# --- Permissions ----------------------------------------------------------------------------------


def _pages(rule) -> list[tuple[str, str, dict]]:
    return [
        ("get", GRID, {}),
        ("get", ADD, {}),
        ("get", change_url(rule), {}),
        ("post", change_url(rule), {"name": "Changed"}),
        ("get", f"{GRID}{rule.pk}/delete/", {}),
        ("post", f"{GRID}{rule.pk}/delete/", {}),
        ("post", coupons_url(rule, "generate"), {"quantity": "1"}),
        ("post", coupons_url(rule, "delete"), {"coupon": "1"}),
        ("get", coupons_url(rule, "export"), {}),
    ]


def test_staff_without_promotions_permissions_are_refused_everywhere(client, website_a):
    # given: a staff member with other permissions only
    rule = new_rule(websites=[website_a], coupon_type="auto")
    services.generate_coupons(rule=rule, quantity=1, actor=SYSTEM)
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))

    # when / then: every page refused, nothing changed
    for method, url, data in _pages(rule):
        response = getattr(client, method)(url, data)
        assert response.status_code == 403, (method, url)
    assert CartPriceRule.objects.get().name == "Ten off"
    assert rule.coupons.count() == 1
    assert "/admin/promotions/cartpricerule/" not in client.get("/admin/").content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client, website_a):
    rule = new_rule(websites=[website_a])
    for method, url, data in _pages(rule):
        response = getattr(client, method)(url, data)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/admin/login/")


def test_view_permission_shows_the_rule_read_only(client, website_a):
    # given
    rule = new_rule(websites=[website_a], coupon_type="auto")
    client.force_login(make_staff_user("viewer", permissions=["promotions.view_cartpricerule"]))

    # when
    page = client.get(change_url(rule))

    # then: shown, with every field disabled and no Save, Delete or Generate
    assert page.status_code == 200
    assert all(field.disabled for field in page.context["form"].fields.values())
    content = page.content.decode()
    assert "Save and Continue Edit" not in content
    assert 'id="generate-form"' not in content
    assert f"{GRID}{rule.pk}/delete/" not in content
    assert client.post(change_url(rule), form_data(website_a)).status_code == 403
    assert client.get(ADD).status_code == 403


@pytest.mark.parametrize(
    ("needed", "method", "path", "data", "allowed_status"),
    [
        ("add", "post", "add", "form", 302),
        ("change", "post", "change", "form", 302),
        ("delete", "post", "delete", {}, 302),
        ("change", "post", "generate", {"quantity": "2", "format": "numeric"}, 302),
    ],
)
def test_each_change_needs_its_permission(
    client, website_a, needed, method, path, data, allowed_status
):
    # given: a staff member with every promotions permission but the one needed
    rule = new_rule(websites=[website_a], coupon_type="auto")
    url = {
        "add": ADD,
        "change": change_url(rule),
        "delete": f"{GRID}{rule.pk}/delete/",
        "generate": coupons_url(rule, "generate"),
    }[path]
    payload = form_data(website_a, name="Changed") if data == "form" else data
    permission = f"promotions.{needed}_cartpricerule"
    client.force_login(make_staff_user("almost", permissions=PERMISSIONS - {permission}))

    # when / then: refused, nothing changed
    assert getattr(client, method)(url, payload).status_code == 403
    assert list(CartPriceRule.objects.values_list("name", flat=True)) == ["Ten off"]
    assert not rule.coupons.exists()

    # when: with it
    client.logout()
    client.force_login(make_staff_user("owner", permissions={permission, *PERMISSIONS}))

    # then
    assert getattr(client, method)(url, payload).status_code == allowed_status


def test_staff_limited_to_a_website_see_only_its_rules_and_change_only_their_own(
    client, website_a, website_b
):
    # given: a clerk limited to the second website
    own = new_rule("Own", websites=[website_b])
    shared = new_rule("Shared", websites=[website_a, website_b])
    other = new_rule("Other", websites=[website_a])
    client.force_login(limited_to(make_staff_user("clerk", permissions=PERMISSIONS), website_b))

    # when / then: the grid shows the rules of their website
    assert sorted(grid_names(client.get(GRID))) == ["Own", "Shared"]
    # another website's rule is not found
    assert client.get(change_url(other)).status_code == 404
    # a rule also on another website is read only
    shared_page = client.get(change_url(shared))
    assert shared_page.status_code == 200
    assert shared_page.context["can_change"] is False
    assert client.post(change_url(shared), form_data(website_b)).status_code == 403
    assert client.post(f"{GRID}{shared.pk}/delete/").status_code == 403
    # their own rule can be changed; only their websites are offered
    own_page = client.get(change_url(own))
    assert own_page.context["can_change"] is True
    offered = list(own_page.context["form"].fields["websites"].queryset)
    assert offered == [website_b]
