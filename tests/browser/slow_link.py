"""A slow link between Chromium and a server: a TCP proxy on the loopback that shapes what it
carries to a mountain village's 3G (issue 27: 400 kbps each way, 400 ms round trip) and counts
the bytes the server sends.

Chromium's own network emulation (CDP Network.emulateNetworkConditions) does not slow the service
worker's fetches, and the sync of a phone's copies is made of nothing else: so the link is shaped in
front of the server instead. The browser walks (tests/browser/test_sync.py) and bench/field.py use
it alike.
"""

import asyncio
import socket
import threading
import time


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ShapedLink:
    """A TCP proxy from 127.0.0.1:`listen` to 127.0.0.1:`upstream`: each chunk waits half the
    round trip and its time on the wire at `kbps` (0: the bare loopback). `bytes_down` counts
    what the server sent to the browser. It runs in a thread of its own until close()."""

    def __init__(self, listen: int, upstream: int):
        self.listen, self.upstream = listen, upstream
        self.kbps = 0
        self.latency = 0.0
        self.bytes_down = 0
        self.cut = False
        self.connections = set()
        self.cut_short = None  # the start of the request line whose next answer is cut short
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result()

    def shape(self, kbps: int, latency_ms: int) -> None:
        self.kbps, self.latency = kbps, latency_ms / 1000

    def offline(self, cut: bool = True) -> None:
        """Cut the wire (True) or mend it: while cut, every open connection is dropped and each
        new one closed as it comes. Chromium's offline emulation alone does not always reach a
        service worker's fetches (Playwright issue 2311): a cut wire reaches everything."""

        async def switch():
            self.cut = cut
            if cut:
                for writer in list(self.connections):
                    writer.transport.abort()

        asyncio.run_coroutine_threadsafe(switch(), self.loop).result()

    def cut_short_next_answer(self, request: str) -> None:
        """The answer to the next request whose request line starts with `request` ("POST
        /visits/new/") is cut after its status line ("HTTP/1.1 200 OK"), and the connection
        closed cleanly: a browser reads what came as the whole of the headers. `cut_short` is
        None again once it was."""
        self.cut_short = request.encode()

    def close(self) -> None:
        async def stop():
            self.server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        asyncio.run_coroutine_threadsafe(stop(), self.loop).result()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def _serve(self):
        self.server = await asyncio.start_server(self._client, "127.0.0.1", self.listen)

    async def _pipe(self, reader, writer, down: bool, carried: dict):
        wire_free = time.monotonic()
        try:
            while chunk := await reader.read(16384):
                if not down and self.cut_short and chunk.startswith(self.cut_short):
                    carried["cut short"] = True
                if down and carried.pop("cut short", False) and chunk.startswith(b"HTTP/"):
                    self.cut_short = None
                    writer.write(chunk[: chunk.index(b"\r\n") + 2])
                    await writer.drain()
                    carried["peer"].close()
                    return
                if down:
                    self.bytes_down += len(chunk)
                if self.kbps:
                    # Bandwidth: the chunk leaves when the wire is free; latency: half a round trip.
                    wire_free = max(wire_free, time.monotonic()) + len(chunk) * 8 / (self.kbps * 1000)
                    await asyncio.sleep(max(0.0, wire_free - time.monotonic()) + self.latency / 2)
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()

    async def _client(self, client_reader, client_writer):
        if self.cut:
            client_writer.transport.abort()
            return
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            client_writer.close()
            return
        self.connections.update((client_writer, server_writer))
        carried = {"peer": server_writer}  # whether the answer coming is to be cut short
        try:
            await asyncio.gather(
                self._pipe(client_reader, server_writer, down=False, carried=carried),
                self._pipe(server_reader, client_writer, down=True, carried=carried),
            )
        finally:
            self.connections.difference_update((client_writer, server_writer))
