"""The deep-method registry: listing without torch, strict settings, models saved by
clusterlab 0.1 (before the registry) still load and predict as they did."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from clustering.deep.registry import DEEP_METHODS, check_options, method_object

LEGACY = Path(__file__).parent / "data" / "models_v0_1"


def test_listing_methods_imports_no_torch():
    """auto, five classic/density methods and every deep one, listed without torch."""
    code = ("import sys, clustering.clusterers as c, clustering.deep.registry as r; "
            "print(len(c.METHODS), 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(6 + len(DEEP_METHODS)), "False"]


def test_every_registered_method_has_its_object_and_a_summary():
    for name, spec in DEEP_METHODS.items():
        method = method_object(name)
        assert method.name == name and spec.summary and "epochs" in spec.options


def test_unknown_setting_is_named():
    with pytest.raises(TypeError, match="'bogus'"):
        check_options("scan", {"bogus": 1})
    assert check_options("scan", {"heads": 3, "lr": None})["heads"] == 3
    assert check_options("scan", {"lr": None})["lr"] == DEEP_METHODS["scan"].options["lr"]


@pytest.mark.parametrize("method", ["idec", "scan", "divclust", "sela"])
def test_model_saved_by_version_0_1_loads_and_predicts_as_it_did(method):
    from clustering.deep.model import DeepModel

    folder = LEGACY / method
    assert "method" not in json.loads((folder / "model.json").read_text())["config"]
    model = DeepModel.load(folder)
    X = np.load(LEGACY / "X.npy", allow_pickle=False)
    expected = np.load(folder / "expected.npz", allow_pickle=False)
    np.testing.assert_allclose(model.predict_soft(X), expected["soft"], atol=1e-5)
    labels, confidence = model.predict_confidence(X)
    np.testing.assert_array_equal(labels, expected["labels"])
    np.testing.assert_allclose(confidence, expected["confidence"], atol=1e-5)
    assert model.logits_function() is not None
