"""The Now Online periodic jobs: the flush every minute, the purge every hour."""

import datetime as dt

from django.utils import timezone

from patron.core.scheduler import periodic_jobs
from patron.online.models import OnlineSession
from patron.online.services import flush_online, touch_online

CART_ADD = "http://testserver/checkout/cart/add/"


def job(code: str):
    return next(j for j in periodic_jobs() if j.code == code)


def test_both_jobs_are_registered_with_their_schedule():
    # when
    jobs = {j.code: j.cron for j in periodic_jobs() if j.code.startswith("online.")}

    # then
    assert jobs == {"online.flush": "* * * * *", "online.purge": "31 * * * *"}


def test_the_flush_job_writes_the_touches(shopper):
    # given
    touch_online(customer=shopper, url=CART_ADD)

    # when
    result = job("online.flush").enqueue()

    # then
    assert result.return_value == 1
    assert list(OnlineSession.objects.values_list("customer_id", "last_url")) == [
        (shopper.pk, CART_ADD)
    ]


def test_the_purge_job_deletes_stale_sessions(shopper):
    # given
    touch_online(customer=shopper, url=CART_ADD, now=timezone.now() - dt.timedelta(days=2))
    flush_online()

    # when
    result = job("online.purge").enqueue()

    # then
    assert result.return_value == 1
    assert OnlineSession.objects.count() == 0
