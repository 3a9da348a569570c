"""Address templates (spec b §6, checks 23-26): parsing, the four formats, scopes and safety."""

from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.template import Context, Template
from hypothesis import given
from hypothesis import strategies as st

from patron.core.actors import SYSTEM
from patron.core.errors import InvalidInput
from patron.customers.address_format import (
    HTML_TAGS,
    parse_template,
    render_address,
    render_template,
    validate_template_setting,
)
from patron.customers.models import Address
from patron.scopes import fields as defaults
from patron.scopes.models import ConfigValue, Scope
from patron.scopes.services import invalidate_caches, save_config
from patron.testing.fixtures import (
    default_store_view,
    default_website,
    make_store_view,
    make_website,
)

HTML = "customer/address_templates/html"
TEXT = "customer/address_templates/text"
FULL = {
    "prefix": "Dr.",
    "firstname": "Ada",
    "middlename": "B.",
    "lastname": "Lovelace",
    "suffix": "Jr.",
    "company": "Analytical Engines Ltd",
    "street": ["12 Analytical Row", "Flat 3", "Building C", "Floor 2"],
    "city": "Boston",
    "region": "Massachusetts",
    "region_code": "MA",
    "postcode": "02108",
    "country_id": "US",
    "telephone": "+1 617 555 0100",
    "fax": "+1 617 555 0101",
    "vat_id": "GB123456789",
}
PLAIN = {
    "firstname": "John",
    "lastname": "Smith",
    "street": ["Green str, 67"],
    "city": "CityM",
    "region": "Alabama",
    "postcode": "75477",
    "country_id": "US",
    "telephone": "3468676",
}


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The configuration snapshot lives in the shared cache.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def view_a(db):
    return default_store_view()


@pytest.fixture
def view_b(db):
    website = make_website("second", name="Second Website")
    return make_store_view(website, "second_en", "en", name="Second English", is_default=True)


def address(**fields) -> Address:
    return Address(**{**FULL, **fields})


def save_templates(values: dict[str, str], *, store_view=None) -> None:
    if store_view is None:
        save_config(scope=Scope.DEFAULT, scope_id=0, values=values, actor=SYSTEM)
    else:
        save_config(scope=Scope.STORE_VIEW, scope_id=store_view.pk, values=values, actor=SYSTEM)
    invalidate_caches()


# --- Spec checks 23-26 --------------------------------------------------------------------------


def test_empty_middle_name_and_no_company_leave_no_gap_in_text(view_a):
    # given
    ada = address(prefix="", middlename="", suffix="", company="", street=["12 Analytical Row"])

    # when
    text = render_address(ada, "text", store_view=view_a)

    # then
    assert text == (
        "Ada Lovelace\n"
        "12 Analytical Row\n"
        "Boston,  Massachusetts, 02108\n"
        "United States\n"
        "T: +1 617 555 0100\n"
        "F: +1 617 555 0101\n"
        "VAT: GB123456789"
    )


def test_pdf_lines_are_separated_by_bars(view_a):
    # given
    john = Address(**PLAIN)

    # when
    pdf = render_address(john, "pdf", store_view=view_a)

    # then
    assert pdf == "John Smith|Green str, 67|CityM, Alabama, 75477|United States|T: 3468676"


def test_html_links_the_telephone(view_a):
    # given
    john = Address(**PLAIN)

    # when
    html = render_address(john, "html", store_view=view_a)

    # then
    assert html == (
        "John Smith<br>\n"
        "Green str, 67<br>\n"
        "CityM,  Alabama, 75477<br>\n"
        "United States<br>\n"
        'T: <a href="tel:3468676">3468676</a>'
    )


def test_custom_attribute_is_printed_in_html(view_a):
    # given
    save_templates({HTML: "{{var lastname}}<br />Gate: {{var my_code}}"})
    ada = address(custom_attributes={"my_code": "North 4"})

    # when
    html = render_address(ada, "html", store_view=view_a)

    # then
    assert html == "Lovelace<br>Gate: North 4"


