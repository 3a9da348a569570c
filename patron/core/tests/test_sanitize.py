from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.core.sanitize import DEFAULT_ATTRIBUTES, DEFAULT_TAGS, sanitize_html, strip_tags


class MarkupSeen(HTMLParser):
    """Collect every tag and attribute a browser would see in a fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str]] = set()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        for name, value in attrs:
            self.attributes.add((tag, name))
            if name in ("href", "src"):
                self.urls.append(value or "")

    handle_startendtag = handle_starttag


def markup_of(html: str) -> MarkupSeen:
    seen = MarkupSeen()
    seen.feed(html)
    seen.close()
    return seen


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        pytest.param(
            '<p onclick="steal()">Hi<script>alert(1)</script></p>', "<p>Hi</p>", id="script_case"
        ),
        pytest.param("<img src=x onerror=alert(1)>", '<img src="x">', id="on_attribute_case"),
        pytest.param(
            '<a href="javascript:alert(1)">x</a>',
            '<a rel="noopener noreferrer nofollow">x</a>',
            id="javascript_url_case",
        ),
        pytest.param(
            '<A HREF="JaVaScRiPt:alert(1)">x</A>',
            '<a rel="noopener noreferrer nofollow">x</a>',
            id="mixed_case_javascript_url_case",
        ),
        pytest.param("<style>p{color:red}</style><b>b</b>", "<b>b</b>", id="style_case"),
        pytest.param("<iframe src=//evil></iframe>text", "text", id="iframe_case"),
        pytest.param("<form><input name=q></form>", "", id="form_case"),
        pytest.param(
            '<a href="https://example.com" target="_blank">x</a>',
            '<a href="https://example.com" rel="noopener noreferrer nofollow">x</a>',
            id="safe_link_case",
        ),
        pytest.param('<td colspan="2" style="x">c</td>', "c", id="cell_outside_table_case"),
        pytest.param("", "", id="empty_case"),
    ],
)
def test_unsafe_markup_is_removed(dirty, clean):
    # when / then
    assert sanitize_html(dirty) == clean


def test_a_narrower_allow_list_is_honoured():
    # when
    html = sanitize_html(
        '<p><b>bold</b> <a href="https://example.com">x</a></p>', tags=frozenset({"p"})
    )

    # then
    assert html == "<p>bold x</p>"


def test_strip_tags_keeps_the_text_escaped():
    # when / then
    assert strip_tags("<b>a &amp; b</b><script>x()</script> <") == "a &amp; b &lt;"
    assert strip_tags("") == ""


FRAGMENTS = st.sampled_from(
    [
        "<script>", "</script>", "<style>", "<iframe ", "<svg", "<math>", "<object>", "<embed ",
        "<form>", "<input ", "<a ", "<img ", "<p>", "</p>", "<b>", "<table>", "<td ", "<base ",
        "<meta ", "<link ", "<!--", "-->", "<![CDATA[", "]]>", ">", "<", "/>", "</", '"', "'",
        "=", " ", "onclick=", "onerror=", "href=", "src=", "style=", "javascript:", "JaVaScRiPt:",
        "data:text/html,", "vbscript:", "&#106;", "&lt;", "alert(1)", "x", "\x00", "\n",
    ]
)  # fmt: skip
html_like = st.lists(st.one_of(FRAGMENTS, st.text(max_size=4)), max_size=30).map("".join)


@given(html_like)
def test_output_never_contains_anything_outside_the_allow_list(dirty):
    # when
    seen = markup_of(sanitize_html(dirty))

    # then
    assert seen.tags <= DEFAULT_TAGS
    assert all(name in DEFAULT_ATTRIBUTES.get(tag, set()) or (tag, name) == ("a", "rel")
               for tag, name in seen.attributes)  # fmt: skip
    assert not any(
        url.strip().lower().startswith(("javascript:", "vbscript:", "data:")) for url in seen.urls
    )
