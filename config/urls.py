from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("exams/", include("exams.urls")),
    path("appeals/", include("appeals.urls")),
    path("fees/", include("fees.urls")),
    path("", include("students.urls")),
    path("", include("core.urls")),
]
