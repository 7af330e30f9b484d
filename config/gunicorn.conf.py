"""gunicorn settings used by the Dockerfile and docker-compose.

The access log goes to stdout through ``RedactingGunicornLogger``: query
values and URL tokens are replaced by ``[redacted]`` (see config/logredact.py).
Command-line flags (``--bind``, ``--workers``) still override these.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "3"))
accesslog = "-"
errorlog = "-"
logger_class = "config.logredact.RedactingGunicornLogger"
