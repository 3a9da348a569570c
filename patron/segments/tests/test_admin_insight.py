"""Back office, issue 10: the segment page's live preview, its query text beside the builder
(parse and print), saving from the text, the explanation page and its "Why?" links (Matched
Customers, the customer's Segments section), and the History chart, over HTTP."""

import datetime as dt
import itertools
import json
import re
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.customers.tests.factories import make_customer, share_accounts
from patron.segments import admin as segments_admin
from patron.segments import preview as preview_module
from patron.segments import services
from patron.segments.models import Segment, SegmentMembership
from patron.segments.tests.conftest import (
    address_attribute,
    combine,
    customer_address,
    customer_attribute,
    make_product,
    number_of_orders,
    order_status,
    place_order,
)
from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user, make_website, set_config

FEMALE, MALE = 2, 1
WOMEN = combine(customer_attribute("gender", "is", FEMALE))
TWO_ORDERS = combine(number_of_orders("gte", "2", order_status("complete")))
TWO_ORDERS_TEXT = "orders.count(status: complete) >= 2"
EVERYONE = combine()


def url(segment, name: str) -> str:
    return f"/admin/segments/segment/{segment.pk}/{name}/"


def post_json(client, address: str, body) -> tuple[int, dict]:
    response = client.post(address, json.dumps(body), content_type="application/json")
    return response.status_code, response.json()


@pytest.fixture
def staff_client(client, db):
    client.force_login(make_staff_user("root", superuser=True))
    return client


@pytest.fixture
def people(website_a, view_a):
    """Ada (woman, one complete order), Grace (woman, two), Alan (man, none)."""
    make_product("MUG")
    made = {}
    for first, gender, orders in (("Ada", FEMALE, 1), ("Grace", FEMALE, 2), ("Alan", MALE, 0)):
        customer = make_customer(
            f"{first.lower()}@example.com", website=website_a, firstname=first, gender=gender
        )
        for index in range(orders):
            place_order(
                view_a, customer, grand_total="20.00",
                placed_at=timezone.now() - dt.timedelta(days=5 + index),
            )  # fmt: skip
        made[first.lower()] = customer
    return made


@pytest.fixture
def women(make_segment, people):
    segment = make_segment(WOMEN, name="Women")
    services.refresh_segment(segment=segment)
    return segment


def sample_emails(answer: dict) -> list[str]:
    return [row["email"] for row in answer["sample"]]


# --- Live preview -------------------------------------------------------------------------------


def test_the_preview_counts_a_draft_tree_and_shows_a_sample(staff_client, women, people):
    # when: a draft (not saved) tree for customers with two complete orders
    status, answer = post_json(staff_client, url(women, "preview"), {"conditions": TWO_ORDERS})

    # then: the count, in words, and the customers with their name, email and page
    grace = people["grace"]
    assert status == 200
    assert answer == {
        "count": 1,
        "complete": True,
        "message": "1 customer matches",
        "sample": [
            {
                "id": grace.pk,
                "name": "Grace Lovelace",
                "email": "grace@example.com",
                "url": f"/admin/customers/customer/{grace.pk}/change/",
            }
        ],
    }
    # and nothing is saved
    assert Segment.objects.get(pk=women.pk).conditions == WOMEN


def test_the_preview_reads_query_text(staff_client, women):
    # when
    status, answer = post_json(staff_client, url(women, "preview"), {"text": "customer.gender = 2"})

    # then
    assert (status, answer["count"], answer["message"]) == (200, 2, "2 customers match")
    assert sample_emails(answer) == ["ada@example.com", "grace@example.com"]


