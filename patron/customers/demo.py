"""Demo data steps for ``patron seed_demo``: websites in five languages, groups, a staff user,
the demo shopper and about 2,000 customers with addresses and newsletter subscriptions."""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from patron.core.actors import SYSTEM
from patron.core.demo import (
    DEMO_SHOPPER_EMAIL,
    DEMO_SHOPPER_PASSWORD,
    DEMO_STAFF_PASSWORD,
    DEMO_STAFF_USERNAME,
)
from patron.core.registries import DemoStep, demo_steps
from patron.customers import grid, services
from patron.customers.demo_names import COUNTRIES
from patron.customers.models import (
    Address,
    ConsentSource,
    Customer,
    CustomerGroup,
    NewsletterSubscriber,
    SubscriberStatus,
)
from patron.scopes import services as scope_services
from patron.scopes.models import Store, StoreView, Website

DEMO_CUSTOMERS = 2000
DEMO_CUSTOMER_PASSWORD = "Patron-demo-1"  # noqa: S105 - published demo credentials

# (website code, name, time zone, currency, [(view code, name, locale, country)])
WEBSITES = [
    ("base", "Main Website", "America/New_York", "USD", [("default", "English (US)", "en", "US")]),
    (
        "eu",
        "Europe",
        "Europe/Berlin",
        "EUR",
        [("de", "Deutsch", "de", "DE"), ("fr", "Français", "fr", "FR")],
    ),
    ("jp", "Japan", "Asia/Tokyo", "JPY", [("ja", "日本語", "ja", "JP")]),
    ("br", "Brasil", "America/Sao_Paulo", "BRL", [("pt_br", "Português (Brasil)", "pt-br", "BR")]),
]


def _ensure_scopes(rng=None) -> str:
    created = 0
    for order, (code, name, tz, currency, views) in enumerate(WEBSITES):
        website = Website.objects.filter(code=code).first()
        if website is None:
            website = scope_services.save_website(
                code=code, name=name, time_zone=tz, base_currency=currency, sort_order=order
            )
            created += 1
        elif code == "base":
            scope_services.save_website(website=website, time_zone=tz, base_currency=currency)
        store = Store.objects.filter(website=website).order_by("-is_default", "pk").first()
        if store is None:
            store = scope_services.save_store(
                website=website, code=f"{code}_store", name=f"{name} Store", is_default=True
            )
        for view_order, (view_code, view_name, locale, _country) in enumerate(views):
            view = StoreView.objects.filter(code=view_code).first()
            if view is None:
                scope_services.save_store_view(
                    store=store,
                    code=view_code,
                    name=view_name,
                    locale=locale,
                    sort_order=view_order,
                    is_default=view_order == 0,
                )
                created += 1
            elif view_code == "default":
                scope_services.save_store_view(store_view=view, name=view_name)
        scope_services.save_config(
            scope="website",
            scope_id=website.pk,
            values={"general/store_information/name": f"Patron {name}"},
            actor=SYSTEM,
        )
    return f"{created} websites and store views created"


def _ensure_groups(rng=None) -> str:
    if CustomerGroup.objects.filter(code="VIP").exists():
        return "groups present"
    retail = CustomerGroup.objects.get(pk=1).tax_class
    services.create_group(code="VIP", tax_class=retail, actor=SYSTEM)
    return "VIP group created"


def _ensure_staff(rng=None) -> str:
    if User.objects.filter(username=DEMO_STAFF_USERNAME).exists():
        return "staff user present"
    User.objects.create_superuser(DEMO_STAFF_USERNAME, "admin@example.com", DEMO_STAFF_PASSWORD)
    return f"staff user {DEMO_STAFF_USERNAME} created"


def _view_country(view: StoreView) -> str:
    for _code, _name, _tz, _currency, views in WEBSITES:
        for view_code, _view_name, _locale, country in views:
            if view_code == view.code:
                return country
    return "US"


def _random_address(rng, country: str, firstname: str, lastname: str) -> dict:
    data = COUNTRIES[country]
    city, region, region_code, postcode_pattern = rng.choice(data["cities"])
    street = data["street_format"].format(
        street=rng.choice(data["streets"]), number=rng.randint(1, 240)
    )
    postcode = "".join(str(rng.randint(0, 9)) if ch == "9" else ch for ch in postcode_pattern)
    phone = data["phone_prefix"] + "".join(
        str(rng.randint(0, 9)) for _ in range(data["phone_digits"])
    )
    return {
        "firstname": firstname, "lastname": lastname, "street": [street], "city": city,
        "country_id": country, "region": region, "region_code": region_code, "postcode": postcode,
        "telephone": phone,
    }  # fmt: skip


