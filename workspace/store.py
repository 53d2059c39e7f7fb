"""The project store: SQLite in WAL mode for projects, runs, review state and the audit log."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from clustering.errors import InputError

from .access import Access, require, role_rank
from .review_log import ConflictError
from .review_state import REVIEW_STATUSES, ReviewState
from .stamps import now, whoami

__all__ = ["REVIEW_STATUSES", "SCHEMA_VERSION", "ConflictError", "Store", "StoreLockedError",
           "default_root", "now", "whoami"]

log = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS projects (
    id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, data TEXT NOT NULL,
    settings TEXT NOT NULL DEFAULT '{}', created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    key TEXT PRIMARY KEY, project_id INTEGER REFERENCES projects(id), config TEXT NOT NULL,
    seed INTEGER NOT NULL, versions TEXT NOT NULL, timings TEXT NOT NULL, metrics TEXT NOT NULL,
    path TEXT NOT NULL, created_at TEXT NOT NULL, created_by TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS clusters (
    run_key TEXT NOT NULL REFERENCES runs(key), cluster INTEGER NOT NULL, name TEXT,
    status TEXT NOT NULL DEFAULT 'unreviewed', notes TEXT NOT NULL DEFAULT '',
    updated_by TEXT, updated_at TEXT, PRIMARY KEY (run_key, cluster));
CREATE TABLE IF NOT EXISTS point_labels (
    run_key TEXT NOT NULL REFERENCES runs(key), point_id TEXT NOT NULL, label TEXT,
    cluster INTEGER, updated_by TEXT NOT NULL, updated_at TEXT NOT NULL,
    PRIMARY KEY (run_key, point_id));
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, who TEXT NOT NULL,
    project_id INTEGER, run_key TEXT, action TEXT NOT NULL, detail TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, key TEXT NOT NULL,
    project_id INTEGER, config TEXT NOT NULL, state TEXT NOT NULL, stage TEXT NOT NULL DEFAULT '',
    fraction REAL NOT NULL DEFAULT 0, message TEXT NOT NULL DEFAULT '', pid INTEGER,
    heartbeat REAL, created_at TEXT NOT NULL, created_by TEXT NOT NULL, started REAL,
    finished REAL, cancel INTEGER NOT NULL DEFAULT 0, error TEXT, result TEXT,
    attempts INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS jobs_by_key ON jobs(kind, key, state);
"""
"""The tables as clusterlab 0.1 made them (schema version 0); :data:`MIGRATIONS` bring a
store from there to :data:`SCHEMA_VERSION`."""

MIGRATIONS: dict[int, str] = {
    1: "CREATE INDEX IF NOT EXISTS audit_by_run ON audit(run_key, id);",
    2: "ALTER TABLE projects ADD COLUMN last_opened TEXT;",
    3: "ALTER TABLE projects ADD COLUMN fingerprint TEXT;",
    4: "CREATE TABLE IF NOT EXISTS members (project_id INTEGER NOT NULL REFERENCES "
       "projects(id), user TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (project_id, user));",
    5: "ALTER TABLE jobs ADD COLUMN stage_ends REAL;",
}
"""``version -> SQL`` that takes a store from ``version - 1`` to ``version``."""

SCHEMA_VERSION = max(MIGRATIONS)
"""Kept in ``PRAGMA user_version``."""



class StoreLockedError(InputError):
    """Another process holds the store's write lock for longer than :attr:`Store.lock_wait`
    (usually a stopped, not killed, clusterlab process)."""


def _lock_holders(db_path: Path) -> list[int]:
    """Other processes with the store's database (or its WAL files) open (Linux ``/proc``;
    empty where that is not available)."""
    names = {str(db_path), f"{db_path}-wal", f"{db_path}-shm"}
    found = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        pid = int(fd_dir.parent.name)
        if pid == os.getpid():
            continue
        try:
            if any(os.readlink(fd) in names for fd in fd_dir.iterdir()):
                found.append(pid)
        except OSError:  # gone, or not ours to look at
            continue
    return sorted(found)


