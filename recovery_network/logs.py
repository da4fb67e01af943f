"""What the logs say, and what they never say.

One line per request (logger `recovery_network.request`, written by RequestLogMiddleware) and one per run of
a Celery task (`recovery_network.task`, from Celery's signals): enough to follow traffic, errors and slow
spots, nothing of anyone's recovery. A request is named by its route, the URL pattern it matched
("progress/calendar/<token:token>.ics"), never by its path, which holds ids and the keys in links; no query
string, form field or task argument is written; a person is their numeric id. LOG_FORMAT=json (the default in
production) writes each record as one JSON object a line. Celery's own lines stay beside ours ("received",
"succeeded in 0.1s: <its result>"; the cluster bench reads a dispatch's counts there), so a task returns
counts or a status, never anything about a person.

Every record the console prints passes PrivateFilter first: Django's own warnings name the path ("Not Found:
/care/join/<a signed key>/"), so the route takes its place, and an email address in any message (an SMTP
server's refusal quotes the recipient, a database error the value it refused) is blanked, in a traceback too.
"""

import logging
import re
import time
import uuid

from celery import states
from celery.signals import task_postrun, task_prerun
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

request_log = logging.getLogger("recovery_network.request")
task_log = logging.getLogger("recovery_network.task")

EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# An id the proxy gave the request (X-Request-ID) is kept when it is one: a log line is no place for anything else.
REQUEST_ID = re.compile(r"[\w.-]{1,64}", re.ASCII)


class JsonFormatter(BaseJsonFormatter):
    """python-json-logger's, with the time, level and logger's name. Left out: the `request` Django attaches to
    its records (its text is the path with the query string) and the `data` Celery attaches to a failed task's
    (its arguments, and the traceback again, unfiltered)."""

    def __init__(self):
        super().__init__(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp=True,
            reserved_attrs=[*RESERVED_ATTRS, "request", "data"],
        )


class PrivateFilter(logging.Filter):
    """A record's message with the route for its request's path and no email address (see the module's doc)."""

    def filter(self, record):
        request = getattr(record, "request", None)
        if request is not None and hasattr(request, "path") and isinstance(record.args, tuple):
            named = shown(route(request))
            paths = (request.path, request.get_full_path())
            record.args = tuple(named if isinstance(arg, str) and arg in paths else arg for arg in record.args)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 — a broken logging call is reported by the handler, as without us
            return True
        record.msg, record.args = EMAIL_ADDRESS.sub("[email]", message), ()
        if record.exc_info:
            # Formatters print exc_text when there is no exc_info: a database error quotes the values it refused.
            record.exc_text = EMAIL_ADDRESS.sub("[email]", logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


def route(request):
    """The URL pattern the request matched ("care/people/<id:owner_id>/"), or None when it matched none."""
    return request.resolver_match.route if request.resolver_match else None


def shown(pattern):
    """A route as a message says it: "/care/people/<id:owner_id>/", "/" for the home page."""
    return "(no route)" if pattern is None else f"/{pattern}"


def request_id(request):
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def log_request(request, response, seconds):
    user = getattr(request, "user", None)
    fields = {
        "method": request.method,
        "route": route(request),
        "view": request.resolver_match.view_name if request.resolver_match else None,
        "status": response.status_code,
        "duration_ms": round(seconds * 1000, 1),
        "user_id": user.pk if user is not None and user.is_authenticated else None,
        "request_id": getattr(request, "request_id", None),
    }
    level = logging.WARNING if response.status_code >= 500 else logging.INFO
    summary = (request.method, shown(fields["route"]), response.status_code, fields["duration_ms"])
    request_log.log(level, "%s %s %s in %sms", *summary, extra=fields)


def task_started(task=None, **kwargs):
    task.request.log_started_at = time.perf_counter()


def task_finished(task=None, task_id=None, state=None, **kwargs):
    started_at = getattr(task.request, "log_started_at", None)
    fields = {
        "task": task.name,
        "task_id": task_id,
        "state": state,
        "duration_ms": round((time.perf_counter() - started_at) * 1000, 1) if started_at else None,
        "retries": task.request.retries or 0,
    }
    level = logging.INFO if state == states.SUCCESS else logging.WARNING
    task_log.log(level, "%(task)s[%(task_id)s] %(state)s in %(duration_ms)sms", fields, extra=fields)


def connect():
    """Called from the app's ready(): in the worker, and wherever a task runs eagerly."""
    task_prerun.connect(task_started, dispatch_uid="logs-task-started")
    task_postrun.connect(task_finished, dispatch_uid="logs-task-finished")
