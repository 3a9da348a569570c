"""Real-time matching (spec c §4.5, §5): after an event commits, the shopper it concerns is
re-evaluated by a task, so saving a customer, an order or a cart never waits on segments."""

from patron.core import events

# Events that re-evaluate the registered customer named in their payload.
CUSTOMER_EVENTS = (
    "signIn", "accountCreated", "accountUpdated", "groupChanged", "addressSaved",
    "addressDeleted", "newsletterChanged", "storeCreditChanged", "cartChanged",
    "wishlistChanged", "productViewed", "orderRecorded", "orderChanged",
)  # fmt: skip
# Events that re-evaluate a visitor (a guest known by visitor id).
VISITOR_EVENTS = ("cartChanged", "productViewed")


def on_shopper_event(event: events.DomainEvent) -> None:
    from patron.segments.tasks import evaluate_customer_task, evaluate_visitor_task

    payload = event.payload
    customer_id = payload.get("customer_id")
    if customer_id:
        evaluate_customer_task.enqueue(
            customer_id, event.name, payload.get("website_id") if event.name in
            ("cartChanged", "productViewed", "orderRecorded", "orderChanged") else None,
        )  # fmt: skip
    elif event.name in VISITOR_EVENTS and payload.get("visitor_id") and payload.get("website_id"):
        evaluate_visitor_task.enqueue(payload["website_id"], payload["visitor_id"])


for _name in CUSTOMER_EVENTS:
    events.subscribe(_name, dispatch_uid=f"segments.{_name}")(on_shopper_event)