def test_a_preview_that_runs_out_of_time_says_at_least(staff_client, women, people, monkeypatch):
    # given: a count that does not finish within the statement timeout
    asked = {}

    def slow(**arguments):
        asked.update(arguments)
        return preview_module.Preview(count=10, complete=False, sample=[people["ada"]])

    monkeypatch.setattr(preview_module, "preview", slow)

    # when
    status, answer = post_json(staff_client, url(women, "preview"), {"conditions": WOMEN})

    # then: "at least", under the page's timeout, on the segment's websites
    assert status == 200
    assert (answer["count"], answer["complete"]) == (10, False)
    assert answer["message"] == "At least 10 customers match (timed out)"
    assert asked["timeout_ms"] == segments_admin.PREVIEW_TIMEOUT_MS == 2000
    assert asked["apply_to"] == women.apply_to
    assert [website.pk for website in asked["websites"]] == [women.websites.get().pk]


def test_the_problems_of_a_draft_tree_come_back_at_their_path(staff_client, women):
    # given: an empty city inside an address, and a store credit that is not a number
    tree = combine(
        customer_address(address_attribute("city", "contains", "")),
        {"type": "store_credit", "operator": "gt", "value": "lots"},
    )

    # when
    status, answer = post_json(staff_client, url(women, "preview"), {"conditions": tree})

    # then: each problem at its path, in words, as the builder shows them on save
    assert status == 400
    assert answer == {
        "message": "Correct the conditions marked to see the customers who match.",
        "errors": [
            {
                "path": "conditions.conditions[0].conditions[0].value",
                "where": "Condition 1.1: value",
                "message": "Enter a value.",
            },
            {
                "path": "conditions.conditions[1].value",
                "where": "Condition 2: value",
                "message": "Enter a number.",
            },
        ],
    }


def test_query_text_that_cannot_be_read_comes_back_at_its_line_and_column(staff_client, women):
    # when: a comparison with no value, on the second line
    status, answer = post_json(
        staff_client, url(women, "preview"), {"text": "customer.gender = 2\nand store_credit >"}
    )

    # then
    assert status == 400
    (problem,) = answer["syntax"]
    assert (problem["line"], problem["column"]) == (2, 19)
    assert problem["text"].startswith("Line 2, column 19: ")
    assert problem["text"] == f"Line 2, column 19: {problem['message']}"
    assert answer["message"] == "Correct the query text to see the customers who match."


def test_a_checked_query_points_its_rule_problems_at_the_text(staff_client, women):
    # when: a query that reads well but leaves the email empty
    status, answer = post_json(
        staff_client, url(women, "preview"), {"text": 'customer.email contains ""'}
    )

    # then
    assert status == 400
    assert answer["syntax"] == [
        {"line": 1, "column": 25, "message": "Enter a value.",
         "text": "Line 1, column 25: Enter a value."},
    ]  # fmt: skip


def test_a_visitors_segment_previews_no_customer(staff_client, make_segment, people):
    # given
    guests = make_segment(None, name="Guests", apply_to="visitors")

    # when
    status, answer = post_json(staff_client, url(guests, "preview"), {"conditions": EVERYONE})

    # then
    assert status == 200
    assert (answer["count"], answer["sample"]) == (0, [])
    assert answer["message"] == (
        "The conditions are valid. Segments for visitors only match no customer."
    )


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"[1, 2]", b""],
    ids=["not-json", "not-an-object", "empty"],
)
def test_the_json_endpoints_want_a_json_object(staff_client, women, body):
    for name in ("preview", "parse", "print"):
        response = staff_client.post(url(women, name), body, content_type="application/json")
        assert (response.status_code, response.json()) == (400, {"message": "Send a JSON object."})


# --- Parse and print ----------------------------------------------------------------------------


def test_parse_turns_query_text_into_the_builders_tree(staff_client, women):
    status, answer = post_json(staff_client, url(women, "parse"), {"text": TWO_ORDERS_TEXT})
    assert (status, answer) == (200, {"conditions": TWO_ORDERS})


def test_parse_points_at_the_line_and_column_of_what_it_cannot_read(staff_client, women):
    # when
    status, answer = post_json(staff_client, url(women, "parse"), {"text": "orders.count("})

    # then
    assert status == 400
    (problem,) = answer["syntax"]
    assert (problem["line"], problem["column"]) == (1, 14)
    assert "expected a condition" in problem["message"]


def test_parse_wants_text(staff_client, women):
    status, answer = post_json(staff_client, url(women, "parse"), {"text": 12})
    assert (status, answer) == (400, {"message": "Send the query as text."})


