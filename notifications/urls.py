from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [path("", views.outbox_list, name="outbox")]