@pytest.mark.parametrize(
    ("custom_attributes", "expected"),
    [
        pytest.param({"my_code": ""}, "Lovelace", id="empty_case"),
        pytest.param({}, "Lovelace", id="missing_case"),
        pytest.param({"my_code": "North 4"}, "Lovelace<br>Gate: North 4", id="set_case"),
    ],
)
def test_depend_on_custom_attribute_omits_content_when_empty(view_a, custom_attributes, expected):
    # given
    save_templates(
        {HTML: "{{var lastname}}{{depend my_code}}<br />Gate: {{var my_code}}{{/depend}}"}
    )
    ada = address(custom_attributes=custom_attributes)

    # when
    html = render_address(ada, "html", store_view=view_a)

    # then
    assert html == expected


def test_template_saved_for_one_store_view_changes_only_that_view(view_a, view_b):
    # given
    save_templates({TEXT: "{{var lastname}}, {{var firstname}}"}, store_view=view_b)
    ada = address()

    # when
    in_view_b = render_address(ada, "text", store_view=view_b)
    in_view_a = render_address(ada, "text", store_view=view_a)
    in_default_scope = render_address(ada, "text")

    # then
    assert in_view_b == "Lovelace, Ada"
    assert in_view_a.startswith("Dr. Ada B. Lovelace Jr.\nAnalytical Engines Ltd\n")
    assert in_default_scope == in_view_a


# --- Default templates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param(
            "text",
            "Dr. Ada B. Lovelace Jr.\n"
            "Analytical Engines Ltd\n"
            "12 Analytical Row\n"
            "Flat 3\n"
            "Building C\n"
            "Floor 2\n"
            "Boston,  Massachusetts, 02108\n"
            "United States\n"
            "T: +1 617 555 0100\n"
            "F: +1 617 555 0101\n"
            "VAT: GB123456789",
            id="text_case",
        ),
        pytest.param(
            "oneline",
            "Dr. Ada B. Lovelace Jr., 12 Analytical Row, Flat 3, Building C, Floor 2, Boston, "
            "Massachusetts 02108, United States",
            id="oneline_case",
        ),
        pytest.param(
            "html",
            "Dr. Ada B. Lovelace Jr.<br>\n"
            "Analytical Engines Ltd<br>\n"
            "12 Analytical Row<br>\n"
            "Flat 3<br>\n"
            "Building C<br>\n"
            "Floor 2<br>\n"
            "Boston,  Massachusetts, 02108<br>\n"
            "United States<br>\n"
            'T: <a href="tel:+1 617 555 0100">+1 617 555 0100</a>\n'
            "<br>F: +1 617 555 0101\n"
            "<br>VAT: GB123456789",
            id="html_case",
        ),
        pytest.param(
            "pdf",
            "Dr. Ada B. Lovelace Jr.|Analytical Engines Ltd|12 Analytical Row|Flat 3|Building C|"
            "Floor 2|Boston, Massachusetts, 02108|United States|T: +1 617 555 0100|"
            "F: +1 617 555 0101|VAT: GB123456789",
            id="pdf_case",
        ),
    ],
)
def test_default_template_renders_a_full_address(view_a, fmt, expected):
    # when
    rendered = render_address(address(), fmt, store_view=view_a)

    # then
    assert rendered == expected


def test_country_is_named_in_the_store_views_language(db):
    # given
    german = make_store_view(default_website(), "german", "de")

    # when
    oneline = render_address(address(), "oneline", store_view=german)

    # then
    assert oneline.endswith(", Vereinigte Staaten")


def test_snapshot_values_render_without_an_address(view_a):
    # given
    snapshot = {**PLAIN, "street": "Green str, 67\nBack door", "custom_attributes": {"gate": "4"}}

    # when
    text = render_template(
        "{{var street2}}|{{var street}}|{{var gate}}",
        "pdf",
        {"street2": "Back door", "street": "Green str, 67, Back door", "gate": "4"},
    )
    oneline = render_address(None, "oneline", store_view=view_a, values=snapshot)

    # then
    assert text == "Back door|Green str, 67, Back door|4"
    assert oneline == "John Smith, Green str, 67, Back door, CityM, Alabama 75477, United States"


