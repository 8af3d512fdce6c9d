"""Shared plumbing for benchmark.py and load_test.py (not a test module: pytest ignores it).

Both scripts build a throw-away settings environment in a temporary directory, prepare the
content in their own process, start their own gunicorn processes on free loopback ports and
stop them again whatever happens. Everything here talks to 127.0.0.1 only.
"""

import asyncio
import contextlib
import copy
import http.client
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
HOST = "127.0.0.1"

# The public pages; the article's slug is looked up once the seeds are imported.
STATIC_PAGES = [
    "/",
    "/blog/",
    "/Personalized-Engagement/",
    "/Partnerships/",
    "/feed/",
    "/sitemap.xml",
]

# STATIC_ROOT is not configurable from the environment (base.py: BASE_DIR / "staticfiles"), so
# the scripts run the production settings through this one-line wrapper that only moves
# STATIC_ROOT into the temporary directory. Everything else is sitecontent.settings.production.
SETTINGS_MODULE = "bench_production_settings"
SETTINGS_SOURCE = '''"""Written by tests/bench: the production settings, STATIC_ROOT moved."""

import os
from pathlib import Path

from sitecontent.settings.production import *  # noqa: F403

STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
'''


class BudgetExceeded(Exception):
    """The script ran past its time budget (SIGALRM)."""


def install_time_budget(seconds):
    """Abort with BudgetExceeded after `seconds`; SIGTERM/SIGHUP exit through finally blocks."""

    def on_alarm(signum, frame):
        raise BudgetExceeded(f"time budget of {seconds:.0f} s exceeded")

    def on_term(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGALRM, on_alarm)
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGHUP, on_term)
    signal.alarm(max(1, int(seconds)))


def cancel_time_budget():
    signal.alarm(0)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class SiteEnvironment:
    """Environment variables and a settings wrapper for one run, in `workdir`."""

    def __init__(self, workdir, database_url, redis_url=None):
        self.workdir = Path(workdir)
        self.static_root = self.workdir / "staticfiles"
        (self.workdir / f"{SETTINGS_MODULE}.py").write_text(SETTINGS_SOURCE)
        self.overrides = {
            "DJANGO_SETTINGS_MODULE": SETTINGS_MODULE,
            "DJANGO_DEBUG": "0",
            "DJANGO_SECURE": "0",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_MEDIA_ROOT": str(self.workdir / "media"),
            # Loopback traffic only: the launch article's remote images are not fetched.
            "DJANGO_REMOTE_IMAGES": "0",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url or "",
            "BENCH_STATIC_ROOT": str(self.static_root),
            "PYTHONPATH": os.pathsep.join([str(self.workdir), str(REPO)]),
            "PYTHONDONTWRITEBYTECODE": "1",
        }

    @property
    def env(self):
        return {**os.environ, **self.overrides}

    def with_overrides(self, **overrides):
        """The same site with some variables changed (e.g. REDIS_URL), for another server."""
        variant = copy.copy(self)
        variant.overrides = {**self.overrides, **overrides}
        return variant

    def activate(self):
        """Configure Django in this process with the same settings as the servers."""
        os.environ.update(self.overrides)
        for path in (str(REPO), str(self.workdir)):
            if path not in sys.path:
                sys.path.insert(0, path)
        import django

        django.setup()

    def prepare_content(self):
        """migrate + import the shipped seeds + collectstatic (the manifest {% static %} needs)."""
        return "\n".join([self.migrate(), self.import_seeds(), self.collectstatic()])

    def migrate(self):
        return self._command("migrate", interactive=False, verbosity=0)

    def import_seeds(self):
        return self._command("import_markdown", verbosity=1)

    def collectstatic(self):
        return self._command("collectstatic", interactive=False, verbosity=0)

    @staticmethod
    def _command(name, **options):
        from io import StringIO

        from django.core.management import call_command

        out = StringIO()
        call_command(name, stdout=out, **options)
        return out.getvalue().strip()


def public_paths():
    """Every public page of the imported content (needs an activated environment)."""
    from sitecontent.models import Article

    articles = [a.get_absolute_url() for a in Article.objects.published().order_by("pk")]
    if not articles:
        raise RuntimeError("the seeds contain no published article")
    return [*STATIC_PAGES[:2], articles[0], *STATIC_PAGES[2:]]


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _gunicorn_supports(option):
    help_text = subprocess.run(
        [str(VENV_BIN / "gunicorn"), "--help"], capture_output=True, text=True, timeout=30
    ).stdout
    return option in help_text


