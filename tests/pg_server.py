"""A real PostgreSQL server for the test-suite.

``postgres_server()`` yields the existing server described by the ``DBT_POSTGRES_*``
environment variables when ``DBT_POSTGRES_HOST`` is set; otherwise it creates a throwaway
cluster with ``initdb`` in a temporary directory and removes it afterwards.
Manual check, from the repository root: ``python -m tests.pg_server``.

Why not pytest-postgresql, the maintained plugin for this: its process fixture runs
``pg_ctl`` as the user running pytest, and ``initdb``/``pg_ctl`` refuse to run as root,
which is how CI runs (``.ci/run``, in a container); it has no setting for the system user
that should own the server. This module runs them as ``postgres`` when we are root, and
uses an existing server when ``DBT_POSTGRES_HOST`` says so. (Documentation coverage, by
contrast, uses the maintained dbt-coverage: tests/test_demo.py.)
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shlex
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg2

SERVER_USER = "postgres"  # system account that runs initdb/pg_ctl when we are root
START_TIMEOUT_S = 30
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL server; the message says what is missing and how to fix it."""


@dataclass(frozen=True)
class PostgresServer:
    """Connection settings of a running PostgreSQL server."""

    host: str
    port: int
    user: str
    password: str
    database: str

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``psycopg2.connect(**kwargs)``."""
        return {"host": self.host, "port": self.port, "user": self.user,
                "password": self.password, "dbname": self.database}

    def dbt_env(self) -> dict[str, str]:
        """Environment variables read by the ``postgres`` target of profiles/profiles.yml."""
        return {"DBT_POSTGRES_HOST": self.host, "DBT_POSTGRES_PORT": str(self.port),
                "DBT_POSTGRES_USER": self.user, "DBT_ENV_SECRET_POSTGRES_PASSWORD": self.password,
                "DBT_POSTGRES_DATABASE": self.database}


def _check_connect(server: PostgresServer) -> None:
    """Open and close one connection; raises ``psycopg2.OperationalError`` on failure."""
    psycopg2.connect(**server.connect_kwargs(), connect_timeout=3).close()


def _existing_server() -> PostgresServer:
    """The server described by ``DBT_POSTGRES_*``, checked to accept a connection."""
    env = os.environ
    server = PostgresServer(env["DBT_POSTGRES_HOST"], int(env.get("DBT_POSTGRES_PORT", "5432")),
                            env.get("DBT_POSTGRES_USER", "postgres"),
                            env.get("DBT_ENV_SECRET_POSTGRES_PASSWORD", ""),
                            env.get("DBT_POSTGRES_DATABASE", "postgres"))
    try:
        _check_connect(server)
    except psycopg2.OperationalError as exc:
        raise PostgresUnavailable(
            f"DBT_POSTGRES_HOST is set, but PostgreSQL at {server.host}:{server.port} "
            f"(user={server.user!r}, database={server.database!r}) does not accept connections: "
            f"{str(exc).strip()}\nStart that server, fix DBT_POSTGRES_HOST/PORT/USER/DATABASE and "
            "DBT_ENV_SECRET_POSTGRES_PASSWORD, or unset DBT_POSTGRES_HOST to use a throwaway cluster."
        ) from exc
    return server


def _find_bindir() -> str:
    """Directory with initdb, pg_ctl and postgres: PATH first, then newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("initdb")
    candidates = [os.path.dirname(os.path.realpath(on_path))] if on_path else []
    versioned = glob.glob("/usr/lib/postgresql/*/bin")
    candidates += sorted(versioned, reverse=True,
                         key=lambda d: [int(p) for p in d.split("/")[-2].split(".") if p.isdigit()])
    for bindir in candidates:
        if all(os.access(os.path.join(bindir, exe), os.X_OK) for exe in ("initdb", "pg_ctl", "postgres")):
            return bindir
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found on PATH or under "
        "/usr/lib/postgresql/*/bin. Install them (e.g. `apt-get install postgresql` on Debian/Ubuntu), "
        "or set DBT_POSTGRES_HOST (plus DBT_POSTGRES_PORT/USER/DATABASE and "
        "DBT_ENV_SECRET_POSTGRES_PASSWORD) to use an existing server.")


def _as_server_user(cmd: list[str]) -> list[str]:
    """Wrap ``cmd`` to run as SERVER_USER when we are root (initdb and postgres refuse root)."""
    if os.geteuid() != 0:
        return cmd
    if runuser := shutil.which("runuser"):
        return [runuser, "-u", SERVER_USER, "--", *cmd]
    return ["su", SERVER_USER, "-s", "/bin/sh", "-c", shlex.join(cmd)]


