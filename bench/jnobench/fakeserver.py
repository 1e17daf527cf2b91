#!/usr/bin/env python3
"""Stands in for every notebook server of a hub benchmark: answers HTTP on each address of the given CIDRs.

kwok's pods run nothing, but their IPs are loopback addresses (the nodes' podCIDRs under 127.0.0.0/8) that a local
process can listen on. After a spawner's start() returns a server's URL, JupyterHub waits until an HTTP request to
it gets any answer below 500 (jupyterhub.utils.wait_for_http_server); this process gives that answer at once, as a
jupyterhub-singleuser that is already up would, so a spawn ends exactly when the spawner says the server is there.
It binds every host address of the CIDRs up front (no watch of pods: nothing here depends on the cluster).

  python3 fakeserver.py --port 8888 --cidr 127.135.0.0/24 [--cidr ...] --stats FILE

Prints "listening on N addresses" when ready; on SIGTERM writes {"requests": n, "addresses": N} to FILE.
"""

import argparse
import asyncio
import ipaddress
import json
import signal
import sys

BODY = json.dumps({"version": "2.17.0", "note": "jno-bench fake notebook server"}).encode()
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nX-JupyterHub-Version: 6.1.1\r\n"
    + f"Content-Length: {len(BODY)}\r\nConnection: close\r\n\r\n".encode()
    + BODY
)


class Counter:
    requests = 0


async def answer(reader, writer, counter):
    try:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        writer.write(RESPONSE)
        await writer.drain()
        counter.requests += 1
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(port, cidrs, stats):
    counter = Counter()
    servers = []
    for cidr in cidrs:
        for host in ipaddress.ip_network(cidr).hosts():
            servers.append(
                await asyncio.start_server(
                    lambda r, w: answer(r, w, counter), str(host), port, reuse_address=True, backlog=64
                )
            )
    print(f"listening on {len(servers)} addresses", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for s in servers:
        s.close()
    with open(stats, "w") as f:
        json.dump({"requests": counter.requests, "addresses": len(servers)}, f)


def main(argv):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cidr", action="append", required=True)
    p.add_argument("--stats", required=True)
    opts = p.parse_args(argv)
    asyncio.run(serve(opts.port, opts.cidr, opts.stats))


if __name__ == "__main__":
    main(sys.argv[1:])
