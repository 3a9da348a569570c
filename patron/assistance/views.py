from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from patron.assistance import services
from patron.assistance.middleware import signed_session_id
from patron.core.errors import PatronError


@never_cache
@require_GET
def start_view(request):
    """Open the assisted session named by the single-use secret of the link."""
    try:
        session = services.redeem_secret(request.GET.get("secret", ""))
    except PatronError as error:
        return render(
            request, "assistance/refused.html", {"reason": error.message}, status=error.status
        )
    request.set_assistance_cookie = signed_session_id(session.pk)
    messages.info(
        request,
        _("You are now logged in as %(customer)s. Everything you do here is recorded.")
        % {"customer": session.customer_name or session.customer_email},
    )
    return redirect("customer-account")


@never_cache
@require_POST
def end_view(request):
    session = request.assistance
    if session is not None:
        services.end_assistance(session=session, reason="ended")
        request.assistance_ending = True
        request.assistance = None
    return render(request, "assistance/ended.html", {"session": session, "customer": None})
