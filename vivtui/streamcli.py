"""The command line's NATS side: ``vivtui ship``, ``vivtui nats://…`` and
``vivtui summary nats://…`` (``stream``)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from vivtui.launch import fleet_app, open_monitor, print_summary
from vivtui.options import UsageError, count
from vivtui.safetext import one_line


def nats_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--creds", metavar="FILE", help="NATS credentials file (JWT and seed)")
    parser.add_argument("--tls-ca", metavar="FILE", help="CA file to verify the servers with")


def _link(address: str, args: argparse.Namespace):
    from vivtui.stream.connect import Link
    from vivtui.stream.subjects import parse_address

    try:
        return Link(parse_address(address), args.creds, args.tls_ca)
    except ValueError as exc:
        raise UsageError(f"{one_line(address.rpartition('@')[2], 200)}: {exc}") from None


def ship_parser() -> argparse.ArgumentParser:
    import socket

    parser = argparse.ArgumentParser(
        prog="vivtui ship",
        description="Follow a run directory and publish every complete line to NATS "
                    "JetStream (the stream is created if missing). Restarting it, or running "
                    "two, never stores a line twice.")
    parser.add_argument("path", metavar="PATH", help="the run directory")
    parser.add_argument("--to", required=True, metavar="nats://HOST:PORT",
                        help="the server (several, comma-separated: a cluster's)")
    parser.add_argument("--run", metavar="NAME", help="the run's name (default: the directory's)")
    parser.add_argument("--host", default=socket.gethostname().split(".")[0], metavar="NAME",
                        help="this host's name in the subjects (default: the hostname)")
    parser.add_argument("--replicas", type=count, default=1, metavar="N",
                        help="replicas of the stream when it is created (3 on a cluster)")
    nats_options(parser)
    return parser


def run_ship(argv: list[str]) -> int:
    import asyncio
    import os

    from vivtui.stream.ship import Shipper

    args = ship_parser().parse_args(argv)
    if not os.path.isdir(args.path):
        raise UsageError(f"{one_line(args.path, 200)}: not a directory")
    link = _link(args.to, args)
    path = os.path.abspath(args.path)
    shipper = Shipper(path, link, args.run or os.path.basename(path), args.host,
                      replicas=args.replicas)
    shipper.say(f"shipping {one_line(path, 200)} as {shipper.host}/{shipper.run} to "
                f"{link.address.shown} (ctrl+c to stop)")

    async def main() -> None:
        await shipper.run_until(asyncio.Event())

    return _stream_errors(lambda: asyncio.run(main()))


def _stream_errors(work: Callable[[], object]) -> int:
    """NATS failures as one clear line (no server, no nats-py), not a traceback."""
    from vivtui.stream.connect import NatsMissing, NoServer
    from vivtui.stream.local import StreamError, _reason

    try:
        work()
    except (NatsMissing, StreamError, NoServer) as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:
        raise UsageError(_reason(exc)) from None
    except Exception as exc:
        if type(exc).__module__.startswith("nats"):
            raise UsageError(_reason(exc)) from None
        raise
    return 0


def is_address(path: str) -> bool:
    from vivtui.stream.subjects import is_address

    return is_address(path)


def open_stream(address: str, args: argparse.Namespace) -> int:
    """The runs of a stream, mirrored (``stream.mirror``): one run in the usual
    panes, or every run in the overview."""
    from vivtui.stream.local import mirrored, wait_for_run

    link = _link(address, args)

    def watch() -> None:
        with mirrored(link, wait=True) as (root, thread):
            wanted = link.address
            if wanted.run is None:
                fleet_app([], [str(root)], args, hosts_in_paths=True,
                          source_note=thread.health.note).run()
                return
            open_monitor(str(wait_for_run(root, wanted.host, wanted.run, thread,
                                          link.address.shown)), args, thread.health.note)

    return _stream_errors(watch)


def summary_of_stream(address: str, args: argparse.Namespace) -> int:
    """The stream's history mirrored, then summed up as files would be."""
    from vivtui.stream.local import mirrored, run_dirs

    link = _link(address, args)

    def report() -> None:
        with mirrored(link, quiet=True) as (root, _):
            wanted = link.address
            found = run_dirs(root, wanted.host, wanted.run)
            if wanted.run is not None and not found:
                raise UsageError(f"{link.address.shown}: the stream holds no run of that name")
            one = wanted.run is not None
            print_summary([str(path) for path in (found[:1] if one else found)], [], args,
                          many=not one, hosts_in_paths=True)

    return _stream_errors(report)
