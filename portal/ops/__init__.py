"""Running the portal for real (issue 14): the production server's configuration (``gunicorn_conf``),
health and readiness (``health``), structured logs with a request id (``logs``), Prometheus metrics
(``metrics``) and the worker's heartbeat (``heartbeat``). See docs/scaling.md."""

from __future__ import annotations

from pathlib import Path

#: ``portal serve``'s gunicorn configuration, as a path: gunicorn reads the file itself.
GUNICORN_CONFIG = str(Path(__file__).with_name("gunicorn_conf.py"))