def default_root() -> Path:
    """``$CLUSTERLAB_HOME`` or ``~/.clusterlab``."""
    return Path(os.environ.get("CLUSTERLAB_HOME", Path.home() / ".clusterlab"))


class Store(ReviewState):
    """A project store rooted at a folder: ``store.db`` plus ``runs/<key>/`` artifacts.

    Every change is one transaction that also writes an audit entry.

    Parameters
    ----------
    root : Path
        Folder of the store (created when missing).
    """

    lock_wait: float = 15.0
    """Seconds a write waits for another process's write lock before giving up."""

    access: Access | None = None
    """Sign-in policy (:mod:`workspace.access`); None: single-user, every write allowed."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root or default_root())
        self.root.mkdir(parents=True, exist_ok=True)
        self.root = self.root.resolve()  # stored run paths must work from any folder
        (self.root / "runs").mkdir(exist_ok=True)
        self.db_path = self.root / "store.db"
        try:
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"The project store '{self.db_path}' is damaged ({exc}); move it "
                             "aside and restore it from a backup, or start a new store with "
                             "CLUSTERLAB_HOME.") from None
        self._make_private()

    def _make_private(self) -> None:
        """Owner-only permissions, the same everywhere: the store folder and its run folders
        0700, the database files 0600 (SQLite made them 0644)."""
        for path, mode in ((self.root, 0o700), (self.root / "runs", 0o700),
                           (self.db_path, 0o600), (Path(f"{self.db_path}-wal"), 0o600),
                           (Path(f"{self.db_path}-shm"), 0o600)):
            try:
                if path.stat().st_mode & 0o777 != mode:
                    path.chmod(mode)
            except FileNotFoundError:  # SQLite removes -wal/-shm when its last connection
                continue  # closes, in another process too: between a check and the stat
            except PermissionError:  # a store shared on purpose, owned by someone else
                log.warning("could not make %s owner-only", path)

    def _migrate(self) -> None:
        """Create the tables, then apply every migration newer than the store's version,
        each in one transaction with its version bump."""
        with self._connect() as con:
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise InputError(f"The project store '{self.db_path}' was written by a newer "
                                 f"clusterlab (schema {version}, this one knows up to "
                                 f"{SCHEMA_VERSION}); upgrade clusterlab to open it.")
            con.executescript(SCHEMA)
            for target in range(version + 1, SCHEMA_VERSION + 1):
                con.execute("BEGIN IMMEDIATE")
                try:
                    for statement in filter(str.strip, MIGRATIONS[target].split(";")):
                        con.execute(statement)
                    con.execute(f"PRAGMA user_version={int(target)}")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
                con.execute("COMMIT")
                log.info("store %s migrated to schema %d", self.db_path, target)

    @property
    def schema_version(self) -> int:
        """The store's schema version (``PRAGMA user_version``)."""
        with self._connect() as con:
            return int(con.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        con = sqlite3.connect(self.db_path, timeout=self.lock_wait, isolation_level=None)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA foreign_keys=ON")
            con.execute("PRAGMA synchronous=NORMAL")
            con.row_factory = sqlite3.Row
            yield con
        finally:
            con.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE ... COMMIT, rolled back on error).

        Raises
        ------
        StoreLockedError
            When another process kept the write lock for :attr:`lock_wait` seconds; nothing
            was changed, and the next write succeeds once that process is gone.
        """
        with self._connect() as con:
            try:
                con.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) and "busy" not in str(exc):
                    raise
                holders = _lock_holders(self.db_path)
                who = (f"process {', '.join(map(str, holders))}" if holders else
                       "another process")
                raise StoreLockedError(
                    f"The project store '{self.db_path}' is locked: {who} has held its write "
                    f"lock for over {self.lock_wait:.0f} s (perhaps a stopped clusterlab: "
                    "resume it with 'fg' or end it with 'kill PID'); nothing was changed, "
                    "try again once it is gone.") from exc
            try:
                yield con
            except BaseException:
                con.execute("ROLLBACK")
                raise
            con.execute("COMMIT")

    # who may write ----------------------------------------------------------------------
    def members(self, project_id: int) -> dict[str, str]:
        """A project's ``user -> role`` list."""
        rows = self._query("SELECT user, role FROM members WHERE project_id=?", (project_id,))
        return {r["user"]: r["role"] for r in rows}

    def require(self, project_id: int | None, who: str | None, action: str) -> None:
        """Raise :class:`~workspace.access.AccessDeniedError` unless ``who`` may do
        ``action`` on the project (always allowed without sign-in)."""
        if self.access is None or project_id is None:
            return
        project = self.project(project_id) or {"name": str(project_id)}
        require(self.access, self.members(project_id), project["name"], who, action)

    def _require_run(self, run_key: str, who: str | None, action: str) -> None:
        if self.access is not None:
            rows = self._query("SELECT project_id FROM runs WHERE key=?", (run_key,))
            self.require(rows[0]["project_id"] if rows else None, who, action)

    def set_member(self, project_id: int, user: str, role: str | None,
                   who: str | None = None) -> None:
        """Give ``user`` a role on a project (None removes them); needs admin."""
        user = user.strip()
        if not user:
            raise InputError("Give the person's e-mail address (as they sign in).")
        if role is not None:
            role_rank(role)
        self.require(project_id, who, "manage")
        with self.transaction() as con:
            if role is None:
                con.execute("DELETE FROM members WHERE project_id=? AND user=?",
                            (project_id, user))
            else:
                con.execute("INSERT OR REPLACE INTO members(project_id, user, role) "
                            "VALUES (?,?,?)", (project_id, user, role))
            self._audit(con, who or whoami(), "set_member", {"user": user, "role": role},
                        project_id)

    def owns(self, path: Path) -> bool:
        """Whether ``path`` is the store's folder or one of its own files and folders.

        A user's output folder beside them in the store's folder (``~/.clusterlab/out``) is
        not; ``runs/``, ``store.db`` and the like are.
        """
        path = Path(path).resolve()
        if path == self.root:
            return True
        if not path.is_relative_to(self.root):
            return False
        first = path.relative_to(self.root).parts[0]  # store.db and its -wal, -shm files
        return first in ("runs", "partial", "uploads", "converted", "jobs", "logs") or \
            first.startswith("store.db")

    def check_writable(self) -> None:
        """Raise :class:`StoreLockedError` now, rather than after a long computation, when
        another process holds the write lock."""
        with self.transaction():
            pass

    def _audit(self, con, who, action, detail, project_id=None, run_key=None) -> None:
        con.execute("INSERT INTO audit(at, who, project_id, run_key, action, detail) "
                    "VALUES (?,?,?,?,?,?)",
                    (now(), who, project_id, run_key, action, json.dumps(detail)))

    def _query(self, sql: str, args=()) -> list[dict]:
        with self._connect() as con:
            return [dict(r) for r in con.execute(sql, args).fetchall()]

    # projects ---------------------------------------------------------------------------
    def create_project(self, name: str, data: str, who: str | None = None,
                       settings: dict | None = None, fingerprint: str | None = None) -> int:
        """Create a project bound to its data, or return the one that already holds it.

        A project of this name (or ``"NAME (n)"``) whose data is the same (same
        fingerprint, or the same path when a fingerprint is missing) is returned, and takes
        ``data`` as its location when the file moved. A project of this name on *other*
        data is never joined: the new project is named ``"NAME (2)"`` (the first free
        number) instead.

        Parameters
        ----------
        name : str
        data : str
            Absolute path or ``demo:NAME``.
        who : str, optional
        settings : dict, optional
            The column roles (kind, text/label/id column, …).
        fingerprint : str, optional
            sha256 of the data (:func:`~workspace.fingerprint.data_fingerprint`).

        Returns
        -------
        int
            The project's id (see :meth:`project` for the name it got).
        """
        who = who or whoami()
        with self.transaction() as con:
            family = con.execute("SELECT id, name, data, fingerprint FROM projects WHERE name=? "
                                 "OR name LIKE ? ORDER BY id", (name, f"{name} (%)")).fetchall()
            for row in family:
                same = (row["fingerprint"] == fingerprint if row["fingerprint"] and fingerprint
                        else row["data"] == data)
                if same:
                    con.execute("UPDATE projects SET data=?, fingerprint=coalesce(fingerprint, ?)"
                                " WHERE id=?", (data, fingerprint, row["id"]))
                    return int(row["id"])
            if any(row["name"] == name for row in family):
                name = _free_name(con, name)
            cur = con.execute("INSERT INTO projects(name, data, settings, created_at, "
                              "created_by, fingerprint) VALUES (?,?,?,?,?,?)",
                              (name, data, json.dumps(settings or {}), now(), who, fingerprint))
            pid = int(cur.lastrowid)
            if self.access is not None:  # its creator manages it
                con.execute("INSERT INTO members(project_id, user, role) VALUES (?,?,?)",
                            (pid, who, "admin"))
            self._audit(con, who, "create_project", {"name": name, "data": data}, pid)
            return pid

    def move_data(self, project_id: int, data: str, who: str | None = None) -> None:
        """Point a project at the new location of its data (same content, checked by the
        caller against the fingerprint)."""
        self.require(project_id, who, "manage")
        who = who or whoami()
        with self.transaction() as con:
            con.execute("UPDATE projects SET data=? WHERE id=?", (data, project_id))
            self._audit(con, who, "move_data", {"data": data}, project_id)

    def projects(self) -> list[dict]:
        """All projects, newest first, each with ``n_runs`` (its finished runs)."""
        rows = self._query("SELECT p.*, count(r.key) AS n_runs FROM projects p LEFT JOIN runs r "
                           "ON r.project_id = p.id GROUP BY p.id ORDER BY p.id DESC")
        for r in rows:
            r["settings"] = json.loads(r["settings"] or "{}")
        return rows

    def touch_project(self, project_id: int) -> None:
        """Remember that someone looked at a project now (the app opens on it next time)."""
        with self.transaction() as con:
            con.execute("UPDATE projects SET last_opened=? WHERE id=?", (now(), project_id))

    def opening_project(self) -> int | None:
        """The project the app opens on: the last one looked at that has a finished run,
        otherwise the newest with a finished run; None when no project has one."""
        rows = self._query("SELECT p.id FROM projects p WHERE EXISTS (SELECT 1 FROM runs r "
                           "WHERE r.project_id = p.id) ORDER BY p.last_opened IS NULL, "
                           "p.last_opened DESC, p.id DESC LIMIT 1")
        return int(rows[0]["id"]) if rows else None

    def delete_project(self, project_id: int, who: str | None = None) -> None:
        """Delete a project that has no finished run, with its jobs and their files.

        Raises
        ------
        InputError
            When the project has a finished run (its review work would be lost) or a job
            still in progress.
        """
        import shutil

        self.require(project_id, who, "manage")
        who = who or whoami()
        with self.transaction() as con:
            row = con.execute("SELECT * FROM projects WHERE id=?", (project_id,)).fetchone()
            if row is None:
                return
            if con.execute("SELECT 1 FROM runs WHERE project_id=?", (project_id,)).fetchone():
                raise InputError(f"Project '{row['name']}' has finished runs; only a project "
                                 "without any can be deleted here.")
            if con.execute("SELECT 1 FROM jobs WHERE project_id=? AND state IN ('queued', "
                           "'running')", (project_id,)).fetchone():
                raise InputError(f"Project '{row['name']}' has a job in progress; cancel it "
                                 "on the Cluster page first, then delete the project.")
            jobs = [dict(r) for r in con.execute("SELECT id, kind, key FROM jobs WHERE "
                                                 "project_id=?", (project_id,))]
            con.execute("DELETE FROM jobs WHERE project_id=?", (project_id,))
            con.execute("DELETE FROM members WHERE project_id=?", (project_id,))
            kept = {(r["kind"], r["key"]) for r in con.execute("SELECT kind, key FROM jobs")}
            con.execute("DELETE FROM projects WHERE id=?", (project_id,))
            shared = con.execute("SELECT 1 FROM projects WHERE data=?", (row["data"],)).fetchone()
            self._audit(con, who, "delete_project", {"name": row["name"], "data": row["data"]},
                        project_id)
        for job in jobs:  # logs and checkpoints (the layout of workspace.jobs)
            (self.root / "jobs" / f"{job['id']}.log").unlink(missing_ok=True)
            if (job["kind"], job["key"]) not in kept:
                shutil.rmtree(self.root / "partial" / f"{job['kind']}-{job['key']}",
                              ignore_errors=True)
        upload = Path(row["data"])
        if not shared and upload.parent.parent == self.root / "uploads":
            from clustering.csv_parquet import remove_rewrites

            remove_rewrites(self.converted_dir(), upload)  # its chunked runs' Parquet copy
            shutil.rmtree(upload.parent, ignore_errors=True)

    def project(self, project_id: int) -> dict | None:
        """One project by id."""
        return next((p for p in self.projects() if p["id"] == project_id), None)

    # runs -------------------------------------------------------------------------------
    def converted_dir(self) -> Path:
        """Where CSV and JSON Lines files read in chunks are kept rewritten as Parquet
        (:func:`clustering.csv_parquet.csv_as_parquet`)."""
        return self.root / "converted"

    def run_dir(self, key: str) -> Path:
        """Folder of a run's artifacts."""
        return self.root / "runs" / key

    def register_run(self, key: str, project_id: int | None, run_json: dict,
                     who: str | None = None) -> None:
        """Record a finished run whose folder is complete."""
        who = who or whoami()
        with self.transaction() as con:
            con.execute(
                "INSERT OR REPLACE INTO runs(key, project_id, config, seed, versions, timings, "
                "metrics, path, created_at, created_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (key, project_id, json.dumps(run_json["config"]), run_json["seed"],
                 json.dumps(run_json["versions"]), json.dumps(run_json["timings"]),
                 json.dumps(run_json.get("metrics") or {}), str(self.run_dir(key)), now(), who))
            self._audit(con, who, "run", {"method": run_json["config"]["method"]}, project_id,
                        key)

    def attach_run(self, key: str, project_id: int) -> None:
        """Give a run registered without a project (``clusterlab run``) its project."""
        with self.transaction() as con:
            con.execute("UPDATE runs SET project_id=? WHERE key=? AND project_id IS NULL",
                        (project_id, key))

    def relocate_run(self, key: str, data: str) -> None:
        """Record a run's data at a new location (same content; see
        :func:`workspace.run_data.attach_data`)."""
        with self.transaction() as con:
            row = con.execute("SELECT config FROM runs WHERE key=?", (key,)).fetchone()
            if row:
                config = {**json.loads(row["config"]), "data": data}
                con.execute("UPDATE runs SET config=? WHERE key=?", (json.dumps(config), key))

    def get_run(self, key: str) -> dict | None:
        """The stored run with this key, or None (also None when its folder is gone)."""
        rows = self._query("SELECT * FROM runs WHERE key=?", (key,))
        if not rows or not (Path(rows[0]["path"]) / "run.json").exists():
            return None
        return _decode_run(rows[0])

    def runs(self, project_id: int | None = None) -> list[dict]:
        """Runs of a project (all runs when None), newest first."""
        if project_id is None:
            rows = self._query("SELECT * FROM runs ORDER BY created_at DESC")
        else:
            rows = self._query("SELECT * FROM runs WHERE project_id=? ORDER BY created_at DESC",
                               (project_id,))
        return [_decode_run(r) for r in rows]


def _free_name(con, name: str) -> str:
    """``name (2)``, ``name (3)``, …: the first that no project has."""
    taken = {r["name"] for r in con.execute("SELECT name FROM projects WHERE name LIKE ?",
                                             (f"{name} (%)",))}
    return next(f"{name} ({n})" for n in range(2, len(taken) + 3) if f"{name} ({n})" not in taken)


def _decode_run(row: dict) -> dict:
    out = dict(row)
    for key in ("config", "versions", "timings", "metrics"):
        out[key] = json.loads(out[key])
    return out
