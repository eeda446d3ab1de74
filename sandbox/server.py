"""The sandbox's HTTP server: Django's threaded development server, plus the "drop the response" fault.

When the gateway flags a request with `DROP_FLAG` (a "drop" FaultRule fired), the view has already run
and committed; this handler then closes the socket without writing a byte, so the client sees what
a lost reply from Intuit looks like: a connection error, not an HTTP answer.
"""

import logging
import socket

from django.core.handlers.wsgi import WSGIHandler
from django.core.servers.basehttp import ServerHandler, ThreadedWSGIServer, WSGIRequestHandler

from .gateway import DROP_FLAG

logger = logging.getLogger(__name__)


class DroppingServerHandler(ServerHandler):
    def finish_response(self):
        if not self.environ.get(DROP_FLAG):
            return super().finish_response()
        logger.warning(
            "dropping the response to %s %s (injected fault)",
            self.environ.get("REQUEST_METHOD"),
            self.environ.get("PATH_INFO"),
        )
        self.request_handler.close_connection = True
        try:
            self.request_handler.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the client may already be gone
        self.close()  # closes the Django response (request_finished fires) without sending it


class SandboxRequestHandler(WSGIRequestHandler):
    def handle_one_request(self):
        """Django's handle_one_request, with the dropping ServerHandler."""
        self.raw_requestline = self.rfile.readline(65537)
        if len(self.raw_requestline) > 65536:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414)
            return
        if not self.parse_request():
            return
        handler = DroppingServerHandler(self.rfile, self.wfile, self.get_stderr(), self.get_environ())
        handler.request_handler = self
        handler.run(self.server.get_app())


def make_server(host: str, port: int) -> ThreadedWSGIServer:
    """A bound, threaded server for the current ROOT_URLCONF (call after settings are adjusted)."""
    httpd = ThreadedWSGIServer((host, port), SandboxRequestHandler, ipv6=":" in host)
    httpd.set_app(WSGIHandler())
    return httpd
