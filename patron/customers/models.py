from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patron.core.actors import ActorFields

NOT_LOGGED_IN_ID = 0
GENERAL_ID = 1


class TaxClassKind(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    PRODUCT = "product", _("Product")


class TaxClass(models.Model):
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(
        _("type"), max_length=16, choices=TaxClassKind.choices, default=TaxClassKind.CUSTOMER
    )

    class Meta:
        verbose_name = _("tax class")
        verbose_name_plural = _("tax classes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "name"], name="customers_taxclass_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CustomerGroup(models.Model):
    """A group decides which discounts apply and which tax class is used.

    Group 0, NOT LOGGED IN, is the implicit group of every guest; it is never assigned to an
    account and cannot be deleted.
    """

    # Explicit ids: Magento's groups 0-3 keep their numbers so imported files map one to one.
    id = models.BigIntegerField(primary_key=True)
    code = models.CharField(_("group name"), max_length=31, unique=True)
    tax_class = models.ForeignKey(
        TaxClass, on_delete=models.PROTECT, related_name="groups", verbose_name=_("tax class")
    )
    excluded_websites = models.ManyToManyField(
        "scopes.Website", blank=True, related_name="+", verbose_name=_("excluded websites")
    )

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.code


class Gender(models.IntegerChoices):
    MALE = 1, _("Male")
    FEMALE = 2, _("Female")
    NOT_SPECIFIED = 3, _("Not Specified")


class Customer(models.Model):
    website = models.ForeignKey(
        "scopes.Website", on_delete=models.PROTECT, related_name="+", verbose_name=_("website")
    )
    group = models.ForeignKey(
        CustomerGroup, on_delete=models.PROTECT, related_name="customers", verbose_name=_("group")
    )
    created_in = models.ForeignKey(
        "scopes.StoreView",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account created in"),
    )
    # NULL, not "", when unset: the per-website unique constraint applies only to real numbers.
    number = models.CharField(_("customer number"), max_length=32, null=True, blank=True)  # noqa: DJ001
    prefix = models.CharField(_("name prefix"), max_length=40, blank=True)
    firstname = models.CharField(_("first name"), max_length=255)
    middlename = models.CharField(_("middle name/initial"), max_length=255, blank=True)
    lastname = models.CharField(_("last name"), max_length=255)
    suffix = models.CharField(_("name suffix"), max_length=40, blank=True)
    email = models.EmailField(_("email"), max_length=254)
    dob = models.DateField(_("date of birth"), null=True, blank=True)
    taxvat = models.CharField(_("tax/VAT number"), max_length=64, blank=True)
    gender = models.PositiveSmallIntegerField(
        _("gender"), choices=Gender.choices, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    disable_auto_group_change = models.BooleanField(
        _("disable automatic group change based on VAT ID"), default=False
    )
    allow_remote_assistance = models.BooleanField(
        _("allow remote shopping assistance"), default=False
    )
    # Empty: no password yet (staff-created accounts until the reset link is used).
    password = models.CharField(_("password"), max_length=255, blank=True)
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("email confirmed at"), null=True, blank=True)
    confirmation_required = models.BooleanField(_("email confirmation required"), default=False)
    confirmation_key_digest = models.CharField(max_length=64, blank=True)
    # An email change waits here until the new address confirms it (the old one stays in use).
    pending_email = models.EmailField(
        _("new email awaiting confirmation"), max_length=254, blank=True
    )
    pending_email_key_digest = models.CharField(max_length=64, blank=True)
    pending_email_requested_at = models.DateTimeField(null=True, blank=True)
    pending_email_with_password = models.BooleanField(default=False)
    # Raised by Force Sign-In: part of every session's fingerprint with the password hash, so
    # changing either ends all sessions and Remember Me cookies of the customer.
    session_version = models.PositiveIntegerField(default=0)
    failures_num = models.PositiveIntegerField(_("failed sign-ins"), default=0)
    first_failure_at = models.DateTimeField(_("first failed sign-in"), null=True, blank=True)
    lock_expires_at = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_login_at = models.DateTimeField(_("last signed in"), null=True, blank=True)
    last_logout_at = models.DateTimeField(_("last signed out"), null=True, blank=True)
    default_billing = models.ForeignKey(
        "Address",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default billing address"),
    )
    default_shipping = models.ForeignKey(
        "Address",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("default shipping address"),
    )
    custom_attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("customer since"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["-created_at"]
        constraints = [
            # Holds in both sharing modes; Global mode is enforced on top of it by the service.
            models.UniqueConstraint(
                fields=["website", "email"], name="customers_email_per_website"
            ),
            models.UniqueConstraint(
                fields=["website", "number"],
                condition=models.Q(number__isnull=False),
                name="customers_number_per_website",
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="customers_email_lowercase"
            ),
            models.CheckConstraint(
                condition=~models.Q(group_id=NOT_LOGGED_IN_ID), name="customers_not_guest_group"
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="customers_email_idx"),
            models.Index(fields=["lastname", "firstname"], name="customers_name_idx"),
        ]
        permissions = [
            ("reset_customer_password", _("Can send a password reset to a customer")),
            ("force_sign_in_customer", _("Can force a customer to sign in again")),
            ("unlock_customer", _("Can unlock a customer account")),
            ("export_customers", _("Can export customers")),
            ("view_timeline", _("Can view customer timelines")),
            ("add_timeline_note", _("Can add notes to customer timelines")),
            ("change_remote_assistance", _("Can change a customer's remote assistance consent")),
            ("assign_customer_group", _("Can assign a customer group to selected customers")),
            ("change_customer_status", _("Can activate and deactivate customers")),
            ("quick_edit_customer", _("Can edit customers inline in the grid")),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.firstname, self.lastname) if part)

    @property
    def full_name(self) -> str:
        parts = (self.prefix, self.firstname, self.middlename, self.lastname, self.suffix)
        return " ".join(part for part in parts if part)

    @property
    def has_password(self) -> bool:
        return bool(self.password)

    @property
    def is_confirmed(self) -> bool:
        return not self.confirmation_required or self.confirmed_at is not None


class Address(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="addresses", verbose_name=_("customer")
    )
    prefix = models.CharField(_("name prefix"), max_length=40, blank=True)
    firstname = models.CharField(_("first name"), max_length=255)
    middlename = models.CharField(_("middle name/initial"), max_length=255, blank=True)
    lastname = models.CharField(_("last name"), max_length=255)
    suffix = models.CharField(_("name suffix"), max_length=40, blank=True)
    company = models.CharField(_("company"), max_length=255, blank=True)
    # One line per street-address line, at most four (the configured number decides how many).
    street = models.JSONField(_("street address"), default=list)
    city = models.CharField(_("city"), max_length=255)
    country_id = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("state/province"), max_length=255, blank=True)
    region_code = models.CharField(_("state/province code"), max_length=16, blank=True)
    postcode = models.CharField(_("zip/postal code"), max_length=32, blank=True)
    telephone = models.CharField(_("phone number"), max_length=64, blank=True)
    fax = models.CharField(_("fax"), max_length=64, blank=True)
    vat_id = models.CharField(_("VAT number"), max_length=64, blank=True)
    vat_is_valid = models.BooleanField(_("VAT number valid"), null=True, blank=True)
    vat_request_id = models.CharField(_("VAT validation request id"), max_length=255, blank=True)
    vat_request_date = models.DateTimeField(_("VAT validation date"), null=True, blank=True)
    vat_request_success = models.BooleanField(_("VAT validation succeeded"), null=True, blank=True)
    custom_attributes = models.JSONField(_("custom attributes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["country_id", "postcode"], name="customers_addr_country_idx")
        ]

    def __str__(self) -> str:
        return ", ".join(
            part for part in (self.name, *self.street[:1], self.city, self.country_id) if part
        )

    @property
    def name(self) -> str:
        return " ".join(part for part in (self.firstname, self.lastname) if part)


class CustomerNumberSequence(models.Model):
    """The next human-friendly customer number of each website."""

    website = models.OneToOneField("scopes.Website", on_delete=models.CASCADE, primary_key=True)
    next_value = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.website_id}: {self.next_value}"


class SubscriberStatus(models.TextChoices):
    SUBSCRIBED = "subscribed", _("Subscribed")
    NOT_ACTIVATED = "not_activated", _("Not Activated")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    UNCONFIRMED = "unconfirmed", _("Unconfirmed")


class ConsentSource(models.TextChoices):
    REGISTRATION = "registration", _("Registration form")
    ACCOUNT = "account", _("Customer account")
    BACK_OFFICE = "back_office", _("Back office")
    API = "api", _("API")
    IMPORT = "import", _("Import")
    GUEST_FORM = "guest_form", _("Guest sign-up form")
    EMAIL_LINK = "email_link", _("Link in an email")


class NewsletterSubscriber(models.Model):
    """One newsletter subscription of a customer or a guest email on one store view."""

    customer = models.ForeignKey(
        Customer,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="subscriptions",
        verbose_name=_("customer"),
    )
    email = models.EmailField(_("email"), max_length=254)
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.PROTECT, related_name="+", verbose_name=_("store view")
    )
    status = models.CharField(_("status"), max_length=16, choices=SubscriberStatus.choices)
    confirm_code_digest = models.CharField(max_length=64, blank=True)
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_source = models.CharField(
        _("consent given through"), max_length=16, choices=ConsentSource.choices, blank=True
    )
    status_changed_at = models.DateTimeField(_("status changed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("newsletter subscriber")
        verbose_name_plural = _("newsletter subscribers")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["store_view", "email"], name="customers_one_sub_per_view"
            ),
            models.CheckConstraint(
                condition=models.Q(email=Lower("email")), name="customers_sub_email_lowercase"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.get_status_display()})"


