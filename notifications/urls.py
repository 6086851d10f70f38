from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.outbox_list, name="outbox"),
    path("<int:pk>/resend/", views.notification_resend, name="resend"),
]
