from django.urls import path

from patron.sales import shop_views

urlpatterns = [
    path("sales/order/history/", shop_views.order_history_view, name="sales-order-history"),
    path("sales/order/view/<int:order_id>/", shop_views.order_view, name="sales-order-view"),
    path("wishlist/", shop_views.wishlist_view, name="wishlist"),
    path("review/customer/", shop_views.review_list_view, name="review-customer"),
    path(
        "review/customer/view/<int:review_id>/",
        shop_views.review_view,
        name="review-customer-view",
    ),
]
