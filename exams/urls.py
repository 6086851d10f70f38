from django.urls import path

from . import views

app_name = "exams"

urlpatterns = [
    path("marksheets/", views.marksheet, name="marksheet"),
    path("marksheets/template.csv", views.marksheet_template, name="marksheet_template"),
]
