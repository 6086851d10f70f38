from django.urls import path

from . import views

app_name = "appeals"

urlpatterns = [
    path("", views.register, name="register"),
    path("new/", views.appeal_create, name="appeal_create"),
    path("<int:pk>/", views.appeal_detail, name="appeal_detail"),
    path("<int:pk>/elaborate/", views.appeal_elaborate, name="appeal_elaborate"),
    path("<int:pk>/postpone/", views.appeal_postpone, name="appeal_postpone"),
    path("<int:pk>/decide/", views.appeal_decide, name="appeal_decide"),
    path("refusal-lifting/", views.lifting_list, name="lifting_list"),
    path("refusal-lifting/new/", views.lifting_create, name="lifting_create"),
    path("refusal-lifting/<int:pk>/", views.lifting_detail, name="lifting_detail"),
    path("refusal-lifting/<int:pk>/decide/", views.lifting_decide, name="lifting_decide"),
    path("corrections/", views.correction_list, name="correction_list"),
    path("corrections/new/", views.correction_create, name="correction_create"),
]
