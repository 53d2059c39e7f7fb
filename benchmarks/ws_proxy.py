"""A timing proxy in front of a Streamlit server, for the load test.

Forwards every TCP connection from LISTEN_PORT to the server unchanged. On the app's
websocket (``/_stcore/stream``) it reads the frames as they pass and, for each rerun the
browser asks for (a ``rerun_script`` BackMsg), writes the time until that rerun's
``script_finished`` ForwardMsg leaves the server: what a user's click costs the server,
measured at the network boundary, without the time the (here CPU-starved) browser takes
to send the click and to draw the answer.

    python benchmarks/ws_proxy.py LISTEN_PORT SERVER_PORT OUT.jsonl

Each line of OUT.jsonl: ``{"conn": n, "t": monotonic, "latency_s": s, "fragment": bool}``.
Websocket compression must be off (Streamlit's default).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sys
import time

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

FINISHED = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
SMALL = 4096
"""Server messages longer than this are elements, never ``script_finished``: not parsed."""
_ids = itertools.count(1)


async def _headers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bytes:
    """Forward one HTTP header block; returns it."""
    block = await reader.readuntil(b"\r\n\r\n")
    writer.write(block)
    return block


async def _frames(reader, writer, on_message) -> None:
    """Forward websocket frames byte for byte, handing each whole data message (unmasked)
    and its arrival time to ``on_message``."""
    parts: list[bytes] = []
    while True:
        head = await reader.readexactly(2)
        length = head[1] & 0x7F
        extra = b""
        if length == 126:
            extra = await reader.readexactly(2)
            length = int.from_bytes(extra, "big")
        elif length == 127:
            extra = await reader.readexactly(8)
            length = int.from_bytes(extra, "big")
        mask = await reader.readexactly(4) if head[1] & 0x80 else b""
        payload = await reader.readexactly(length)
        writer.write(head + extra + mask + payload)
        opcode = head[0] & 0x0F
        if opcode >= 8:  # ping, pong, close
            continue
        if mask:
            key = (mask * (length // 4 + 1))[:length]
            payload = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(
                length, "big")
        parts.append(payload)
        if head[0] & 0x80:  # FIN: the message is complete
            on_message(b"".join(parts), time.monotonic())
            parts = []


async def _pipe(reader, writer) -> None:
    while data := await reader.read(65536):
        writer.write(data)
        await writer.drain()


async def _handle(client_r, client_w, server_port: int, out) -> None:
    server_r, server_w = await asyncio.open_connection("127.0.0.1", server_port)
    try:
        request = await _headers(client_r, server_w)
        if b"/_stcore/stream" not in request.split(b"\r\n", 1)[0]:
            await asyncio.gather(_pipe(client_r, server_w), _pipe(server_r, client_w))
            return
        await _headers(server_r, client_w)
        conn, pending = next(_ids), {}

        def from_browser(message: bytes, now: float) -> None:
            msg = BackMsg()
            msg.ParseFromString(message)
            if msg.WhichOneof("type") == "rerun_script":
                pending.setdefault("t", now)  # a rerun replacing a running one: first click
                pending["fragment"] = bool(msg.rerun_script.fragment_id)

        def from_server(message: bytes, now: float) -> None:
            if len(message) > SMALL or "t" not in pending:
                return
            msg = ForwardMsg()
            msg.ParseFromString(message)
            if msg.WhichOneof("type") == "script_finished" and msg.script_finished in FINISHED:
                out.write(json.dumps({"conn": conn, "t": round(now, 4),
                                      "latency_s": round(now - pending.pop("t"), 4),
                                      "fragment": pending["fragment"]}) + "\n")
                out.flush()

        await asyncio.gather(_frames(client_r, server_w, from_browser),
                             _frames(server_r, client_w, from_server))
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        for w in (client_w, server_w):
            w.close()


async def main(listen_port: int, server_port: int, path: str) -> None:
    with open(path, "a", encoding="utf-8") as out:
        server = await asyncio.start_server(
            lambda r, w: _handle(r, w, server_port, out), "127.0.0.1", listen_port)
        async with server:
            await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]))
