"""The ombudsperson's pages (Art. 43-51, 56-59). Included by config/urls.py under /exams/ in
the "exams" namespace with the marksheet pages, so the URLs and their names stay as they were."""

from django.urls import path

from . import views as ombuds_views

urlpatterns = [
    path("requests/", ombuds_views.request_list, name="request_list"),
    path("requests/<int:pk>/", ombuds_views.request_detail, name="request_detail"),
    path("requests/<int:pk>/decide/", ombuds_views.request_decide, name="request_decide"),
    path("requests/<int:pk>/missed/", ombuds_views.request_missed, name="request_missed"),
    path("schedule/<str:number>/", ombuds_views.schedule, name="schedule"),
    path("schedule/<str:number>/print/", ombuds_views.schedule_print, name="schedule_print"),
    path("schedule/<str:number>/schedule.ics", ombuds_views.schedule_ics, name="schedule_ics"),
    path("schedule/<str:number>/requests/new/", ombuds_views.request_create, name="request_create"),
    path("reports/", ombuds_views.report_list, name="report_list"),
    path("reports/<str:programme>/<str:year>/", ombuds_views.report_detail, name="report_detail"),
    path("reports/<str:programme>/<str:year>/report.csv", ombuds_views.report_csv, name="report_csv"),
    path("reports/<str:programme>/<str:year>/submit/", ombuds_views.report_submit, name="report_submit"),
]