def test_stored_template_that_no_longer_parses_falls_back_to_the_default(view_a):
    # given: written before templates were validated
    ConfigValue.objects.create(path=TEXT, scope=Scope.DEFAULT, scope_id=0, value="{{if city}}")
    invalidate_caches()

    # when
    text = render_address(Address(**PLAIN), "text", store_view=view_a)

    # then
    assert text == "John Smith\nGreen str, 67\nCityM,  Alabama, 75477\nUnited States\nT: 3468676"


# --- Syntax -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({"company": "Acme"}, "Firm: Acme", id="set_case"),
        pytest.param({"company": ""}, "Private", id="empty_case"),
        pytest.param({"company": "   "}, "Private", id="blank_case"),
    ],
)
def test_if_else_picks_the_branch_by_the_value(values, expected):
    # when
    text = render_template(
        "{{if company}}Firm: {{var company}}{{else}}Private{{/if}}", "text", values
    )

    # then
    assert text == expected


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        pytest.param({"company": "Acme", "vat_id": "GB1"}, "Acme (VAT GB1)", id="both_case"),
        pytest.param({"company": "Acme", "vat_id": ""}, "Acme (no VAT)", id="no_vat_case"),
        pytest.param({"company": "", "vat_id": "GB1"}, "", id="no_company_case"),
    ],
)
def test_nested_blocks_follow_each_value(values, expected):
    # given
    template = (
        "{{depend company}}{{var company}} ({{if vat_id}}VAT {{var vat_id}}{{else}}no VAT{{/if}})"
        "{{/depend}}"
    )

    # when
    text = render_template(template, "text", values)

    # then
    assert text == expected


def test_whitespace_and_case_inside_braces_are_tolerated():
    # when
    text = render_template(
        "{{ DEPEND  company }}{{ var  company }}{{ / depend }} {{ var\tlastname }}",
        "text",
        {"company": "Acme", "lastname": "Lovelace"},
    )

    # then
    assert text == "Acme Lovelace"


def test_windows_line_breaks_separate_lines_once():
    # when
    text = render_template("{{var firstname}}\r\n\r\n{{var lastname}}\r\n", "text", FULL)

    # then
    assert text == "Ada\nLovelace"


def test_line_breaks_inside_values_never_add_lines():
    # when
    text = render_template(
        "{{var company}}\n{{var city}}", "text", {"company": "A\nB", "city": "C"}
    )
    pdf = render_template("{{var company}}|{{var city}}", "pdf", {"company": "A\r\nB", "city": "C"})

    # then
    assert text == "A B\nC"
    assert pdf == "A B|C"


@pytest.mark.parametrize("fmt", ["text", "oneline", "html", "pdf"])
def test_value_that_looks_like_a_directive_is_printed_literally(fmt):
    # when
    rendered = render_template(
        "{{var company}}", fmt, {"company": "{{var firstname}}", "firstname": "Ada"}
    )

    # then
    assert rendered == "{{var firstname}}"


def test_html_escapes_values_and_drops_disallowed_markup():
    # given
    template = (
        '<script>steal()</script><p class="x" onclick="y">{{var company}}</p>'
        '<a href="https://evil.example">web</a><a href="//evil.example/x">relative</a>'
        '<a href="mailto:{{var email}}">mail</a>'
        "<img src=x onerror=alert(1)><ul><li><strong>ok</strong></li></ul>"
    )
    values = {"company": '<b>Acme</b> & "Sons"', "email": 'a@example.com" onclick="x'}

    # when
    html = render_template(template, "html", values)

    # then
    assert html == (
        '<p>&lt;b&gt;Acme&lt;/b&gt; &amp; "Sons"</p><a>web</a><a>relative</a>'
        '<a href="mailto:a@example.com&quot; onclick=&quot;x">mail</a>'
        "<ul><li><strong>ok</strong></li></ul>"
    )


