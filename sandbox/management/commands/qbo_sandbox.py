"""`manage.py qbo_sandbox [ADDR:PORT]`: the local QuickBooks Online simulator as its own server process."""

import os

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.urls import clear_url_caches, set_urlconf

from sandbox.control import services
from sandbox.models import Realm
from sandbox.oauth.conf import conf
from sandbox.server import make_server
from sandbox.webhooks import dispatcher

DEFAULT_ADDRPORT = "127.0.0.1:8765"


def isolate_settings() -> None:
    """Serve only the simulator: its URLs, and no app middleware (CSRF on API POSTs, SSL redirects, sessions)."""
    settings.ROOT_URLCONF = "sandbox.urls"
    settings.MIDDLEWARE = []
    settings.SECURE_SSL_REDIRECT = False
    clear_url_caches()
    set_urlconf(None)


def parse_addrport(addrport: str) -> tuple[str, int]:
    host, _, port = addrport.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"expected ADDR:PORT or PORT, got {addrport!r}")
    return (host.strip("[]") or "127.0.0.1"), int(port)


class Command(BaseCommand):
    help = "Run the QuickBooks Online simulator (OAuth, REST, GraphQL, webhooks) on its own database."
    requires_system_checks = []  # the app's checks concern the app, which this process does not serve

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default=DEFAULT_ADDRPORT, help=f"default {DEFAULT_ADDRPORT}")
        parser.add_argument("--reset", action="store_true", help="wipe the sandbox database and re-seed it")

    def handle(self, *args, addrport, reset, **options):
        host, port = parse_addrport(addrport)
        isolate_settings()
        call_command("migrate", database="sandbox", interactive=False, verbosity=0)
        self.prepare_state(reset)
        httpd = make_server(host, port)
        self.banner(host, httpd.server_address[1])
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            httpd.server_close()

    def prepare_state(self, reset: bool) -> None:
        if reset:
            services.wipe()
        if reset or not Realm.objects.exists():
            self.stdout.write(services.seed())
            dispatcher.clear()  # the seed's own changes are the starting point, not news for webhooks
        services.register_env_webhook()

    def banner(self, host: str, port: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        base, app = f"http://{shown}:{port}", conf()
        lines = [
            f"QuickBooks sandbox at {base}/",
            f"  discovery:        {base}/.well-known/openid_sandbox_configuration/",
            f"  database:         {settings.DATABASES['sandbox']['NAME']}",
            f"  client id:        {app.client_id}   (QBO_SANDBOX_CLIENT_ID)",
            f"  client secret:    {app.client_secret}   (QBO_SANDBOX_CLIENT_SECRET)",
            f"  webhook verifier: {app.webhook_verifier}   (QBO_SANDBOX_WEBHOOK_VERIFIER)",
        ]
        realms = list(Realm.objects.order_by("name"))
        lines += [f"  company:          {r.realm_id}  {r.name} ({r.plan})" for r in realms] or [
            "  no companies yet: POST /_sandbox/realms or /_sandbox/reset"
        ]
        if os.environ.get("QBO_SANDBOX_WEBHOOK_URL"):
            lines.append(f"  webhooks to:      {os.environ['QBO_SANDBOX_WEBHOOK_URL']}")
        self.stdout.write("\n".join(lines))
        self.stdout.flush()
