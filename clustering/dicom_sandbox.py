"""DICOM pixels that only GDCM decodes, decoded in a child process.

Lossless JPEG and JPEG-LS, as PACS archives often store CT and MR, have no decoder in Pillow
or pydicom; GDCM (``python-gdcm``) has one, but on damaged data it can abort the whole
process (``benchmarks/dicom_fuzz.py``: 4 of 8 batches of 1,000 damaged files died by
SIGABRT), which in the app would end every user's session. So those frames are decoded by a child
process (``python -m clustering.dicom_sandbox``), one frame per request over its pipes: a
file that kills it, or holds it past :data:`TIMEOUT_S`, is named unreadable and a new child
takes the next. Frames go back as ``.npy`` bytes read with ``allow_pickle=False``. Every other
transfer syntax is decoded in this process by Pillow, pydicom or pylibjpeg (High-Throughput
JPEG 2000, which only it decodes), never by GDCM
(:func:`frame_pixels`).
"""

from __future__ import annotations

import atexit
import io
import logging
import struct
import subprocess
import sys
import threading

import numpy as np

__all__ = ["IN_PROCESS", "TIMEOUT_S", "frame_pixels", "stop"]

log = logging.getLogger(__name__)

IN_PROCESS = ("pillow", "pydicom", "pylibjpeg")
"""Decoders used in this process, in this order, where a transfer syntax has one (fuzzed
with the rest of the DICOM reading, ``tests/test_dicom_images.py``; pylibjpeg-openjpeg, for
High-Throughput JPEG 2000 only, by ``benchmarks/dicom_fuzz.py --htj2k``)."""
TIMEOUT_S = 30.0
"""Seconds one frame may take in the child before it is stopped."""
_HEAD = struct.Struct("<qq")  # request: bytes, frame index (-1: the only one)
_ANSWER = struct.Struct("<Bq")  # answer: 0 ok / 1 error, bytes
_lock = threading.Lock()
_child: subprocess.Popen | None = None


def frame_pixels(ds, data: bytes, index: int | None) -> np.ndarray:
    """The pixels of one frame of ``ds`` (read from ``data``), decoded safely.

    Parameters
    ----------
    ds : pydicom.Dataset
        The file, read with its pixels.
    data : bytes
        The file's bytes (sent to the child when GDCM must decode them).
    index : int or None
        The frame, None for a file of one.

    Returns
    -------
    ndarray
        As ``pydicom.pixels.pixel_array`` returns it.

    Raises
    ------
    RuntimeError
        No decoder is installed for its compression (pydicom's message, naming what is
        missing).
    ValueError
        Damaged pixels (the child stopped on them, or took too long).
    """
    from pydicom.pixels import pixel_array
    from pydicom.pixels.decoders.base import get_decoder

    syntax = ds.file_meta.get("TransferSyntaxUID")
    try:
        plugins = get_decoder(syntax).available_plugins if syntax and syntax.is_compressed \
            else ()
    except NotImplementedError:  # a syntax pydicom has no decoder class for
        plugins = ()
    safe = [p for p in IN_PROCESS if p in plugins]
    if safe:
        return pixel_array(ds, index=index, decoding_plugin=safe[0])
    if "gdcm" not in plugins:
        return pixel_array(ds, index=index)  # uncompressed, or pydicom names what is missing
    return _in_child(data, -1 if index is None else index)


def _in_child(data: bytes, index: int) -> np.ndarray:
    global _child
    with _lock:
        child = _child = _child if _child and _child.poll() is None else _start()
        try:
            child.stdin.write(_HEAD.pack(len(data), index) + data)
            child.stdin.flush()
            head = _read(child, _ANSWER.size)
            status, size = _ANSWER.unpack(head)
            body = _read(child, size)
        except (OSError, EOFError, TimeoutError) as exc:
            child.kill()
            child.wait()
            _child = None
            raise ValueError(f"the decoder took over {TIMEOUT_S:g} s" if isinstance(
                exc, TimeoutError) else "damaged: the decoder stopped on them") from None
    if status:
        raise ValueError(body.decode("utf-8", "replace"))
    return np.load(io.BytesIO(body), allow_pickle=False)


def stop() -> None:
    """Stop the child, if one runs; the next frame that needs it starts a new one."""
    global _child
    with _lock:
        if _child is not None:
            _child.kill()
            _child.wait()
            _child = None


def _start() -> subprocess.Popen:
    log.info("starting a child process to decode DICOM pixels with GDCM")
    child = subprocess.Popen([sys.executable, "-m", "clustering.dicom_sandbox"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL)  # GDCM prints on damaged data
    atexit.register(child.kill)
    return child


def _read(child: subprocess.Popen, size: int) -> bytes:
    """``size`` bytes of the child's answer, read by a thread given :data:`TIMEOUT_S`.

    A thread, not ``select`` on the pipe, so that it waits alike on every system (Windows'
    ``select`` takes sockets only). A child that is then stopped ends the read.

    Raises
    ------
    TimeoutError
        The answer did not come in time.
    EOFError
        The child closed its output first (it died).
    """
    box: dict[str, bytes] = {}

    def pull() -> None:
        try:
            box["data"] = child.stdout.read(size)
        except (OSError, ValueError):  # closed under it
            pass

    reader = threading.Thread(target=pull, name="dicom-sandbox-read", daemon=True)
    reader.start()
    reader.join(TIMEOUT_S)
    if reader.is_alive():
        raise TimeoutError
    data = box.get("data") or b""
    if len(data) < size:
        raise EOFError
    return data


def _serve() -> None:
    """The child: decode frames with GDCM until its input closes."""
    import pydicom
    from pydicom.pixels import pixel_array

    source, sink = sys.stdin.buffer, sys.stdout.buffer
    while head := source.read(_HEAD.size):
        size, index = _HEAD.unpack(head)
        data = source.read(size)
        try:
            ds = pydicom.dcmread(io.BytesIO(data))
            arr = pixel_array(ds, index=None if index < 0 else index, decoding_plugin="gdcm")
            buffer = io.BytesIO()
            np.save(buffer, np.ascontiguousarray(arr), allow_pickle=False)
            status, body = 0, buffer.getvalue()
        except Exception as exc:  # reported to the parent, which names the file
            status, body = 1, (str(exc) or type(exc).__name__).encode()  # shortened there
        sink.write(_ANSWER.pack(status, len(body)) + body)
        sink.flush()


if __name__ == "__main__":
    _serve()
