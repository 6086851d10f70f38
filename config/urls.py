from django.contrib import admin
from django.urls import include, path

from exams import urls as exams_urls
from reschedules import urls as reschedules_urls

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    # The marksheets (exams) and the ombudsperson's pages (reschedules) share /exams/ and the
    # "exams" URL namespace, as before the ombudsperson's pages moved to their own app.
    path("exams/", include((exams_urls.urlpatterns + reschedules_urls.urlpatterns, "exams"))),
    path("appeals/", include("appeals.urls")),
    path("fees/", include("fees.urls")),
    path("committee/", include("committee.urls")),
    path("fraud/", include("fraud.urls")),
    path("notifications/", include("notifications.urls")),
    # The student pages live in progress (records and results together); their URL names keep
    # the "students" namespace.
    path("", include("progress.urls")),
    path("", include("core.urls")),
]
