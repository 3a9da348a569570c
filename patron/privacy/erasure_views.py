"""The erasure blocks of the Privacy pages: the back-office customer section (Erase, with the
store-credit forfeit confirmation; Cancel Erasure) and the shopper's Privacy page (erase my
account; cancel). Both go through :mod:`patron.privacy.erasure`."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from patron.core.actors import Actor
from patron.core.errors import Forbidden, InvalidInput
from patron.privacy import erasure
from patron.privacy.models import ErasureRequest, ErasureState
from patron.scopes.config import get_config

VIEW_PERMISSION = "privacy.view_erasurerequest"
REQUEST_PERMISSION = "privacy.add_erasurerequest"
CANCEL_PERMISSION = "privacy.change_erasurerequest"


def _context(customer) -> dict:
    from patron.credit.services import remaining_balances

    latest = ErasureRequest.objects.filter(customer=customer).order_by("-requested_at").first()
    return {
        "customer": customer,
        "pending": latest if latest and latest.state == ErasureState.PENDING else None,
        "completed": latest if latest and latest.state == ErasureState.COMPLETED else None,
        "balances": remaining_balances(customer),
        "cancel_days": get_config(erasure.CANCEL_DAYS_PATH),
    }


def _confirmed(request) -> None:
    if request.POST.get("confirm") != "yes":
        raise InvalidInput(
            _("Tick the box to confirm that the account is to be erased."), field="confirm"
        )


# --- Back office ------------------------------------------------------------------------------


def staff_block(request, customer) -> str:
    if not request.user.has_perm(VIEW_PERMISSION):
        return ""
    context = _context(customer) | {
        "can_request": request.user.has_perm(REQUEST_PERMISSION),
        "can_cancel": request.user.has_perm(CANCEL_PERMISSION),
    }
    return render_to_string("admin/privacy/erasure_block.html", context, request=request)


def staff_request(request, customer):
    if not request.user.has_perm(REQUEST_PERMISSION):
        raise PermissionDenied
    _confirmed(request)
    found = erasure.request_erasure(
        customer=customer,
        actor=Actor.staff(request.user),
        forfeit_credit=request.POST.get("forfeit_credit") == "yes",
    )
    messages.success(
        request,
        _("The account will be erased on %(when)s unless the erasure is cancelled before.")
        % {"when": found.due_at.strftime("%Y-%m-%d %H:%M %Z")},
    )


def staff_cancel(request, customer):
    if not request.user.has_perm(CANCEL_PERMISSION):
        raise PermissionDenied
    erasure.cancel_erasure(customer=customer, actor=Actor.staff(request.user))
    messages.success(request, _("The erasure was cancelled."))


STAFF_ACTIONS = {"request_erasure": staff_request, "cancel_erasure": staff_cancel}


# --- The shopper's Privacy page ---------------------------------------------------------------


def shopper_block(request) -> str:
    return render_to_string(
        "privacy/shop/erasure_block.html", _context(request.customer), request=request
    )


def _refuse_while_assisting(request) -> None:
    if getattr(request, "assistance", None) is not None:
        raise Forbidden(
            _("Staff logged in as the customer cannot erase the account."),
            code="not_while_assisting",
        )


def shopper_request(request):
    from patron.accounts.sessions import shopper_actor

    _refuse_while_assisting(request)
    _confirmed(request)
    found = erasure.request_erasure(customer=request.customer, actor=shopper_actor(request))
    messages.success(
        request,
        _("Your account will be erased on %(when)s. Until then you can cancel it here.")
        % {"when": found.due_at.strftime("%Y-%m-%d")},
    )


def shopper_cancel(request):
    from patron.accounts.sessions import shopper_actor

    _refuse_while_assisting(request)
    erasure.cancel_erasure(customer=request.customer, actor=shopper_actor(request))
    messages.success(request, _("The erasure of your account was cancelled."))


SHOPPER_ACTIONS = {"request_erasure": shopper_request, "cancel_erasure": shopper_cancel}
