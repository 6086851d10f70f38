from django.urls import path

from . import advice_views, exports, risk_views, views, whatif_views

app_name = "students"

urlpatterns = [
    path("students/", views.student_list, name="student_list"),
    path("students/export.csv", exports.student_list_csv, name="student_list_csv"),
    path("students/risks/", risk_views.risk_list, name="risk_list"),
    path("students/risks/export.csv", risk_views.risk_list_csv, name="risk_list_csv"),
    path("students/<str:number>/", views.student_detail, name="student_detail"),
    path("students/<str:number>/print/", exports.file_print, name="student_file_print"),
    path("students/<str:number>/risks/refresh/", views.student_risks_refresh, name="student_risks_refresh"),
    path("students/<str:number>/file.pdf", exports.file_pdf, name="student_file_pdf"),
    path("students/<str:number>/what-if/", whatif_views.student_whatif, name="student_whatif"),
    path("students/<str:number>/advice/new/", advice_views.advice_create, name="advice_create"),
    path("students/<str:number>/advice/<int:pk>/", advice_views.advice_edit, name="advice_edit"),
    path("students/<str:number>/advice/<int:pk>/done/", advice_views.advice_done, name="advice_done"),
    path("students/<str:number>/advice/<int:pk>/history/", advice_views.advice_history, name="advice_history"),
    path("isp/<int:pk>/", views.isp_editor, name="isp_editor"),
    path("isp/<int:pk>/change/", views.isp_change, name="isp_change"),
    path("isp/<int:pk>/derogation/", views.isp_derogation, name="isp_derogation"),
    path("isp/<int:pk>/tolerated-retake/", views.isp_tolerated_retake, name="isp_tolerated_retake"),
    path("isp/<int:pk>/submit/", views.isp_submit, name="isp_submit"),
    path("isp/<int:pk>/approve/", views.isp_approve, name="isp_approve"),
]
