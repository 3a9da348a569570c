"""System > Data Transfer > Import in Chromium (issue 15): a staff administrator uploads a
Customers and Addresses file in Magento's layout, runs Check Data, reads the problems by row,
column and reason with the counts, then imports a valid file and follows its job page to the
end. axe-core runs on every page visited.
"""

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import Page, expect

from patron.core.actors import Actor
from patron.customers.models import Address, Customer
from patron.customers.services import check_customer_password
from patron.transfer import layouts, services
from patron.transfer.models import Import, ImportState
from tests.browser.conftest import STAFF_PASSWORD, log_in_to_admin

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PAGE = "/admin/transfer/import/add/"
COMPOSITE = "Customers and Addresses (single file)"
HEADER = (
    "email,_website,_store,firstname,lastname,password_hash,_address_firstname,"
    "_address_lastname,_address_street,_address_city,_address_region,_address_country_id,"
    "_address_postcode,_address_telephone,_address_default_billing_,_address_default_shipping_"
)
# Magento's legacy sha256 "hash:salt" hashes from its own test files; the password is 123123q.
ADA_HASH = "6a9c9bfb2ba88a6ad2a64e7402df44a763e0c48cd21d7af9e7e796cd4677ee28:RF"
GRACE_HASH = "7ad6dbdc83d3e9f598825dc58b84678c7351e4281f6bc2b277a32dcd88b9756b:pz"
# Row 1 is a customer with an address, row 2 adds a second address to her, row 3 names a
# website Patron does not have.
BAD_FILE = "\n".join([
    HEADER,
    f"ada@example.com,base,default,Ada,Lovelace,{ADA_HASH},Ada,Lovelace,1 Main Street,Boston,"
    "Massachusetts,US,02108,617-555-0100,1,1",
    ",,,,,,Ada,Lovelace,2 Side Street,Cambridge,Massachusetts,US,02139,617-555-0101,,",
    "bob@example.com,nowhere,default,Bob,Builder,,Bob,Builder,3 High Street,Austin,Texas,US,"
    "73301,512-555-0102,1,1",
]).encode()  # fmt: skip
GOOD_FILE = "\n".join([
    HEADER,
    f"ada@example.com,base,default,Ada,Lovelace,{ADA_HASH},Ada,Lovelace,1 Main Street,Boston,"
    "Massachusetts,US,02108,617-555-0100,1,0",
    ",,,,,,Ada,Lovelace,2 Side Street,Cambridge,Massachusetts,US,02139,617-555-0101,0,1",
    f"grace@example.com,base,default,Grace,Hopper,{GRACE_HASH},Grace,Hopper,3 High Street,"
    "Austin,Texas,US,73301,512-555-0102,1,1",
    "linus@example.com,base,default,Linus,Torvalds,,,,,,,,,,,",
]).encode()  # fmt: skip


@pytest.fixture(autouse=True)
def import_storage(tmp_path, settings):
    # The uploaded file is kept in the default storage until the import has run.
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }


@pytest.fixture
def administrator(transactional_db) -> User:
    """A staff member holding the Administrator role (not a superuser)."""
    user = User.objects.create_user(
        "administrator", "administrator@example.com", STAFF_PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Administrator"))
    return user


@pytest.fixture
def administrator_page(page: Page, administrator) -> Page:
    log_in_to_admin(page, username=administrator.username)
    return page


def check_data(page: Page, *, name: str, content: bytes, allowed_errors: str) -> None:
    """Fill the Import page for a composite Add/Update file and press Check Data."""
    page.get_by_label("Entity Type").select_option(label=COMPOSITE)
    page.get_by_label("Import Behavior").select_option(label="Add/Update")
    page.get_by_label("Allowed Errors Count").fill(allowed_errors)
    page.get_by_label("Select File to Import").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": content}
    )
    page.get_by_role("button", name="Check Data").click()
    page.wait_for_url("**/admin/transfer/import/*/change/")


def table_rows(page: Page, selector: str) -> list[list[str]]:
    rows = page.locator(f"{selector} tbody tr")
    return [
        [cell.strip() for cell in rows.nth(i).locator("th, td").all_inner_texts()]
        for i in range(rows.count())
    ]


