"""``{% content_blocks %}`` on Patron's shopper pages: the header, content area and footer of
``shop/base.html`` show the blocks of the request's store view and shopper (a signed-in
customer; guests as anonymous, since the pages do not know a visitor id)."""

from html.parser import HTMLParser

import pytest
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test.utils import CaptureQueriesContext

from patron.blocks.models import BlockType
from patron.blocks.tests.conftest import make_block, members_segment
from patron.dashboard.tests.factories import signed_in

HOME = "/"


class _Blocks(HTMLParser):
    """(enclosing landmark, placement, block text) of every block on a page."""

    def __init__(self):
        super().__init__()
        self.landmarks: list[str] = []
        self.placement: str | None = None
        self.depth = 0
        self.found: list[tuple[str, str, str]] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("header", "main", "footer"):
            self.landmarks.append(tag)
        classes = (attrs.get("class") or "").split()
        if "content-blocks" in classes:
            self.placement = next(c for c in classes if c.startswith("content-blocks-"))[15:]
        if "content-block" in classes:
            self.depth, self.text = 1, ""
        elif self.depth and tag not in ("img", "br", "hr"):
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("header", "main", "footer"):
            self.landmarks.pop()
        if self.depth:
            self.depth -= 1
            if not self.depth:
                self.found.append((self.landmarks[-1], self.placement, self.text.strip()))

    def handle_data(self, data):
        if self.depth:
            self.text += data


def blocks_on(response) -> list[tuple[str, str, str]]:
    parser = _Blocks()
    parser.feed(response.content.decode())
    return parser.found


def test_a_guest_sees_the_blocks_for_everyone_in_their_places(client, view_a, ada):
    # given
    make_block("Top", html="<p>Top news</p>")
    make_block("Middle", type=BlockType.CONTENT, html="<p>Middle part</p>")
    make_block("Bottom", type=BlockType.FOOTER, html="<p>Bottom line</p>")
    make_block("For S", type=BlockType.CONTENT, segments=[members_segment(ada)], html="<p>S</p>")

    # when
    response = client.get(HOME)

    # then
    assert response.status_code == 200
    assert blocks_on(response) == [
        ("header", "header", "Top news"),
        ("main", "content", "Middle part"),
        ("footer", "footer", "Bottom line"),
    ]


def test_a_signed_in_member_sees_the_blocks_of_their_segment(client, view_a, ada, bob):
    # given
    make_block("For S", type=BlockType.CONTENT, segments=[members_segment(ada)], html="<p>S</p>")

    # when
    member = signed_in(client, ada).get(HOME)
    client.logout()
    other = signed_in(client, bob).get(HOME)

    # then
    assert blocks_on(member) == [("main", "content", "S")]
    assert blocks_on(other) == []


def test_the_html_shown_is_the_sanitized_html(client, view_a):
    # given
    make_block("Top", html='<p onmouseover="x()">Safe<script>alert(1)</script></p>')

    # when
    response = client.get(HOME)

    # then
    html = response.content.decode()
    assert '<div class="content-block" data-block-id' in html
    assert "<p>Safe</p>" in html
    assert "alert(1)" not in html
    assert "onmouseover" not in html


def test_a_page_without_blocks_has_no_block_markup(client, view_a):
    response = client.get(HOME)

    assert "content-blocks" not in response.content.decode()


def test_a_page_reads_its_blocks_once_for_every_placement(client, view_a, ada):
    # given
    make_block("Top")
    make_block("For S", type=BlockType.FOOTER, segments=[members_segment(ada)])
    signed_in(client, ada)
    client.get(HOME)  # fills the caches (configuration, placements in use)

    # when
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)

    # then: one read of the memberships and one of the blocks, for three placements
    assert [placement for _, placement, _ in blocks_on(response)] == ["header", "footer"]
    block_reads = [q["sql"] for q in queries.captured_queries if '"blocks_' in q["sql"]]
    assert len(block_reads) == 1


def test_an_unknown_placement_is_a_template_error(rf, view_a):
    with pytest.raises(TemplateSyntaxError):
        Template('{% load blocks %}{% content_blocks "sidebar" %}').render(
            Context({"request": rf.get("/")})
        )


def test_outside_a_shopper_page_the_tag_renders_nothing(rf, view_a):
    # given: a request without a store view (the back office)
    make_block("Top")
    request = rf.get("/admin/")
    request.store_view = None

    # when
    rendered = Template('{% load blocks %}{% content_blocks "header" %}').render(
        Context({"request": request})
    )

    # then
    assert rendered == ""
