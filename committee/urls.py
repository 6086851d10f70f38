"""The examination committees' pages (/committee/): the home and the meeting (views), the select
committee's inventory and the per-student decisions (inventory_views), the report (report_views)."""

from . import inventory_views, report_views, views

app_name = "committee"

urlpatterns = [*views.urls, *inventory_views.urls, *report_views.urls]
