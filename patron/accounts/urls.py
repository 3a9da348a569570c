from django.urls import path

from patron.accounts import views

urlpatterns = [
    path("customer/account/login/", views.login_view, name="customer-login"),
    path("customer/account/create/", views.create_view, name="customer-create"),
    path("customer/account/logout/", views.logout_view, name="customer-logout"),
    path(
        "customer/account/forgotpassword/",
        views.forgot_password_view,
        name="customer-forgot-password",
    ),
    path(
        "customer/account/createpassword/",
        views.reset_password_view,
        name="customer-reset-password",
    ),
    path("customer/account/confirm/", views.confirm_view, name="customer-confirm"),
    path("customer/account/confirmation/", views.confirmation_view, name="customer-confirmation"),
    path(
        "customer/captcha/<str:challenge_id>.png",
        views.captcha_image_view,
        name="customer-captcha-image",
    ),
    path(
        "customer/captcha/<str:challenge_id>.wav",
        views.captcha_audio_view,
        name="customer-captcha-audio",
    ),
]
