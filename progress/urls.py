from django.urls import path

from . import exports, views

app_name = "students"

urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/export.csv", exports.student_list_csv, name="student_list_csv"),
    path("students/<str:number>/", views.student_detail, name="student_detail"),
    path("students/<str:number>/print/", exports.file_print, name="student_file_print"),
    path("students/<str:number>/file.pdf", exports.file_pdf, name="student_file_pdf"),
    path("isp/<int:pk>/", views.isp_editor, name="isp_editor"),
    path("isp/<int:pk>/change/", views.isp_change, name="isp_change"),
    path("isp/<int:pk>/derogation/", views.isp_derogation, name="isp_derogation"),
    path("isp/<int:pk>/tolerated-retake/", views.isp_tolerated_retake, name="isp_tolerated_retake"),
    path("isp/<int:pk>/submit/", views.isp_submit, name="isp_submit"),
    path("isp/<int:pk>/approve/", views.isp_approve, name="isp_approve"),
]
