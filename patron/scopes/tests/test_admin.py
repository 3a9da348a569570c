import pytest
from django.urls import reverse

from patron.scopes.forms import form_name, inherit_name
from patron.scopes.models import ConfigValue
from patron.testing.fixtures import make_staff_user, set_config

STREET_LINES = "customer/address/street_lines"
STREET_LINES_FIELD = form_name(STREET_LINES)
STREET_LINES_INHERIT = inherit_name(STREET_LINES)


def page_url(scope: str) -> str:
    return f"{reverse('admin:configuration', args=['customer'])}?scope={scope}"


def submitted(form, **changes):
    """Return what a browser posts for the unchanged ``form``, with ``changes`` applied.

    A checked "Use Default Value" box is sent as "on"; an unchecked one is left out.
    """
    data = {}
    for name, field in form.fields.items():
        if name.startswith("inherit__"):
            if field.initial:
                data[name] = "on"
        else:
            data[name] = field.initial
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def stored_rows():
    return sorted(ConfigValue.objects.values_list("path", "scope", "scope_id", "value"))


def test_superuser_sees_the_fields_of_a_website(client, superuser, website_b):
    # given
    set_config({STREET_LINES: 3})
    client.force_login(superuser)

    # when
    response = client.get(page_url(f"website:{website_b.pk}"))

    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert form.fields[STREET_LINES_FIELD].initial == "3"
    assert form.fields[STREET_LINES_INHERIT].initial is True
    assert form.fields[STREET_LINES_INHERIT].label == "Use Default Value"
    assert f'name="{STREET_LINES_FIELD}"' in response.content.decode()


def test_superuser_saves_a_website_value(client, superuser, website_b):
    # given
    client.force_login(superuser)
    url = page_url(f"website:{website_b.pk}")
    form = client.get(url).context["form"]

    # when
    response = client.post(
        url, submitted(form, **{STREET_LINES_FIELD: "3", STREET_LINES_INHERIT: None})
    )

    # then
    assert response.status_code == 302
    assert response["Location"] == url
    assert stored_rows() == [(STREET_LINES, "website", website_b.pk, 3)]


def test_invalid_value_shows_a_field_error_and_stores_nothing(client, superuser, website_b):
    # given
    client.force_login(superuser)
    url = page_url(f"website:{website_b.pk}")
    form = client.get(url).context["form"]

    # when
    response = client.post(
        url, submitted(form, **{STREET_LINES_FIELD: "5", STREET_LINES_INHERIT: None})
    )

    # then
    assert response.status_code == 200
    assert response.context["form"].errors == {
        STREET_LINES_FIELD: [
            "Number of Lines in a Street Address: Enter a number no greater than 4."
        ]
    }
    assert stored_rows() == []


def test_use_default_value_removes_the_website_value(client, superuser, website_b):
    # given
    set_config({STREET_LINES: 3}, website=website_b)
    client.force_login(superuser)
    url = page_url(f"website:{website_b.pk}")
    form = client.get(url).context["form"]
    assert form.fields[STREET_LINES_INHERIT].initial is False

    # when
    response = client.post(url, submitted(form, **{STREET_LINES_INHERIT: "on"}))

    # then
    assert response.status_code == 302
    assert stored_rows() == []


def test_name_and_address_options_are_not_offered_for_a_store_view(client, superuser, view_b_de):
    # given
    client.force_login(superuser)

    # when
    response = client.get(page_url(f"store_view:{view_b_de.pk}"))

    # then
    assert response.status_code == 200
    form = response.context["form"]
    assert STREET_LINES_FIELD not in form.fields
    assert "customer/address" not in [group.code for group, _rows in form.groups]
    assert (
        form.fields[inherit_name("customer/create_account/email_template")].label == "Use Website"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        pytest.param("anonymous", 302, id="anonymous_case"),
        pytest.param("staff_without_permissions", 403, id="staff_without_view_case"),
        pytest.param("staff_who_may_only_view", 403, id="staff_without_change_case"),
    ],
)
def test_saving_needs_the_change_permission(client, website_b, who, status):
    # given
    permissions = {
        "anonymous": None,
        "staff_without_permissions": [],
        "staff_who_may_only_view": ["scopes.view_configvalue"],
    }[who]
    if permissions is not None:
        client.force_login(make_staff_user("clerk", permissions=permissions))
    url = page_url(f"website:{website_b.pk}")

    # when
    response = client.post(url, {STREET_LINES_FIELD: "3"})

    # then
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("admin:login"))
    assert stored_rows() == []


def test_staff_who_may_only_view_sees_the_page_without_a_save_button(client, website_b):
    # given
    client.force_login(make_staff_user("clerk", permissions=["scopes.view_configvalue"]))

    # when
    response = client.get(page_url(f"website:{website_b.pk}"))

    # then
    assert response.status_code == 200
    assert response.context["can_change"] is False
    assert "Save Config" not in response.content.decode()


@pytest.mark.parametrize(
    "scope",
    ["website:999999", "store_view:999999", "planet:1", "website:abc"],
    ids=["missing_website_case", "missing_view_case", "unknown_kind_case", "bad_id_case"],
)
def test_unknown_scope_is_not_found(client, superuser, scope):
    # given
    client.force_login(superuser)

    # when
    response = client.get(page_url(scope))

    # then
    assert response.status_code == 404
