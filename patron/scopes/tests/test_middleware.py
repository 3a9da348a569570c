import pytest

from patron.scopes import services
from patron.scopes.selectors import store_view_base_path
from patron.testing.fixtures import make_store_view, set_config


def test_root_serves_the_default_store_view(client, view_a):
    # when
    response = client.get("/")

    # then
    assert response.status_code == 200
    assert response.wsgi_request.store_view == view_a
    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()


def test_code_prefix_serves_that_store_view_in_its_language(client, view_b_de):
    # when
    response = client.get("/second_de/")

    # then
    assert response.status_code == 200
    assert response.wsgi_request.store_view == view_b_de
    assert response["Content-Language"] == "de"
    html = response.content.decode()
    assert '<html lang="de">' in html
    assert '<a class="site-name" href="/second_de/">' in html


def test_code_prefix_without_trailing_slash_is_served(client, view_b_de):
    # when
    response = client.get("/second_de")

    # then
    assert response.status_code == 200
    assert response.wsgi_request.store_view == view_b_de


def test_host_name_from_base_url_selects_its_store_view(client, view_a, view_b_de):
    # given
    set_config({"web/url/base_url": "http://shop-b.localhost/"}, store_view=view_b_de)

    # when
    on_shop_host = client.get("/", HTTP_HOST="shop-b.localhost")
    on_patron_host = client.get("/")

    # then
    assert on_shop_host.status_code == 200
    assert on_shop_host.wsgi_request.store_view == view_b_de
    assert on_shop_host["Content-Language"] == "de"
    assert on_patron_host.wsgi_request.store_view == view_a


def test_inactive_store_view_is_not_routable(client, view_a, view_b_de):
    # given
    set_config({"web/url/base_url": "http://shop-b.localhost/"}, store_view=view_b_de)
    services.save_store_view(store_view=view_b_de, is_active=False)
    services.invalidate_caches()

    # when
    by_code = client.get("/second_de/")
    by_host = client.get("/", HTTP_HOST="shop-b.localhost")

    # then
    assert by_code.status_code == 404
    assert by_host.status_code == 200
    assert by_host.wsgi_request.store_view == view_a


@pytest.mark.parametrize(
    ("path", "status"),
    [
        pytest.param("/admin/login/", 200, id="admin_case"),
        pytest.param("/api/v1/websites", 401, id="api_case"),
        pytest.param("/healthz", 200, id="healthz_case"),
    ],
)
def test_back_office_and_api_paths_are_never_prefixed(client, website_a, path, status):
    # given store views whose codes collide with those paths' first segment
    make_store_view(website_a, "admin", "de")
    make_store_view(website_a, "api", "fr")

    # when
    response = client.get(path)

    # then
    assert response.status_code == status
    assert response.wsgi_request.path == path
    assert response.wsgi_request.store_view.code == "default"


@pytest.mark.parametrize(
    "path",
    ["/second_de/admin/login/", "/second_de/api/v1/openapi.json", "/second_de/healthz"],
    ids=["admin_case", "api_case", "healthz_case"],
)
def test_back_office_and_api_are_not_served_under_a_store_prefix(client, view_b_de, path):
    # when
    response = client.get(path)

    # then
    assert response.status_code == 404


def test_base_path_of_each_store_view(view_a, view_b_de, view_b_fr):
    # given
    set_config({"web/url/base_url": "https://shop-fr.example.com/"}, store_view=view_b_fr)

    # when / then
    assert store_view_base_path(view_a) == "/"
    assert store_view_base_path(view_b_de) == "/second_de/"
    assert store_view_base_path(view_b_fr) == "/"
