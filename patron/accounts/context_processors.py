def shopper(request):
    customer = getattr(request, "customer", None)
    return {"customer": customer or None}
