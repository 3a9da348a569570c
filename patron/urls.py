from django.urls import include, path

from patron.admin_site import admin_site
from patron.api import api, register_routers
from patron.core import views as core_views
from patron.core.metrics import metrics_view

register_routers()

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("admin/", admin_site.urls),
    path("api/v1/", api.urls),
    path("", include("patron.accounts.urls")),
    path("", include("patron.assistance.urls")),
    path("", include("patron.dashboard.urls")),
    path("", include("patron.sales.urls")),
    path("", include("patron.credit.urls")),
    path("", include("patron.privacy.urls")),
    path("", include("patron.transfer.urls")),
    path("", core_views.storefront_home, name="storefront-home"),
]