# --- Errors -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "message"),
    [
        pytest.param(
            "{{var firstname}}\n  {{foo bar}}",
            "Line 2, column 3: unknown directive “foo”; expected var, depend, if, else, /depend "
            "or /if.",
            id="unknown_directive_case",
        ),
        pytest.param(
            "A\n{{depend company}}{{var company}}",
            "Line 2, column 1: “{{depend company}}” is not closed; expected “{{/depend}}” before "
            "the end of the template.",
            id="unclosed_depend_case",
        ),
        pytest.param(
            "{{if city}}\n{{if region}}{{var region}}{{/if}}",
            "Line 1, column 1: “{{if city}}” is not closed; expected “{{/if}}” before the end of "
            "the template.",
            id="unclosed_if_case",
        ),
        pytest.param(
            "{{var city}}{{/if}}",
            "Line 1, column 13: “{{/if}}” has no matching “{{if}}”.",
            id="stray_close_case",
        ),
        pytest.param(
            "{{depend fax}}\nF: {{var fax}}{{/if}}",
            "Line 2, column 15: expected “{{/depend}}” to close “{{depend fax}}” from line 1, "
            "column 1, found “{{/if}}”.",
            id="mismatched_close_case",
        ),
        pytest.param(
            "{{var city}}\n\n{{else}}",
            "Line 3, column 1: “{{else}}” is only allowed inside “{{if}}”.",
            id="else_outside_if_case",
        ),
        pytest.param(
            "{{depend fax}}{{else}}{{/depend}}",
            "Line 1, column 15: “{{else}}” is only allowed inside “{{if}}”.",
            id="else_in_depend_case",
        ),
        pytest.param(
            "{{if fax}}a{{else}}b{{else}}c{{/if}}",
            "Line 1, column 21: “{{if fax}}” already has an “{{else}}”.",
            id="second_else_case",
        ),
        pytest.param(
            "T: {{var telephone",
            "Line 1, column 4: “{{” is not closed; expected “}}”.",
            id="unclosed_braces_case",
        ),
        pytest.param(
            "{{var city {{var region}}",
            "Line 1, column 1: “{{” is not closed; expected “}}”.",
            id="braces_reopened_case",
        ),
        pytest.param(
            "{var city}}",
            "Line 1, column 10: “}}” has no opening “{{”.",
            id="stray_closing_braces_case",
        ),
        pytest.param(
            "x {{ }}",
            "Line 1, column 3: expected a directive: var, depend, if, else, /depend or /if.",
            id="empty_braces_case",
        ),
        pytest.param(
            "{{var First Name}}",
            "Line 1, column 1: expected one field code (lowercase letters, digits and "
            "underscores) after “var”, as in “{{var firstname}}”.",
            id="bad_code_case",
        ),
        pytest.param(
            "{{if city}}x{{/if city}}",
            "Line 1, column 13: expected “}}” right after “/if”.",
            id="argument_on_close_case",
        ),
        pytest.param(
            "{{layout handle=x}}",
            "Line 1, column 1: unknown directive “layout”; expected var, depend, if, else, "
            "/depend or /if.",
            id="magento_only_directive_case",
        ),
        pytest.param(
            "{{depend a}}" * 17,
            "Line 1, column 193: blocks are nested more than 16 deep.",
            id="too_deep_case",
        ),
    ],
)
def test_parse_error_names_line_and_column(template, message):
    # when
    with pytest.raises(InvalidInput) as error:
        parse_template(template)

    # then
    assert error.value.code == "invalid_address_template"
    assert str(error.value.message) == message


def test_validator_refuses_invalid_template_with_its_position():
    # when
    with pytest.raises(ValidationError) as error:
        validate_template_setting("{{depend company}}{{var company}}\n{{/if}}")

    # then
    assert error.value.code == "invalid_address_template"
    assert error.value.messages == [
        "Line 2, column 1: expected “{{/depend}}” to close “{{depend company}}” from line 1, "
        "column 1, found “{{/if}}”."
    ]


