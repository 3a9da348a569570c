"""A segment's size over time (``selectors.size_history``), read from its joined / left rows:
the members at the end of each local day of the segment's website (Tokyo here, nine hours
ahead of UTC) with joins and leaves a second either side of midnight, customers who leave and
come back, today's size as of now, and the website filter."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from patron.customers.models import Customer
from patron.customers.tests.factories import make_customer, share_accounts
from patron.scopes import services as scope_services
from patron.segments import services
from patron.segments.models import SegmentMembership
from patron.segments.selectors import list_report_segments, size_history
from patron.segments.tests.conftest import combine, customer_attribute
from patron.testing.fixtures import make_store_view

TOKYO = ZoneInfo("Asia/Tokyo")
# 21:00 on 15 March in Tokyo.
NOW = dt.datetime(2026, 3, 15, 12, tzinfo=dt.UTC)
DAYS = [dt.date(2026, 3, day) for day in (12, 13, 14, 15)]


def tokyo(day: int, hour: int = 12, minute: int = 0, second: int = 0) -> dt.datetime:
    """A moment of March 2026 on Tokyo's clock."""
    return dt.datetime(2026, 3, day, hour, minute, second, tzinfo=TOKYO)


def midnight(day: int) -> dt.datetime:
    return tokyo(day, 0)


@pytest.fixture
def segment(make_segment, website_a):
    scope_services.save_website(website=website_a, time_zone="Asia/Tokyo")
    scope_services.invalidate_caches()
    return make_segment(combine(customer_attribute("lastname", "is", "Lovelace")))


def stay(segment, customer, joined: dt.datetime, left: dt.datetime | None = None, website=None):
    """A membership row, as refreshes and real-time matching write them."""
    return SegmentMembership.objects.create(
        segment=segment,
        customer=customer,
        website=website or customer.website,
        joined_at=joined,
        left_at=left,
    )


def sizes(segment, **options) -> list[int]:
    """The sizes of the four days up to NOW, oldest first."""
    history = size_history(segment, days=4, now=NOW, **options)
    assert [day for day, _members in history] == DAYS
    return [members for _day, members in history]


@pytest.mark.parametrize(
    ("joined", "left", "expected"),
    [
        pytest.param(tokyo(12, 23, 59, 59), None, [1, 1, 1, 1], id="joined_before_midnight"),
        pytest.param(tokyo(13, 0, 0, 1), None, [0, 1, 1, 1], id="joined_after_midnight"),
        pytest.param(tokyo(1), tokyo(13, 23, 59, 59), [1, 0, 0, 0], id="left_before_midnight"),
        pytest.param(tokyo(1), tokyo(14, 0, 0, 1), [1, 1, 0, 0], id="left_after_midnight"),
        pytest.param(tokyo(15, 20, 59, 59), None, [0, 0, 0, 1], id="joined_today"),
        pytest.param(tokyo(1), tokyo(11, 23), [0, 0, 0, 0], id="left_before_the_period"),
    ],
)
def test_a_stay_counts_on_the_local_days_it_covers_at_their_end(segment, joined, left, expected):
    # given one stay a second either side of a Tokyo midnight (a different UTC date)
    stay(segment, make_customer("ada@example.com"), joined, left)

    # when / then
    assert sizes(segment) == expected


def test_each_day_counts_the_members_at_its_end(segment):
    # given one customer per pattern, so that each day's size differs
    a, b, c = (make_customer(f"{n}@example.com") for n in "abc")
    stay(segment, a, tokyo(12, 23, 59, 59))
    stay(segment, b, midnight(13) + dt.timedelta(seconds=1), tokyo(14, 23, 59, 59))
    stay(segment, c, tokyo(1), midnight(13) + dt.timedelta(seconds=1))

    # when / then: 12th a, c; 13th a, b; 14th a; 15th a
    assert sizes(segment) == [2, 2, 1, 1]


