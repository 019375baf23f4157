"""A NATS connection as vivtui makes it: reconnecting for ever, credentials and
TLS as nats-py takes them, and what happens to the link said in words."""

from __future__ import annotations

import asyncio
import re
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic

from vivtui.safetext import one_line, redact
from vivtui.stream.subjects import STREAM, Address

CONNECT_WAIT_S = 10.0
DUPLICATE_WINDOW_S = 600.0  # a line published twice within this is stored once


_LOGIN = re.compile(r"://[^/\s@]*@")


def without_login(text: str) -> str:
    """A URL's user and password out of a message, whatever --show-secrets says."""
    return _LOGIN.sub("://", text)


class NatsMissing(Exception):
    """nats-py is not installed."""


@dataclass(frozen=True, slots=True)
class Link:
    address: Address
    creds: str | None = None  # a .creds file (JWT and NKey seed)
    tls_ca: str | None = None  # a CA file to verify the servers with


def nats_module():
    try:
        import nats
    except ImportError:
        raise NatsMissing("NATS needs nats-py: pip install 'vivtui[nats]'") from None
    return nats


class NoServer(Exception):
    """No server answered within the wait."""


class LinkHealth:
    """Whether a client's link to the servers is up and its stream there, for a
    screen to say: a monitor reading through a lost link, or from a stream
    that was deleted, must not look as if it followed."""

    def __init__(self, shown: str) -> None:
        self.shown = shown  # the servers, without a login
        self.lost_at: float | None = None  # monotonic; None: up
        self.gone_at: float | None = None  # the stream was found missing; None: there

    def lost(self) -> None:
        if self.lost_at is None:
            self.lost_at = monotonic()

    def back(self) -> None:
        self.lost_at = None

    def gone(self) -> None:
        if self.gone_at is None:
            self.gone_at = monotonic()

    def found(self) -> None:
        self.gone_at = None

    def note(self) -> str | None:
        """What to say while the link is down or the stream gone (None: all well)."""
        lost_at, gone_at = self.lost_at, self.gone_at
        if lost_at is not None:
            return (f"stream link lost {monotonic() - lost_at:.0f} s ago, nothing new "
                    f"meanwhile: reconnecting to {self.shown}")
        if gone_at is not None:
            return (f"the stream is gone from {self.shown} (deleted {monotonic() - gone_at:.0f} s "
                    f"ago or more): nothing new until a shipper makes it again")
        return None


async def connect(link: Link, name: str, say: Callable[[str], None],
                  wait: float | None = CONNECT_WAIT_S, health: LinkHealth | None = None):
    """Connected within ``wait`` seconds (None: however long it takes), else
    ``NoServer``; afterwards the client reconnects by itself, and ``say``
    (and ``health``) hear of each loss and return of the link."""
    nats = nats_module()

    client = None

    async def disconnected() -> None:
        if client is not None and (client.is_draining or client.is_closed):
            return  # our own leaving, not news
        if health is not None:
            health.lost()
        say(f"disconnected from {link.address.shown}, reconnecting")

    async def reconnected() -> None:
        if health is not None:
            health.back()
        say(f"reconnected to {link.address.shown}")

    async def error(exc: Exception) -> None:
        # nats-py's errors may quote the URL: its credentials are not printed.
        say(f"NATS: {one_line(without_login(redact(str(exc))), 200)}")

    options = dict(servers=list(link.address.servers), name=name, allow_reconnect=True,
                   max_reconnect_attempts=-1, reconnect_time_wait=0.5, connect_timeout=5,
                   disconnected_cb=disconnected, reconnected_cb=reconnected, error_cb=error)
    if link.creds:
        options["user_credentials"] = link.creds
    if link.tls_ca:
        options["tls"] = ssl.create_default_context(cafile=link.tls_ca)
    try:
        client = await asyncio.wait_for(nats.connect(**options), wait)
        return client
    except asyncio.TimeoutError:
        raise NoServer(f"{link.address.shown}: no NATS server answered within "
                       f"{wait:.0f} s") from None


async def ensure_stream(js, prefix: str, replicas: int = 1, stream: str = STREAM):
    """The stream, created if missing (its replicas are chosen then)."""
    from nats.js.errors import NotFoundError

    try:
        return await js.stream_info(stream)
    except NotFoundError:
        return await js.add_stream(name=stream, subjects=[f"{prefix}.>"],
                                   num_replicas=replicas, allow_rollup_hdrs=True,
                                   duplicate_window=DUPLICATE_WINDOW_S)