class Gunicorn:
    """One gunicorn master on a free loopback port; stop() ends it and its workers."""

    def __init__(self, name, site, workers=2, worker_class="gthread", threads=4, port=None):
        self.name = name
        self.site = site
        self.workers = workers
        self.worker_class = worker_class
        self.threads = threads
        self.port = port or free_port()
        self.log_path = site.workdir / f"gunicorn-{name}.log"
        self.process = None

    def command(self):
        command = [
            str(VENV_BIN / "gunicorn"),
            "sitecontent.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            self.worker_class,
            "--threads",
            str(self.threads),
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--chdir",
            str(REPO),
            "--error-logfile",
            str(self.log_path),
            "--log-level",
            "info",
        ]
        if _gunicorn_supports("--no-control-socket"):
            # Recent gunicorn: without this every instance shares ~/.gunicorn/gunicorn.ctl.
            command.append("--no-control-socket")
        return command

    def start(self, timeout=60):
        self.log_path.write_text("")
        self.process = subprocess.Popen(
            self.command(),
            env=self.site.env,
            cwd=REPO,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() can end the workers too
        )
        deadline = time.monotonic() + timeout
        listening = f"Listening at: http://{HOST}:{self.port}"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn {self.name} exited:\n{self.log_tail()}")
            text = self.log_path.read_text(errors="replace")
            if listening in text and text.count("Booting worker") >= self.workers:
                # The port is ours (the log says so); now wait for a worker to answer.
                with contextlib.suppress(OSError):
                    status, _, _ = http_get(self.port, "/robots.txt", timeout=5)
                    if status == 200:
                        log(f"gunicorn {self.name}: pid {self.process.pid}, port {self.port}")
                        return self
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn {self.name} did not start:\n{self.log_tail()}")

    def stop(self):
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=15)
        # Workers that outlived their master (should not happen) go with the group.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def http_request(port, path, method="GET", body=None, headers=None, timeout=10):
    """(status, headers as a lower-cased dict, body) over a fresh loopback connection."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        payload = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, payload
    finally:
        connection.close()


def http_get(port, path, headers=None, timeout=10):
    return http_request(port, path, headers=headers, timeout=timeout)


def set_cookie_values(set_cookie_headers):
    """{name: value} from Set-Cookie header lines."""
    cookies = {}
    for header in set_cookie_headers:
        name, _, rest = header.partition("=")
        cookies[name.strip()] = rest.split(";", 1)[0].strip()
    return cookies


def percentile(values, fraction):
    """Linear-interpolated percentile of a non-empty sequence (fraction in 0..1)."""
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    position = fraction * (len(ordered) - 1)
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values):
    return statistics.median(values)


# --- a keep-alive HTTP/1.1 load generator on asyncio --------------------------------------


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    bytes: int = 0
    elapsed: float = 0.0
    latencies: list = field(default_factory=list)  # seconds, per successful request
    sent_at: list = field(default_factory=list)  # time.monotonic() at sending, same order
    error_samples: list = field(default_factory=list)
    error_kinds: Counter = field(default_factory=Counter)
    by_target: Counter = field(default_factory=Counter)
    # With run_load(watch=(path, pattern)): (sent_at, port, the pattern's group 1 or None) of
    # every 200 answer of that path, to tell afterwards how new each answer was.
    watched: list = field(default_factory=list)

    @property
    def rps(self):
        return self.requests / self.elapsed if self.elapsed else 0.0

    def record_error(self, kind, detail):
        self.errors += 1
        self.error_kinds[kind] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(detail)


async def _read_response(reader):
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connection closed before the status line")
    parts = status_line.split(b" ", 2)
    status = int(parts[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";", 1)[0], 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass
                break
            chunks.append(await reader.readexactly(size))
            await reader.readexactly(2)
        body = b"".join(chunks)
    else:
        body = await reader.read()
        headers["connection"] = "close"
    return status, headers, body


async def _connection_loop(ports, paths, index, stop_at, result, host, timeout, record, watch):
    port = ports[index % len(ports)]
    # Each connection walks the pages from its own starting point, so all are always in play.
    cursor = random.randrange(len(paths))
    reader = writer = None
    while time.monotonic() < stop_at:
        path = paths[cursor % len(paths)]
        cursor += 1
        started, sent_at = time.perf_counter(), time.monotonic()
        try:
            if writer is None:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection(HOST, port), timeout
                )
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: bench\r\n\r\n"
            writer.write(request.encode())
            await writer.drain()
            status, headers, body = await asyncio.wait_for(_read_response(reader), timeout)
        except (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError) as error:
            if record:
                result.record_error(type(error).__name__, f"{port} {path}: {error!r}")
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
            continue
        if not record:
            pass  # warm-up: neither counted nor timed
        elif status != 200:
            result.record_error(f"HTTP {status}", f"{port} {path}: HTTP {status}")
        else:
            result.requests += 1
            result.bytes += len(body)
            result.latencies.append(time.perf_counter() - started)
            result.sent_at.append(sent_at)
            result.by_target[(port, path)] += 1
            if watch and path == watch[0]:
                found = watch[1].search(body)
                result.watched.append((sent_at, port, found and found[1].decode()))
        if headers.get("connection", "").lower() == "close":
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run_load(ports, paths, connections, duration, host, timeout, warmup, watch):
    result = LoadResult()
    if warmup > 0:
        stop_at = time.monotonic() + warmup
        await asyncio.gather(
            *(
                _connection_loop(ports, paths, i, stop_at, result, host, timeout, False, None)
                for i in range(connections)
            )
        )
    started = time.monotonic()
    stop_at = started + duration
    await asyncio.gather(
        *(
            _connection_loop(ports, paths, i, stop_at, result, host, timeout, True, watch)
            for i in range(connections)
        )
    )
    result.elapsed = time.monotonic() - started
    return result


def run_load(ports, paths, connections, duration, host=HOST, timeout=10.0, warmup=0.0, watch=None):
    """Drive `connections` keep-alive connections (spread over `ports`) for `duration` s.

    Every completed request counts: a status other than 200, a timeout or a socket error is
    an error. Latency is from sending the request to having read the whole body. `watch`:
    (path, compiled bytes pattern) whose answers are recorded in LoadResult.watched.
    """
    return asyncio.run(_run_load(ports, paths, connections, duration, host, timeout, warmup, watch))


LOADING_TAGS = {"link", "script", "img", "iframe", "source", "video", "audio", "embed", "object"}


class _LoadingTagParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in LOADING_TAGS:
            self.found.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag


def loading_tags(html):
    """[(tag, {attr: value})] of the elements that make a browser load something."""
    parser = _LoadingTagParser()
    parser.feed(html)
    parser.close()
    return parser.found


# --- a Redis server of the script's own ---------------------------------------------------


class RedisServer:
    """redis-server on a free loopback port, its snapshot (dump.rdb) in its own folder of the
    temporary directory, written only by snapshot() (SAVE): stop() (SIGKILL) and start() again
    to play a crash, and it comes back with that snapshot's data, older than what it had, or
    empty when none was taken. The shared Redis of the machine is never touched."""

    def __init__(self, workdir, port=None):
        self.port = port or free_port()
        self.pidfile = Path(workdir) / f"redis-{self.port}.pid"
        self.folder = Path(workdir) / f"redis-{self.port}"
        self.url = f"redis://{HOST}:{self.port}/0"

    def start(self, timeout=10):
        self.folder.mkdir(exist_ok=True)
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "",
             "--appendonly", "no", "--dir", str(self.folder), "--dbfilename", "dump.rdb",
             "--daemonize", "yes", "--pidfile", str(self.pidfile),
             "--logfile", str(self.pidfile.with_suffix(".log"))],
            check=True, timeout=timeout, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection((HOST, self.port), 1):
                return self
            time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def client(self):
        import redis

        return redis.Redis(host=HOST, port=self.port, socket_timeout=5)

    def snapshot(self):
        """SAVE: what the server holds now is what a start() after a crash will hold."""
        with self.client() as client:
            client.save()

    def stop(self):
        """Kill the server (its pid from its own pidfile) and wait until the port is closed."""
        try:
            pid = int(self.pidfile.read_text().strip())
        except (OSError, ValueError):
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection((HOST, self.port), 0.2).close()
            except OSError:
                break
            time.sleep(0.05)
        self.pidfile.unlink(missing_ok=True)


def redis_server_available():
    import shutil

    return shutil.which("redis-server") is not None
