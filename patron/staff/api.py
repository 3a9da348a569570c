from ninja import Router, Schema

from patron.core.api import principal_of, staff_auth

router = Router(tags=["Staff and integrations"], auth=staff_auth)


class WhoAmIOut(Schema):
    kind: str
    name: str
    permissions: list[str] | None
    website_ids: list[int] | None


@router.get("/whoami", response=WhoAmIOut, url_name="whoami")
def whoami(request):
    """Describe the caller: a staff member or an integration token, its permissions and websites."""
    principal = principal_of(request)
    permissions = (
        sorted(principal.user.get_all_permissions())
        if principal.user is not None
        else sorted(principal.permissions or ())
    )
    return WhoAmIOut(
        kind=principal.actor.kind,
        name=principal.actor.label,
        permissions=permissions,
        website_ids=principal.website_ids,
    )
