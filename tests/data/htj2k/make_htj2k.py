"""Write this folder's DICOM files in High-Throughput JPEG 2000 (HTJ2K).

HTJ2K is DICOM's newest compression, which cloud archives store and send (AWS
HealthImaging's default). clusterlab only decodes it (pylibjpeg-openjpeg, through pydicom);
the encoder here is imagecodecs' (OpenJPH), which is not a dependency. Run once, in an
environment with it, and commit the files::

    pip install imagecodecs pydicom && python tests/data/htj2k/make_htj2k.py tests/data/htj2k

- ``MR_small_htj2k.dcm``: pydicom's ``MR_small.dcm`` (64 x 64, signed 16-bit) as
  HTJ2K Lossless Only, so it decodes to exactly the stored pixels;
- ``CT_small_htj2k.dcm``: pydicom's ``CT_small.dcm`` (128 x 128) the same way.
"""

import sys
from pathlib import Path

import imagecodecs
import pydicom
from pydicom.data import get_testdata_file
from pydicom.encaps import encapsulate
from pydicom.uid import HTJ2KLossless


def main(out: Path) -> None:
    """Write the files into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    for name in ("MR_small", "CT_small"):
        ds = pydicom.dcmread(get_testdata_file(f"{name}.dcm"))
        stream = imagecodecs.htj2k_encode(ds.pixel_array)  # reversible: lossless
        ds.PixelData = encapsulate([stream])
        ds["PixelData"].VR = "OB"
        ds.file_meta.TransferSyntaxUID = HTJ2KLossless
        ds.save_as(out / f"{name}_htj2k.dcm", enforce_file_format=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
