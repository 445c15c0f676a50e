"""Running the portal for real (issue 14): the production server's configuration (``gunicorn_conf``),
health and readiness (``health``), structured logs with a request id (``logs``), Prometheus metrics
(``metrics``) and the worker's heartbeat (``heartbeat``). See docs/scaling.md."""