def _free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now (picked by the kernel)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _log_tail(path: str, lines: int = 20) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return "(no server log)\n"


@contextlib.contextmanager
def _throwaway_server() -> Iterator[PostgresServer]:
    """initdb and start a private cluster in a temp dir; stop it and delete the dir on exit."""
    bindir = _find_bindir()
    owner = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam(SERVER_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"Running as root, but initdb/postgres refuse to run as root and there is no "
                f"'{SERVER_USER}' system user to run them as. Create it (e.g. `useradd --system "
                f"{SERVER_USER}`), run the tests as a non-root user, or set DBT_POSTGRES_HOST "
                "to use an existing server.") from None
    # Directly under /tmp when root, so SERVER_USER can traverse every parent directory.
    tmp = tempfile.mkdtemp(prefix="dbt-pg-", dir="/tmp" if owner else None)
    data, log, pg_ctl = os.path.join(tmp, "data"), os.path.join(tmp, "server.log"), os.path.join(bindir, "pg_ctl")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(_as_server_user(list(args)), cwd=tmp, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, check=False)

    started = False
    try:
        if owner:
            os.chown(tmp, owner.pw_uid, owner.pw_gid)
        proc = run(os.path.join(bindir, "initdb"), "-D", data, "--auth=trust", f"--username={SERVER_USER}",
                   "--encoding=UTF8", "--no-locale", "--no-sync")
        if proc.returncode != 0:
            raise PostgresUnavailable(f"initdb failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")
        started = True  # from here on, always try to stop it
        for _ in range(3):  # another process may grab the free port before postgres binds it: retry
            port = _free_port()
            opts = ["-p", str(port), "-k", tmp, "-c", "listen_addresses=127.0.0.1"]
            opts += [arg for setting in FAST_SETTINGS for arg in ("-c", setting)]
            proc = run(pg_ctl, "start", "-D", data, "-l", log, "-w", "-t", str(START_TIMEOUT_S),
                       "-o", shlex.join(opts))
            if proc.returncode == 0 or "Address already in use" not in _log_tail(log, 6):
                break
        server = PostgresServer("127.0.0.1", port, SERVER_USER, "", "postgres")
        try:
            if proc.returncode != 0:
                raise RuntimeError(f"pg_ctl start exited {proc.returncode}: {proc.stderr.strip()}")
            _check_connect(server)
        except (RuntimeError, psycopg2.OperationalError) as exc:
            raise PostgresUnavailable(
                f"Throwaway PostgreSQL server did not accept connections on port {port}: {exc}\n"
                f"--- server log (tail) ---\n{_log_tail(log)}") from exc
        yield server
    finally:
        if started:
            run(pg_ctl, "stop", "-D", data, "-m", "immediate", "-w")
        shutil.rmtree(tmp, ignore_errors=True)


@contextlib.contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Yield a running PostgreSQL server: the one in DBT_POSTGRES_* if set, else a throwaway cluster.

    Raises ``PostgresUnavailable`` with an actionable message when neither is possible.
    An existing server is never stopped; a throwaway one is stopped and deleted on exit.
    """
    if os.environ.get("DBT_POSTGRES_HOST"):
        yield _existing_server()
    else:
        with _throwaway_server() as server:
            yield server


def main(argv: list[str] | None = None) -> None:
    """Manual check, or (--serve) a server kept up for a whole CI run."""
    import argparse
    import signal
    import sys

    parser = argparse.ArgumentParser(prog="python -m tests.pg_server", description=__doc__.split("\n\n")[0])
    parser.add_argument("--serve", metavar="ENV_FILE",
                        help="keep the server up until SIGTERM/SIGINT, after writing its settings to ENV_FILE"
                             " as shell exports (source it, then run the tests against that server)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # unwind the context manager: stop and clean up
    with postgres_server() as srv:
        exports = "".join(f"export {key}={shlex.quote(value)}\n" for key, value in srv.dbt_env().items())
        if args.serve:
            with open(args.serve + ".tmp", "w", encoding="utf-8") as f:
                f.write(exports)
            os.replace(args.serve + ".tmp", args.serve)
            print(f"PostgreSQL serving on {srv.host}:{srv.port}; settings in {args.serve}", flush=True)
            try:
                signal.pause()
            except KeyboardInterrupt:
                pass
            return
        print(exports, end="")
        with contextlib.closing(psycopg2.connect(**srv.connect_kwargs())) as conn, conn.cursor() as cur:
            cur.execute("select version()")
            row = cur.fetchone()
            print(row[0] if row else "no version")


if __name__ == "__main__":
    main()
