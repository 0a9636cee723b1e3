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
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._serve(), self.loop).result()

    def shape(self, kbps: int, latency_ms: int) -> None:
        self.kbps, self.latency = kbps, latency_ms / 1000

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

    async def _pipe(self, reader, writer, down: bool):
        wire_free = time.monotonic()
        try:
            while chunk := await reader.read(16384):
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
        try:
            server_reader, server_writer = await asyncio.open_connection("127.0.0.1", self.upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(
            self._pipe(client_reader, server_writer, down=False),
            self._pipe(server_reader, client_writer, down=True),
        )
