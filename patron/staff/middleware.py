import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import ngettext

LAST_SEEN_KEY = "patron_staff_last_seen"


class StaffIdleTimeoutMiddleware:
    """End a staff session after PATRON_STAFF_IDLE_MINUTES without a request. The time is
    written to the session at most once a minute, so requests are not a session write each."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            last_seen = request.session.get(LAST_SEEN_KEY)
            idle = settings.STAFF_IDLE_MINUTES
            if last_seen is not None and now - last_seen > idle * 60:
                logout(request)
                if request.path_info.startswith("/admin/"):
                    messages.info(
                        request,
                        ngettext(
                            "You were signed out after %(minutes)d minute without activity.",
                            "You were signed out after %(minutes)d minutes without activity.",
                            idle,
                        )
                        % {"minutes": idle},
                    )
                    query = urlencode({"next": request.get_full_path()})
                    return redirect(f"{reverse('admin:login')}?{query}")
            elif last_seen is None or now - last_seen > 60:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)
