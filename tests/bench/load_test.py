"""Two gunicorn instances on one PostgreSQL database and one Redis, under load, while an editor
saves through the admin: no request may fail and every save must show on both at once.

    .venv/bin/python tests/bench/load_test.py [--duration 60] [--connections 64]

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth) and redis-server installed.
It creates a database bench_<random> (dropped at the end) and starts a redis-server of its own
on a free port (or uses --redis-url, flushed at the start and at the end); migrates, imports
the shipped seeds and runs collectstatic into a temporary directory; starts two gunicorn
instances (production settings, REDIS_URL on that Redis) on free loopback ports. Then, for
--duration seconds:

- a separate process keeps --connections keep-alive connections busy, half on each instance,
  each walking all public pages; any status other than 200, timeout or socket error is an error;
  every answer of /Personalized-Engagement/ sent more than --visible-within seconds after a
  save was committed must show that save (or a later one): one that does not is stale;
- an editor, signed in to the admin, changes one cell's note on /Personalized-Engagement/ every
  --edit-every seconds (alternately through each instance), and after each save polls both
  instances until both serve the new note, recording the delay (target: --visible-within);
- at 15% of the run its own Redis takes a snapshot (SAVE); the editor saves on; at 30% Redis
  is killed (SIGKILL) for --redis-outage seconds and started again from that older snapshot
  (checked: a key written before the snapshot is back, one written after it is not): no
  request may fail meanwhile, and once it is back, both instances must serve the latest save
  on every answer (checked again with the editor paused).

Exit status: 0 when nothing failed, no answer was stale and every save was visible on both
instances in time, 1 otherwise, 2 when the run itself could not be done.
"""

import argparse
import bisect
import contextlib
import multiprocessing
import os
import re
import secrets
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit

import harness
from harness import HOST, Gunicorn, SiteEnvironment, log

CHECK_PAGE = "/Personalized-Engagement/"
EDITOR = "bench-editor"
NOTE = "Checked under load bench{run}x{number}"  # the note each save writes


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--edit-every", type=float, default=3.0, help="seconds between saves")
    parser.add_argument("--visible-within", type=float, default=1.0, help="target, seconds")
    parser.add_argument("--workers", type=int, default=2, help="per instance")
    parser.add_argument("--worker-class", default="gthread")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--postgres", default="postgres://postgres@127.0.0.1:5432", help="server, no database"
    )
    parser.add_argument(
        "--redis-url",
        help="use this Redis (flushed) instead of one of the script's own; no outage then",
    )
    parser.add_argument(
        "--redis-outage",
        type=float,
        default=10,
        help="seconds Redis is down before it restarts from its snapshot (-1: no crash)",
    )
    return parser.parse_args()


# --- services ------------------------------------------------------------------------------


def check_services(args):
    import psycopg
    import redis

    problems = []
    try:
        psycopg.connect(f"{args.postgres}/postgres", connect_timeout=5).close()
    except psycopg.Error as error:
        problems.append(
            f"PostgreSQL: {error}\n  start it: pg_ctlcluster --skip-systemctl-redirect "
            "$(ls /etc/postgresql) main start"
        )
    if not args.redis_url and not harness.redis_server_available():
        problems.append("redis-server is not installed (apt-get install -y redis-server)")
    try:
        if args.redis_url:
            redis.Redis.from_url(args.redis_url, socket_timeout=5).ping()
    except redis.RedisError as error:
        problems.append(
            f"Redis: {error}\n  start it: redis-server --daemonize yes --bind 127.0.0.1 "
            '--port 6379 --save ""'
        )
    if problems:
        print("Services missing:\n" + "\n".join(problems), file=sys.stderr)
        raise SystemExit(2)


