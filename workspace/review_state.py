"""Review state of a run: cluster names and statuses, point labels and moves, undo, audit.

:class:`ReviewState` is the review half of :class:`~workspace.store.Store` (which inherits it):
every change is one SQLite transaction with its audit entry, holding what it replaced so that
:meth:`ReviewState.undo_last` can revert it, and with a revision and session it refuses to
overwrite another session's newer change (:mod:`workspace.review_log`).
"""

from __future__ import annotations

import json

import pandas as pd

from clustering.errors import InputError

from .review_log import check_conflict, restore_cluster, restore_points, rows_for, touched
from .stamps import now, whoami

__all__ = ["REVIEW_STATUSES", "ReviewState"]

REVIEW_STATUSES = ("unreviewed", "accepted", "rejected")


class ReviewState:
    """Review methods of the store; they use its ``_query``, ``_connect``, ``transaction``,
    ``_require_run`` and ``_audit``."""

    def revision(self, run_key: str) -> int:
        """The newest audit entry of a run: what an editor has seen when reading state."""
        rows = self._query("SELECT coalesce(max(id), 0) AS rev FROM audit WHERE run_key=?",
                           (run_key,))
        return int(rows[0]["rev"])

    def set_cluster(self, run_key: str, cluster: int, *, name: str | None = None,
                    status: str | None = None, notes: str | None = None,
                    who: str | None = None, seen: int | None = None,
                    session: str | None = None) -> None:
        """Name a cluster, set its review status or notes (only the fields given).

        With ``seen`` (a :meth:`revision`) and ``session``, a change another session made
        to the same fields of this cluster since then raises :class:`ConflictError` and
        nothing is written.
        """
        if status is not None and status not in REVIEW_STATUSES:
            raise InputError(f"Review status must be one of {', '.join(REVIEW_STATUSES)}, "
                             f"not '{status}'.")
        self._require_run(run_key, who, "review")
        who = who or whoami()
        changes = {k: v for k, v in (("name", name), ("status", status), ("notes", notes))
                   if v is not None}
        if not changes:
            return
        with self.transaction() as con:
            check_conflict(con, run_key, seen, session, clusters={int(cluster)},
                            fields=set(changes))
            before = con.execute("SELECT name, status, notes FROM clusters WHERE run_key=? AND "
                                 "cluster=?", (run_key, cluster)).fetchone()
            con.execute("INSERT OR IGNORE INTO clusters(run_key, cluster) VALUES (?,?)",
                        (run_key, int(cluster)))
            for field, value in changes.items():
                con.execute(f"UPDATE clusters SET {field}=?, updated_by=?, updated_at=? "
                            "WHERE run_key=? AND cluster=?",
                            (value, who, now(), run_key, int(cluster)))
            self._audit(con, who, "set_cluster",
                        {"cluster": int(cluster), "before": dict(before) if before else None,
                         "after": changes, "session": session}, run_key=run_key)

    def clusters(self, run_key: str) -> dict[int, dict]:
        """Review state per cluster id."""
        rows = self._query("SELECT * FROM clusters WHERE run_key=?", (run_key,))
        return {int(r["cluster"]): r for r in rows}

    def label_points(self, run_key: str, point_ids: list[str], *, label: str | None = None,
                     cluster: int | None = None, targets: list[int] | None = None,
                     who: str | None = None, action: str = "label_points",
                     extra: dict | None = None, seen: int | None = None,
                     session: str | None = None) -> None:
        """Give points a label and/or move them to a cluster, in one transaction.

        The previous state of every touched point goes into the audit entry, so the
        change can be undone (as a whole). With ``seen`` and ``session``, points another
        session changed since ``seen`` raise :class:`ConflictError` and nothing is written.

        ``targets`` moves each point to its own cluster (one id per point, as a split
        does) instead of all to ``cluster``.
        """
        if label is None and cluster is None and targets is None:
            raise InputError("Give a label or a cluster to assign the points to.")
        self._require_run(run_key, who, "review")
        who = who or whoami()
        stamp = now()
        ids = [str(p) for p in point_ids]
        if targets is not None and len(targets) != len(ids):
            raise ValueError(f"{len(targets)} targets for {len(ids)} points")
        goes = [cluster] * len(ids) if targets is None else [int(t) for t in targets]
        with self.transaction() as con:
            check_conflict(con, run_key, seen, session, ids=set(ids))
            before = rows_for(con, run_key, ids)
            con.executemany(
                "INSERT INTO point_labels(run_key, point_id, label, cluster, updated_by, "
                "updated_at) VALUES (?,?,?,?,?,?) ON CONFLICT(run_key, point_id) DO UPDATE SET "
                "label=coalesce(excluded.label, label), cluster=coalesce(excluded.cluster, "
                "cluster), updated_by=excluded.updated_by, updated_at=excluded.updated_at",
                [(run_key, p, label, c, who, stamp) for p, c in zip(ids, goes, strict=True)])
            self._audit(con, who, action, {"n": len(ids), "label": label, "cluster": cluster,
                                           "ids": ids, "before": before, "session": session,
                                           **(extra or {})},
                        run_key=run_key)

    def undo_last(self, run_key: str, who: str | None = None,
                  session: str | None = None) -> dict | None:
        """Revert the newest change to a run's review state that is not undone yet.

        With ``session``, only that session's own changes are undone, and one that another
        session has built on since raises :class:`ConflictError`.

        Returns
        -------
        dict or None
            The audit entry that was undone, or None when there is nothing to undo.
        """
        self._require_run(run_key, who, "review")
        who = who or whoami()
        with self.transaction() as con:
            done = {json.loads(r["detail"])["undid"] for r in con.execute(
                "SELECT detail FROM audit WHERE run_key=? AND action='undo'", (run_key,))}
            entry = None
            for row in con.execute("SELECT * FROM audit WHERE run_key=? AND action NOT IN "
                                   "('undo', 'run') ORDER BY id DESC", (run_key,)):
                mine = session is None or json.loads(row["detail"]).get("session") == session
                if row["id"] not in done and mine:
                    entry = dict(row)
                    break
            if entry is None:
                return None
            detail = json.loads(entry["detail"])
            if session is not None:
                changed = touched(con, entry["action"], detail)
                check_conflict(con, run_key, entry["id"], session, clusters=changed[0],
                               ids=changed[1], fields=changed[2])
            if entry["action"] == "set_cluster":
                restore_cluster(con, run_key, detail)
            else:
                restore_points(con, run_key, detail)
            self._audit(con, who, "undo", {"undid": entry["id"], "action": entry["action"],
                                           "session": session}, run_key=run_key)
            entry["detail"] = detail
            return entry

    def point_label_table(self, run_key: str) -> pd.DataFrame:
        """Per-point labels and cluster moves as a table (``point_id, label, cluster``;
        missing values are None/NaN): the fast form for whole-run joins."""
        with self._connect() as con:
            con.row_factory = None  # plain tuples: no per-row conversion
            rows = con.execute("SELECT point_id, label, cluster FROM point_labels "
                               "WHERE run_key=?", (run_key,)).fetchall()
        return pd.DataFrame(rows, columns=["point_id", "label", "cluster"])

    def moved_clusters(self, run_key: str) -> list[int]:
        """Every cluster id points of the run were moved to (no per-point rows read)."""
        with self._connect() as con:
            return [r[0] for r in con.execute(
                "SELECT DISTINCT cluster FROM point_labels WHERE run_key=? AND cluster IS NOT "
                "NULL", (run_key,)).fetchall()]

    def point_labels(self, run_key: str) -> dict[str, dict]:
        """Per-point labels and cluster moves, by point id."""
        rows = self._query("SELECT * FROM point_labels WHERE run_key=?", (run_key,))
        return {r["point_id"]: r for r in rows}

    def audit_log(self, run_key: str | None = None, limit: int = 1000,
                  brief: bool = False) -> list[dict]:
        """Audit entries, newest first.

        ``brief`` leaves the point ids and earlier values (``ids``, ``before``) out of each
        entry's ``detail``, in SQL: a lasso on a large map moves thousands of points, and the
        last 50 entries of the load test's store held 11 MB of them.
        """
        detail = "json_remove(detail, '$.ids', '$.before') AS detail" if brief else "detail"
        columns = f"id, at, who, project_id, run_key, action, {detail}"
        if run_key is None:
            rows = self._query(f"SELECT {columns} FROM audit ORDER BY id DESC LIMIT ?",
                               (limit,))
        else:
            rows = self._query(f"SELECT {columns} FROM audit WHERE run_key=? ORDER BY id DESC "
                               "LIMIT ?", (run_key, limit))
        for r in rows:
            r["detail"] = json.loads(r["detail"])
        return rows

    def reviewers(self, run_key: str) -> list[dict]:
        """Who changed review state of a run, with their last change time."""
        return self._query("SELECT who, max(at) AS last_change, count(*) AS changes FROM audit "
                           "WHERE run_key=? AND action NOT IN ('run') "
                           "GROUP BY who ORDER BY last_change", (run_key,))