def test_print_writes_the_tree_as_it_will_be_saved(staff_client, women):
    # given: the number as a form sends it, the aggregator in capitals
    tree = combine(number_of_orders("gte", 2, order_status("complete")), aggregator="ALL")

    # when
    status, answer = post_json(staff_client, url(women, "print"), {"conditions": tree})

    # then: printed from the cleaned tree, and parsing it gives that tree
    assert (status, answer) == (200, {"text": TWO_ORDERS_TEXT})
    assert post_json(staff_client, url(women, "parse"), answer)[1] == {"conditions": TWO_ORDERS}


def test_print_writes_an_unfinished_draft_as_it_is(staff_client, women):
    # given: a city not typed in yet
    tree = combine(customer_address(address_attribute("city", "contains", "")))

    # when
    status, answer = post_json(staff_client, url(women, "print"), {"conditions": tree})

    # then
    assert (status, answer) == (200, {"text": 'address.any(city contains "")'})


def test_print_refuses_a_tree_it_cannot_write(staff_client, women):
    # when: a condition type that does not exist
    status, answer = post_json(
        staff_client, url(women, "print"), {"conditions": combine({"type": "horoscope"})}
    )

    # then: the tree's problem at its path
    assert status == 400
    assert [error["path"] for error in answer["errors"]] == ["conditions.conditions[0].type"]


# --- Access to the endpoints and pages ----------------------------------------------------------

ENDPOINTS = [
    ("post", "preview", {"conditions": WOMEN}),
    ("post", "parse", {"text": "customer.gender = 2"}),
    ("post", "print", {"conditions": WOMEN}),
    ("get", "explain", None),
]


@pytest.mark.parametrize(("method", "name", "body"), ENDPOINTS, ids=[e[1] for e in ENDPOINTS])
def test_each_endpoint_needs_the_segment_view_permission(client, women, method, name, body):
    def call():
        if method == "get":
            return client.get(url(women, name))
        return client.post(url(women, name), json.dumps(body), content_type="application/json")

    # when: signed out
    signed_out = call()

    # then: sent to the sign-in page
    assert signed_out.status_code == 302
    assert "/admin/login/" in signed_out["Location"]

    # when: a staff member without segments.view_segment
    client.force_login(make_staff_user("clerk", permissions=["customers.view_customer"]))

    # then
    assert call().status_code == 403

    # when: with it
    client.force_login(make_staff_user("viewer", permissions=["segments.view_segment"]))

    # then
    assert call().status_code == 200


