"""Shopper account API for headless storefronts (every call names its store view in the
``X-Patron-Store`` header): register, confirm, sign in for a customer token, sign out, forgot
and reset password, and CAPTCHA challenges."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from patron.accounts import captcha, services
from patron.core.actors import Actor
from patron.core.api import ERRORS, store_view_of
from patron.core.errors import InvalidInput
from patron.core.http import client_ip
from patron.customers.api import CustomerOut, CustomerTokenAuth, ProfileIn, shopper_router
from patron.customers.attributes_api import values_in
from patron.customers.models import AttributeEntity, AttributeForm, Gender
from patron.customers.services import issue_customer_token

router = Router(tags=["Shopper sign-in and registration"])


class CaptchaAnswer(Schema):
    captcha_id: str | None = None
    captcha: str | None = None


class RegisterIn(ProfileIn, CaptchaAnswer):
    password: str
    newsletter: bool = False
    custom_attributes: dict[str, Any] = Field(
        default_factory=dict,
        description="Values of the attributes of the Customer Registration form, by code.",
    )


class RegisterOut(Schema):
    customer: CustomerOut
    confirmation_required: bool


class ConfirmIn(Schema):
    customer_id: int
    key: str


class EmailIn(CaptchaAnswer):
    email: str


class TokenIn(CaptchaAnswer):
    email: str
    password: str


class TokenOut(Schema):
    token: str
    token_type: str = "Bearer"  # noqa: S105 - the OAuth token type name
    expires_in: int


class ResetIn(Schema):
    request_id: int
    token: str
    password: str


class MessageOut(Schema):
    message: str


class ChallengeOut(Schema):
    captcha_id: str
    image_url: str
    audio_url: str
    expires_in: int


class CaptchaStatusOut(Schema):
    required: bool


def _require_captcha(
    request, form: str, payload: CaptchaAnswer, *, email: str | None = None
) -> None:
    store_view = store_view_of(request)
    website = store_view.store.website
    if captcha.is_required(
        form, website, email=email, ip=client_ip(request)
    ) and not captcha.verify(payload.captcha_id, payload.captcha, website):
        raise InvalidInput(
            _("Answer the CAPTCHA: request a challenge and send its id and answer."),
            code="captcha_required",
            field="captcha",
        )


@router.post(
    "/account/register", response={201: RegisterOut, **ERRORS}, url_name="account-register"
)
def register(request, payload: RegisterIn):
    """Create an account; with email confirmation on, sign-in waits for the emailed link."""
    _require_captcha(request, captcha.CREATE, payload)
    data = payload.dict(exclude={"captcha", "captcha_id"})
    data["custom_attributes"] = values_in(
        AttributeEntity.CUSTOMER, data.pop("custom_attributes"), request
    )
    customer = services.register_customer(
        store_view=store_view_of(request), password_confirmation=None,
        attribute_form=AttributeForm.REGISTRATION, **data,
    )  # fmt: skip
    return Status(201, {"customer": customer, "confirmation_required": not customer.is_confirmed})


@router.post("/account/confirm", response={200: MessageOut, **ERRORS}, url_name="account-confirm")
def confirm(request, payload: ConfirmIn):
    services.confirm_email(
        customer_id=payload.customer_id, key=payload.key, store_view=store_view_of(request)
    )
    return {
        "message": _(
            "Thank you for confirming your account. Please sign in with your email and password."
        )
    }


@router.post(
    "/account/confirmation",
    response={202: MessageOut, **ERRORS},
    url_name="account-resend-confirmation",
)
def resend_confirmation(request, payload: EmailIn):
    """Send the confirmation link again; answers the same whether or not the email exists."""
    services.resend_confirmation(email=payload.email, store_view=store_view_of(request))
    return Status(
        202,
        {
            "message": _(
                "If this email belongs to an account waiting for confirmation, a new link was sent."
            )
        },
    )


@router.post("/account/token", response={201: TokenOut, **ERRORS}, url_name="account-token")
def sign_in(request, payload: TokenIn):
    """Exchange email and password for a customer token (same lockout and throttling as the
    sign-in page)."""
    store_view = store_view_of(request)
    ip = client_ip(request)
    _require_captcha(request, captcha.LOGIN, payload, email=payload.email)
    try:
        customer = services.authenticate(
            store_view=store_view, email=payload.email, password=payload.password, ip=ip
        )
    except Exception as error:
        if getattr(error, "code", "") == "invalid_credentials":
            captcha.note_login_failure(email=payload.email, ip=ip)
        raise
    captcha.clear_login_failures(email=payload.email, ip=ip)
    token = issue_customer_token(customer=customer)
    services.record_sign_in(customer=customer, store_view=store_view, ip=ip, via="api")
    return Status(
        201,
        {
            "token": token,
            "expires_in": int(services.CUSTOMER_TOKEN_LIFETIME.total_seconds()),
        },
    )


@router.delete(
    "/account/token",
    response={204: None, **ERRORS},
    auth=CustomerTokenAuth(),
    url_name="account-token-revoke",
)
def sign_out(request):
    """Revoke the token this request was made with."""
    token = request.headers.get("Authorization", "").partition(" ")[2]
    services.revoke_token(customer=request.customer, plaintext=token)
    services.record_sign_out(customer=request.customer, via="api")
    return Status(204, None)


@router.post(
    "/account/password/forgot", response={202: MessageOut, **ERRORS}, url_name="account-forgot"
)
def forgot_password(request, payload: EmailIn):
    """Email a reset link if the email has an account; the answer is the same either way."""
    _require_captcha(request, captcha.FORGOT_PASSWORD, payload)
    services.request_password_reset(
        email=payload.email, store_view=store_view_of(request), ip=client_ip(request)
    )
    return Status(
        202,
        {
            "message": _(
                "If there is an account associated with this email, you will receive a reset link."
            )
        },
    )


@router.post(
    "/account/password/reset", response={200: MessageOut, **ERRORS}, url_name="account-reset"
)
def reset_password(request, payload: ResetIn):
    store_view_of(request)
    services.reset_password(
        request_id=payload.request_id,
        token=payload.token,
        password=payload.password,
        confirmation=None,
    )
    return {"message": _("You updated your password.")}


@router.post("/captcha", response={201: ChallengeOut, **ERRORS}, url_name="captcha-challenge")
def new_captcha(request):
    """Create a CAPTCHA challenge; show the image (or play the audio) and send back its id and
    the answer with the form."""
    store_view = store_view_of(request)
    website = store_view.store.website
    from patron.scopes.config import get_config

    challenge_id = captcha.new_challenge(website)
    return Status(
        201,
        {
            "captcha_id": challenge_id,
            "image_url": request.build_absolute_uri(
                reverse("customer-captcha-image", args=[challenge_id])
            ),
            "audio_url": request.build_absolute_uri(
                reverse("customer-captcha-audio", args=[challenge_id])
            ),
            "expires_in": int(get_config("customer/captcha/timeout", website=website)) * 60,
        },
    )


@router.get(
    "/captcha/required", response={200: CaptchaStatusOut, **ERRORS}, url_name="captcha-required"
)
def captcha_required(request, form: str, email: str | None = None):
    """Whether a form (user_login, user_create, user_forgotpassword) needs a CAPTCHA now."""
    website = store_view_of(request).store.website
    return {"required": captcha.is_required(form, website, email=email, ip=client_ip(request))}


# --- The signed-in customer's account information ----------------------------------------------

me_router = Router(tags=["Shopper account"], auth=CustomerTokenAuth())


class AccountPatch(Schema):
    prefix: str | None = None
    firstname: str | None = None
    middlename: str | None = None
    lastname: str | None = None
    suffix: str | None = None
    dob: dt.date | None = None
    taxvat: str | None = None
    gender: Gender | None = None
    allow_remote_assistance: bool | None = None


class PasswordChangeIn(Schema):
    current_password: str
    password: str


class EmailChangeIn(Schema):
    email: str
    current_password: str


class EmailConfirmIn(Schema):
    customer_id: int
    key: str


class FormattedAddressOut(Schema):
    text: str
    oneline: str
    html: str
    pdf: str


class CountryRulesOut(Schema):
    country_id: str
    regions: list[dict[str, str]]
    region_required: bool
    postcode_required: bool
    postcode_examples: list[str]


# On the customers' shopper router, beside its GET /me: each router makes its own URL pattern
# for a path, and the first pattern for /me (GET only) would answer every PATCH with 405.
@shopper_router.patch(
    "/me", response={200: CustomerOut, **ERRORS}, url_name="me-update", tags=["Shopper account"]
)
def update_me(request, payload: AccountPatch):
    """Change the signed-in customer's own name fields, date of birth, tax/VAT number, gender
    and remote-assistance consent (email and password have their own operations)."""
    from patron.customers.services import update_customer

    customer = request.customer
    changes = payload.dict(exclude_unset=True)
    return update_customer(customer=customer, actor=Actor.customer(customer), **changes)


@me_router.post("/me/password", response={204: None, **ERRORS}, url_name="me-password")
def change_my_password(request, payload: PasswordChangeIn):
    """Change the password (the current one is required); other sessions and tokens of other
    devices stay valid only until they next authenticate with the old fingerprint."""
    customer = request.customer
    services.change_password(
        customer=customer,
        current_password=payload.current_password,
        password=payload.password,
        confirmation=None,
        actor=Actor.customer(customer),
    )
    return Status(204, None)


@me_router.post("/me/email", response={202: MessageOut, **ERRORS}, url_name="me-email")
def change_my_email(request, payload: EmailChangeIn):
    """Start an email change: a confirmation link goes to the new address; nothing changes
    until it is confirmed."""
    services.request_email_change(
        customer=request.customer,
        new_email=payload.email,
        current_password=payload.current_password,
        store_view=store_view_of(request),
    )
    return Status(202, {"message": _("A confirmation link was sent to the new address.")})


@me_router.get(
    "/me/addresses/{address_id}/formatted",
    response={200: FormattedAddressOut, **ERRORS},
    url_name="me-address-formatted",
)
def my_formatted_address(request, address_id: int):
    """An address rendered with the store view's Text, Text One Line, HTML and PDF templates."""
    from patron.customers.address_format import render_address
    from patron.customers.selectors import get_address

    address = get_address(request.customer, address_id)
    view = store_view_of(request)
    return {
        fmt: render_address(address, fmt, store_view=view)
        for fmt in ("text", "oneline", "html", "pdf")
    }


@router.post(
    "/account/email/confirm", response={200: MessageOut, **ERRORS}, url_name="account-email-confirm"
)
def confirm_email_change(request, payload: EmailConfirmIn):
    store_view_of(request)
    services.confirm_email_change(customer_id=payload.customer_id, key=payload.key)
    return {"message": _("Your email address has been changed.")}


@router.get(
    "/countries/{country_id}", response={200: CountryRulesOut, **ERRORS}, url_name="country-rules"
)
def country_rules(request, country_id: str):
    """What an address form needs for a country: its regions and required fields."""
    from patron.customers.address_rules import rules_summary

    store_view_of(request)
    return {"country_id": country_id.upper(), **rules_summary(country_id.upper())}
