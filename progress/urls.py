from django.urls import path

from . import views

app_name = "students"

urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/<str:number>/", views.student_detail, name="student_detail"),
    path("isp/<int:pk>/", views.isp_editor, name="isp_editor"),
    path("isp/<int:pk>/change/", views.isp_change, name="isp_change"),
    path("isp/<int:pk>/derogation/", views.isp_derogation, name="isp_derogation"),
    path("isp/<int:pk>/tolerated-retake/", views.isp_tolerated_retake, name="isp_tolerated_retake"),
    path("isp/<int:pk>/submit/", views.isp_submit, name="isp_submit"),
    path("isp/<int:pk>/approve/", views.isp_approve, name="isp_approve"),
]
