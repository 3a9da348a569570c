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
    from patron.segments.services import listened_events
    from patron.segments.tasks import evaluate_customer_task, evaluate_visitor_task

    if event.name not in listened_events():
        return
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


def membership_webhook_payload(payload: dict) -> dict:
    """The webhook body of ``segmentMembershipChanged``: who joined or left which segments."""
    from patron.segments.models import Segment

    changed = [*payload.get("joined", []), *payload.get("left", [])]
    names = dict(Segment.objects.filter(pk__in=changed).values_list("pk", "name"))

    def described(ids):
        return [{"id": pk, "name": names.get(pk, "")} for pk in ids]

    return {
        "customer_id": payload.get("customer_id"),
        "website_id": payload.get("website_id"),
        "joined": described(payload.get("joined", [])),
        "left": described(payload.get("left", [])),
    }


def register_webhooks() -> None:
    from patron.webhooks.payloads import register_payload

    register_payload("segmentMembershipChanged", membership_webhook_payload)