def create_database(args, name):
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(args, name):
    import psycopg

    with psycopg.connect(f"{args.postgres}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(args):
    import redis

    client = redis.Redis.from_url(args.redis_url, socket_timeout=5)
    client.flushdb()
    client.close()


# --- the editor ----------------------------------------------------------------------------


class FormFields(HTMLParser):
    """The name/value pairs a browser would submit for the form with the given id."""

    def __init__(self, form_id):
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.in_form = False
        self.fields = []
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form" and attrs.get("id") == self.form_id:
            self.in_form = True
        if not self.in_form or not attrs.get("name") and tag != "option":
            return
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            default = "on" if kind in ("checkbox", "radio") else ""
            self.fields.append((attrs["name"], attrs.get("value", default)))
        elif tag == "select":
            self.select = {"name": attrs["name"], "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea":
            self.textarea = [attrs["name"], ""]

    def handle_endtag(self, tag):
        if tag == "form" and self.in_form:
            self.in_form = False
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or [self.select["first"] or ""]
            self.fields += [(self.select["name"], value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            name, text = self.textarea
            self.fields.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data


def form_fields(html, form_id):
    parser = FormFields(form_id)
    parser.feed(html)
    parser.close()
    if not parser.fields:
        raise RuntimeError(f"no form #{form_id} in the page")
    return parser.fields


def form_errors(body):
    """The admin's error messages, with the field each belongs to where it says so."""
    html = body.decode(errors="replace")
    found = []
    for match in re.finditer(r'<ul class="errorlist[^"]*"([^>]*)>(.*?)</ul>', html, re.S):
        field_id = re.search(r'id="([^"]+)"', match.group(1))
        text = " ".join(re.sub(r"<[^>]+>", " ", match.group(2)).split())
        found.append(f"{field_id.group(1) if field_id else 'form'}: {text}")
    return "; ".join(found) or "(no error message found)"


class AdminEditor:
    """A signed-in admin user speaking plain HTTP/1.1 to the instances, cookies kept by hand."""

    def __init__(self, ports, password):
        self.ports = ports
        self.password = password
        self.cookies = {}

    def request(self, port, method, path, fields=None):
        import http.client

        headers = {"Host": f"{HOST}:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            body = urlencode(fields).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            self.cookies.update(harness.set_cookie_values(response.msg.get_all("Set-Cookie") or []))
            return response.status, response.getheader("Location", ""), payload
        finally:
            connection.close()

    def login(self):
        port = self.ports[0]
        status, _, page = self.request(port, "GET", "/admin/login/?next=/admin/")
        if status != 200:
            raise RuntimeError(f"admin login page answered {status}")
        fields = dict(form_fields(page.decode(), "login-form"))
        fields.update(username=EDITOR, password=self.password)
        status, location, _ = self.request(port, "POST", "/admin/login/?next=/admin/", fields)
        if status != 302 or urlsplit(location).path != "/admin/":
            raise RuntimeError(f"admin login failed: {status} {location}")

    def change_note(self, port, cell_id, note):
        """Save the cell's change form with a new note, as a browser would; return when the
        admin has answered (the transaction is committed by then)."""
        path = f"/admin/platforms/cell/{cell_id}/change/"
        status, _, page = self.request(port, "GET", path)
        if status != 200:
            raise RuntimeError(f"{path} answered {status}")
        fields = [
            (name, note if name == "note" else value)
            for name, value in form_fields(page.decode(), "cell_form")
        ]
        if ("note", note) not in fields:
            raise RuntimeError("the cell form has no note field")
        status, location, body = self.request(port, "POST", path, fields)
        if status != 302 or urlsplit(location).path.endswith("/change/"):
            raise RuntimeError(f"save answered {status} {location} {form_errors(body)}")


@dataclass
class Sighting:
    """How one instance showed one save, in seconds after the admin answered the save."""

    sent: float | None  # the first request whose answer had the new note was sent then
    received: float | None  # ... and its answer was read by then (None: never)
    stale: int  # answers without the new note before that


@dataclass
class Save:
    via: int  # the instance whose admin took the save
    done_at: float  # time.monotonic() when the admin answered
    sightings: dict  # {port: Sighting}
    token: str = ""


def wait_until_visible(ports, token, saved_at, give_up):
    """Poll each instance (in parallel, new connection each time) until it serves `token`."""

    def poll(port):
        stale = 0
        while (sent := time.monotonic()) - saved_at < give_up:
            status, _, body = harness.http_get(port, CHECK_PAGE, timeout=give_up)
            if status != 200:
                raise RuntimeError(f"instance {port}: {CHECK_PAGE} answered {status}")
            if token.encode() in body:
                return Sighting(sent - saved_at, time.monotonic() - saved_at, stale)
            stale += 1
        return Sighting(None, None, stale)

    with ThreadPoolExecutor(len(ports), thread_name_prefix="poll") as pool:
        return dict(zip(ports, pool.map(poll, ports), strict=True))


class EditorThread(threading.Thread):
    def __init__(self, editor, cell_id, args, load_ends_at, run_id):
        super().__init__(name="editor", daemon=True)
        self.run_id = run_id
        self.editor = editor
        self.cell_id = cell_id
        self.args = args
        self.load_ends_at = load_ends_at
        self.stop = threading.Event()
        self.saves = []
        self.error = None
        self.busy = threading.Lock()  # held during a save and its checks

    def run(self):
        ports = self.editor.ports
        try:
            while not self.stop.wait(self.args.edit_every):
                if time.monotonic() + self.args.visible_within + 1 > self.load_ends_at:
                    break  # every save is checked while the load still runs
                port = ports[len(self.saves) % len(ports)]
                note = NOTE.format(run=self.run_id, number=len(self.saves) + 1)
                token = note.rsplit(" ", 1)[1]
                with self.busy:
                    self.editor.change_note(port, self.cell_id, note)
                    done_at = time.monotonic()
                    sightings = wait_until_visible(ports, token, done_at, give_up=10)
                    self.saves.append(Save(port, done_at, sightings, token))
                seen = ", ".join(
                    f"{p} {'never' if s.received is None else f'{s.received * 1000:.0f} ms'}"
                    + (f" ({s.stale} stale)" if s.stale else "")
                    for p, s in sightings.items()
                )
                log(f"save {len(self.saves)} via {port}: new note read from {seen}")
        except Exception as error:  # reported as a failure of the run
            self.error = f"{type(error).__name__}: {error}"
            log(f"editor failed: {self.error}")


class OutageThread(threading.Thread):
    """Takes a snapshot of the script's own Redis (SAVE) while the editor saves on, kills Redis
    (SIGKILL), starts it again from that older snapshot, then checks that both instances serve
    the latest save on every answer (the editor paused meanwhile)."""

    def __init__(self, redis_server, editor, ports, snapshot_after, kill_after, seconds):
        super().__init__(name="outage", daemon=True)
        self.redis_server = redis_server
        self.editor = editor
        self.ports = ports
        self.snapshot_after = snapshot_after
        self.kill_after = kill_after
        self.seconds = seconds
        self.snapshot_at = self.down_at = self.up_at = None
        self.saves_since_snapshot = 0
        self.checked = self.stale = 0
        self.error = None

    def run(self):
        try:
            time.sleep(self.snapshot_after)
            with self.redis_server.client() as client:
                client.set("bench:before-snapshot", "kept")
                self.redis_server.snapshot()
                client.set("bench:after-snapshot", "lost in the crash")
            self.snapshot_at = time.monotonic()
            saves_then = len(self.editor.saves)
            log(f"Redis snapshot (SAVE) after save {saves_then}")
            time.sleep(max(0.0, self.kill_after - self.snapshot_after))
            self.saves_since_snapshot = len(self.editor.saves) - saves_then
            if not self.saves_since_snapshot:
                raise RuntimeError("no save between the snapshot and the kill")
            self.redis_server.stop()
            self.down_at = time.monotonic()
            log(f"Redis killed, {self.saves_since_snapshot} saves after its snapshot")
            time.sleep(self.seconds)
            self.redis_server.start()
            self.up_at = time.monotonic()
            with self.redis_server.client() as client:
                if not client.exists("bench:before-snapshot") or client.exists(
                    "bench:after-snapshot"
                ):
                    raise RuntimeError("Redis did not come back with its older snapshot")
            log("Redis started again from its older snapshot")
            time.sleep(2)
            with self.editor.busy:
                token = self.editor.saves[-1].token.encode()
                for port in self.ports:
                    for _ in range(12):  # every worker and thread of the instance, likely
                        status, _, body = harness.http_get(port, CHECK_PAGE)
                        self.checked += 1
                        if status != 200 or token not in body:
                            self.stale += 1
            log(f"after the restart: {self.stale} stale of {self.checked} answers")
        except Exception as error:  # reported as a failure of the run
            self.error = f"{type(error).__name__}: {error}"
            log(f"outage failed: {self.error}")


# --- load in its own process, so that the editor's timings are its own ---------------------


def load_process(connection, ports, paths, connections, duration, run_id):
    watch = (CHECK_PAGE, re.compile(NOTE.format(run=run_id, number=r"(\d+)").encode()))
    try:
        result = harness.run_load(ports, paths, connections, duration, watch=watch)
        connection.send(("ok", result))
    except BaseException as error:  # sent to the parent, which fails the run
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def start_load(ports, paths, connections, duration, run_id):
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(
        target=load_process,
        args=(sender, ports, paths, connections, duration, run_id),
        name="load",
        daemon=True,
    )
    process.start()
    sender.close()
    return process, receiver


# --- report --------------------------------------------------------------------------------


def load_started(load):
    """time.monotonic() when the measured load began (its first request)."""
    return min(load.sent_at) if load.sent_at else 0.0


def after_save_split(load, saves, window):
    """Latencies (ms) of load requests sent within `window` s after a save, and of the rest."""
    starts = sorted(save.done_at for save in saves)
    after, other = [], []
    for sent, latency in zip(load.sent_at, load.latencies, strict=True):
        index = bisect.bisect_right(starts, sent) - 1
        (after if index >= 0 and sent - starts[index] < window else other).append(latency * 1000)
    return after, other


def stale_answers(load, saves, allowed):
    """([answers checked], [stale ones]): answers of CHECK_PAGE under load sent more than
    `allowed` s after a save's commit (the admin's answer to it), and those not showing it
    or a later save. time.monotonic() is the machine's clock: the same in both processes."""
    committed = [save.done_at for save in saves]  # save n (1, 2, …) at committed[n - 1]
    checked, stale = [], []
    for sent, port, seen in load.watched:
        due = bisect.bisect_right(committed, sent - allowed)  # the newest save it must show
        if due:
            checked.append((sent, port, due, seen))
            if seen is None or int(seen) < due:
                stale.append(checked[-1])
    return checked, stale


def pcts(values):
    if not values:
        return "n/a"
    p = harness.percentile
    return f"p50 {p(values, 0.5):.0f} ms, p99 {p(values, 0.99):.0f} ms, n={len(values)}"


def report(args, servers, paths, load, editor, outage):
    ms = [x * 1000 for x in load.latencies] or [0.0]
    saves = editor.saves
    sightings = [s for save in saves for s in save.sightings.values()]
    received = [s.received for s in sightings if s.received is not None]
    all_visible = bool(saves) and all(
        s.received is not None and s.received <= args.visible_within for s in sightings
    )
    first_fresh = sum(1 for s in sightings if s.received is not None and not s.stale)
    after, other = after_save_split(load, saves, 2.0)
    checked, stale = stale_answers(load, saves, args.visible_within)
    failures = load.errors + len(stale) + (1 if editor.error else 0)
    if outage is not None:
        failures += outage.stale + (1 if outage.error else 0)
    target = f"{args.visible_within:g} s"
    rows = [
        ("instances", f"{len(servers)} × gunicorn, {args.workers} {args.worker_class} workers"
         + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
         + ", one PostgreSQL database, Redis db for the page cache"),
        ("machine", f"{os.cpu_count()} CPUs, load average at the end "
         + " ".join(f"{x:.2f}" for x in os.getloadavg())),
        ("load", f"{args.connections} keep-alive connections, half per instance, all "
         f"{len(paths)} public pages, separate process"),
        ("duration", f"{load.elapsed:.1f} s"),
        ("requests", f"{load.requests + load.errors}"),
        ("errors (non-200, timeout, socket)",
         f"{load.errors}" + (f" {dict(load.error_kinds)}" if load.errors else "")),
        ("requests/s", f"{load.rps:.0f}"),
        ("latency", f"p50 {harness.percentile(ms, 0.5):.1f} ms, "
         f"p99 {harness.percentile(ms, 0.99):.1f} ms, max {max(ms):.0f} ms"),
        ("  sent < 2 s after a save", pcts(after)),
        ("  sent at other times", pcts(other)),
        ("saves through the admin", f"{len(saves)}, alternating between the instances"),
        ("first answer after a save already new", f"{first_fresh} of {len(sightings)} checks"),
        ("max time until both served the save",
         f"{max(received) * 1000:.0f} ms" if received else "n/a"),
        (f"answers under load older than {target} after a save's commit",
         f"{len(stale)} of {len(checked)} answers of {CHECK_PAGE} sent that late"),
        (f"every save on both within {target}", "yes" if all_visible else "NO"),
        ("editor", editor.error or "ok"),
    ]  # fmt: skip
    if outage is not None:
        started = load_started(load)
        snapshot = outage.snapshot_at - started if outage.snapshot_at else None
        down = outage.down_at - started if outage.down_at else None
        saves_during = sum(
            1
            for save in saves
            if outage.down_at
            and outage.down_at <= save.done_at
            and (outage.up_at is None or save.done_at <= outage.up_at)
        )
        rows += [
            ("Redis snapshot (SAVE)", f"at {snapshot:.1f} s" if snapshot else "not taken"),
            ("Redis outage", f"killed (SIGKILL) at {down:.1f} s, {outage.saves_since_snapshot} "
             f"saves after the snapshot; started again {args.redis_outage:g} s later from that "
             "older snapshot" if down is not None else "did not happen"),
            ("  saves while Redis was down", f"{saves_during}"),
            ("  answers after it returned with the latest save",
             f"{outage.checked - outage.stale} of {outage.checked}"),
            ("  outage", outage.error or "ok"),
        ]  # fmt: skip
    width = max(len(k) for k, _ in rows)
    print(
        "== Load test: two instances, PostgreSQL + Redis"
        + (", Redis killed and restarted from an older snapshot" if outage else "")
    )
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    print("\nper save: instance that took it; per instance: answer read after (stale answers)")
    for number, save in enumerate(saves, 1):
        seen = ", ".join(
            f":{port} {'never' if s.received is None else f'{s.received * 1000:.0f} ms'}"
            + (f" ({s.stale} stale)" if s.stale else "")
            for port, s in save.sightings.items()
        )
        print(f"  {number:2}  via :{save.via}  {seen}")
    print("\nrequests per instance and page (200 OK):")
    for port in (s.port for s in servers):
        counts = ", ".join(f"{p} {load.by_target[(port, p)]}" for p in paths)
        print(f"  :{port}  {counts}")
    if load.error_samples:
        print("\nfirst errors:")
        for sample in load.error_samples:
            print(f"  {sample}")
    passed = failures == 0 and all_visible
    print(f"\nRESULT: {'PASS' if passed else 'FAIL'}", flush=True)
    return passed


def main():
    args = parse_args()
    harness.install_time_budget(args.duration + 300)
    check_services(args)
    database = f"bench_{secrets.token_hex(4)}"
    with tempfile.TemporaryDirectory(prefix="loadtest-") as workdir:
        servers, load_proc, editor, outage, redis_server = [], None, None, None, None
        try:
            if args.redis_url:
                flush_redis(args)
            else:
                redis_server = harness.RedisServer(workdir).start()
                args.redis_url = redis_server.url
            create_database(args, database)
            log(f"database {database}, Redis {args.redis_url}")
            site = SiteEnvironment(workdir, f"{args.postgres}/{database}", args.redis_url)
            site.activate()
            log("migrate, import seeds, collectstatic")
            site.migrate()
            log(site.import_seeds().replace("\n", " | "))
            site.collectstatic()
            paths = harness.public_paths()
            cell_id, password = prepare_editor()

            for name in ("a", "b"):
                servers.append(Gunicorn(name, site, args.workers, args.worker_class, args.threads))
                servers[-1].start()
            ports = [s.port for s in servers]
            for port in ports:
                for path in paths:
                    status, _, _ = harness.http_get(port, path)
                    if status != 200:
                        raise RuntimeError(f"instance {port}: {path} answered {status}")
            admin = AdminEditor(ports, password)
            admin.login()

            log(f"load: {args.connections} connections for {args.duration:g} s on {ports}")
            run_id = secrets.token_hex(3)
            load_proc, results = start_load(ports, paths, args.connections, args.duration, run_id)
            ends_at = time.monotonic() + args.duration
            editor = EditorThread(admin, cell_id, args, ends_at, run_id)
            editor.start()
            if redis_server is not None and args.redis_outage >= 0:
                outage = OutageThread(
                    redis_server,
                    editor,
                    ports,
                    0.15 * args.duration,
                    0.3 * args.duration,
                    args.redis_outage,
                )
                outage.start()
            if not results.poll(args.duration + 60):
                raise RuntimeError("the load process did not report")
            kind, load = results.recv()
            if kind != "ok":
                raise RuntimeError(f"load process failed: {load}")
            editor.stop.set()
            editor.join(30)
            if outage is not None:
                outage.join(30)
            load_proc.join(10)
            for server in servers:
                if server.process.poll() is not None:
                    raise RuntimeError(f"gunicorn {server.name} died:\n{server.log_tail()}")
        except BaseException:
            for server in servers:
                log(f"gunicorn {server.name} log tail:\n{server.log_tail()}")
            raise
        finally:
            if editor is not None:
                editor.stop.set()
            if load_proc is not None and load_proc.is_alive():
                load_proc.terminate()
                load_proc.join(10)
            for server in servers:
                server.stop()
            cleanup(args, database, own_redis=redis_server)
    passed = report(args, servers, paths, load, editor, outage)
    return 0 if passed else 1


def prepare_editor():
    """(id of the cell the editor changes, password of a new superuser)."""
    from django.contrib.auth import get_user_model
    from django.db import connections

    from platforms.models import Cell

    cells = Cell.objects.filter(capability__table__page__permalink=CHECK_PAGE, level="full")
    cell = cells.order_by("pk").first()
    if cell is None:
        raise RuntimeError(f"{CHECK_PAGE} has no cell with full support to edit")
    password = secrets.token_urlsafe(18)
    get_user_model().objects.create_superuser(EDITOR, "bench@example.org", password)
    connections.close_all()  # the servers are the only ones using the database from now on
    return cell.pk, password


def cleanup(args, database, own_redis=None):
    try:
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        drop_database(args, database)
        if own_redis is not None:
            own_redis.stop()
            log(f"dropped {database}, stopped {args.redis_url}")
        else:
            flush_redis(args)
            log(f"dropped {database}, flushed {args.redis_url}")
    finally:
        harness.cancel_time_budget()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except SystemExit:
        raise
    except BaseException:
        traceback.print_exc()
        print("load test did not complete", file=sys.stderr)
        sys.exit(2)
