"""Back-office sign-in: password, then the second factor (or enrolment), with throttling.

Between the two steps the staff member is not signed in: the session only holds who passed the
password check, and for how long that counts.
"""

import time
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from patron.core.errors import PatronError
from patron.core.http import client_ip
from patron.staff import two_factor

PENDING_KEY = "patron_staff_pending"
PENDING_SECONDS = 5 * 60


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )


def _next_url(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("admin:index")


def _context(site, request, **extra):
    return {**site.each_context(request), "next": _next_url(request), **extra}


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending or time.time() - pending["at"] > PENDING_SECONDS:
        return None
    return (
        get_user_model()
        .objects.filter(pk=pending["user_id"], is_active=True, is_staff=True)
        .first()
    )


def _finish(request, user, device=None):
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        from django_otp import login as otp_login

        otp_login(request, device)
    return redirect(_next_url(request))


@sensitive_post_parameters()
@csrf_protect
@never_cache
def login_view(request, site):
    """Step one: the password. Then the code, enrolment, or (without 2FA required) done."""
    user = request.user
    if user.is_authenticated and user.is_staff:
        if site.has_permission(request):
            return redirect(_next_url(request))
        # Signed in before two-factor authentication became required: finish it now.
        request.session[PENDING_KEY] = {"user_id": user.pk, "at": time.time()}
        return redirect(f"{_step_for(user)}?{urlencode({'next': _next_url(request)})}")
    form = AdminAuthenticationForm(request, data=request.POST or None)
    error = None
    if request.method == "POST":
        username = request.POST.get("username", "")
        ip = client_ip(request)
        try:
            two_factor.check_password_attempt_allowed(username=username, ip=ip)
        except PatronError as refusal:
            error = refusal.message
            # A fresh form: checking the posted one would tell a right password from a wrong one.
            form = AdminAuthenticationForm(request, initial={"username": username})
        else:
            if form.is_valid():
                user = form.get_user()
                if not two_factor.has_two_factor(user) and not two_factor.is_required():
                    return _finish(request, user)
                request.session.cycle_key()
                request.session[PENDING_KEY] = {"user_id": user.pk, "at": time.time()}
                return redirect(f"{_step_for(user)}?{urlencode({'next': _next_url(request)})}")
            two_factor.record_password_failure(username=username, ip=ip)
    context = _context(site, request, form=form, title=_("Log in"), lockout_error=error)
    return render(request, "admin/staff/login.html", context, status=429 if error else 200)


def _step_for(user) -> str:
    if two_factor.has_two_factor(user):
        return reverse("admin:two-factor-verify")
    return reverse("admin:two-factor-setup")


@sensitive_post_parameters()
@csrf_protect
@never_cache
def verify_view(request, site):
    """Step two: a code from the app, or a recovery code."""
    user = _pending_user(request)
    if user is None:
        messages.error(request, _("Sign in again: the sign-in took too long."))
        return redirect("admin:login")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = two_factor.verify_second_factor(user=user, token=form.cleaned_data["token"])
        except PatronError as error:
            form.add_error("token", str(error.message))
        else:
            if device.name == two_factor.RECOVERY_DEVICE_NAME:
                left = two_factor.remaining_recovery_codes(user)
                messages.warning(
                    request,
                    _("You used a recovery code; %(left)d remain. Set up new codes soon.")
                    % {"left": left},
                )
            return _finish(request, user, device)
    context = _context(site, request, form=form, title=_("Two-factor authentication"))
    return render(request, "admin/staff/two_factor_verify.html", context)


@sensitive_post_parameters()
@csrf_protect
@never_cache
def setup_view(request, site):
    """Enrol an authenticator app: right after the password when none is set up yet, or later
    from the back office to replace the app. Shows the recovery codes once."""
    import segno

    signed_in = request.user.is_authenticated and site.has_permission(request)
    user = request.user if signed_in else _pending_user(request)
    if user is None:
        return redirect("admin:login")
    if not signed_in and two_factor.has_two_factor(user):
        # Replacing an app needs the second factor first: the password alone must not do it.
        query = urlencode({"next": _next_url(request)})
        return redirect(f"{reverse('admin:two-factor-verify')}?{query}")
    device = two_factor.begin_enrolment(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.confirm_enrolment(user=user, token=form.cleaned_data["token"])
        except PatronError as error:
            form.add_error("token", str(error.message))
        else:
            from django_otp import login as otp_login
            from django_otp.plugins.otp_totp.models import TOTPDevice

            device = TOTPDevice.objects.get(user=user, confirmed=True)
            if signed_in:
                otp_login(request, device)  # the session's old device is gone
            else:
                _finish(request, user, device)
            context = _context(site, request, codes=codes, title=_("Your recovery codes"))
            return render(request, "admin/staff/recovery_codes.html", context)
    details = two_factor.setup_details(device, issuer=site.site_title and str(site.site_title))
    qr = segno.make(details["url"], error="m").svg_inline(scale=5, title=_("QR code to scan"))
    context = _context(
        site,
        request,
        form=form,
        secret=details["secret"],
        # segno escapes what it puts in the SVG, and the URL is ours.
        qr=mark_safe(qr),  # noqa: S308
        title=_("Set up two-factor authentication"),
        required=two_factor.is_required(),
    )
    return render(request, "admin/staff/two_factor_setup.html", context)