class CustomerToken(models.Model):
    """A bearer token for the shopper API; only a digest of its secret is stored."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="tokens", verbose_name=_("customer")
    )
    prefix = models.CharField(max_length=16, unique=True)
    secret_digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("customer token")
        verbose_name_plural = _("customer tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.customer_id})"


class TimelineEntry(ActorFields):
    """One line of a customer's timeline: a change, a sign-in, a staff note, ..."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="timeline", verbose_name=_("customer")
    )
    kind = models.CharField(_("kind"), max_length=64)
    # Not auto_now_add: a fact the shop reports late (an imported order) is dated when it
    # happened, so the timeline stays in the order things occurred.
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    params = models.JSONField(_("details"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-occurred_at"], name="customers_timeline_idx")]


class CustomerGridRow(models.Model):
    """One customer as the back-office grid shows it: the customer's own columns plus those of
    the default billing and shipping addresses, kept in the same transaction as every change
    (see patron.customers.grid), so the grid is never stale. ``patron rebuild_customer_grid``
    rebuilds it for repair."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, primary_key=True, related_name="grid_row"
    )
    website_id = models.BigIntegerField(db_index=True)
    group_id = models.BigIntegerField(db_index=True)
    created_in_id = models.BigIntegerField(null=True)
    name = models.CharField(max_length=511)
    email = models.CharField(max_length=254)
    telephone = models.CharField(max_length=64, blank=True)
    postcode = models.CharField(max_length=32, blank=True)
    country_id = models.CharField(max_length=2, blank=True)
    region = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=255, blank=True)
    street = models.CharField(max_length=1024, blank=True)
    company = models.CharField(max_length=255, blank=True)
    fax = models.CharField(max_length=64, blank=True)
    vat_id = models.CharField(max_length=64, blank=True)
    billing_firstname = models.CharField(max_length=255, blank=True)
    billing_lastname = models.CharField(max_length=255, blank=True)
    billing_full = models.CharField(max_length=1024, blank=True)
    shipping_full = models.CharField(max_length=1024, blank=True)
    dob = models.DateField(null=True)
    taxvat = models.CharField(max_length=64, blank=True)
    gender = models.PositiveSmallIntegerField(null=True)
    is_active = models.BooleanField(default=True)
    confirmed = models.BooleanField(default=True)
    lock_expires_at = models.DateTimeField(null=True)
    created_at = models.DateTimeField()
    # Lower-cased words of name, email, telephone, postcode, tax/VAT and address, for the
    # keyword search (trigram-indexed on PostgreSQL).
    search_text = models.TextField(blank=True)
    # The customer's custom attribute values, and the default billing address's as
    # billing_<code>; filterable ones get an expression index (patron.customers.attributes).
    custom_attributes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("customer grid row")
        verbose_name_plural = _("customer grid rows")
        indexes = [
            models.Index(
                fields=["website_id", "group_id", "country_id"], name="customers_grid_filter_idx"
            ),
            models.Index(fields=["name"], name="customers_grid_name_idx"),
            models.Index(fields=["email"], name="customers_grid_email_idx"),
            # Serves Customer Since sorting and ranges, and deep pages in id order, from the
            # index alone (see docs/performance.md).
            models.Index(
                fields=["created_at", "customer_id"], name="customers_grid_created_id_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class GridView(models.Model):
    """A staff member's named view of the customers grid: columns in order, keyword, filters,
    sort and page size, as a plain state dict checked by ``grid.clean_view_state``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="customer_grid_views",
        verbose_name=_("staff member"),
    )
    name = models.CharField(_("name"), max_length=100)
    state = models.JSONField(_("state"), default=dict)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("grid view")
        verbose_name_plural = _("grid views")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="customers_grid_view_name")
        ]

    def __str__(self) -> str:
        return self.name


