from django.urls import path

from . import views

app_name = "fees"

urlpatterns = [
    path("", views.open_balances, name="open_balances"),
    path("export.csv", views.export_csv, name="export_csv"),
]
