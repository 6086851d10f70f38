"""The fraud pages (/fraud/): the examiner's report, the files, the evidence, the ratification
(Art. 84-85); see ``fraud.views``."""

from . import views

app_name = "fraud"

urlpatterns = [*views.urls]