# --- Custom attributes (spec b §4–5) -------------------------------------------------------------


class AttributeEntity(models.TextChoices):
    CUSTOMER = "customer", _("Customer")
    ADDRESS = "address", _("Customer Address")


class InputType(models.TextChoices):
    TEXT = "text", _("Text Field")
    TEXTAREA = "textarea", _("Text Area")
    MULTILINE = "multiline", _("Multiple Line")
    DATE = "date", _("Date")
    BOOLEAN = "boolean", _("Yes/No")
    SELECT = "select", _("Dropdown")
    MULTISELECT = "multiselect", _("Multiple Select")
    FILE = "file", _("File (attachment)")
    IMAGE = "image", _("Image File")


class InputValidation(models.TextChoices):
    NONE = "", _("None")
    ALPHANUMERIC = "alphanumeric", _("Alphanumeric")
    ALPHANUMERIC_WITH_SPACES = "alphanumeric_with_spaces", _("Alphanumeric with Space")
    NUMERIC = "numeric", _("Numeric Only")
    ALPHA = "alpha", _("Alpha Only")
    URL = "url", _("URL")
    EMAIL = "email", _("Email")
    LENGTH = "length", _("Length Only")


class InputFilter(models.TextChoices):
    NONE = "", _("None")
    STRIP_TAGS = "striptags", _("Strip HTML Tags")
    ESCAPE_HTML = "escapehtml", _("Escape HTML Entities")


