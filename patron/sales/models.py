"""The commerce facts a shop sends Patron: a light catalogue, orders and active carts.

Patron is not a checkout: these rows record what the shop reports, keyed by the shop's own
identifiers, so the same report twice changes nothing. Amounts are ``Decimal`` in the order's
or cart's currency (an ISO 4217 code).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 14, "decimal_places": 4}


class Category(models.Model):
    code = models.CharField(_("code"), max_length=100, unique=True)
    name = models.CharField(_("name"), max_length=255)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children",
        verbose_name=_("parent category"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProductAttributeType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    BOOLEAN = "boolean", _("Yes/No")
    SELECT = "select", _("Dropdown")
    MULTISELECT = "multiselect", _("Multiple Select")
    DATE = "date", _("Date")


class ProductAttribute(models.Model):
    """A product attribute the shop defines; its values live in ``Product.attributes`` under
    ``code``. Price rules and segment conditions offer only attributes flagged for them."""

    code = models.SlugField(_("attribute code"), max_length=60, unique=True)
    label = models.CharField(_("label"), max_length=255)
    type = models.CharField(
        _("type"), max_length=16, choices=ProductAttributeType.choices,
        default=ProductAttributeType.TEXT,
    )  # fmt: skip
    options = models.JSONField(_("options"), default=list, blank=True)
    use_for_promo_rules = models.BooleanField(_("use for promo rule conditions"), default=False)

    class Meta:
        verbose_name = _("product attribute")
        verbose_name_plural = _("product attributes")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    price = models.DecimalField(_("price"), **MONEY)
    weight = models.DecimalField(
        _("weight"), max_digits=12, decimal_places=4, null=True, blank=True
    )
    attribute_set = models.CharField(_("attribute set"), max_length=100, blank=True)
    categories = models.ManyToManyField(
        Category, blank=True, related_name="products", verbose_name=_("categories")
    )
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Order(models.Model):
    """An order as the shop placed it; ``number`` is the shop's order number."""

    website = models.ForeignKey(
        "scopes.Website", on_delete=models.PROTECT, related_name="+", verbose_name=_("website")
    )
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.PROTECT, related_name="+", verbose_name=_("store view")
    )
    number = models.CharField(_("order number"), max_length=64)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="orders", verbose_name=_("customer"), db_index=False,
    )  # fmt: skip
    customer_email = models.EmailField(_("customer email"), max_length=254)
    customer_name = models.CharField(_("customer name"), max_length=511, blank=True)
    status = models.CharField(_("status"), max_length=32)
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    tax = models.DecimalField(_("tax"), default=0, **MONEY)
    shipping = models.DecimalField(_("shipping"), default=0, **MONEY)
    discount = models.DecimalField(_("discount"), default=0, **MONEY)
    grand_total = models.DecimalField(_("grand total"), **MONEY)
    total_qty = models.DecimalField(_("total quantity"), max_digits=12, decimal_places=4)
    coupon_code = models.CharField(_("coupon code"), max_length=64, blank=True)
    applied_rule_ids = models.JSONField(_("applied rules"), default=list, blank=True)
    billing_address = models.JSONField(_("billing address"), default=dict, blank=True)
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    placed_at = models.DateTimeField(_("placed at"), db_index=True)
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["website", "number"], name="sales_order_number")
        ]
        # The foreign key's own index would repeat the first column of the customer index.
        indexes = [
            models.Index(fields=["customer", "-placed_at"], name="sales_order_customer_idx"),
            models.Index(fields=["number"], name="sales_order_number_idx"),
            models.Index(fields=["customer_email"], name="sales_order_email_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(_("SKU"), max_length=64)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    qty = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    price = models.DecimalField(_("price"), **MONEY)
    row_total = models.DecimalField(_("row total"), **MONEY)

    class Meta:
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.qty} × {self.sku}"


class Cart(models.Model):
    """A shopper's active cart: a customer's, or a visitor's by the shop's visitor id."""

    website = models.ForeignKey(
        "scopes.Website", on_delete=models.PROTECT, related_name="+", verbose_name=_("website")
    )
    store_view = models.ForeignKey(
        "scopes.StoreView", on_delete=models.PROTECT, related_name="+", verbose_name=_("store view")
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True,
        related_name="carts", verbose_name=_("customer"),
    )  # fmt: skip
    visitor_id = models.CharField(_("visitor id"), max_length=128, blank=True)
    currency = models.CharField(_("currency"), max_length=3)
    subtotal = models.DecimalField(_("subtotal"), default=0, **MONEY)
    tax = models.DecimalField(_("tax"), default=0, **MONEY)
    shipping = models.DecimalField(_("shipping"), default=0, **MONEY)
    grand_total = models.DecimalField(_("grand total"), default=0, **MONEY)
    store_credit_applied = models.DecimalField(_("store credit applied"), default=0, **MONEY)
    gift_card_applied = models.DecimalField(_("gift cards applied"), default=0, **MONEY)
    billing_address = models.JSONField(_("billing address"), default=dict, blank=True)
    shipping_address = models.JSONField(_("shipping address"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("cart")
        verbose_name_plural = _("carts")
        constraints = [
            models.UniqueConstraint(
                fields=["website", "customer"],
                condition=models.Q(customer__isnull=False),
                name="sales_cart_per_customer",
            ),
            models.UniqueConstraint(
                fields=["website", "visitor_id"],
                condition=models.Q(customer__isnull=True),
                name="sales_cart_per_visitor",
            ),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | ~models.Q(visitor_id=""),
                name="sales_cart_has_an_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"cart {self.pk}"


class CartItem(models.Model):
    cart = models.ForeignKey(Cart, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(_("SKU"), max_length=64)
    product = models.ForeignKey(Product, on_delete=models.SET_NULL, null=True, related_name="+")
    name = models.CharField(_("name"), max_length=255)
    qty = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    price = models.DecimalField(_("price"), **MONEY)

    class Meta:
        verbose_name = _("cart item")
        verbose_name_plural = _("cart items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.qty} × {self.sku}"


class Refund(models.Model):
    """A refund (credit memo) of an order; ``number`` is the shop's credit memo number."""

    # Indexed by the unique (order, number) constraint, not by a second index of its own.
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="refunds", db_index=False
    )
    number = models.CharField(_("credit memo number"), max_length=64)
    currency = models.CharField(_("currency"), max_length=3)
    grand_total = models.DecimalField(_("refunded"), **MONEY)
    to_store_credit = models.DecimalField(_("refunded to store credit"), default=0, **MONEY)
    refunded_at = models.DateTimeField(_("refunded at"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-refunded_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="sales_refund_number")
        ]

    def __str__(self) -> str:
        return f"#{self.number}"


class RefundItem(models.Model):
    refund = models.ForeignKey(Refund, on_delete=models.CASCADE, related_name="items")
    sku = models.CharField(_("SKU"), max_length=64)
    qty = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    row_total = models.DecimalField(_("row total"), **MONEY)

    class Meta:
        verbose_name = _("refund item")
        verbose_name_plural = _("refund items")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.qty} × {self.sku}"


class WishlistItem(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="wishlist",
        verbose_name=_("customer"), db_index=False,  # the unique (customer, product) serves
    )  # fmt: skip
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    qty = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4, default=1)
    added_at = models.DateTimeField(_("added at"))

    class Meta:
        verbose_name = _("wish list item")
        verbose_name_plural = _("wish list items")
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="sales_wishlist_product")
        ]

    def __str__(self) -> str:
        return str(self.product)


class ReviewStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    NOT_APPROVED = "not_approved", _("Not Approved")


class Review(models.Model):
    """A product review written on the shop; ``external_id`` is the shop's review id."""

    website = models.ForeignKey("scopes.Website", on_delete=models.PROTECT, related_name="+")
    store_view = models.ForeignKey("scopes.StoreView", on_delete=models.PROTECT, related_name="+")
    external_id = models.CharField(_("review id"), max_length=64)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reviews")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.SET_NULL, null=True, blank=True,
        related_name="reviews", verbose_name=_("customer"),
    )  # fmt: skip
    nickname = models.CharField(_("nickname"), max_length=128)
    title = models.CharField(_("summary"), max_length=255)
    detail = models.TextField(_("review"), blank=True)
    rating = models.PositiveSmallIntegerField(_("rating"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    written_at = models.DateTimeField(_("written at"))

    class Meta:
        verbose_name = _("product review")
        verbose_name_plural = _("product reviews")
        ordering = ["-written_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["website", "external_id"], name="sales_review_id"),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="sales_review_rating"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ProductView(models.Model):
    """A product page seen by a customer or a visitor; ``external_id`` makes a resend harmless."""

    # Both foreign keys are served by the leading columns of the indexes below.
    website = models.ForeignKey(
        "scopes.Website", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    external_id = models.CharField(_("view id"), max_length=64)
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, null=True, blank=True,
        related_name="product_views", db_index=False,
    )  # fmt: skip
    visitor_id = models.CharField(_("visitor id"), max_length=128, blank=True)
    viewed_at = models.DateTimeField(_("viewed at"), db_index=True)

    class Meta:
        verbose_name = _("product view")
        verbose_name_plural = _("product views")
        constraints = [
            models.UniqueConstraint(fields=["website", "external_id"], name="sales_view_id"),
            models.CheckConstraint(
                condition=models.Q(customer__isnull=False) | ~models.Q(visitor_id=""),
                name="sales_view_has_a_viewer",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-viewed_at"], name="sales_view_customer_idx"),
            # Segments evaluate a guest from their own views, never by scanning everyone's.
            models.Index(
                fields=["website", "visitor_id", "-viewed_at"],
                condition=models.Q(customer__isnull=True),
                name="sales_view_visitor_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.product} @ {self.viewed_at:%Y-%m-%d %H:%M}"
