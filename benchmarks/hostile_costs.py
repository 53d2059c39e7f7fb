"""What hostile or huge input costs now (#10 items 4-7), each in a fresh process.

* ``wide_header`` — a CSV of 10,000 (and 5,000) columns x 10 rows: seconds to load.
* ``solid_pngs`` — a 12 KB zip of twelve solid 6000x6000 PNGs: seconds and peak memory
  (``VmHWM``) to load as images.
* ``image_export`` — the image-folder zip of 2,500 and 5,000 images of a stored run.
* ``data_page_click`` — the Data page with a ~70 MiB CSV uploaded: seconds and memory
  growth per unrelated click (AppTest, the page's own code).
* ``huge_dicom`` — small zips of DICOM files whose headers declare huge images (12 of
  20000 x 20000, or 12 of 12000 x 12000, just under the per-image limit) over a few bytes of
  pixels: seconds and peak memory until refused (stop 56;
  ``python benchmarks/hostile_costs.py --case huge_dicom``).

Usage: ``python benchmarks/hostile_costs.py``; writes ``results/hostile_costs.json``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM), in MB."""
    line = next(x for x in open("/proc/self/status") if x.startswith("VmHWM"))
    return int(line.split()[1]) / 1024


def _rss_mb() -> float:
    line = next(x for x in open("/proc/self/status") if x.startswith("VmRSS"))
    return int(line.split()[1]) / 1024


def wide_header(folder: Path) -> dict:
    """Seconds to load CSVs of 5,000 and 10,000 columns."""
    import numpy as np
    import pandas as pd

    from clustering.loaders import load_data

    out = {}
    for columns in (5_000, 10_000):
        path = folder / f"wide{columns}.csv"
        rng = np.random.default_rng(0)
        pd.DataFrame(rng.integers(0, 9, size=(10, columns)),
                     columns=[f"c{i}" for i in range(columns)]).to_csv(path, index=False)
        start = time.perf_counter()
        data = load_data(str(path), "table")
        out[f"{columns}_columns_s"] = round(time.perf_counter() - start, 2)
        out[f"{columns}_columns_file_kb"] = round(path.stat().st_size / 1024)
        assert data.n == 10
    return out


def solid_pngs(folder: Path) -> dict:
    """Seconds and peak memory to load twelve solid 6000x6000 PNGs from a small zip."""
    import io
    import zipfile

    from PIL import Image

    from clustering.loaders import load_data

    path = folder / "solid.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(12):
            buf = io.BytesIO()
            Image.new("RGB", (6000, 6000), (i * 20, 100, 50)).save(buf, "PNG")
            zf.writestr(f"img{i}.png", buf.getvalue())
    before = _rss_mb()
    start = time.perf_counter()
    data = load_data(str(path), "images")
    return {"zip_kb": round(path.stat().st_size / 1024), "images": data.n,
            "seconds": round(time.perf_counter() - start, 2),
            "peak_mb": round(_peak_mb()), "rss_before_mb": round(before)}


def image_export(folder: Path) -> dict:
    """Seconds to write the image-folder zip of 2,500 and 5,000 images."""
    import numpy as np
    import pandas as pd
    from PIL import Image

    from clustering.pipeline import RunConfig
    from workspace.exports import export_run
    from workspace.runs import ensure_run
    from workspace.store import Store

    images = folder / "images"
    images.mkdir()
    rng = np.random.default_rng(0)
    for i in range(5_000):
        Image.fromarray(rng.integers(0, 255, size=(8, 8), dtype=np.uint8)).save(
            images / f"im{i:05d}.png")
    store = Store(folder / "store")
    run = ensure_run(RunConfig(data=str(images), kind="images", method="kmeans", clusters=5),
                     store)
    ids = [str(i) for i in pd.read_parquet(run.path / "assignments.parquet")["id"][:2_500]]
    out = {}
    for label, subset in (("2500_images_s", ids), ("5000_images_s", None)):
        start = time.perf_counter()
        export_run(run.path, "imagefolder", folder / f"{label}.zip", store=store, ids=subset)
        out[label] = round(time.perf_counter() - start, 2)
    return out


