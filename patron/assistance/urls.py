from django.urls import path

from patron.assistance import views

urlpatterns = [
    path("loginascustomer/login/", views.start_view, name="assistance-start"),
    path("loginascustomer/logout/", views.end_view, name="assistance-end"),
]