class GridFilterCondition(models.TextChoices):
    PARTIAL = "partial", _("Partial Match")
    PREFIX = "prefix", _("Prefix Match")
    FULL = "full", _("Full Match")


class AttributeForm(models.TextChoices):
    """The forms an attribute can be used in; the first three are the customer's, the last two
    the address's. The back office shows every attribute, whatever its forms."""

    REGISTRATION = "customer_account_create", _("Customer Registration")
    ACCOUNT_EDIT = "customer_account_edit", _("Customer Account Edit")
    ADMIN_CHECKOUT = "adminhtml_checkout", _("Admin Checkout")
    ADDRESS_REGISTRATION = "customer_register_address", _("Customer Address Registration")
    ADDRESS_EDIT = "customer_address_edit", _("Customer Account Address")


class CustomerAttribute(models.Model):
    """A customer or address attribute: staff-defined ones keep their values in the owner's
    ``custom_attributes`` JSON under ``code``; system ones (``is_system``) describe the model's
    own fields, shown with their fixed properties."""

    entity = models.CharField(_("entity"), max_length=16, choices=AttributeEntity.choices)
    code = models.CharField(_("attribute code"), max_length=30)
    label = models.CharField(_("default label"), max_length=255)
    input_type = models.CharField(_("input type"), max_length=16, choices=InputType.choices)
    is_system = models.BooleanField(_("system attribute"), default=False, editable=False)
    is_required = models.BooleanField(_("values required"), default=False)
    default_value = models.JSONField(_("default value"), null=True, blank=True)
    validation = models.CharField(
        _("input validation"), max_length=32, choices=InputValidation.choices, blank=True
    )
    min_length = models.PositiveIntegerField(_("minimum text length"), null=True, blank=True)
    max_length = models.PositiveIntegerField(_("maximum text length"), null=True, blank=True)
    multiline_count = models.PositiveSmallIntegerField(_("lines count"), default=2)
    date_min = models.DateField(_("minimal value"), null=True, blank=True)
    date_max = models.DateField(_("maximum value"), null=True, blank=True)
    max_file_size = models.PositiveIntegerField(
        _("maximum file size (bytes)"), null=True, blank=True
    )
    file_extensions = models.CharField(_("file extensions"), max_length=255, blank=True)
    image_max_width = models.PositiveIntegerField(
        _("maximum image width (pixels)"), null=True, blank=True
    )
    image_max_height = models.PositiveIntegerField(
        _("maximum image height (pixels)"), null=True, blank=True
    )
    input_filter = models.CharField(
        _("input/output filter"), max_length=16, choices=InputFilter.choices, blank=True
    )
    forms = models.JSONField(_("forms to use in"), default=list, blank=True)
    sort_order = models.IntegerField(_("sort order"), default=0)
    show_on_storefront = models.BooleanField(_("show on storefront"), default=True)
    in_grid = models.BooleanField(_("add to column options"), default=False)
    filterable_in_grid = models.BooleanField(_("use in filter options"), default=False)
    grid_filter_condition = models.CharField(
        _("grid filter condition type"), max_length=16, choices=GridFilterCondition.choices,
        default=GridFilterCondition.PARTIAL,
    )  # fmt: skip
    searchable_in_grid = models.BooleanField(_("use in search options"), default=False)
    used_in_segments = models.BooleanField(_("use in customer segment"), default=False)
    # Store view id (as text, JSON keys are strings) -> label on that store view.
    labels = models.JSONField(_("labels per store view"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("customer attribute")
        verbose_name_plural = _("customer attributes")
        ordering = ["entity", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="customers_attribute_code")
        ]

    def __str__(self) -> str:
        return self.label


class AttributeOption(models.Model):
    """An option of a Dropdown or Multiple Select attribute; values store its id."""

    attribute = models.ForeignKey(
        CustomerAttribute, on_delete=models.CASCADE, related_name="options"
    )
    label = models.CharField(_("admin label"), max_length=255)
    labels = models.JSONField(_("labels per store view"), default=dict, blank=True)
    sort_order = models.IntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("attribute option")
        verbose_name_plural = _("attribute options")
        ordering = ["sort_order", "pk"]

    def __str__(self) -> str:
        return self.label
