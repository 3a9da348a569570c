from django.urls import path

from patron.privacy import views

urlpatterns = [
    path("customer/privacy/", views.privacy_view, name="customer-privacy"),
    path(
        "customer/privacy/exports/<uuid:export_id>/download/",
        views.export_download_view,
        name="customer-privacy-export-download",
    ),
    path("privacy/data-export/", views.link_download_view, name="privacy-data-export-download"),
]
