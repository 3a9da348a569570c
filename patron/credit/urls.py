from django.urls import path

from patron.credit import shop_views

urlpatterns = [
    path("storecredit/info/", shop_views.store_credit_view, name="storecredit-info"),
]