@pytest.mark.parametrize("name", ["preview", "parse", "print"])
def test_the_json_endpoints_need_a_post_with_the_csrf_token(women, name):
    # given: a client that checks CSRF as a browser would
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_staff_user("root", superuser=True))

    # when / then: GET is not allowed, a POST without the token is refused
    assert client.get(url(women, name)).status_code == 405
    refused = client.post(url(women, name), "{}", content_type="application/json")
    assert refused.status_code == 403

    # when: the token of the page's form, as the page's script sends it
    page = client.get(f"/admin/segments/segment/{women.pk}/change/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
    allowed = client.post(
        url(women, name), "{}", content_type="application/json", HTTP_X_CSRFTOKEN=token
    )

    # then: past CSRF (an empty object is answered by the endpoint itself)
    assert allowed.status_code in (200, 400)
    assert allowed["Content-Type"] == "application/json"


def test_the_endpoints_disappear_when_segments_are_disabled(staff_client, women):
    set_config({services.ENABLED_PATH: False})
    refused = staff_client.post(url(women, "parse"), "{}", content_type="application/json")
    assert refused.status_code == 403
    assert staff_client.get(url(women, "explain")).status_code == 403


def test_staff_limited_to_another_website_do_not_reach_the_segment(client, women):
    # given
    second = make_website("second", name="Second Website")
    user = make_staff_user("clerk", permissions=["segments.view_segment"])
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.websites.set([second])
    client.force_login(user)

    # then
    body = json.dumps({"conditions": WOMEN})
    assert (
        client.post(url(women, "preview"), body, content_type="application/json").status_code == 404
    )
    assert client.get(url(women, "explain")).status_code == 404


# --- The segment page: query text, saving from it -----------------------------------------------


def test_the_page_shows_the_stored_tree_as_text_beside_the_builder(staff_client, make_segment):
    # given
    segment = make_segment(TWO_ORDERS, name="Repeat buyers")

    # when
    response = staff_client.get(f"/admin/segments/segment/{segment.pk}/change/")

    # then: the text box holds the tree's text; the builder is the starting view
    form = response.context["form"]
    assert form["query"].value() == TWO_ORDERS_TEXT
    assert form["editor"].value() == "json"
    html = response.content.decode()
    assert re.search(r'<textarea name="query"[^>]*id="id_query"', html)
    assert 'id="segment-preview" class="segment-preview" role="status" aria-live="polite"' in html
    assert 'aria-label="Edit the conditions with"' in html
    # and the example under the text box is a query
    example = form["query"].help_text.removeprefix("For example: ")
    assert post_json(staff_client, url(segment, "parse"), {"text": example})[0] == 200
    # and the general fields stay as they were
    assert [field.name for field in response.context["general_fields"]] == [
        "name", "description", "is_active", "apply_to",
    ]  # fmt: skip


def save(client, segment, **fields):
    data = {"name": segment.name, "is_active": "1", "_continue": "1"}
    data |= {"conditions": json.dumps(segment.conditions)} | fields
    return client.post(f"/admin/segments/segment/{segment.pk}/change/", data)


def test_saving_from_the_text_saves_the_tree_it_writes(staff_client, women):
    # when: the text view's box posted (the JSON box still holds the old tree)
    response = save(staff_client, women, editor="text", query=TWO_ORDERS_TEXT)

    # then
    assert response.status_code == 302
    assert Segment.objects.get(pk=women.pk).conditions == TWO_ORDERS


def test_text_that_cannot_be_read_is_not_saved_and_the_problem_is_under_the_text(
    staff_client, women
):
    # when
    response = save(staff_client, women, editor="text", query="orders.count(")

    # then: refused, the problem at its line and column under the text box, still in text view
    assert response.status_code == 400
    (problem,) = response.context["form"].errors["query"]
    assert problem.startswith("Line 1, column 14: ")
    assert response.context["builder_config"]["editor"] == "text"
    assert response.context["form"]["query"].value() == "orders.count("
    html = response.content.decode()
    error_box = html.split('id="query-error">', 1)[1].split("</div>", 1)[0]
    assert "Line 1, column 14: " in error_box
    assert Segment.objects.get(pk=women.pk).conditions == WOMEN


def test_a_rule_problem_of_the_text_is_shown_at_its_place_and_the_json_follows_the_text(
    staff_client, women
):
    # when
    response = save(staff_client, women, editor="text", query='customer.email contains ""')

    # then: the problem under the text; the JSON box (the builder) holds the text's tree
    assert response.status_code == 400
    assert response.context["form"].errors["query"] == ["Line 1, column 25: Enter a value."]
    assert json.loads(response.context["form"]["conditions"].value()) == combine(
        customer_attribute("email", "contains", "")
    )
    assert Segment.objects.get(pk=women.pk).conditions == WOMEN


def test_saving_from_the_builder_ignores_the_text(staff_client, women):
    # when: the JSON box posted (editor json), with some text left in the text box
    response = save(staff_client, women, editor="json", query="not even a query (")

    # then
    assert response.status_code == 302
    assert Segment.objects.get(pk=women.pk).conditions == WOMEN


# --- Explain ------------------------------------------------------------------------------------


def explained_lines(html: str) -> list[str]:
    """Each node of the explanation as its line of text, in document order, nesting by '>'."""
    lines = []
    for match in re.finditer(
        r'<li id="(why[-\d]*)".*?<div class="segment-explained-line">(.*?)</div>', html, re.S
    ):
        depth = match[1].count("-")
        text = " ".join(re.sub(r"<[^>]+>", " ", match[2]).split())
        lines.append(">" * depth + text)
    return lines


def test_the_explanation_lists_each_condition_with_its_truth_and_the_value_measured(
    staff_client, make_segment, people
):
    # given: two complete orders and an address in Berlin
    segment = make_segment(
        combine(
            number_of_orders("gte", "2", order_status("complete")),
            customer_address(address_attribute("city", "contains", "Berl")),
            customer_attribute("gender", "is", FEMALE),
        ),
        name="Berlin regulars",
    )
    ada = people["ada"]

    # when: Ada (one order, no address), by id
    response = staff_client.get(f"{url(segment, 'explain')}?customer={ada.pk}")

    # then: held in words (not by colour only), the value measured, per-row children marked
    assert response.status_code == 200
    assert explained_lines(response.content.decode()) == [
        "✘ Not held Conditions Combination ALL TRUE",
        ">✘ Not held 1 Number of Orders Total equals or greater than 2 ALL — measured 1",
        ">>✔ Held 1.1 Order Status is Complete per row",
        ">✘ Not held 2 Customer Address ALL — measured 0",
        ">>✘ Not held 2.1 City contains Berl per row",
        ">✔ Held 3 Gender is Female — measured Female",
    ]
    html = response.content.decode()
    assert "The conditions do not hold for Ada Lovelace" in html
    assert "Stored membership: not a member." in html
    assert response.context["chosen_website"] == segment.websites.get()


def test_a_customer_can_be_picked_by_email(staff_client, women, people):
    # when
    response = staff_client.get(f"{url(women, 'explain')}?customer=GRACE@example.com")

    # then: her explanation, and her stored membership
    assert response.context["customer"] == people["grace"]
    html = response.content.decode()
    assert explained_lines(html)[0] == "✔ Held Conditions Combination ALL TRUE"
    assert "The conditions hold for Grace Lovelace" in html
    assert "Stored membership: a member since" in html


def test_without_a_customer_the_page_asks_for_one(staff_client, women):
    response = staff_client.get(url(women, "explain"))
    assert response.status_code == 200
    assert response.context["explanation"] is None
    assert 'name="customer"' in response.content.decode()


def test_an_unknown_customer_is_said_so(staff_client, women):
    response = staff_client.get(f"{url(women, 'explain')}?customer=nobody@example.com")
    assert response.status_code == 404
    assert "No customer has this ID or email." in response.content.decode()
    assert response.context["explanation"] is None


def test_a_website_that_is_not_the_segments_is_refused(staff_client, women, people):
    # given
    other = make_website("other", name="Other Website")

    # when
    response = staff_client.get(
        f"{url(women, 'explain')}?customer={people['ada'].pk}&website={other.pk}"
    )

    # then
    assert response.status_code == 400
    assert "Choose one of the segment&#x27;s websites." in response.content.decode()


def test_the_explanation_uses_the_chosen_website(staff_client, website_a, people):
    # given: accounts shared globally; a segment on two websites
    share_accounts("global")
    second = make_website("second", name="Second Website")
    segment = services.create_segment(
        name="Women", websites=[website_a, second], conditions=WOMEN, actor=SYSTEM
    )

    # when
    response = staff_client.get(
        f"{url(segment, 'explain')}?customer={people['ada'].pk}&website={second.pk}"
    )

    # then
    assert response.status_code == 200
    assert response.context["chosen_website"] == second
    assert "Ada Lovelace on Second Website" in response.content.decode()


def test_a_customer_of_another_website_is_said_to_be_out_of_reach(staff_client, website_a, people):
    # given: accounts shared per website, a segment on two websites, Ada's account on the first
    second = make_website("second", name="Second Website")
    segment = services.create_segment(
        name="Women", websites=[website_a, second], conditions=WOMEN, actor=SYSTEM
    )

    # when: explained on the second website
    response = staff_client.get(
        f"{url(segment, 'explain')}?customer={people['ada'].pk}&website={second.pk}"
    )

    # then: nothing holds, and the page says why
    html = response.content.decode()
    assert response.status_code == 200
    assert "the segments of Second Website do not look at this customer" in html
    assert explained_lines(html)[0].startswith("✘ Not held")


def test_staff_limited_to_a_website_do_not_find_customers_of_another(
    client, website_a, women, people
):
    # given: the segment on two websites, a customer of the second, staff limited to the first
    second = make_website("second", name="Second Website")
    women.websites.add(second)
    bob = make_customer("bob@example.com", website=second, firstname="Bob")
    user = make_staff_user("clerk", permissions=["segments.view_segment"])
    profile, _created = StaffProfile.objects.get_or_create(user=user)
    profile.websites.set([website_a])
    client.force_login(user)

    # then
    assert client.get(f"{url(women, 'explain')}?customer={bob.pk}").status_code == 404
    assert client.get(f"{url(women, 'explain')}?customer={people['ada'].pk}").status_code == 200


# --- "Why?" links -------------------------------------------------------------------------------


def test_each_matched_customer_links_to_their_explanation(staff_client, women, people):
    # when
    response = staff_client.get(f"/admin/segments/segment/{women.pk}/change/")

    # then
    html = response.content.decode()
    for customer in (people["ada"], people["grace"]):
        assert f'href="{url(women, "explain")}?customer={customer.pk}">Why?' in html
    assert f"?customer={people['alan'].pk}" not in html


def test_the_customer_section_explains_segments_the_customer_is_in_and_not_in(
    staff_client, website_a, women, people, make_segment
):
    # given: Alan is not a woman; an inactive and a visitors-only segment are not listed
    make_segment(EVERYONE, name="Archived", is_active=False)
    make_segment(None, name="Guests", apply_to="visitors")
    alan = people["alan"]

    # when
    response = staff_client.get(f"/admin/customers/customer/{alan.pk}/change/?section=segments")

    # then: Women, not joined, with a link to the explanation of Alan on the website
    html = response.content.decode()
    body = html.split('id="customer-segments"', 1)[1].split("</table>", 1)[0]
    rows = [
        " ".join(re.sub(r"<[^>]+>", " ", row).split())
        for row in re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], re.S)
    ]
    assert rows == ["Main Website Women Active Not a member Why? (Women, Main Website)"]
    why = f"{url(women, 'explain')}?customer={alan.pk}&amp;website={website_a.pk}"
    assert f'href="{why}"' in body
    assert "The customer is not a member of any segment." in html

    # when: the link followed
    explained = staff_client.get(why.replace("&amp;", "&"))

    # then
    assert explained.status_code == 200
    assert explained_lines(explained.content.decode())[1] == (
        ">✘ Not held 1 Gender is Female — measured Male"
    )


