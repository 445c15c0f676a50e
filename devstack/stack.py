"""The whole local stack (portal, test identity provider, sandbox providers) in one process,
for the demo and the browser tests. Each app is its own WSGI server on its own port, reached
over real HTTP exactly as in production."""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from devstack import STAFF_FILE
from devstack.idp import create_idp_app
from devstack.mailsink import MailSink, create_mailbox_app
from devstack.receiver import create_receiver_app, local_ports, local_secrets, token_from_env
from devstack.sandbox import create_sandbox_app
from portal import create_app
from portal.case import notify
from portal.config import Config
from portal.database import upgrade
from portal.delivery.services import run_forever
from portal.rights import copy as data_copies

log = logging.getLogger(__name__)


def idp_clients(config: Config) -> list[dict]:
    return [
        {
            "client_id": config.citizen_client_id,
            "client_secret": config.citizen_client_secret,
            "kind": "citizen",
            "redirect_uris": [f"{config.base_url}/auth/callback/citizen", f"{config.base_url}/auth/sign/callback"],
            "post_logout_redirect_uris": [f"{config.base_url}/auth/logged-out"],
        },
        {
            "client_id": config.staff_client_id,
            "client_secret": config.staff_client_secret,
            "kind": "staff",
            # the second URI: an administrator's step-up (legal representatives, portal/mandates/admin.py)
            "redirect_uris": [f"{config.base_url}/auth/callback/staff", f"{config.base_url}/mandates/admin/step-up"],
            "post_logout_redirect_uris": [f"{config.base_url}/auth/logged-out"],
        },
    ]


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's request handler without the ``Server: Werkzeug/x Python/y`` banner, which tells an
    attacker what to look up; the status line, Date and the app's own headers are sent as before."""

    def send_response(self, code, message=None):
        self.log_request(code)
        self.send_response_only(code, message)
        self.send_header("Date", self.date_time_string())


@dataclass
class Stack:
    servers: list[BaseWSGIServer] = field(default_factory=list)
    threads: list[threading.Thread] = field(default_factory=list)

    def add(self, app, host: str, port: int) -> BaseWSGIServer:
        server = make_server(host, port, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.servers.append(server)
        self.threads.append(thread)
        return server

    stop: threading.Event = field(default_factory=threading.Event)
    # The demo's SMTP sink (devstack/mailsink.py), when the stack runs one; and what else to stop.
    mail_sink: object | None = None
    closers: list = field(default_factory=list)

    def start_worker(self, app) -> None:
        """The delivery worker, as in production a separate loop beside the web process."""
        thread = threading.Thread(target=run_forever, args=(app, 0.5, self.stop), daemon=True, name="worker")
        thread.start()
        self.threads.append(thread)

    def start_notifier(self, app) -> None:
        """The notification sender ("there is news"), as in production beside the delivery worker."""
        self.threads.append(notify.start_thread(app, 0.5, self.stop))

    def shutdown(self) -> None:
        self.stop.set()
        for close in self.closers:
            close()
        for server in self.servers:
            server.shutdown()
            server.server_close()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1].split("/", 1)[0])


def start_stack(config: Config, host: str = "127.0.0.1") -> Stack:
    if config.staff_directory is None and not config.is_production:
        # The product has no staff directory unless it is given; the demo's is the cast the test IdP logs in.
        config.staff_directory = STAFF_FILE
    upgrade(config.database_url)
    os.environ.setdefault("PORTAL_WEBHOOK_SECRET_VASTERAS", "demo-webhook-secret")
    stack = Stack()
    stack.add(create_idp_app(issuer=config.idp_url, clients=idp_clients(config)), host, port_of(config.idp_url))
    stack.add(create_sandbox_app(api_token=config.sandbox_token), host, port_of(config.sandbox_url))
    start_mail_sink(stack, config, host)
    portal = create_app(config)
    stack.add(portal, host, port_of(config.base_url))
    start_receivers(stack, config, host)
    stack.start_worker(portal)
    stack.start_notifier(portal)
    # A copy of my data, prepared in the background.
    stack.threads.append(data_copies.start_thread(portal, 0.5, stack.stop))
    return stack


def start_mail_sink(stack: Stack, config: Config, host: str) -> None:
    """A local SMTP sink where the portal's mails go (when the configured server is this machine), and the demo
    mailbox page listing them and the sandbox's SMS (``config.demo_mailbox_url``). ``smtp_port=0`` picks a free
    port. A port in use leaves the mails pending (the worker retries) and the stack runs on."""
    if config.smtp_host not in ("127.0.0.1", "localhost"):
        return
    if not config.smtp_port:
        with socket.socket() as probe:
            probe.bind((host, 0))
            config.smtp_port = probe.getsockname()[1]
    try:
        sink = MailSink(host, config.smtp_port).start()
    except (OSError, RuntimeError) as exc:
        log.warning("demo SMTP sink not started on port %s: %s", config.smtp_port, type(exc).__name__)
        return
    stack.mail_sink = sink
    stack.closers.append(sink.stop)
    try:
        stack.add(
            create_mailbox_app(sink, config.sandbox_url, config.sandbox_token), host, port_of(config.demo_mailbox_url)
        )
    except (OSError, SystemExit):
        log.warning("demo mailbox page not started: port of %s is in use", config.demo_mailbox_url)


def start_receivers(stack: Stack, config: Config, host: str) -> None:
    """The sample municipality receiver at ``config.receiver_url`` (the demo's: the portal's port + 3), for the
    routing configuration's inboxes there (``{receiver_url}/webhook/<id>``: Västerås), and one on the port of
    any other webhook inbox on this machine. When the receiver's port is taken (say by another demo's
    receiver), it runs on a free port instead and ``config.receiver_url`` is changed to it before any worker
    starts, so this stack never delivers to another one's receiver."""
    served: set[int] = set()
    if config.receiver_url:
        own = port_of(config.receiver_url)
        app = create_receiver_app(local_secrets(own, config.receiver_url), token=token_from_env())
        try:
            served.add(stack.add(app, host, own).server_port)
        except (OSError, SystemExit):  # werkzeug exits when the port is in use
            server = stack.add(app, host, 0)
            served.update({own, server.server_port})
            config.receiver_url = f"http://{urlsplit(config.receiver_url).hostname}:{server.server_port}"
            log.warning("sample webhook receiver: port %s is in use, receiving on %s instead", own, config.receiver_url)
    for port in sorted(local_ports(config.receiver_url) - served):
        try:
            stack.add(create_receiver_app(local_secrets(port, config.receiver_url), token=token_from_env()), host, port)
        except (OSError, SystemExit):
            log.warning("sample webhook receiver not started: port %s is in use", port)
