"""The ``clusterlab`` command line: ``run``, ``export``, ``predict``, ``attach``, ``methods``,
``app``."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from clustering.errors import InputError
from clustering.loaders import KINDS

__all__ = ["main"]


EXIT_BAD_INPUT = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="clusterlab", description=(
        "Cluster, map and export your data. Results are kept in a store "
        "($CLUSTERLAB_HOME, default ~/.clusterlab) so an identical request is reused."))
    parser.add_argument("-v", "--verbose", action="store_true", help="log details")
    parser.add_argument("--store", type=Path, default=None,
                        help="store folder (default $CLUSTERLAB_HOME or ~/.clusterlab)")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="cluster a data set and write assignments + run.json")
    run.add_argument("--data", required=True, help="CSV/Excel/Parquet/JSON Lines, a .txt of one "
                     "text per line, .npy, image folder/.zip, or demo:digits|demo:iris|demo:wine")
    run.add_argument("--kind", default="auto",
                     choices=list(KINDS))
    run.add_argument("--text-column")
    run.add_argument("--label-column", help="ground truth, used only for metrics")
    run.add_argument("--id-column")
    run.add_argument("--map-columns", nargs=2, metavar=("X", "Y"), default=None,
                     help="two numeric columns that already are a 2-D map: used as the map "
                     "(UMAP is skipped) and left out of the features")
    run.add_argument("--feature-columns", nargs="+", metavar="COLUMN", default=None,
                     help="the table columns to cluster on (default: numeric columns that "
                     "are not ids or of at most 5 values among continuous ones; categorical "
                     "ones are kept for colouring only)")
    run.add_argument("--ignore-columns", nargs="+", metavar="COLUMN", default=None,
                     help="table columns to leave out altogether")
    run.add_argument("--representation", default="auto",
                     help="auto, raw, scaled, counts, pixels, minilm or tfidf (auto: counts for a "
                     "table of counts such as reads per gene, scaled for other tables)")
    run.add_argument("--method", default="auto",
                     help="auto (the default) or see 'clusterlab methods'")
    run.add_argument("--clusters", type=int, default=None,
                     help="number of clusters (chosen automatically when left out)")
    run.add_argument("--min-cluster-size", type=int, default=None, help="for HDBSCAN methods")
    run.add_argument("--seed", type=int, default=0)
    run.add_argument("--epochs", type=int, default=None,
                     help="training length of deep methods (their default when left out)")
    run.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                     help="a setting of a deep method, e.g. --option heads=5, or of auto, "
                     "--option text_view=true (repeatable; 'clusterlab methods' lists "
                     "them with their defaults)")
    run.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    run.add_argument("--image-size", type=int, default=None, metavar="PIXELS",
                     help="side images larger than 64 px (or of different sizes) are reduced "
                     "to, 8-256 (default: from their size and number, 96 up to 2,604 images, "
                     "then 64, 48, 32; larger keeps finer detail and takes longer)")
    run.add_argument("--drop-invalid", action="store_true",
                     help="leave out rows with NaN/inf or unreadable images instead of failing")
    run.add_argument("--fill-missing", action="store_true",
                     help="fill a table's empty numeric cells (each column's median; a "
                     "signal's along its row) instead of failing; exports leave them empty")
    run.add_argument("--transpose", action="store_true",
                     help="swap a table's rows and columns first: a count matrix with a gene "
                     "in each row and a sample in each column is then clustered by sample "
                     "(--id-column names the column naming the rows, --label-column a row)")
    run.add_argument("--images-root", type=Path,
                     help="for a table naming image files (path,label,...): the folder their "
                     "paths start from, where it is not the table's own (only files under it "
                     "are read)")
    run.add_argument("--explain", action="store_true",
                     help="also write explanations.json (rules, polyhedra, ambiguity, ...)")
    run.add_argument("--rule-leaves", type=int, default=None,
                     help="leaf budget of the rule tree (default 2 x clusters)")
    run.add_argument("--project", default=None, help="project name in the store")
    scale = run.add_argument_group(
        "past one machine", "fit on a sample drawn by id hash, then assign every row in chunks "
        "(a folder or glob of Parquet files, a CSV (rewritten once as Parquet in the store), a "
        ".parquet/.npy file or an image folder). A Dask "
        "scheduler runs code its clients send: keep its port private or use TLS.")
    scale.add_argument("--engine", default="local", choices=["local", "dask"],
                       help="where chunks are assigned: this process, or Dask workers")
    scale.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                       help="a running Dask scheduler (default $CLUSTERLAB_DASK_SCHEDULER, "
                       "else a LocalCluster on this machine)")
    scale.add_argument("--workers", type=int, default=None,
                       help="worker processes of the LocalCluster (default half the cores)")
    scale.add_argument("--sample", type=int, default=None,
                       help="rows the pipeline is fitted on (default 200,000 with --engine "
                       "dask or a folder of Parquet files)")
    scale.add_argument("--chunk-rows", type=int, default=100_000,
                       help="rows per chunk task (not part of the run's key)")
    scale.add_argument("--gpu-workers", action="store_true",
                       help="chunk tasks need a GPU (dask-cuda workers, resources GPU=1)")
    scale.add_argument("--tls-ca-file", default=None, help="CA certificate for tls://")
    scale.add_argument("--tls-cert", default=None, help="client certificate for tls://")
    scale.add_argument("--tls-key", default=None, help="client key for tls://")
    run.add_argument("--out", required=True, type=Path)

    exp = sub.add_parser("export", help="export a labelled subset of a run")
    exp.add_argument("--run", required=True, type=Path, help="the --out folder of a run")
    exp.add_argument("--format", required=True,
                     choices=["csv", "parquet", "jsonl", "imagefolder"])
    exp.add_argument("--clusters", type=int, nargs="+", default=None)
    exp.add_argument("--ids", type=Path, default=None, help="file with one id per line")
    exp.add_argument("--reviewed", action="store_true", help="only reviewed points")
    exp.add_argument("--out", required=True, type=Path)

    pred = sub.add_parser("predict", help="assign new rows (cluster, confidence, map place) with "
                          "any run's frozen assigner")
    pred.add_argument("--run", required=True, type=Path, help="the --out folder of a run")
    pred.add_argument("--data", required=True, help="the new rows, in the run's data format")
    pred.add_argument("--kind", default="auto",
                      choices=list(KINDS))
    pred.add_argument("--text-column")
    pred.add_argument("--id-column")
    pred.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    pred.add_argument("--drop-invalid", action="store_true",
                      help="leave out new rows with NaN/inf instead of failing")
    pred.add_argument("--fill-missing", action="store_true",
                      help="fill the new rows' empty numeric cells with the run's column means "
                      "instead of failing")
    pred.add_argument("--images-root", type=Path,
                      help="for a table naming image files: the folder their paths start from")
    pred.add_argument("--out", required=True, type=Path, help="a .csv or .parquet file")

    att = sub.add_parser("attach", help="tell the store where a run's data is now (a moved "
                         "file is recognised by its sha256)")
    att.add_argument("--run", required=True, help="the run's key (or its --out folder)")
    att.add_argument("--data", required=True, help="the data's new location")

    sub.add_parser("methods", help="list every clustering method")
    sub.add_parser("app", help="open the app: streamlit run app.py with its modules imported "
                   "before the server listens (later options go to streamlit run, e.g. "
                   "--server.port 8502)")
    return parser


def _progress_printer(stage_span=None):
    """A progress callback drawing one line on stderr, at most twice a second.

    With ``stage_span`` (a run's stages, :func:`clustering.pipeline.stage_span`) the line
    ends with the time left in the current stage, from the pace measured inside it (as the
    app's job panel shows it, :class:`workspace.worker.StageClock`).
    """
    from workspace.jobs import duration_text
    from workspace.worker import StageClock

    state = {"last": 0.0}
    clock = StageClock(stage_span) if stage_span else None

    def report(fraction: float, message: str) -> None:
        now = time.monotonic()
        left = clock.update(float(fraction), now)[1] if clock else None
        if now - state["last"] > 0.5 or fraction >= 1.0:
            state["last"] = now
            eta = "" if left is None or fraction >= 1.0 else f" ~{duration_text(left)} left"
            line = f"{_shortened(message, 70 - len(eta))}{eta}"
            sys.stderr.write(f"\r[{fraction * 100:5.1f}%] {line:<70}")
            sys.stderr.flush()
            if fraction >= 1.0:
                sys.stderr.write("\n")

    return report


def _shortened(message: str, room: int) -> str:
    """The message within ``room`` characters, cut after a whole clause where it can be.

    Examples
    --------
    >>> _shortened("auto: fine-tuning the encoder, epoch 101/150, loss 4.125", 48)
    'auto: fine-tuning the encoder, epoch 101/150'
    >>> _shortened("scoring the candidates", 10)
    'scoring t…'
    """
    if len(message) <= room:
        return message
    head = message[:room]
    return head.rsplit(", ", 1)[0] if ", " in head else head[:room - 1] + "…"


def _cmd_run(args, store) -> int:
    from clustering.chunks import is_partitioned_source
    from clustering.pipeline import RunConfig, stage_span
    from workspace.engines import EngineSettings
    from workspace.partitioned import DEFAULT_SAMPLE
    from workspace.run_data import run_roles
    from workspace.runs import ensure_run, write_outputs

    source = args.data if args.data.startswith("demo:") or any(c in args.data for c in "*?[") \
        else str(Path(args.data).resolve())
    settings = EngineSettings(args.engine, args.scheduler, args.workers, args.tls_ca_file,
                              args.tls_cert, args.tls_key, args.chunk_rows,
                              args.gpu_workers).validate()
    sample = args.sample
    if sample is None and (args.engine == "dask" or is_partitioned_source(source)):
        sample = DEFAULT_SAMPLE
    if sample is not None and args.explain:
        raise InputError("--explain is not available for sampled runs yet; explain a run of "
                         "up to a few hundred thousand rows without --sample.")
    if sample is not None and source.startswith("demo:"):
        raise InputError("--sample and --engine dask read files in chunks; give a folder of "
                         "Parquet files, a CSV, .parquet or .npy file or an image folder, not "
                         "a demo.")
    config = RunConfig(data=source, kind=args.kind, text_column=args.text_column,
                       label_column=args.label_column, id_column=args.id_column,
                       representation=args.representation, method=args.method,
                       clusters=args.clusters, seed=args.seed, device=args.device,
                       drop_invalid=args.drop_invalid, fill_missing=args.fill_missing,
                       transpose=args.transpose, min_cluster_size=args.min_cluster_size,
                       image_size=args.image_size,
                       epochs=args.epochs, options=_parse_options(args.option),
                       map_columns=args.map_columns, feature_columns=args.feature_columns,
                       ignore_columns=args.ignore_columns, sample=sample,
                       images_root=_resolved(args.images_root)).validate()
    if args.out.exists() and not args.out.is_dir():
        raise InputError(f"--out '{args.out}' is a file; give a folder for the results.")
    _check_out(args.out, None, store, source)
    store.check_writable()  # a locked store is reported before minutes of computing
    # the project is made only once the run exists: refused input leaves the store as it was
    if sample is not None:
        from workspace.partitioned import ensure_partitioned_run

        run = ensure_partitioned_run(config, store, settings, progress=_progress_printer())
    else:
        run = ensure_run(config, store, None, progress=_progress_printer(stage_span))
    # bound to the data's fingerprint: a name taken by other data makes "NAME (2)"
    project = store.create_project(args.project or _project_name(source), source,
                                   settings=run_roles(config.to_dict()),
                                   fingerprint=run.run_json["data"]["sha256"])
    store.attach_run(run.key, project)
    if args.explain:
        from workspace.explanations import EXPLANATIONS, ensure_explanations

        options = {"max_leaves": args.rule_leaves} if args.rule_leaves else {}
        report = ensure_explanations(run.path, store, progress=_progress_printer(), **options)
    write_outputs(run, args.out, extra=[EXPLANATIONS] if args.explain else [])
    _print_summary(run)
    if args.explain:
        _print_explanations(report)
    return 0


def _parse_options(pairs: list[str]) -> dict:
    """``["heads=5", "lr=0.01"]`` -> ``{"heads": 5, "lr": 0.01}`` (values read as JSON
    numbers or booleans when they are, else kept as text)."""
    import json

    options = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise InputError(f"--option '{pair}' must look like NAME=VALUE, e.g. heads=5.")
        try:
            options[name.strip()] = json.loads(value)
        except json.JSONDecodeError:
            options[name.strip()] = value
    return options


def _print_explanations(report: dict) -> None:
    lines = [f"explanations: rule fidelity {report['rules_fidelity']:.3f}, view ambiguity "
             f"{report['view_ambiguity']:.3f}" + (f", ECE {report['calibration']['ece']:.3f}"
                                                  if "calibration" in report else "")]
    for c in report["clusters"]:
        lines.append(f"  cluster {c['cluster']} ({c['size']}): rule precision "
                     f"{c['rule']['precision']:.2f} coverage {c['rule']['coverage']:.2f}; "
                     f"polyhedron {c['polyhedron']['precision']:.2f}/"
                     f"{c['polyhedron']['coverage']:.2f}; ambiguity {c['ambiguity']:.2f}"
                     + ("; markers " + ", ".join(m["gene"] for m in c["markers"][:5])
                        if c.get("markers") else ""))
    sys.stdout.write("\n".join(lines) + "\n")


def _project_name(data: str) -> str:
    return data if data.startswith("demo:") else Path(data).name


def _print_summary(run) -> None:
    rj = run.run_json
    metrics = rj.get("metrics") or {}
    parts = [f"{k}={metrics[k]:.3f}" for k in ("acc", "nmi", "ari", "silhouette")
             if metrics.get(k) is not None]
    lines = [f"run {run.key} ({'reused' if run.reused else 'new'}): {rj['method']} on "
             f"{rj['data']['name']} ({rj['data']['rows']:,} rows) -> "
             f"{metrics.get('n_clusters')} clusters, noise {metrics.get('noise_share', 0):.1%}",
             "metrics: " + (", ".join(parts) or "none")
             + (f" (ACC, NMI, ARI on the {metrics['labelled']:,} labelled rows)"
                if metrics.get("labelled") is not None else ""),
             f"time: {rj['timings']['total']:.1f} s"]
    lines += [f"note: {n}" for n in rj.get("notes", [])]
    import numpy as np

    from clustering.diagnostics import run_concerns
    from workspace.runs import load_clustering

    # a partitioned run's concerns are read from its sample's clustering
    labels = load_clustering(run.path / "sample-run" if "partitioned" in rj else run.path).labels
    sizes = np.bincount(labels[labels >= 0]) if (labels >= 0).any() else None
    for concern in run_concerns(rj, sizes=None if sizes is None else sizes[sizes > 0]):
        fix = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in concern.fix.items())
        lines.append(f"warning: {concern.message}" + (f" Try: {fix}" if fix else ""))
    sys.stdout.write("\n".join(lines) + "\n")


def _resolved(folder: Path | None) -> str | None:
    """A folder given on the command line as an absolute path (the run is read from any)."""
    return str(folder.resolve()) if folder else None


def _check_out(out: Path, run: Path | None, store, *data: str | None) -> None:
    """Refuse an output that would overwrite a run's own files, the store's or the data.

    ``--out run/assignments.parquet`` replaced the run's assignments with the export (and
    the next export of the run failed), ``--out`` naming the data file would replace it, and
    a run's results written into a folder of Parquet files would become part of its data.
    A new file beside a run's files (``out/export.csv``) is fine.
    """
    from workspace.explanations import EXPLANATIONS
    from workspace.runs import ASSIGNMENTS, RUN_JSON

    target = out.resolve()
    run = Path(run).resolve() if run is not None else None
    if run is not None and (target.parent == run and target.name in (ASSIGNMENTS, RUN_JSON,
                                                                      EXPLANATIONS)
                            or target.is_relative_to(run) and target.parent != run):
        raise InputError(f"--out '{out}' would overwrite the run's own files in '{run}'; give "
                         "another file name.")
    if store.owns(target):
        raise InputError(f"--out '{out}' is in the clusterlab store's own files ('{store.root}')"
                         ", which writing there could damage; give a path outside them.")
    guarded = [Path(d).resolve() for d in data
               if d and not str(d).startswith("demo:") and Path(d).exists()]
    for place in guarded:
        if target == place or place.is_dir() and target.is_relative_to(place):
            where = "is" if target == place else "is inside"
            raise InputError(f"--out '{out}' {where} the data ('{place}'), which writing there "
                             "would change or overwrite; give a path outside it.")


def _cmd_export(args, store) -> int:
    from workspace.exports import export_run
    from workspace.runs import read_run

    if (Path(args.run) / "run.json").exists():
        _check_out(args.out, args.run, store, read_run(Path(args.run))["config"].get("data"))
    ids = None
    if args.ids is not None:
        if not args.ids.exists():
            raise InputError(f"The id list '{args.ids}' does not exist.")
        ids = [line.strip() for line in args.ids.read_text().splitlines() if line.strip()]
    prov = export_run(args.run, args.format, args.out, store=store, clusters=args.clusters,
                      ids=ids, reviewed_only=args.reviewed)
    sys.stdout.write(f"exported {prov['rows']:,} rows to {args.out} "
                     f"(provenance: {args.out}.provenance.json)\n")
    return 0


def _cmd_predict(args, store) -> int:
    from workspace.predict import assign_new_rows, read_new_rows, write_assigned

    suffix = args.out.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise InputError(f"--out '{args.out}' must end in .csv or .parquet.")
    _check_out(args.out, args.run, store, args.data)
    data, notes = read_new_rows(args.data, args.run, kind=args.kind,
                                text_column=args.text_column, id_column=args.id_column,
                                drop_invalid=args.drop_invalid,
                                fill_missing=args.fill_missing,
                                images_root=_resolved(args.images_root))
    for note in notes:
        sys.stdout.write(f"note: {note}\n")
    frame = assign_new_rows(args.run, data, store, device=args.device)
    write_assigned(frame, args.out)
    counts = frame["cluster_name"].value_counts()
    sys.stdout.write(f"assigned {len(frame):,} rows to {len(counts)} clusters "
                     f"(mean confidence {frame['confidence'].mean():.2f}) -> {args.out}\n")
    return 0


def _cmd_attach(args, store) -> int:
    from workspace.run_data import attach_data

    key = args.run
    if Path(key, "run.json").exists():
        key = json.loads(Path(key, "run.json").read_text())["key"]
    where = attach_data(store, key, str(Path(args.data).resolve()))
    sys.stdout.write(f"run {key}: data now read from {where}\n")
    return 0


def _cmd_methods() -> int:
    from clustering.auto import OPTIONS as AUTO_OPTIONS
    from clustering.clusterers import METHODS
    from clustering.deep.registry import DEEP_METHODS

    width = max(map(len, METHODS))
    for name, spec in METHODS.items():
        sys.stdout.write(f"{name:<{width}}  {spec.summary}\n")
        options = DEEP_METHODS[name].options if name in DEEP_METHODS else \
            AUTO_OPTIONS if name == "auto" else {}
        if options:
            settings = ", ".join(f"{k}={v}" for k, v in options.items())
            sys.stdout.write(f"{'':<{width}}  options: {settings}\n")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``clusterlab`` console script; returns the exit code."""
    parser = _parser()
    args, unknown = parser.parse_known_args(argv)
    if args.command == "app":  # everything after "app" is streamlit run's
        args.streamlit_args = unknown
    elif unknown:
        parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        if args.command == "methods":
            return _cmd_methods()
        if args.command == "app":
            from ui.launch import main as launch

            return launch(args.streamlit_args)
        from workspace.store import Store

        store = Store(args.store)
        if args.command == "run":
            return _cmd_run(args, store)
        if args.command == "predict":
            return _cmd_predict(args, store)
        if args.command == "attach":
            return _cmd_attach(args, store)
        return _cmd_export(args, store)
    except InputError as exc:
        sys.stderr.write(f"\nerror: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        sys.stderr.write("\ninterrupted; nothing was written under the final names.\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - last resort: one line, details in the log file
        from clustering.device import out_of_memory

        if (message := out_of_memory(exc)) is not None:
            sys.stderr.write(f"\nerror: {message}\n")
            return 1
        return _internal_error(exc)


def _internal_error(exc: Exception) -> int:
    """Report a bug in one line; the traceback goes to a new owner-only file in the store."""
    import os
    import traceback
    from datetime import UTC, datetime

    from workspace.store import default_root

    where = ""
    try:
        folder = default_root() / "logs"
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        log_file = folder / f"error-{stamp}-{os.getpid()}.log"
        # O_EXCL: never follows or reuses an existing file (or a planted symlink)
        fd = os.open(log_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(traceback.format_exc())
        where = f" (details in {log_file})"
    except OSError:
        pass
    sys.stderr.write(f"\ninternal error: {type(exc).__name__}: {exc}{where}. Nothing was "
                     "written under the final names; please report this.\n")
    return 1


if __name__ == "__main__":
    raise SystemExit(main())