# --- History ------------------------------------------------------------------------------------


def points_of(html: str) -> list[tuple[float, float]]:
    points = re.search(r'<polyline class="segment-history-line" points="([^"]*)"', html)[1]
    return [tuple(float(n) for n in pair.split(",")) for pair in points.split()]


def table_of(html: str) -> list[tuple[str, int]]:
    body = html.split('id="segment-history-points"', 1)[1].split("</table>", 1)[0]
    return [
        (day, int(members))
        for day, members in re.findall(
            r'<tr><td><time datetime="([\d-]+)">.*?</time></td><td>(\d+)</td></tr>', body
        )
    ]


def today_in(website) -> dt.date:
    return timezone.now().astimezone(ZoneInfo(website.time_zone or "UTC")).date()


def noon(website, days_ago: int) -> dt.datetime:
    """Noon, ``days_ago`` days before today, in the website's time zone."""
    day = today_in(website) - dt.timedelta(days=days_ago)
    return dt.datetime.combine(day, dt.time(12), tzinfo=ZoneInfo(website.time_zone or "UTC"))


@pytest.fixture
def history(make_segment, website_a, people):
    """Women: Ada and Grace joined 20 days ago, Eve 10 days ago, Ada left 3 days ago."""
    segment = make_segment(WOMEN, name="Women")
    services.refresh_segment(segment=segment, now=noon(website_a, 20))
    make_customer("eve@example.com", firstname="Eve", gender=FEMALE)
    services.refresh_segment(segment=segment, now=noon(website_a, 10))
    SegmentMembership.objects.filter(segment=segment, customer=people["ada"]).update(
        left_at=noon(website_a, 3)
    )
    return segment


