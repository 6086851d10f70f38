import os
from pathlib import Path

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("college")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

FILESYSTEM_BROKER_FOLDERS = ("data_folder_in", "data_folder_out", "processed_folder", "control_folder")


@app.on_after_configure.connect
def _filesystem_broker_folders(sender, source, **kwargs):
    """The embedded broker of `make run` (filesystem://) and its file:// results need their
    folders before a worker, beat or a web process touches them. Made here, when Celery
    reads its configuration, rather than by importing the settings."""
    if str(source.broker_url or "").startswith("filesystem://"):
        options = source.broker_transport_options or {}
        for folder in filter(None, (options.get(key) for key in FILESYSTEM_BROKER_FOLDERS)):
            Path(folder).mkdir(parents=True, exist_ok=True)
    backend = str(source.result_backend or "")
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)
