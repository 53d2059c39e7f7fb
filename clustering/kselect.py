"""Choosing k and fitting k-means: a leaf module every clusterer (classic or deep) may use."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["COMMUNITY_DRAWS", "COMMUNITY_RESOLUTION", "COMMUNITY_ROWS", "COMMUNITY_SHARE",
           "K_MORE", "K_RANGE", "K_SAMPLE_FROM", "K_SAMPLE_ROWS", "PS_DRAWS", "PS_ROWS",
           "PS_SCREEN", "PS_THRESHOLD",
           "choose_k", "chunked_d2",
           "community_k", "counted_communities", "distance_soft", "kmeans_fit",
           "prediction_strength", "prediction_strength_k", "range_note", "top_note", "widened"]

K_RANGE = (2, 15)
"""Smallest and largest k tried first when the number of clusters is not given."""
K_MORE = 30
"""Where an estimate of k lands on the top of :data:`K_RANGE` (for the prediction strength:
also where no k in it qualifies), k up to this is tried too, as the rows allow (stop 91).
Before, 1,200 rows of 20 clean blobs got k = 15 by the silhouette and k = 2 ("no distinct
groups") by the prediction strength, which stays low below the true k because k-means joins
different groups in each half; estimates inside the range stay as they were."""

K_SAMPLE_ROWS = 5000
"""Rows of the seeded sample in which k of a large collection is read, so that the estimate
sees the groups at the density of 5,000 rows whatever the number of rows (tables:
:mod:`clustering.auto_k`; learned views: :func:`clustering.neighbour_kappa.plateau_k`)."""
K_SAMPLE_FROM = 2 * K_SAMPLE_ROWS + 1
"""From this many rows k is read in a sample of :data:`K_SAMPLE_ROWS` rows; below, in all."""


def kmeans_fit(X: np.ndarray, k: int, random_state: int = 0, n_init: int = 10):
    """A fitted scikit-learn ``KMeans`` (``n_init`` restarts).

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Rows to cluster.
    k : int
        Number of clusters.
    random_state : int
        Seed of the restarts.
    n_init : int
        Number of restarts.

    Returns
    -------
    sklearn.cluster.KMeans
        With ``labels_``, ``cluster_centers_`` and ``inertia_``.
    """
    from sklearn.cluster import KMeans

    return KMeans(n_clusters=k, n_init=n_init, random_state=random_state).fit(X)


def widened(hi: int, limit: int) -> int:
    """The top of the second range of k: :data:`K_MORE`, or less where the rows allow less.

    ``limit`` is the most k the rows allow; ``hi`` is returned where the first range's top
    was below :data:`K_RANGE`'s (few rows).

    Examples
    --------
    >>> widened(15, 1000), widened(15, 20), widened(9, 1000)
    (30, 20, 9)
    """
    return min(K_MORE, limit) if hi == K_RANGE[1] else hi


def range_note(hi: int, first_hi: int) -> str:
    """The clause that says which k were tried.

    Examples
    --------
    >>> range_note(15, 15)
    '2..15'
    >>> range_note(30, 15)
    '2..30 (16..30 tried too: in 2..15 the estimate sat at 15 or found nothing)'
    """
    if hi == first_hi:
        return f"{K_RANGE[0]}..{hi}"
    return (f"{K_RANGE[0]}..{hi} ({first_hi + 1}..{hi} tried too: in {K_RANGE[0]}..{first_hi} "
            f"the estimate sat at {first_hi} or found nothing)")


def top_note(k: int) -> str | None:
    """A sentence for the run's notes when the estimated k is the most that is tried.

    Examples
    --------
    >>> top_note(12) is None
    True
    >>> top_note(K_MORE)[:6]
    'k=30 i'
    """
    if k < K_MORE:
        return None
    return (f"k={k} is the most clusters clusterlab tries when it estimates k; if the data "
            f"hold more groups, give their number (--clusters, or Clusters in the app).")


def choose_k(X: np.ndarray, fit_labels: Callable[[int], np.ndarray] | None = None,
             random_state: int = 0, sample: int = 3000, scores_out: dict | None = None
             ) -> tuple[int, str]:
    """Pick k by the best silhouette on a seeded sample.

    k in :data:`K_RANGE`, and up to :data:`K_MORE` where the best is that range's top.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The rows that are clustered.
    fit_labels : callable, optional
        ``fit_labels(k) -> labels`` on all rows (default: k-means on ``X``).
    random_state : int
        Seed of the sample (and of the default k-means).
    sample : int
        Rows the silhouette is computed on.
    scores_out : dict, optional
        Filled with ``k -> silhouette`` of every k tried (run.json's ``k_scores``; a
        runner-up close to the best makes the choice uncertain).

    Returns
    -------
    k : int
        The chosen number of clusters.
    how : str
        One sentence for ``run.json``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(300, centers=4, random_state=0)
    >>> choose_k(X)[0]
    4
    """
    from sklearn.metrics import silhouette_score

    if fit_labels is None:
        def fit_labels(k):
            return kmeans_fit(X, k, random_state).labels_
    first_hi = hi = min(K_RANGE[1], len(X) - 1)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(X), min(sample, len(X)), replace=False)
    scores = {}

    def score(ks) -> None:
        for k in ks:
            labels = fit_labels(k)
            if len(np.unique(labels[rows])) > 1:
                scores[k] = float(silhouette_score(X[rows], labels[rows]))

    score(range(K_RANGE[0], hi + 1))
    if scores and max(scores, key=scores.get) == hi:
        hi = widened(hi, len(X) - 1)
        score(range(first_hi + 1, hi + 1))
    if scores_out is not None:
        scores_out.update({k: round(v, 4) for k, v in scores.items()})
    if not scores:
        return 2, "k=2: no k in range gave two distinct clusters"
    best = max(scores, key=scores.get)
    return best, (f"k={best} chosen by the best silhouette ({scores[best]:.3f}) over "
                  f"k={range_note(hi, first_hi)}")


PS_THRESHOLD = 0.9
""":func:`prediction_strength_k` takes the largest k whose prediction strength is at least
this (Tibshirani and Walther 2005 recommend 0.8-0.9). The ten tuning tables could not tell
the two apart (seeds 0-2, in the UMAP of the features: right 15 / 17 of 30, mean absolute
error 0.67 / 0.63 at 0.8 / 0.9); at 0.8 five clean blobs with four noise columns came out as
six (strength 0.81-0.84 at k = 6, where UMAP draws one blob as two close islands)."""
PS_DRAWS = 5
""":func:`prediction_strength_k` averages the prediction strength over this many random
halvings of the rows."""
PS_ROWS = 4000
""":func:`prediction_strength_k` reads at most this many rows (a seeded sample)."""
PS_SCREEN = 0.8
"""Past :data:`K_RANGE`, :func:`prediction_strength_k` measures a k in full (every halving,
every view) only where one halving of the first view gives at least this: rows without
groups then cost 2 k-means fits per k more, not 30 (1,000 rows of uniform noise: 2..30 in
full took 25 s on 2 cores)."""


def prediction_strength(test_labels: np.ndarray, predicted: np.ndarray) -> float:
    """How well clusters of one half of the rows are predicted by a clustering of the other.

    For each cluster of the test half, the share of its pairs of rows that the centres
    fitted on the training half also put together; the smallest share over the clusters
    (clusters of one row are skipped).

    Parameters
    ----------
    test_labels : ndarray of int, shape (m,)
        Clusters of the test half, fitted on it.
    predicted : ndarray of int, shape (m,)
        The same rows' clusters by the centres fitted on the training half.

    Returns
    -------
    float
        In [0, 1]; 1 when every test cluster is kept together.

    Examples
    --------
    >>> prediction_strength(np.array([0, 0, 1, 1]), np.array([1, 1, 0, 0]))
    1.0
    >>> prediction_strength(np.array([0, 0, 0, 1]), np.array([0, 0, 1, 1]))
    0.3333333333333333
    """
    shares = []
    for c in np.unique(test_labels):
        members = predicted[test_labels == c]
        m = len(members)
        if m < 2:
            continue
        counts = np.unique(members, return_counts=True)[1]
        shares.append(float((counts * (counts - 1)).sum() / (m * (m - 1))))
    return min(shares) if shares else 0.0


def prediction_strength_k(X: np.ndarray, random_state: int = 0,
                          curve_out: dict | None = None,
                          others: list[np.ndarray] | tuple = ()) -> tuple[int, str]:
    """Estimate k as the largest k whose k-means clusters one half of the rows can predict.

    The prediction strength of Tibshirani and Walther (2005): split the rows in two random
    halves, fit k-means on each, and ask how many pairs within each cluster of the test
    half the training half's centres keep together (:func:`prediction_strength`). Past the
    number of groups the data hold, k-means cuts a group in a different place in each half
    and the strength drops. Mean over :data:`PS_DRAWS` halvings of at most
    :data:`PS_ROWS` rows (and over the spaces in ``others``, the same halvings in each);
    the largest k in :data:`K_RANGE` at or above :data:`PS_THRESHOLD`, else 2. Where that is
    the range's top or no k qualifies, k up to :data:`K_MORE` is measured too (screened,
    :data:`PS_SCREEN`).

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The rows (``auto`` passes the UMAP of the features of a table).
    random_state : int
        Seed of the sample, the halvings and k-means.
    curve_out : dict, optional
        Filled with ``k -> prediction strength`` (run.json's ``k_strength``).
    others : sequence of ndarray, optional
        More views of the same rows (``auto`` passes UMAPs of the features drawn with other
        seeds, :data:`clustering.auto.STRENGTH_UMAPS`), averaged in: one UMAP's layout can
        split or join a group that the next one does not.

    Returns
    -------
    tuple of (int, str)
        The k, and the sentence saying how it was found (``run.json``'s ``k_selection``).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> rows = make_blobs(600, 5, centers=4, random_state=0)[0]
    >>> prediction_strength_k(rows)[0]
    4
    """
    from .fit_on_sample import sample_rows

    rng = np.random.default_rng(random_state)
    rows = sample_rows(len(X), PS_ROWS, random_state)
    spaces = [V[rows] for V in (X, *others)]
    half = len(rows) // 2
    first_hi = hi = min(K_RANGE[1], max(K_RANGE[0], half // 5))
    halvings = [rng.permutation(len(rows)) for _ in range(PS_DRAWS)]
    curve = {}

    def measure(ks, views=spaces, orders=halvings) -> None:
        for k in ks:
            strengths = []
            for Z in views:
                for order in orders:
                    train, test = Z[order[:half]], Z[order[half:]]
                    fitted = kmeans_fit(train, k, random_state, n_init=3)
                    test_labels = kmeans_fit(test, k, random_state, n_init=3).labels_
                    strengths.append(prediction_strength(test_labels, fitted.predict(test)))
            curve[k] = float(np.mean(strengths))

    measure(range(K_RANGE[0], hi + 1))
    strong = [k for k, v in curve.items() if v >= PS_THRESHOLD]
    if not strong or max(strong) == hi:  # none qualified, or the top did: more may
        hi = widened(hi, half // 5)
        # screened on one halving of the first view; measured in full where that passes
        measure(range(first_hi + 1, hi + 1), spaces[:1], halvings[:1])
        measure([k for k in range(first_hi + 1, hi + 1) if curve[k] >= PS_SCREEN])
        strong = [k for k, v in curve.items() if v >= PS_THRESHOLD]
    if curve_out is not None:
        curve_out.update({k: round(v, 4) for k, v in curve.items()})
    if hi == K_RANGE[0]:  # too few rows to test more than the smallest k
        return hi, (f"k={hi}: with {len(X)} rows, halves of {half} rows can test no more than "
                    f"{hi} clusters (one per 5 rows), so k is not estimated from the data "
                    f"(prediction strength {curve[hi]:.2f} at k={hi})")
    if not strong:
        best = max(curve, key=curve.get)
        return K_RANGE[0], (f"k={K_RANGE[0]}: for no k in {range_note(hi, first_hi)} were the "
                            f"k-means clusters of one half of the rows reproduced by k-means "
                            f"fitted on the other half (prediction strength at most "
                            f"{curve[best]:.2f}, at k={best}; {PS_THRESHOLD} wanted), so the "
                            f"rows may hold no distinct groups")
    k = max(strong)
    over = f" in each of {len(spaces)} views" if others else ""
    return k, (f"k={k} chosen as the largest k in {range_note(hi, first_hi)} whose k-means "
               f"clusters of one half of the rows are reproduced by k-means fitted on the "
               f"other half (prediction strength {curve[k]:.2f}, at least {PS_THRESHOLD} "
               f"wanted; mean over {PS_DRAWS} random halvings{over})")


COMMUNITY_SHARE = 0.02
""":func:`community_k` counts the communities holding at least this share of the rows."""
COMMUNITY_ROWS = 500
""":func:`community_k` reads graphs of at most this many rows: on the kNN graph of more rows
of one set Louvain finds more communities (``docstrings``, 6 topics: 6-7 on 40 % of its 577
rows, 8-9 on all), so the estimate would grow with the size of the data."""
COMMUNITY_RESOLUTION = 0.8
"""Louvain's resolution in :func:`community_k` (below 1 it favours fewer, larger
communities). Tuning half, the four tuning texts, seeds 0-2 (12 runs), k right / mean
absolute error at 0.6, 0.7, 0.8, 0.9, 1.0: 1 / 1.17, 0 / 1.00, 5 / 0.58, 4 / 0.92, 1 / 1.33
(at 1, modularity's default, 9 communities for the 6 topics of ``docstrings``)."""
COMMUNITY_DRAWS = 3
""":func:`community_k` takes the median count over this many draws (row samples and
Louvain's node orders)."""


def counted_communities(sizes: list[int]) -> int:
    """The k one draw of :func:`community_k` gives, from its community sizes.

    Its communities of at least :data:`COMMUNITY_SHARE` of the rows, at least
    :data:`K_RANGE`'s smallest and at most :data:`K_MORE`.

    Examples
    --------
    >>> counted_communities([60, 50, 40, 30, 20, 1])
    5
    """
    counted = sum(size >= COMMUNITY_SHARE * sum(sizes) for size in sizes)
    return int(min(max(counted, K_RANGE[0]), K_MORE))


def community_k(X: np.ndarray, random_state: int = 0,
                sizes_out: list | None = None) -> tuple[int, str]:
    """Estimate k as the number of communities of the rows' nearest-neighbour graph.

    Louvain's modularity communities (resolution :data:`COMMUNITY_RESOLUTION`) of the graph
    joining each row to its 14 nearest neighbours, on at most :data:`COMMUNITY_ROWS` rows;
    the communities holding at least :data:`COMMUNITY_SHARE` of them are counted, the median
    over :data:`COMMUNITY_DRAWS` draws, from 2 to :data:`K_MORE`. ``auto`` uses it for texts (see
    :data:`clustering.auto.COMMUNITY_K_MODALITIES`). In two dimensions Louvain splits round
    groups into several communities; it is meant for wide features.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The rows (``auto`` passes the features).
    random_state : int
        Seed of the row samples and of Louvain's node order.
    sizes_out : list, optional
        Filled with the community sizes of each draw, largest first (run.json's
        ``k_communities``).

    Returns
    -------
    k : int
    how : str
        One sentence for ``run.json``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(1000, 20, centers=6, cluster_std=2.0, random_state=1)
    >>> community_k(X)[0]
    6
    """
    import networkx as nx
    from sklearn.neighbors import NearestNeighbors

    from .fit_on_sample import sample_rows

    n = len(X)
    counts = []
    for draw in range(COMMUNITY_DRAWS):
        rows = sample_rows(n, COMMUNITY_ROWS, random_state + draw)
        m = min(14, len(rows) - 1)
        neighbours = NearestNeighbors(n_neighbors=m).fit(X[rows]).kneighbors()[1]
        graph = nx.Graph()
        graph.add_nodes_from(range(len(rows)))
        graph.add_edges_from(zip(np.repeat(np.arange(len(rows)), m).tolist(),
                                 neighbours.ravel().tolist(), strict=True))
        sizes = sorted((len(c) for c in nx.community.louvain_communities(
            graph, resolution=COMMUNITY_RESOLUTION, seed=random_state + draw)), reverse=True)
        if sizes_out is not None:
            sizes_out.append(sizes)
        counts.append(counted_communities(sizes))
    k = int(min(np.median(counts), n - 1))
    return k, (f"k={k} chosen as the number of communities of the rows' 14-nearest-neighbour "
               f"graph (Louvain, resolution {COMMUNITY_RESOLUTION}; communities of at least "
               f"{COMMUNITY_SHARE:.0%} of the rows, median over {COMMUNITY_DRAWS} draws of up "
               f"to {COMMUNITY_ROWS} rows: {', '.join(map(str, counts))})")


def distance_soft(X: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Softmax over negative squared distances to the centres, shape (n, k), float32.

    The temperature is half the median gap between the nearest and second-nearest
    centre, so a typical point gets about 0.88 against its runner-up and a point on
    the boundary 0.5.
    """
    d2 = chunked_d2(X, centers)
    if d2.shape[1] < 2:
        return np.ones((len(X), 1), dtype=np.float32)
    two = np.sort(d2, axis=1)[:, :2]
    temperature = max(float(np.median(two[:, 1] - two[:, 0])) / 2.0, 1e-12)
    logits = -(d2 - d2.min(axis=1, keepdims=True)) / temperature
    soft = np.exp(logits)
    return (soft / soft.sum(axis=1, keepdims=True)).astype(np.float32)


def chunked_d2(X: np.ndarray, centers: np.ndarray, chunk: int = 20000) -> np.ndarray:
    """Squared distances of every row of ``X`` to every centre, shape (n, k), in chunks."""
    out = np.empty((len(X), len(centers)), dtype=np.float64)
    cc = (centers ** 2).sum(1)
    for s in range(0, len(X), chunk):
        part = X[s:s + chunk].astype(np.float64)
        out[s:s + chunk] = (part ** 2).sum(1)[:, None] - 2 * part @ centers.T + cc[None, :]
    return np.maximum(out, 0)