def test_the_history_charts_the_members_at_the_end_of_each_day(staff_client, website_a, history):
    # when: the default period, 90 days
    response = staff_client.get(f"/admin/segments/segment/{history.pk}/change/")

    # then: one point a day, the counts from the joined and left rows
    html = response.content.decode()
    days = table_of(html)
    assert len(days) == 90
    counts = [members for _day, members in days]
    assert counts[:69] == [0] * 69  # until 21 days ago
    assert counts[69:79] == [2] * 10  # from 20 days ago
    assert counts[79:86] == [3] * 7  # from 10 days ago
    assert counts[86:] == [2] * 4  # from 3 days ago, today included
    today = today_in(website_a)
    assert days[-1][0] == today.isoformat()
    assert days[0][0] == (today - dt.timedelta(days=89)).isoformat()

    # then: the line from the left edge to the right, its height proportional to the count
    # (the value axis runs 0 to 4: 4 ticks of 1)
    points = points_of(html)
    assert len(points) == 90
    assert (points[0][0], points[-1][0]) == (56, 624)
    assert all(b[0] > a[0] for a, b in itertools.pairwise(points))
    heights = {0: 204.0, 2: 110.0, 3: 63.0}
    assert [y for _x, y in points] == [heights[count] for count in counts]


def test_the_chart_is_described_for_screen_readers(staff_client, history):
    # when
    response = staff_client.get(f"/admin/segments/segment/{history.pk}/change/?history_days=30")

    # then: role img, a title and a description with the first and last values
    html = response.content.decode()
    svg = re.search(r'<svg id="segment-history-chart"[^>]*>', html)[0]
    assert 'role="img"' in svg and 'aria-labelledby="history-title"' in svg
    assert '<title id="history-title">Members of Women over the last 30 days</title>' in html
    desc = re.search(r'<desc id="history-desc">(.*?)</desc>', html)[1]
    assert re.fullmatch(r"Members: 0 on .+, 2 on .+; highest: 3\.", desc)
    assert '<a href="#history">History</a>' in html


