"""The report's queries (spec c §7, checks 38, 39, 41): member counts, one segment's members,
union and intersection per website, and the website and group filters. Segments are built
with ``create_segment`` and filled with ``refresh_segment``, so the rows read are the engine's."""

import pytest

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.models import NOT_LOGGED_IN_ID, CustomerGroup
from patron.customers.tests.factories import make_customer, share_accounts
from patron.segments import selectors, services
from patron.segments.models import SegmentMembership
from patron.segments.tests.conftest import segment_of_emails as make_segment

WHOLESALE = 2


@pytest.fixture
def people(website_a):
    """Ada and Linus (General), Grace (Wholesale); accounts shared globally, so every segment
    looks at all three on each of its websites."""
    share_accounts("global")
    ada = make_customer("ada@example.com", website=website_a)
    grace = make_customer(
        "grace@example.com", website=website_a, firstname="Grace", lastname="Hopper",
        group=CustomerGroup.objects.get(pk=WHOLESALE),
    )  # fmt: skip
    linus = make_customer(
        "linus@example.com", website=website_a, firstname="Linus", lastname="Torvalds"
    )
    return {"ada": ada, "grace": grace, "linus": linus}


@pytest.fixture
def segments(people, website_a, website_b):
    """S1 (Ada, Grace) on both websites, S2 (Grace, Linus) on the first, S3 (Ada) on the
    second."""
    return {
        "s1": make_segment(
            "Ada and Grace", ["ada@example.com", "grace@example.com"], [website_a, website_b]
        ),
        "s2": make_segment(
            "Grace and Linus", ["grace@example.com", "linus@example.com"], [website_a]
        ),
        "s3": make_segment("Ada", ["ada@example.com"], [website_b]),
    }


def emails(customers) -> list[str]:
    return [customer.email for customer in customers]


def members(segments, *codes: str, **options) -> list[str]:
    return emails(
        selectors.list_segment_members(segment_ids=[segments[c].pk for c in codes], **options)
    )


def test_each_segment_counts_its_distinct_stored_members(segments):
    # given: S1 has four open rows (two customers on two websites)
    s1 = segments["s1"]
    assert SegmentMembership.objects.filter(segment=s1, left_at__isnull=True).count() == 4

    # when
    rows = selectors.list_report_segments()

    # then
    assert [(row.pk, row.customers) for row in rows] == [
        (segments["s1"].pk, 2),
        (segments["s2"].pk, 2),
        (segments["s3"].pk, 1),
    ]


def test_counts_leave_out_members_who_left(segments, people):
    # given: Grace leaves S2
    SegmentMembership.objects.filter(segment=segments["s2"], customer=people["grace"]).update(
        left_at="2024-01-01T00:00:00Z"
    )

    # when
    counts = {row.pk: row.customers for row in selectors.list_report_segments()}

    # then
    assert counts[segments["s2"].pk] == 1
    assert members(segments, "s2") == ["linus@example.com"]


def test_a_segment_without_members_counts_zero(segments, website_a):
    # given
    empty = make_segment("Nobody", ["nobody@example.com"], [website_a])

    # when
    counts = {row.pk: row.customers for row in selectors.list_report_segments()}

    # then
    assert counts[empty.pk] == 0


def test_status_and_website_filter_the_segment_rows(segments, website_b):
    # given
    services.update_segment(segment=segments["s1"], is_active=False, actor=SYSTEM)

    # when
    active = selectors.list_report_segments(is_active=True)
    inactive = selectors.list_report_segments(is_active=False)
    on_second = selectors.list_report_segments(website_id=website_b.pk)

    # then
    assert [s.pk for s in active] == [segments["s2"].pk, segments["s3"].pk]
    assert [s.pk for s in inactive] == [segments["s1"].pk]
    assert [s.pk for s in on_second] == [segments["s1"].pk, segments["s3"].pk]


def test_one_segment_lists_each_member_once_across_websites(segments):
    # when (S1 holds Ada and Grace on both websites)
    found = members(segments, "s1")

    # then
    assert found == ["ada@example.com", "grace@example.com"]


def test_union_lists_customers_of_any_segment_without_duplicates(segments):
    # when
    found = members(segments, "s1", "s2", set_operation="union")

    # then
    assert found == ["ada@example.com", "grace@example.com", "linus@example.com"]


def test_intersection_lists_only_customers_in_every_segment(segments):
    # when
    found = members(segments, "s1", "s2", set_operation="intersection")

    # then
    assert found == ["grace@example.com"]


def test_intersection_needs_every_segment_on_the_same_website(segments):
    # given: Ada is in S1 on both websites and in S3 on the second; Grace is in S2 on the first
    # only, so S2 and S3 share no member on any website

    # when
    s1_s3 = members(segments, "s1", "s3", set_operation="intersection")
    s2_s3 = members(segments, "s2", "s3", set_operation="intersection")

    # then
    assert s1_s3 == ["ada@example.com"]
    assert s2_s3 == []


def test_intersection_of_three_segments(segments):
    # when
    found = members(segments, "s1", "s2", "s3", set_operation="intersection")

    # then: no customer is in all three on one website
    assert found == []


def test_website_filter_keeps_memberships_on_that_website(segments, website_a, website_b):
    # when
    on_a = members(segments, "s1", "s2", website_id=website_a.pk)
    on_b = members(segments, "s1", "s2", website_id=website_b.pk)

    # then: Linus is a member on the first website only
    assert on_a == ["ada@example.com", "grace@example.com", "linus@example.com"]
    assert on_b == ["ada@example.com", "grace@example.com"]


def test_staff_website_scope_limits_members_and_counts(segments, website_b):
    # when
    found = members(segments, "s1", "s2", website_ids=[website_b.pk])
    counts = {s.pk: s.customers for s in selectors.list_report_segments(website_ids=[website_b.pk])}

    # then: S2 is on the first website only, so it is not listed at all
    assert found == ["ada@example.com", "grace@example.com"]
    assert counts == {segments["s1"].pk: 2, segments["s3"].pk: 1}


def test_group_filter_keeps_that_group(segments):
    # when
    found = members(segments, "s1", "s2", group_id=WHOLESALE)

    # then
    assert found == ["grace@example.com"]


def test_group_choices_leave_out_not_logged_in(db):
    # when
    ids = list(selectors.report_groups().values_list("pk", flat=True))

    # then
    assert NOT_LOGGED_IN_ID not in ids
    assert sorted(ids) == sorted(
        CustomerGroup.objects.exclude(pk=NOT_LOGGED_IN_ID).values_list("pk", flat=True)
    )


def test_an_unknown_set_is_refused(segments):
    with pytest.raises(InvalidInput) as error:
        members(segments, "s1", set_operation="difference")

    assert error.value.code == "invalid_set"


def test_members_are_one_query(segments, django_assert_num_queries):
    # given
    rows = selectors.list_segment_members(
        segment_ids=[segments["s1"].pk, segments["s2"].pk], set_operation="intersection"
    )

    # when / then: the group and the billing address come with the members
    with django_assert_num_queries(1):
        found = [(c.email, c.group.code, c.default_billing) for c in rows]
    assert found == [("grace@example.com", "Wholesale", None)]
