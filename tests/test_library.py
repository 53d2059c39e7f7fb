"""clusterlab as a Python library: the ClusterLab estimator, strict arguments, one
validation of a run's config."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from clustering import ClusterLab, InputError, RunConfig, cluster


@pytest.fixture(scope="module")
def blobs():
    X, y = make_blobs(240, centers=3, n_features=4, cluster_std=0.6, random_state=3)
    return X.astype(np.float32), y


def test_unknown_keyword_is_a_type_error_naming_it(blobs):
    X, _ = blobs
    with pytest.raises(TypeError, match="bogus_option"):
        cluster(X, "kmeans", 2, bogus_option=1)
    with pytest.raises(TypeError, match="'bogus'"):
        cluster(X, "sela", 2, options={"bogus": 1})
    with pytest.raises(TypeError, match="'heads'"):
        cluster(X, "kmeans", 2, options={"heads": 2})
    with pytest.raises(TypeError, match="'hedas'"):
        ClusterLab(method="scan", hedas=3)


def test_library_errors_name_parameters_not_cli_flags(blobs):
    X, _ = blobs
    with pytest.raises(InputError, match="n_clusters must be at least 2") as info:
        cluster(X, "kmeans", 1)
    assert "--" not in str(info.value)


@pytest.mark.slow
def test_estimator_fits_predicts_maps_and_explains(blobs):
    X, y = blobs
    lab = ClusterLab(method="sela", n_clusters=3, random_state=1, epochs=20)
    labels = lab.fit_predict(X, y)
    assert labels is lab.labels_ and lab.soft_.shape == (240, 3)
    assert lab.embedding_.shape == (240, 2) and lab.confidence_.shape == (240,)
    assert lab.metrics_["ari"] > 0.9 and lab.clustering_.params["options"] == {"epochs": 20}
    assert (lab.predict(X + 0.01) == labels).mean() > 0.95
    explanation = lab.explain(saliency=False)
    doc = json.loads(explanation.to_json())
    assert len(doc["clusters"]) == 3 and doc["rules_fidelity"] > 0.9
    assert explanation.point_ambiguity.shape == (240,)
    assert "epochs=20" in repr(lab)


def test_estimator_reads_tables_and_predicts_with_other_methods(blobs):
    X, y = blobs
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["site"] = np.where(np.arange(240) % 2, "north", "south")
    lab = ClusterLab(method="gmm", n_clusters=3, map=False).fit(frame, y)
    # the categorical site is kept for colouring, not clustered on (it would split groups)
    assert lab.embedding_ is None and lab.features_.shape[1] == 4
    assert (lab.predict(frame) == lab.labels_).mean() > 0.95
    with pytest.raises(InputError, match="lacks"):
        lab.predict(frame.drop(columns=["a"]))


def test_same_seed_same_result(blobs):
    X, _ = blobs
    a = ClusterLab(method="kmeans", random_state=5, map=False).fit(X)
    b = ClusterLab(method="kmeans", random_state=5, map=False).fit(X)
    np.testing.assert_array_equal(a.labels_, b.labels_)
    assert a.clustering_.info["k_selection"].startswith("k=3")


@pytest.mark.parametrize("field,value,message", [
    ("clusters", 1, "clusters must be at least 2"),
    ("method", "kmaens", "Unknown method 'kmaens'"),
    ("epochs", 0, "epochs must be at least 1"),
    ("device", "tpu", "device must be one of"),
    ("kind", "audio", "kind must be one of"),
    ("options", {"heads": 2}, "auto has no setting 'heads'"),
])
def test_run_config_is_validated_in_one_place(field, value, message):
    config = RunConfig(data="demo:iris", **{field: value})
    with pytest.raises(InputError, match=message):
        config.validate()


def test_a_bad_config_is_refused_before_anything_is_queued(isolated_store):
    from workspace import jobs
    from workspace.store import Store

    store = Store()
    with pytest.raises(InputError, match="unexpected setting 'nope'"):
        jobs.submit_run(store, RunConfig(data="demo:iris", method="sela",
                                         options={"nope": 1}))
    assert jobs.list_jobs(store) == []