@pytest.mark.parametrize(("asked", "points"), [("30", 30), ("365", 365), ("7", 90), ("x", 90)])
def test_the_history_period_is_30_90_or_365_days(staff_client, history, asked, points):
    response = staff_client.get(
        f"/admin/segments/segment/{history.pk}/change/?history_days={asked}"
    )
    assert len(points_of(response.content.decode())) == points
    assert response.context["history"]["days"] == points


def test_the_history_can_be_limited_to_one_website(staff_client, website_a, people):
    # given: accounts shared globally, a segment of everyone on two websites
    share_accounts("global")
    second = make_website("second", name="Second Website")
    segment = services.create_segment(
        name="Everyone", websites=[website_a, second], conditions=EVERYONE, actor=SYSTEM
    )
    services.refresh_segment(segment=segment)
    SegmentMembership.objects.filter(website=second, customer=people["ada"]).delete()
    page = f"/admin/segments/segment/{segment.pk}/change/"

    # when / then: both websites (each customer counted once), then the second only
    assert table_of(staff_client.get(page).content.decode())[-1][1] == 3
    only_second = staff_client.get(f"{page}?history_website={second.pk}")
    assert table_of(only_second.content.decode())[-1][1] == 2
    assert only_second.context["history"]["website"] == second
    assert 'name="history_website"' in only_second.content.decode()


def test_a_visitors_segment_has_no_history(staff_client, make_segment):
    guests = make_segment(None, name="Guests", apply_to="visitors")
    response = staff_client.get(f"/admin/segments/segment/{guests.pk}/change/")
    assert response.context["history"] is None
    assert 'id="history"' not in response.content.decode()
