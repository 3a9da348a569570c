def assistance(request):
    return {"assistance": getattr(request, "assistance", None)}
