"""Shopper pages at Magento's paths: sign-in, registration, confirmation, sign-out, forgotten
and reset passwords. Views parse forms, call one service and render."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from patron.accounts import captcha, services, sessions
from patron.accounts.forms import EmailForm, LoginForm, RegistrationForm, ResetPasswordForm
from patron.core.admin_helpers import add_errors_to_form
from patron.core.errors import LimitReached, NotFound, PatronError
from patron.core.http import client_ip
from patron.core.registries import dashboard_links
from patron.customers import attribute_forms
from patron.customers.models import AttributeEntity, AttributeForm
from patron.customers.validation import form_rules
from patron.scopes.config import get_config


def _website(request):
    if request.store_view is None:
        raise Http404(_("This store has no store view."))
    return request.store_view.store.website


def _render(request, template, context, status=200, retry_after=None):
    response = render(request, template, context, status=status)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


# Pages of the sign-in flow itself are never a place to return to: the Referer of the sign-in
# page is often one of them (a reset link, already used, would greet the customer with an error).
_ACCOUNT_FLOW_PAGES = {
    "customer-login",
    "customer-create",
    "customer-logout",
    "customer-forgot-password",
    "customer-reset-password",
    "customer-confirm",
    "customer-confirmation",
}


def _is_account_flow_page(request, target: str) -> bool:
    path = urlsplit(target).path
    prefix = getattr(request, "store_prefix", "")
    if prefix and path.startswith(f"{prefix}/"):
        path = path[len(prefix) :]
    try:
        return resolve(path).url_name in _ACCOUNT_FLOW_PAGES
    except Resolver404:
        return False


def _safe_next(request, target: str | None) -> str | None:
    if not target:
        return None
    hosts = {request.get_host()}
    base_url = get_config("web/url/base_url", store_view=request.store_view)
    if base_url:
        hosts.add(urlsplit(base_url).netloc)
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts=hosts, require_https=request.is_secure()
    ) and not _is_account_flow_page(request, target):
        return target
    return None


def _attach_captcha(form, form_code, website, *, email=None, ip=None) -> bool:
    if captcha.is_required(form_code, website, email=email, ip=ip):
        form.add_captcha(captcha.new_challenge(website))
        return True
    return False


def _captcha_passed(request, website) -> bool:
    return captcha.verify(request.POST.get("captcha_id"), request.POST.get("captcha"), website)


def _persistence_options(website):
    enabled = get_config("persistent/options/enabled", website=website) and get_config(
        "persistent/options/remember_enabled", website=website
    )
    return {
        "show_remember": bool(enabled),
        "remember_default": bool(
            get_config("persistent/options/remember_default", website=website)
        ),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request):
    website = _website(request)
    if request.customer:
        return redirect("customer-account")
    options = {
        "autocomplete": bool(
            get_config("customer/password/autocomplete_on_storefront", website=website)
        ),
        **_persistence_options(website),
    }
    ip = client_ip(request)
    if request.method == "GET":
        form = LoginForm(
            initial={"next": request.GET.get("next") or request.META.get("HTTP_REFERER", "")},
            **options,
        )
        _attach_captcha(form, captcha.LOGIN, website, ip=ip)
        return _render(request, "accounts/login.html", {"form": form})
    form = LoginForm(request.POST, **options)
    email = request.POST.get("email", "")
    needs_captcha = captcha.is_required(captcha.LOGIN, website, email=email, ip=ip)
    if needs_captcha:
        form.add_captcha(request.POST.get("captcha_id", ""))
    status = 400
    retry_after = None
    if form.is_valid():
        if needs_captcha and not _captcha_passed(request, website):
            form.add_error("captcha", _("Incorrect CAPTCHA."))
        else:
            try:
                customer = services.authenticate(
                    store_view=request.store_view,
                    email=form.cleaned_data["email"],
                    password=form.cleaned_data["password"],
                    ip=ip,
                )
            except PatronError as error:
                if error.code == "invalid_credentials":
                    captcha.note_login_failure(email=email, ip=ip)
                if isinstance(error, LimitReached):
                    status, retry_after = 429, error.retry_after
                form.add_error(None, str(error.message))
                return _login_failed(request, form, website, email, ip, status, retry_after, error)
            captcha.clear_login_failures(email=email, ip=ip)
            sessions.start_session(
                request, customer, remember=form.cleaned_data.get("remember", False)
            )
            services.record_sign_in(
                customer=customer,
                store_view=request.store_view,
                ip=ip,
                url=request.build_absolute_uri(),
            )
            if get_config("customer/startup/redirect_dashboard", website=website):
                return redirect("customer-account")
            return redirect(
                _safe_next(request, form.cleaned_data.get("next")) or reverse("customer-account")
            )
    return _login_failed(request, form, website, email, ip, status, retry_after, None)


def _login_failed(request, form, website, email, ip, status, retry_after, error):
    fresh = LoginForm(
        initial={"email": email, "next": request.POST.get("next", "")},
        autocomplete=bool(
            get_config("customer/password/autocomplete_on_storefront", website=website)
        ),
        **_persistence_options(website),
    )
    fresh._errors = form.errors
    _attach_captcha(fresh, captcha.LOGIN, website, email=email, ip=ip)
    context = {"form": fresh, "not_confirmed": error is not None and error.code == "not_confirmed"}
    return _render(request, "accounts/login.html", context, status=status, retry_after=retry_after)


@never_cache
@require_http_methods(["GET", "POST"])
def create_view(request):
    website = _website(request)
    if request.customer:
        return redirect("customer-account")
    rules = form_rules(website)
    options = _persistence_options(website)
    from patron.assistance.services import checkbox_texts, consent_default_for_new_accounts

    form = RegistrationForm(
        request.POST or None,
        request.FILES or None,
        rules=rules,
        assistance_texts=checkbox_texts(website),
        assistance_default=consent_default_for_new_accounts(),
        attributes=attribute_forms.storefront_attributes(
            AttributeEntity.CUSTOMER, AttributeForm.REGISTRATION
        ),
        store_view=request.store_view,
        **options,
    )
    ip = client_ip(request)
    needs_captcha = captcha.is_required(captcha.CREATE, website, ip=ip)
    if request.method == "GET":
        _attach_captcha(form, captcha.CREATE, website, ip=ip)
        return _render(request, "accounts/create.html", {"form": form, "rules": rules})
    if needs_captcha:
        form.add_captcha(request.POST.get("captcha_id", ""))
    if form.is_valid():
        if needs_captcha and not _captcha_passed(request, website):
            form.add_error("captcha", _("Incorrect CAPTCHA."))
        else:
            data = {
                name: value
                for name, value in form.cleaned_data.items()
                if not name.startswith(attribute_forms.FIELD_PREFIX)
            }
            for name in ("captcha", "captcha_id", "remember"):
                data.pop(name, None)
            try:
                customer = services.register_customer(
                    store_view=request.store_view,
                    custom_attributes=attribute_forms.submitted_attributes(form),
                    attribute_form=AttributeForm.REGISTRATION,
                    **data,
                )
            except PatronError as error:
                attribute_forms.add_errors(form, error)
            else:
                if not customer.is_confirmed:
                    messages.success(
                        request,
                        _(
                            "You must confirm your account. Please check your email for the confirmation link."
                        ),
                    )
                    return redirect("customer-login")
                sessions.start_session(
                    request, customer, remember=form.cleaned_data.get("remember", False)
                )
                services.record_sign_in(
                    customer=customer,
                    store_view=request.store_view,
                    ip=ip,
                    via="registration",
                    url=request.build_absolute_uri(),
                )
                messages.success(
                    request,
                    _("Thank you for registering with %(store)s.") % {"store": website.name},
                )
                return redirect("customer-account")
    if needs_captcha:
        form.fields.pop("captcha", None)
        _attach_captcha(form, captcha.CREATE, website, ip=ip)
    return _render(
        request,
        "accounts/create.html",
        {"form": form, "rules": rules},
        status=400,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def logout_view(request):
    if request.method == "GET":
        if not request.customer:
            return redirect("storefront-home")
        return _render(request, "accounts/logout.html", {})
    if getattr(request, "assistance", None) is not None:
        # Signing out while assisting ends the assisted session, not the browser's own one.
        from patron.assistance.views import end_view

        return end_view(request)
    customer = request.customer
    if customer:
        sessions.end_session(request)
        services.record_sign_out(customer=customer)
        messages.success(request, _("You are signed out."))
    return redirect("storefront-home")


@never_cache
@require_http_methods(["GET", "POST"])
def forgot_password_view(request):
    website = _website(request)
    autocomplete = bool(get_config("customer/password/autocomplete_on_storefront", website=website))
    form = EmailForm(request.POST or None, autocomplete=autocomplete)
    ip = client_ip(request)
    needs_captcha = captcha.is_required(captcha.FORGOT_PASSWORD, website, ip=ip)
    if request.method == "POST":
        if needs_captcha:
            form.add_captcha(request.POST.get("captcha_id", ""))
        if form.is_valid():
            if needs_captcha and not _captcha_passed(request, website):
                form.add_error("captcha", _("Incorrect CAPTCHA."))
            else:
                try:
                    services.request_password_reset(
                        email=form.cleaned_data["email"], store_view=request.store_view, ip=ip
                    )
                except LimitReached as error:
                    form.add_error(None, str(error.message))
                    if needs_captcha:
                        form.fields.pop("captcha", None)
                        _attach_captcha(form, captcha.FORGOT_PASSWORD, website, ip=ip)
                    return _render(
                        request,
                        "accounts/forgot.html",
                        {"form": form},
                        status=429,
                        retry_after=error.retry_after,
                    )
                messages.success(
                    request,
                    _(
                        "If there is an account associated with %(email)s you will receive an email with a link to reset your password."
                    )
                    % {"email": form.cleaned_data["email"]},
                )
                return redirect("customer-login")
        if needs_captcha:
            form.fields.pop("captcha", None)
    if needs_captcha:
        _attach_captcha(form, captcha.FORGOT_PASSWORD, website, ip=ip)
    return _render(
        request,
        "accounts/forgot.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def reset_password_view(request):
    request_id, token = request.GET.get("id", ""), request.GET.get("token", "")
    try:
        services.valid_reset_request(request_id=int(request_id or 0), token=token)
    except (NotFound, ValueError):
        messages.error(
            request,
            _("Your password reset link has expired or was already used. Ask for a new one."),
        )
        return redirect("customer-forgot-password")
    form = ResetPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reset_password(
                request_id=int(request_id), token=token,
                password=form.cleaned_data["password"], confirmation=form.cleaned_data["password_confirmation"],
            )  # fmt: skip
        except PatronError as error:
            add_errors_to_form(form, error)
        else:
            messages.success(
                request, _("You updated your password. Please sign in with the new one.")
            )
            return redirect("customer-login")
    return _render(
        request,
        "accounts/reset.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
def confirm_view(request):
    try:
        services.confirm_email(
            customer_id=int(request.GET.get("id") or 0),
            key=request.GET.get("key", ""),
            store_view=request.store_view,
        )
    except (NotFound, ValueError):
        messages.error(request, _("This confirmation link is not valid or was already used."))
        return redirect("customer-confirmation")
    messages.success(
        request,
        _("Thank you for confirming your account. Please sign in with your email and password."),
    )
    return redirect("customer-login")


@never_cache
@require_http_methods(["GET", "POST"])
def confirmation_view(request):
    form = EmailForm(request.POST or None, initial={"email": request.GET.get("email", "")})
    if request.method == "POST" and form.is_valid():
        services.resend_confirmation(
            email=form.cleaned_data["email"], store_view=request.store_view
        )
        messages.success(
            request,
            _(
                "If %(email)s belongs to an account waiting for confirmation, we sent a new confirmation link."
            )
            % {"email": form.cleaned_data["email"]},
        )
        return redirect("customer-login")
    return _render(request, "accounts/confirmation.html", {"form": form})


def visible_dashboard_links(request):
    """The account navigation: every registered link the request may see, in order."""
    current = request.resolver_match.url_name if request.resolver_match else None
    return [
        {"label": link.label, "url": reverse(link.url_name), "current": link.url_name == current}
        for link in dashboard_links
        if link.is_visible(request)
    ]


def captcha_image_view(request, challenge_id):
    data = captcha.image_png(challenge_id)
    if data is None:
        raise Http404(_("This CAPTCHA has expired."))
    return HttpResponse(data, content_type="image/png", headers={"Cache-Control": "no-store"})


def captcha_audio_view(request, challenge_id):
    data = captcha.audio_wav(challenge_id)
    if data is None:
        raise Http404(_("This CAPTCHA has expired."))
    return HttpResponse(data, content_type="audio/wav", headers={"Cache-Control": "no-store"})