def data_page_click(folder: Path) -> dict:
    """Seconds and memory growth per unrelated click on the Data page with a big CSV."""
    import numpy as np
    import pandas as pd
    from streamlit.testing.v1 import AppTest

    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(700_000, 10)), columns=[f"f{i}" for i in range(10)])
    payload = frame.to_csv(index=False).encode()
    os.environ["CLUSTERLAB_HOME"] = str(folder / "home")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=600)
    at.run()
    at.switch_page("app_pages/data.py").run()
    start = time.perf_counter()
    at.file_uploader(key="uploader").upload("big.csv", payload, "text/csv")
    at.run()
    first = time.perf_counter() - start
    at.checkbox(key="drop_invalid").check().run()  # the second column-role setting, parsed
    at.checkbox(key="drop_invalid").uncheck().run()
    rss, times = _rss_mb(), []
    for i in range(6):
        start = time.perf_counter()
        at.text_input(key="project_name").input(f"name {i}").run()
        times.append(time.perf_counter() - start)
    assert not at.exception
    return {"csv_mib": round(len(payload) / 2**20, 1), "upload_and_parse_s": round(first, 2),
            "click_median_s": round(sorted(times)[len(times) // 2], 3),
            "rss_growth_over_6_clicks_mb": round(_rss_mb() - rss)}


def huge_dicom(folder: Path) -> dict:
    """Seconds and peak memory until a zip of DICOMs declaring huge images is refused."""
    import zipfile

    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import CTImageStorage, ExplicitVRLittleEndian

    from clustering.errors import InputError
    from clustering.loaders import load_data

    out = {}
    for side in (20_000, 12_000):
        path = folder / f"declared{side}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
            for i in range(12):
                meta = FileMetaDataset()
                meta.MediaStorageSOPClassUID = CTImageStorage
                meta.MediaStorageSOPInstanceUID = f"1.2.3.{side}.{i}"
                meta.TransferSyntaxUID = ExplicitVRLittleEndian
                ds = FileDataset("x", {}, file_meta=meta, preamble=b"\0" * 128)
                ds.Rows = ds.Columns = side
                ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
                ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = \
                    16, 16, 15, 0
                ds.PixelData = bytes(64)
                ds.save_as(folder / "one.dcm", enforce_file_format=True)
                zf.write(folder / "one.dcm", f"scan{i}.dcm")
        start = time.perf_counter()
        try:
            load_data(str(path))
            said = "read"
        except InputError as exc:
            said = str(exc)[:160]
        out[f"{side}px"] = {"zip_kb": round(path.stat().st_size / 1024, 1),
                            "seconds": round(time.perf_counter() - start, 2),
                            "peak_mb": round(_peak_mb()), "said": said}
    return out


CASES = {"wide_header": wide_header, "solid_pngs": solid_pngs, "image_export": image_export,
         "data_page_click": data_page_click, "huge_dicom": huge_dicom}


def main() -> None:
    """Each case in its own process (so peak memory is that case's); write the results."""
    if len(sys.argv) == 3 and sys.argv[1] == "--case":
        with tempfile.TemporaryDirectory() as scratch:
            print(json.dumps(CASES[sys.argv[2]](Path(scratch))))
        return
    results = {}
    for name in CASES:
        done = subprocess.run([sys.executable, __file__, "--case", name], capture_output=True,
                              text=True, cwd=ROOT)
        if done.returncode:
            raise SystemExit(f"{name} failed:\n{done.stderr[-3000:]}")
        results[name] = json.loads(done.stdout.strip().splitlines()[-1])
        print(name, results[name], flush=True)
    results["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "hostile_costs.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