def test_saving_an_invalid_template_is_refused_and_nothing_is_stored(view_a):
    # when
    with pytest.raises(InvalidInput) as error:
        save_config(
            scope=Scope.STORE_VIEW,
            scope_id=view_a.pk,
            values={HTML: "{{var lastname}}<br />\n{{depend company}}{{var company}}"},
            actor=SYSTEM,
        )

    # then
    assert error.value.code == "invalid_address_template"
    assert error.value.field == HTML
    assert str(error.value.message) == (
        "HTML: Line 2, column 1: “{{depend company}}” is not closed; expected “{{/depend}}” "
        "before the end of the template."
    )
    assert not ConfigValue.objects.filter(path=HTML).exists()


def test_every_default_template_is_valid():
    # when
    trees = [
        parse_template(template)
        for template in (
            defaults.DEFAULT_TEXT_TEMPLATE,
            defaults.DEFAULT_ONELINE_TEMPLATE,
            defaults.DEFAULT_HTML_TEMPLATE,
            defaults.DEFAULT_PDF_TEMPLATE,
        )
    ]

    # then
    assert all(trees)


# --- Template tags ------------------------------------------------------------------------------


def test_address_html_tag_uses_the_store_view_in_context(view_a, view_b):
    # given
    save_templates({HTML: "<em>{{var lastname}}</em>"}, store_view=view_b)
    page = Template("{% load addresses %}{% address_html address %}")

    # when
    in_view_b = page.render(Context({"address": address(), "store_view": view_b}))
    in_view_a = page.render(Context({"address": Address(**PLAIN), "store_view": view_a}))

    # then
    assert in_view_b == "<em>Lovelace</em>"
    assert in_view_a.endswith('T: <a href="tel:3468676">3468676</a>')


def test_address_oneline_tag_is_escaped_by_the_page(view_a):
    # given
    page = Template("{% load addresses %}{% address_oneline address %}")
    ada = address(prefix="", middlename="", suffix="", company="<b>", firstname="Ada & Co")

    # when
    rendered = page.render(Context({"address": ada}))

    # then
    assert rendered == (
        "Ada &amp; Co Lovelace, 12 Analytical Row, Flat 3, Building C, Floor 2, Boston, "
        "Massachusetts 02108, United States"
    )


# --- Properties ---------------------------------------------------------------------------------


class MarkupSeen(HTMLParser):
    """Collect every tag and attribute a browser would see in a fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attributes: set[tuple[str, str, str]] = set()

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attributes.update((tag, name, value or "") for name, value in attrs)

    handle_startendtag = handle_starttag


CODES = ["firstname", "lastname", "company", "telephone", "my_code"]
NASTY_TEXT = st.text(
    alphabet=st.sampled_from([*"<>&\"'/=:{}| \n\tabAé€😀", "\u00a0", "\x00", "\u2028", "\ud800"]),
    max_size=12,
)
VALUE = st.one_of(
    NASTY_TEXT,
    st.sampled_from(
        [
            "",
            "<script>alert(1)</script>",
            '" onclick="alert(1)',
            "javascript:alert(1)",
            "{{var firstname}}",
            "}}{{",
            "&amp; &lt;",
            "</a><img src=x onerror=y>",
            "<b>bold</b>",
            "<br />",
            '<a href="tel:1">call</a>',
            "<p>",
        ]
    ),
)
LITERAL = st.one_of(
    st.sampled_from(
        [
            "<br />",
            "<b>",
            "</b>",
            "<p>",
            "\n",
            "|",
            ", ",
            "<script>",
            "</script>",
            "<style>",
            "<img src=x onerror=alert(1)>",
            '<a href="tel:',
            '<a href="javascript:',
            '<a href="',
            '<a href="https://x" onclick="y">',
            '">',
            "</a>",
            "<textarea>",
            "<xmp>",
            "<noscript>",
            "<!--",
            "-->",
            "<svg><a xlink:href=x>",
            "<math>",
            "<table><tr><td>",
            "<iframe srcdoc='<b>'>",
            "=",
            "'",
            '"',
        ]
    ),
    NASTY_TEXT.filter(
        lambda text: (
            "{{" not in text
            and "}}" not in text
            and not text.endswith("{")
            and not text.startswith("}")
        )
    ),
)


def _directive_templates():
    code = st.sampled_from(CODES)
    leaf = st.one_of(LITERAL, code.map(lambda name: f"{{{{var {name}}}}}"))

    def blocks(inner):
        body = st.lists(inner, max_size=4).map("".join)
        return st.one_of(
            st.tuples(code, body).map(lambda t: f"{{{{depend {t[0]}}}}}{t[1]}{{{{/depend}}}}"),
            st.tuples(code, body, body).map(
                lambda t: f"{{{{if {t[0]}}}}}{t[1]}{{{{else}}}}{t[2]}{{{{/if}}}}"
            ),
        )

    return st.lists(st.recursive(leaf, blocks, max_leaves=12), max_size=8).map("".join)


TEMPLATES = _directive_templates()


def _parses(template: str) -> bool:
    try:
        parse_template(template)
    except InvalidInput:
        return False
    return True


@given(
    template=TEMPLATES.filter(_parses),
    values=st.fixed_dictionaries({code: VALUE for code in CODES}),
)
def test_html_never_contains_markup_outside_the_allow_list(template, values):
    # when
    html = render_template(template, "html", values)

    # then
    seen = MarkupSeen()
    seen.feed(html)
    seen.close()
    assert seen.tags <= HTML_TAGS
    for tag, name, value in seen.attributes:
        assert (tag, name) == ("a", "href")
        assert value.strip().lower().startswith(("tel:", "mailto:"))


class TagsSeen(HTMLParser):
    """Record the sequence of start and end tags, ignoring text and attribute values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_endtag(self, tag):
        self.tags.append("/" + tag)


