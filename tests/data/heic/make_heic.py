"""Write this folder's small HEIC/HEIF files, as iPhones and cameras save them.

clusterlab only decodes HEIF (pi-heif); the encoder is pillow-heif's, which is not a
dependency. Run once, in an environment with it, and commit the files::

    pip install pillow-heif && python tests/data/heic/make_heic.py tests/data/heic

- ``red_0.heic`` ... ``blue_1.heic``: 400 x 300, one colour under a soft light from the left
  or right;
- ``turned.heic``: 400 x 200, its left half red, the rest blue, with EXIF orientation 6 (shown
  turned a quarter to the right: red on top); the encoder stores it turned, as HEIF's
  rotation;
- ``ramp_10bit.hif``: 320 x 240 at 10 bits a channel, as cameras' ``.hif``: a grey ramp
  across from 0 to 1023.
"""

import sys
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image


def main(out: Path) -> None:
    """Write the files into ``out``."""
    pillow_heif.register_heif_opener()
    out.mkdir(parents=True, exist_ok=True)
    for colour, rgb in (("red", (200, 30, 30)), ("blue", (30, 40, 200))):
        for i in range(2):
            shade = np.linspace(-25, 25, 400)[None, :, None] * (1 if i else -1)
            pixels = np.clip(np.full((300, 400, 3), rgb, np.float32) + shade, 0, 255)
            Image.fromarray(pixels.astype(np.uint8)).save(out / f"{colour}_{i}.heic", quality=80)
    turned = Image.new("RGB", (400, 200), (20, 20, 200))
    turned.paste((220, 20, 20), (0, 0, 200, 200))
    exif = Image.Exif()
    exif[0x0112] = 6
    turned.save(out / "turned.heic", exif=exif.tobytes(), quality=90)
    ramp = np.tile(np.linspace(0, 1023, 320).astype(np.uint16), (240, 1)) << 6
    pillow_heif.from_bytes(mode="RGB;16", size=(320, 240),
                           data=np.stack([ramp] * 3, -1).tobytes()).save(
        out / "ramp_10bit.hif", quality=95)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
