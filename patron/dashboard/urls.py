from django.urls import path

from patron.dashboard import views

urlpatterns = [
    path("customer/account/", views.account_view, name="customer-account"),
    path("customer/account/edit/", views.account_edit_view, name="customer-account-edit"),
    path(
        "customer/account/email/confirm/",
        views.confirm_email_change_view,
        name="customer-email-confirm",
    ),
    path(
        "customer/account/attribute-file/<str:code>/",
        views.attribute_file_view,
        name="customer-attribute-file",
    ),
    path("customer/address/", views.address_book_view, name="customer-address-book"),
    path("customer/address/new/", views.address_new_view, name="customer-address-new"),
    path(
        "customer/address/<int:address_id>/edit/",
        views.address_edit_view,
        name="customer-address-edit",
    ),
    path(
        "customer/address/<int:address_id>/delete/",
        views.address_delete_view,
        name="customer-address-delete",
    ),
    path(
        "customer/address/<int:address_id>/attribute-file/<str:code>/",
        views.address_attribute_file_view,
        name="customer-address-attribute-file",
    ),
    path("customer/address/regions/", views.regions_view, name="customer-address-regions"),
    path("newsletter/manage/", views.newsletter_view, name="customer-newsletter"),
    path("newsletter/confirm/", views.newsletter_confirm_view, name="newsletter-confirm"),
    path(
        "newsletter/unsubscribe/", views.newsletter_unsubscribe_view, name="newsletter-unsubscribe"
    ),
]