def test_check_data_lists_the_bad_row_and_writes_nothing(administrator_page, assert_accessible):
    page = administrator_page
    # given: the Import page
    page.goto(PAGE)
    expect(page.get_by_role("heading", name="Import", level=1)).to_be_visible()
    assert_accessible(page)

    # when: a composite file with one row on an unknown website is checked, no errors allowed
    check_data(page, name="bad.csv", content=BAD_FILE, allowed_errors="0")

    # then: the problem with its row, column and reason, the counts, and no Import button
    expect(page.get_by_role("status")).to_contain_text("Checked")
    assert_accessible(page)
    assert table_rows(page, "#check-problems") == [
        [
            "3",
            "_website",
            "There is no website nowhere; map it to one of Patron's websites "
            "(for example nowhere=base).",
        ]
    ]
    counts = dict(table_rows(page, "#check-counts"))
    assert counts["Checked rows"] == "3" and counts["Invalid rows"] == "1"
    assert counts["Total errors"] == "1"
    assert counts["Customers to add / update / delete"] == "1 / 0 / 0"
    assert counts["Addresses to add / update / delete"] == "2 / 0 / 0"
    expect(page.get_by_text("The file cannot be imported")).to_be_visible()
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    # and: Check Data wrote nothing
    assert not Customer.objects.exists() and not Address.objects.exists()
    assert Import.objects.get().state == ImportState.CHECKED


def test_import_a_valid_file_and_follow_its_job(administrator_page, assert_accessible):
    page = administrator_page
    # given: a valid composite file checked on the Import page
    page.goto(PAGE)
    check_data(page, name="customers.csv", content=GOOD_FILE, allowed_errors="10")
    expect(page.get_by_role("status")).to_contain_text("Checked")
    expect(page.get_by_text("File is valid.")).to_be_visible()
    counts = dict(table_rows(page, "#check-counts"))
    assert counts["Total errors"] == "0"
    assert counts["Customers to add / update / delete"] == "3 / 0 / 0"
    assert counts["Addresses to add / update / delete"] == "3 / 0 / 0"
    assert_accessible(page)

    # when: Import is pressed
    page.get_by_role("button", name="Import").click()

    # then: the job page shows the import to the end
    page.wait_for_url("**/admin/jobs/*/")
    expect(page.get_by_role("status")).to_contain_text("Succeeded")
    assert_accessible(page)
    # and: the import's own page shows it imported
    page.goto(f"/admin/transfer/import/{Import.objects.get().pk}/change/")
    expect(page.get_by_role("status")).to_contain_text("Imported")
    assert_accessible(page)

    # and: the customers, their addresses and default flags are in the database
    customers = {c.email: c for c in Customer.objects.prefetch_related("addresses")}
    assert sorted(customers) == ["ada@example.com", "grace@example.com", "linus@example.com"]
    ada, grace, linus = (customers[e] for e in sorted(customers))
    boston, cambridge = sorted(ada.addresses.all(), key=lambda a: a.city)
    assert (ada.default_billing_id, ada.default_shipping_id) == (boston.pk, cambridge.pk)
    assert boston.street == ["1 Main Street"] and boston.region_code == "MA"
    (austin,) = grace.addresses.all()
    assert (grace.default_billing_id, grace.default_shipping_id) == (austin.pk, austin.pk)
    assert austin.region == "Texas" and austin.postcode == "73301"
    assert not linus.addresses.exists() and linus.default_billing_id is None
    assert check_customer_password(ada, "123123q") and check_customer_password(grace, "123123q")
    assert not linus.has_password


def test_the_import_job_page_states_what_was_imported(
    administrator, administrator_page, assert_accessible
):
    page = administrator_page
    # given: a valid file checked and imported by the administrator
    actor = Actor.staff(administrator)
    run = services.create_import(
        entity=layouts.CUSTOMER_COMPOSITE, behavior=layouts.APPEND, allowed_errors=10,
        website_map={}, upload=SimpleUploadedFile("customers.csv", GOOD_FILE), actor=actor,
    )  # fmt: skip
    services.check_import(run=run, actor=actor)
    job = services.request_import(run=run, actor=actor)
    assert Customer.objects.count() == 3

    # when: the import's job page is opened
    page.goto(f"/admin/jobs/{job.pk}/")

    # then: its result does not claim that nothing was done
    expect(page.get_by_role("status")).to_contain_text("Succeeded")
    assert_accessible(page)
    # (the file's four rows were all imported)
    expect(page.locator("#content-main")).to_contain_text("4 records done")
