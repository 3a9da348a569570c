"""Coupon and rule usage follow the orders the shop records: counted when an order arrives,
recounted when it changes (a canceled order gives its coupon back)."""

from patron.core import events
from patron.promotions import services


@events.subscribe("orderRecorded", dispatch_uid="promotions.usage.recorded")
@events.subscribe("orderChanged", dispatch_uid="promotions.usage.changed")
def count_usage(event: events.DomainEvent) -> None:
    services.sync_usage(order_id=event.payload["order_id"])