def _ensure_shopper(rng) -> str:
    if Customer.objects.filter(email=DEMO_SHOPPER_EMAIL).exists():
        return "demo shopper present"
    website = Website.objects.get(code="base")
    customer = services.create_customer(
        website=website,
        email=DEMO_SHOPPER_EMAIL,
        firstname="Sam",
        lastname="Shopper",
        password=DEMO_SHOPPER_PASSWORD,
        actor=SYSTEM,
    )
    services.add_address(
        customer=customer, actor=SYSTEM, **_random_address(rng, "US", "Sam", "Shopper")
    )
    return f"demo shopper {DEMO_SHOPPER_EMAIL} created"


@transaction.atomic
def _ensure_customers(rng) -> str:
    """Bulk-create demo customers; one shared password hash keeps the step fast."""
    existing = Customer.objects.filter(email__endswith="@demo.patron.test").count()
    if existing >= DEMO_CUSTOMERS:
        return f"{existing} demo customers present"
    views = list(StoreView.objects.select_related("store__website").order_by("pk"))
    groups = list(CustomerGroup.objects.exclude(pk=0).values_list("pk", flat=True))
    password_hash = make_password(DEMO_CUSTOMER_PASSWORD)
    customers, countries = [], []
    for index in range(existing, DEMO_CUSTOMERS):
        view = rng.choice(views)
        country = _view_country(view)
        names = COUNTRIES[country]
        female = rng.random() < 0.5
        firstname = rng.choice(names["female"] if female else names["male"])
        lastname = rng.choice(names["last"])
        customers.append(
            Customer(
                website=view.store.website,
                group_id=rng.choice(groups) if rng.random() < 0.2 else 1,
                created_in=view,
                firstname=firstname,
                lastname=lastname,
                email=f"customer{index:05d}@demo.patron.test",
                password=password_hash,
                gender=2 if female else 1,
                is_active=rng.random() > 0.02,
            )
        )
        countries.append(country)
    created = Customer.objects.bulk_create(customers, batch_size=500)
    # Spread sign-up dates over two years so grids, filters and reports look like a real store.
    now = timezone.now()
    for customer in created:
        customer.created_at = now - dt.timedelta(
            days=rng.randint(0, 730), minutes=rng.randint(0, 1439)
        )
    Customer.objects.bulk_update(created, ["created_at"], batch_size=500)
    addresses = [
        Address(
            customer=customer,
            **_random_address(rng, country, customer.firstname, customer.lastname),
        )
        for customer, country in zip(created, countries, strict=True)
    ]
    Address.objects.bulk_create(addresses, batch_size=500)
    for customer, address in zip(created, addresses, strict=True):
        customer.default_billing = customer.default_shipping = address
    Customer.objects.bulk_update(created, ["default_billing", "default_shipping"], batch_size=500)
    subscribers = [
        NewsletterSubscriber(
            customer=customer,
            email=customer.email,
            store_view=customer.created_in,
            status=SubscriberStatus.SUBSCRIBED,
            consent_source=ConsentSource.REGISTRATION,
            consent_at=customer.created_at,
            status_changed_at=customer.created_at,
        )
        for customer in created
        if rng.random() < 0.3
    ]
    NewsletterSubscriber.objects.bulk_create(subscribers, batch_size=500)
    # Bulk inserts skip the services, so the grid rows are written here in one go.
    grid.refresh_rows(customer.pk for customer in created)
    return f"{len(created)} customers, {len(addresses)} addresses, {len(subscribers)} subscribers created"


def register_steps() -> None:
    for order, (code, label, run) in enumerate(
        [
            ("scopes", "Websites and store views", _ensure_scopes),
            ("groups", "Customer groups", _ensure_groups),
            ("staff", "Staff user", _ensure_staff),
            ("shopper", "Demo shopper", _ensure_shopper),
            ("customers", "Demo customers", _ensure_customers),
        ],
        start=1,
    ):
        demo_steps.register(
            DemoStep(code=f"customers.{code}", label=label, order=order * 10, run=run)
        )
