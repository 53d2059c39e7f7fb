"""How review changes are checked and undone from the audit log: which clusters, points and
fields an entry touched, whether another session changed them after an editor last looked,
and how an entry's "before" state is put back. Used inside the store's transactions."""

from __future__ import annotations

import json

from clustering.errors import InputError

__all__ = ["ConflictError", "check_conflict", "restore_cluster", "restore_points", "rows_for",
           "touched"]


class ConflictError(InputError):
    """Someone else changed the same cluster or points after this editor last looked."""


def rows_for(con, run_key: str, ids: list[str]) -> dict[str, dict]:
    """Stored label and cluster of the given points (those without a row are left out)."""
    out = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        for r in con.execute(f"SELECT point_id, label, cluster FROM point_labels WHERE "
                             f"run_key=? AND point_id IN ({marks})", (run_key, *chunk)):
            out[r["point_id"]] = {"label": r["label"], "cluster": r["cluster"]}
    return out


def touched(con, action: str, detail: dict) -> tuple[set, set, set]:
    """Clusters, point ids and cluster fields an audit entry changed."""
    if action == "undo":
        row = con.execute("SELECT action, detail FROM audit WHERE id=?",
                          (detail["undid"],)).fetchone()
        return touched(con, row["action"], json.loads(row["detail"])) if row else \
            (set(), set(), set())
    if action == "set_cluster":
        return {int(detail["cluster"])}, set(), set(detail.get("after") or {})
    return set(), set(detail.get("ids") or ()), set()


def check_conflict(con, run_key: str, seen: int | None, session: str | None, *,
                    clusters: set | None = None, ids: set | None = None,
                    fields: set | None = None) -> None:
    """Raise :class:`ConflictError` when another session changed the same cluster fields or
    points after audit entry ``seen`` (nothing to check without ``seen``)."""
    if seen is None:
        return
    for row in con.execute("SELECT * FROM audit WHERE run_key=? AND id>? AND action!='run' "
                           "ORDER BY id", (run_key, int(seen))):
        detail = json.loads(row["detail"])
        if session is not None and detail.get("session") == session:
            continue
        their_clusters, their_ids, their_fields = touched(con, row["action"], detail)
        same_cluster = clusters and clusters & their_clusters and (
            not fields or not their_fields or fields & their_fields)
        same_points = ids and ids & their_ids
        if same_cluster or same_points:
            what = (f"cluster {min(clusters & their_clusters)}" if same_cluster else
                    f"{len(ids & their_ids):,} of these points")
            raise ConflictError(
                f"{row['who']} changed {what} at {row['at'][11:19]} UTC ({row['action']}) "
                "after you loaded this page, so your change was not saved; the page now "
                "shows their change — make yours again if you still want it.")


def restore_cluster(con, run_key: str, detail: dict) -> None:
    """Put back a cluster's name, status and notes as a ``set_cluster`` entry found them."""
    before = detail["before"]
    if before is None:
        con.execute("DELETE FROM clusters WHERE run_key=? AND cluster=?",
                    (run_key, detail["cluster"]))
    else:
        con.execute("UPDATE clusters SET name=?, status=?, notes=? WHERE run_key=? AND "
                    "cluster=?", (before["name"], before["status"], before["notes"], run_key,
                                  detail["cluster"]))


def restore_points(con, run_key: str, detail: dict) -> None:
    """Put back the points' labels and clusters as a points entry found them."""
    before = detail["before"]
    for pid in detail["ids"]:
        if pid in before:
            con.execute("UPDATE point_labels SET label=?, cluster=? WHERE run_key=? AND "
                        "point_id=?", (before[pid]["label"], before[pid]["cluster"], run_key,
                                       pid))
        else:
            con.execute("DELETE FROM point_labels WHERE run_key=? AND point_id=?",
                        (run_key, pid))
