"""How a run's lines are named in NATS JetStream: the stream, the subjects, the
message ids and headers, and the ``nats://`` addresses vivtui takes.

One subject per file: ``<prefix>.<host>.<run>.<file>``. A message is one
complete line; its id is (host, run, file, generation, byte offset), so the
server drops a line published twice (a restarted or doubled shipper) and the
newest message of a subject says where shipping stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from vivtui.parsing.kinds import ACTION_TEXT, SPECS

PREFIX = "vivtui"
STREAM = "VIVTUI"

# Headers of each message (all strings)
FILE = "Vivtui-File"  # the file's name in the run directory
GENERATION = "Vivtui-Gen"  # which life of the file (see ship.generation_of)
OFFSET = "Vivtui-Offset"  # the line's byte offset in that generation
LINE = "Vivtui-Line"  # the line's number in it, from 1
# The line's length in its file, where the data sent is shorter (cut, or its
# record cut to fit a message: ``ship._sendable``): where the next line starts.
LENGTH = "Vivtui-Length"
ENCODING = "Vivtui-Encoding"  # "zlib": a whole snapshot file, compressed
MSG_ID = "Nats-Msg-Id"
ROLLUP = "Nats-Rollup"  # "sub": a snapshot replaces the subject's earlier versions

# The subject's last token per run file (the action log's two forms apart)
FILE_TOKENS = {spec.name: ("actions-text" if spec is ACTION_TEXT else spec.kind)
               for spec in SPECS}
FILE_OF_TOKEN = {token: name for name, token in FILE_TOKENS.items()}

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def token(value: str) -> str:
    """A name made a subject token: no dots, wildcards or spaces."""
    return _UNSAFE.sub("_", value)[:64] or "_"


def subject(prefix: str, host: str, run: str, file_name: str) -> str:
    return f"{prefix}.{token(host)}.{token(run)}.{FILE_TOKENS[file_name]}"


def parts_of(subject_name: str, prefix: str = PREFIX) -> tuple[str, str, str] | None:
    """(host, run, file name) of a subject of ours; None for any other."""
    parts = subject_name.split(".")
    if len(parts) != 4 or parts[0] != prefix or parts[3] not in FILE_OF_TOKEN:
        return None
    return parts[1], parts[2], FILE_OF_TOKEN[parts[3]]


def msg_id(host: str, run: str, file_name: str, generation: str, offset: int) -> str:
    return f"{token(host)}/{token(run)}/{FILE_TOKENS[file_name]}/{generation}/{offset}"


@dataclass(frozen=True, slots=True)
class Address:
    """``nats://[user:password@]host:port[,host2:port…][/RUN | /HOST/RUN]``: the
    servers to connect to (several: a cluster's), and the run (and host) asked
    for, if any."""

    servers: tuple[str, ...]  # as nats-py takes them, credentials included
    host: str | None = None
    run: str | None = None

    @property
    def shown(self) -> str:
        """The address without its credentials: what is printed."""
        places = ",".join(urlsplit(server).netloc.rpartition("@")[2] for server in self.servers)
        scheme = urlsplit(self.servers[0]).scheme
        path = "/".join(p for p in (self.host, self.run) if p)
        return f"{scheme}://{places}" + (f"/{path}" if path else "")


def is_address(text: str) -> bool:
    return text.startswith(("nats://", "tls://"))


def parse_address(text: str) -> Address:
    parts = urlsplit(text)
    if parts.scheme not in ("nats", "tls") or not parts.netloc:
        raise ValueError("expected nats://HOST:PORT[/RUN]")
    credentials, _, places = parts.netloc.rpartition("@")
    login = f"{credentials}@" if credentials else ""
    servers = tuple(f"{parts.scheme}://{login}{place}" for place in places.split(",") if place)
    if not servers:
        raise ValueError("expected nats://HOST:PORT[/RUN]")
    path = [p for p in parts.path.split("/") if p]
    if len(path) > 2:
        raise ValueError("expected nats://HOST:PORT/RUN or nats://HOST:PORT/HOST/RUN")
    host, run = (path if len(path) == 2 else (None, path[0] if path else None))
    return Address(servers, token(host) if host else None, token(run) if run else None)


def filter_of(address: Address, prefix: str = PREFIX) -> str:
    """The subjects of the run asked for (every run: all of ours)."""
    return f"{prefix}.{address.host or '*'}.{address.run or '*'}.>" if address.run else f"{prefix}.>"