def test_today_is_counted_as_of_now(segment):
    # given a customer who joins and another who leaves later today (after NOW)
    a, b = make_customer("a@example.com"), make_customer("b@example.com")
    stay(segment, a, NOW + dt.timedelta(minutes=30))
    stay(segment, b, tokyo(1), NOW + dt.timedelta(minutes=30))

    # when / then: b is still a member now, a not yet
    assert sizes(segment) == [1, 1, 1, 1]


def test_a_customer_who_left_and_came_back_is_counted_again(segment):
    # given Ada matches on the 12th, not on the 13th, and again from the 14th (full refreshes)
    ada = make_customer("ada@example.com")
    services.refresh_segment(segment=segment, now=tokyo(12))
    Customer.objects.filter(pk=ada.pk).update(lastname="King")
    services.refresh_segment(segment=segment, now=tokyo(13))
    Customer.objects.filter(pk=ada.pk).update(lastname="Lovelace")
    services.refresh_segment(segment=segment, now=tokyo(14))

    # when / then
    assert segment.memberships.count() == 2
    assert sizes(segment) == [1, 0, 1, 1]


def test_leaving_and_coming_back_on_the_same_day_counts_once(segment):
    # given
    ada = make_customer("ada@example.com")
    stay(segment, ada, tokyo(12), tokyo(13, 8))
    stay(segment, ada, tokyo(13, 20))

    # when / then
    assert sizes(segment) == [1, 1, 1, 1]


def test_one_day_is_today_only(segment):
    # given
    stay(segment, make_customer("ada@example.com"), tokyo(14))

    # when
    history = size_history(segment, days=1, now=NOW)

    # then
    assert history == [(dt.date(2026, 3, 15), 1)]


def test_a_segment_without_rows_is_empty_every_day(segment):
    assert sizes(segment) == [0, 0, 0, 0]


@pytest.fixture
def on_two_websites(segment, website_a, website_b):
    """The segment on both websites, accounts shared per website: Ada on the first, Byron on the
    second since the 14th."""
    share_accounts("website")
    view_b = make_store_view(website_b, "second_en", "en", is_default=True)
    segment.websites.add(website_b)
    ada = make_customer("ada@example.com")
    byron = make_customer("byron@example.com", store_view=view_b)
    stay(segment, ada, tokyo(1))
    stay(segment, byron, tokyo(14))
    return segment


def test_sizes_can_be_limited_to_some_websites(on_two_websites, website_a, website_b):
    # when / then
    assert sizes(on_two_websites) == [1, 1, 2, 2]
    assert sizes(on_two_websites, website_ids=[website_a.pk]) == [1, 1, 1, 1]
    assert sizes(on_two_websites, website_ids=[website_b.pk]) == [0, 0, 1, 1]
    assert sizes(on_two_websites, website_ids=[]) == [0, 0, 0, 0]


def test_other_segments_rows_are_not_counted(segment, make_segment):
    # given
    other = make_segment(combine())
    stay(other, make_customer("ada@example.com"), tokyo(1))

    # when / then
    assert sizes(segment) == [0, 0, 0, 0]


def test_todays_size_is_the_segments_member_count(segment, website_b):
    # given accounts shared globally and a segment on two websites
    share_accounts("global")
    segment.websites.add(website_b)
    make_customer("ada@example.com")
    services.refresh_segment(segment=segment, now=tokyo(14))

    # when
    today = sizes(segment)[-1]

    # then
    assert today == list_report_segments().get(pk=segment.pk).customers == 1


@pytest.mark.parametrize(
    ("joined", "left", "expected"),
    [
        pytest.param(midnight(14), None, [0, 0, 1, 1], id="joined"),
        pytest.param(tokyo(1), midnight(14), [1, 1, 0, 0], id="left"),
    ],
)
def test_a_change_at_exactly_midnight_belongs_to_the_new_day(segment, joined, left, expected):
    # given a join or a leave at exactly the midnight that starts the 14th
    stay(segment, make_customer("ada@example.com"), joined, left)

    # when / then: the 13th ended before it
    assert sizes(segment) == expected
