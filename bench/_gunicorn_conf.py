"""Gunicorn hooks for the load benchmark (``bench/load.py``, ``gunicorn -c``): each worker
notes, per request, the page the virtual user named (header ``X-Bench-Page``), the worker's
CPU time and the time from the request's start to its end inside the worker. Unlike the
time locust sees, neither includes the wait in the listen queue, and the CPU time barely
moves when other processes share the machine. One line of JSON per request, in
``LOAD_SERVER_TIMES``.<worker pid>; standard library only."""

import json
import os
import time

_PATH = os.environ.get("LOAD_SERVER_TIMES", "")
_out = None


def post_fork(server, worker):
    global _out
    if _PATH:
        _out = open(f"{_PATH}.{os.getpid()}", "a", buffering=1, encoding="utf-8")  # noqa: SIM115 (the worker's life)


def pre_request(worker, req):
    req.bench_started = (time.perf_counter(), time.process_time())


def post_request(worker, req, environ, resp):
    started = getattr(req, "bench_started", None)
    if _out is None or started is None:
        return
    wall, cpu = time.perf_counter() - started[0], time.process_time() - started[1]
    page = environ.get("HTTP_X_BENCH_PAGE", "")
    _out.write(json.dumps([page, round(wall * 1000, 3), round(cpu * 1000, 3), resp.status_code]) + "\n")
