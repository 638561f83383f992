"""Where a client connects: one controller, a list of replicas, or a DNS name whose
records are the replicas.

The controller is stateless over Redis, so every call may go to any replica. Given
several, the channel spreads calls over them (gRPC's `round_robin` policy: each new
call, and each new Connect stream, takes the next replica that is up) and stops
using one whose connection fails; an agent whose stream broke reconnects to another
and declares the runs it holds there, so no run is lost when a replica dies.

    127.0.0.1:50051                          one controller
    10.0.0.5:50051,10.0.0.6:50051            a list (names are resolved once, now)
    dns:///sweepd-controller.ml:50051        every A/AAAA record of a name, re-resolved
                                             by gRPC when connections fail
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

from sweepd.errors import InvalidArgument

ROUND_ROBIN = ("grpc.lb_policy_name", "round_robin")


@dataclass(frozen=True)
class Target:
    """What grpc.*_channel is given: the target string, and extra channel options."""

    target: str
    options: tuple[tuple[str, object], ...] = ()

    @property
    def spread(self) -> bool:
        return bool(self.options)


def channel_target(address: str) -> Target:
    """The gRPC target for a controller address as users write it (see the module
    docstring); InvalidArgument naming the bad entry otherwise."""
    address = address.strip()
    if address.startswith("dns:"):
        return Target(address, (ROUND_ROBIN,))
    parts = [p.strip() for p in address.split(",")]
    if len(parts) == 1:
        return Target(address)
    if any(not p for p in parts):
        raise InvalidArgument(f"controller: empty entry in the address list {address!r}",
                              [("controller", "empty entry")])
    hosts = [_split(p) for p in parts]
    resolved = [(_resolve(host, port, part), port) for (host, port), part in zip(hosts, parts)]
    families = {ip.version for ip, _ in resolved}
    if len(families) > 1:
        raise InvalidArgument(
            f"controller: {address!r} mixes IPv4 and IPv6 replicas; list one family, or use "
            "one DNS name (dns:///NAME:PORT)", [("controller", "mixed address families")])
    if families == {4}:
        target = "ipv4:" + ",".join(f"{ip}:{port}" for ip, port in resolved)
    else:
        target = "ipv6:" + ",".join(f"[{ip}]:{port}" for ip, port in resolved)
    options: list[tuple[str, object]] = [ROUND_ROBIN]
    names = [host for host, _ in hosts if not _is_ip(host)]
    if names:  # TLS checks the certificate against the name the user gave
        options.append(("grpc.default_authority", f"{names[0]}:{hosts[0][1]}"))
    return Target(target, tuple(options))


def _split(part: str) -> tuple[str, int]:
    host, sep, port = part.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise InvalidArgument(f"controller: {part!r} is not HOST:PORT", [("controller", part)])
    return host.strip("[]"), int(port)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


def _resolve(host: str, port: int, part: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    if _is_ip(host):
        return ipaddress.ip_address(host)
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise InvalidArgument(f"controller: cannot resolve {part!r}: {exc.strerror}",
                              [("controller", part)]) from None
    v4 = [i for i in info if i[0] == socket.AF_INET]  # one family for the list: IPv4 first
    return ipaddress.ip_address((v4 or info)[0][4][0])
