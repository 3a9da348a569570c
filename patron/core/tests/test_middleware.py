import pytest
from django.conf import settings

from patron.staff.models import StaffProfile
from patron.testing.fixtures import make_staff_user


@pytest.mark.parametrize(
    ("path", "policy"),
    [
        pytest.param("/", "CONTENT_SECURITY_POLICY", id="shop_page_case"),
        pytest.param("/second_de/", "CONTENT_SECURITY_POLICY", id="prefixed_shop_page_case"),
        pytest.param("/no/such/page/", "CONTENT_SECURITY_POLICY", id="not_found_case"),
        pytest.param("/healthz", "CONTENT_SECURITY_POLICY", id="health_case"),
        pytest.param("/api/v1/websites", "CONTENT_SECURITY_POLICY", id="api_case"),
        pytest.param("/admin/login/", "CONTENT_SECURITY_POLICY_ADMIN", id="admin_case"),
        pytest.param("/api/v1/docs", "CONTENT_SECURITY_POLICY_ADMIN", id="api_docs_case"),
    ],
)
def test_every_response_carries_a_content_security_policy(client, view_b_de, path, policy):
    # when
    response = client.get(path)

    # then
    assert response["Content-Security-Policy"] == getattr(settings, policy)


def test_shop_policy_allows_no_inline_script():
    # then
    assert "script-src 'self';" in settings.CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in settings.CONTENT_SECURITY_POLICY


def test_back_office_speaks_the_staff_members_language(client, db):
    # given
    clerk = make_staff_user("clerk", superuser=True)
    StaffProfile.objects.create(user=clerk, language="fr")
    client.force_login(clerk)

    # when
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="de")

    # then
    assert response.status_code == 200
    assert response["Content-Language"] == "fr"


def test_back_office_follows_the_browser_without_a_chosen_language(client, db):
    # given
    client.force_login(make_staff_user("clerk", superuser=True))

    # when
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="de")

    # then
    assert response["Content-Language"] == "de"
    assert "Accept-Language" in response["Vary"]


def test_api_speaks_the_language_of_the_store_header(client, view_b_de):
    # when
    response = client.get(
        "/api/v1/websites", HTTP_X_PATRON_STORE="second_de", HTTP_ACCEPT_LANGUAGE="fr"
    )

    # then
    assert response["Content-Language"] == "de"