def tags_of(html: str) -> list[str]:
    seen = TagsSeen()
    seen.feed(html)
    seen.close()
    return seen.tags


@given(
    template=TEMPLATES.filter(_parses),
    values=st.fixed_dictionaries({code: VALUE for code in CODES}),
)
def test_values_never_change_the_html_markup(template, values):
    # given: the same template with harmless values that are empty exactly where these are
    harmless = {code: "x" if value.strip() else "" for code, value in values.items()}

    # when
    html = render_template(template, "html", values)
    reference = render_template(template, "html", harmless)

    # then
    assert tags_of(html) == tags_of(reference)


@pytest.mark.parametrize("value", ["b", "script", "!--", "/p", "a href=tel:1"])
def test_value_in_a_tag_position_stays_text(value):
    # when
    html = render_template("<{{var company}}>bold</b>", "html", {"company": value})

    # then
    assert tags_of(html) == []


@given(
    fields=st.fixed_dictionaries(
        {
            "prefix": VALUE,
            "firstname": VALUE,
            "middlename": VALUE,
            "lastname": VALUE,
            "company": VALUE,
            "city": VALUE,
            "region": VALUE,
            "postcode": VALUE,
            "country_id": st.one_of(st.sampled_from(["US", "DE", "", "ZZ", "u"]), NASTY_TEXT),
            "telephone": VALUE,
            "vat_id": VALUE,
            "street": st.one_of(st.lists(VALUE, max_size=6), VALUE, st.none()),
            "custom_attributes": st.dictionaries(
                st.one_of(st.sampled_from(CODES), NASTY_TEXT),
                st.one_of(VALUE, st.integers(), st.booleans(), st.none(), st.lists(VALUE)),
                max_size=3,
            ),
        }
    )
)
def test_rendering_any_address_never_raises_or_leaks_markup(view_a, fields):
    # given
    any_address = Address(**fields)

    # when
    rendered = {fmt: render_address(any_address, fmt) for fmt in ("text", "oneline", "html", "pdf")}

    # then
    seen = MarkupSeen()
    seen.feed(rendered["html"])
    seen.close()
    assert seen.tags <= {"br", "a"}
    assert {(tag, name) for tag, name, _value in seen.attributes} <= {("a", "href")}
    assert "\n" not in rendered["oneline"]
    assert "" not in rendered["text"].split("\n") or rendered["text"] == ""
