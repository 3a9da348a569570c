from patron.scopes.config import get_config


def store_view(request):
    view = getattr(request, "store_view", None)
    if view is None:
        return {"store_view": None, "store_name": "Patron"}
    return {
        "store_view": view,
        "store_name": get_config("general/store_information/name", store_view=view)
        or view.store.website.name,
    }
