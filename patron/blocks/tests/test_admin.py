"""Content > Dynamic Blocks in the back office: the grid with its filters, the edit page's
fields (spec c §11.5), saving through the services with problems shown on their fields, and
the model permissions."""

from html.parser import HTMLParser

import pytest

from patron.blocks.models import ContentBlock
from patron.blocks.tests.conftest import make_block, members_segment
from patron.testing.fixtures import make_staff_user, set_config

GRID = "/admin/blocks/contentblock/"
ADD = f"{GRID}add/"


class _Grid(HTMLParser):
    """The change list's header labels and cell texts, row by row."""

    def __init__(self):
        super().__init__()
        self.headers: list[str] = []
        self.rows: list[list[str]] = []
        self._cell: str | None = None
        self._in_head = False
        self._in_table = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == "result_list":
            self._in_table = True
        if not self._in_table:
            return
        if tag == "thead":
            self._in_head = True
        elif tag == "tr" and not self._in_head:
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_table = False
        elif tag == "thead":
            self._in_head = False
        elif tag in ("th", "td") and self._cell is not None:
            text = " ".join(self._cell.split())
            (self.headers if self._in_head else self.rows[-1]).append(text)
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell += data


def grid(response) -> _Grid:
    parser = _Grid()
    parser.feed(response.content.decode())
    parser.headers = [h for h in parser.headers if h]  # the action checkbox column is empty
    return parser


@pytest.fixture
def staff(db):
    return make_staff_user(
        permissions=[
            "blocks.view_contentblock", "blocks.add_contentblock",
            "blocks.change_contentblock", "blocks.delete_contentblock",
        ]
    )  # fmt: skip


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def test_the_grid_shows_the_blocks_columns(staff_client, view_a, ada):
    # given
    segment = members_segment(ada, name="Loyal")
    first = make_block("Welcome", segments=[segment])
    second = make_block("Footer note", type="footer", store_views=[view_a], is_enabled=False)

    # when
    page = grid(staff_client.get(GRID))

    # then
    assert page.headers == [
        "ID", "Dynamic Block Name", "Dynamic Block Type", "Store View", "Customer Segment",
        "Enable Dynamic Block",
    ]  # fmt: skip
    assert [row[:5] for row in page.rows] == [
        [str(first.pk), "Welcome", "Header", "All Store Views", "Loyal"],
        [str(second.pk), "Footer note", "Footer", view_a.name, "Everyone"],
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("type__exact=footer", ["Footer note"]),
        ("is_enabled__exact=0", ["Footer note"]),
        ("store_view=all", ["Welcome"]),
        ("q=welc", ["Welcome"]),
    ],
)
def test_the_grid_filters(staff_client, view_a, query, expected):
    # given
    make_block("Welcome")
    make_block("Footer note", type="footer", store_views=[view_a], is_enabled=False)

    # when
    page = grid(staff_client.get(f"{GRID}?{query}"))

    # then
    assert [row[1] for row in page.rows] == expected


def test_the_edit_page_has_the_fields_of_a_dynamic_block(staff_client, view_a, ada):
    # given
    members_segment(ada, name="Loyal")

    # when
    html = staff_client.get(ADD).content.decode()

    # then
    for label in (
        "Store View", "Enable Dynamic Block", "Dynamic Block Name", "Dynamic Block Type",
        "Customer Segment", "Content", "Sort order",
    ):  # fmt: skip
        assert f">{label}:</label>" in html or f">{label}</label>" in html, label
    assert '<option value="0">All Store Views</option>' in html
    assert 'type="checkbox" name="segments"' in html


def test_a_block_is_saved_through_the_services(staff_client, view_a, ada):
    # given
    segment = members_segment(ada)

    # when
    response = staff_client.post(
        ADD,
        {
            "store_views": [str(view_a.pk)], "is_enabled": "on", "name": "Spring",
            "type": "content", "segments": [str(segment.pk)],
            "html": "<p>Spring<script>x()</script></p>", "sort_order": "2",
        },
    )  # fmt: skip

    # then
    assert response.status_code == 302
    block = ContentBlock.objects.get()
    assert (block.name, block.type, block.html, block.sort_order) == (
        "Spring", "content", "<p>Spring</p>", 2,
    )  # fmt: skip
    assert (list(block.store_views.all()), list(block.segments.all())) == ([view_a], [segment])


def test_a_problem_is_shown_on_its_field_and_nothing_is_saved(staff_client, view_a):
    # when: All Store Views together with a store view
    response = staff_client.post(
        ADD,
        {"store_views": ["0", str(view_a.pk)], "name": "X", "type": "header", "sort_order": "0"},
    )

    # then
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors == {"store_views": ["Choose All Store Views or some store views, not both."]}
    assert ContentBlock.objects.count() == 0


def test_deleting_goes_through_the_services(staff_client, view_a):
    # given
    block = make_block("Gone")

    # when
    response = staff_client.post(f"{GRID}{block.pk}/delete/", {"post": "yes"})

    # then
    assert response.status_code == 302
    assert ContentBlock.objects.count() == 0


def test_the_segment_checklist_is_hidden_while_segments_are_off(staff_client, view_a, ada):
    # given
    segment = members_segment(ada)
    block = make_block("Targeted", segments=[segment])
    set_config({"customer/segments/enabled": False})

    # when: the page is shown and saved
    page = staff_client.get(f"{GRID}{block.pk}/change/").content.decode()
    staff_client.post(
        f"{GRID}{block.pk}/change/",
        {
            "store_views": ["0"],
            "is_enabled": "on",
            "name": "Renamed",
            "type": "header",
            "sort_order": "0",
        },
    )

    # then: the block keeps its segment
    assert 'name="segments"' not in page
    block.refresh_from_db()
    assert (block.name, list(block.segments.all())) == ("Renamed", [segment])


def test_staff_without_the_permission_cannot_open_the_grid(client, db):
    client.force_login(make_staff_user(permissions=["segments.view_segment"]))

    assert client.get(GRID).status_code == 403


def test_staff_limited_to_a_website_see_and_choose_only_its_store_views(
    client, staff, view_a, view_b, website_b
):
    # given
    from patron.staff.models import StaffProfile

    StaffProfile.objects.create(user=staff).websites.set([website_b])
    make_block("Everywhere")
    make_block("On A", store_views=[view_a])
    ours = make_block("On B", store_views=[view_b])
    client.force_login(staff)

    # when
    page = grid(client.get(GRID))
    form = client.get(ADD).context["adminform"].form
    other = client.get(f"{GRID}{ContentBlock.objects.get(name='On A').pk}/change/")

    # then
    assert [row[1] for row in page.rows] == [ours.name]
    assert form.fields["store_views"].choices == [
        (str(view_b.pk), f"Second Website / {view_b.name}")
    ]
    assert other.status_code == 302  # Django's answer to an object outside the queryset
