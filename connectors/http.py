"""Polite, bounded HTTP GETs for feeds and article pages.

Every request: http or https only; the destination address checked after DNS resolution on every
redirect hop (no loopback, private, link-local, CGNAT, multicast or metadata addresses unless the
settings allow private networks), and the connection opened to an address that was checked, never to a
second resolution of the name (DNS rebinding); connect and read timeouts plus a wall-clock budget for
the whole fetch; a size cap counted after decompression with early abort; at most ``max_redirects``
hops, loops detected; a per-site cap on concurrent requests and a minimum delay between requests to one
site.
Failures raise the ``connectors.errors`` family and nothing else.

Politeness is per site (the registrable domain: ``br.cointelegraph.com`` and ``cointelegraph.com``
share one budget, because they share infrastructure) and per worker process: every ``HttpClient`` in
a process with the same politeness settings shares one gate, so feed polls and article fetches of one
site queue behind each other. Several worker processes each have their own gate; keying page fetches
by site in the graph (issue 7) makes one worker own each site.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import urllib3
import urllib3.connection
import urllib3.util.connection
from tld import get_fld
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import TimeoutError as Urllib3Timeout

from connectors.errors import (
    Blocked,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    TooLarge,
    TooManyRedirects,
)

PRODUCT = "newsbeam/0.1"
DEFAULT_CONTACT = "https://github.com/newsbeam/newsbeam"
DEFAULT_USER_AGENT = f"{PRODUCT} (+{DEFAULT_CONTACT}; news ingestion)"
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True, kw_only=True, slots=True)
class HttpSettings:
    """How politely and how boundedly to fetch. Picklable: the client is built from it on the worker."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0  # wall clock for the whole fetch, redirects and slow drips included
    max_feed_bytes: int = 10 * 1024 * 1024
    max_page_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    allow_private_networks: bool = False
    # networks (CIDR) allowed although not public, e.g. ("127.0.0.0/8",) for one internal feed host;
    # everything else non-public stays blocked
    allowed_networks: tuple[str, ...] = ()
    per_host_concurrency: int = 4
    per_host_delay: float = 0.0  # minimum seconds between the starts of two requests to one host


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A complete, size-checked response."""

    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""
    elapsed: float = 0.0


def _address_is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
    )


def user_agent_for(contact: str | None) -> str:
    """An honest User-Agent: who we are and where a site owner reaches the operator (URL or mailto)."""
    return f"{PRODUCT} (+{contact or DEFAULT_CONTACT}; news ingestion)"


def politeness_key(url: str) -> str:
    """The site a request counts against: the registrable domain, or the host for IPs and bare names."""
    site = get_fld(url, fail_silently=True)
    return str(site) if site else (urlsplit(url).hostname or "").lower()


def check_destination(
    url: str, *, allow_private_networks: bool, allowed_networks: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """Refuse a URL whose scheme is not http(s) or whose host resolves to a non-public address
    (unless private networks are allowed, or the address lies in one of ``allowed_networks``).

    Returns the checked addresses, in the resolver's order, to connect to (none when private networks are
    allowed: nothing was resolved, and the connection resolves the name itself).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise Blocked(f"scheme {parts.scheme or '(none)'!r} is not allowed; only http and https", url=url)
    if not parts.hostname:
        raise Blocked("URL has no host", url=url)
    if allow_private_networks:
        return ()
    try:
        infos = socket.getaddrinfo(
            parts.hostname, _port_of(parts.scheme, parts.port), type=socket.SOCK_STREAM
        )
    except socket.gaierror as error:
        raise ConnectionFailed(f"cannot resolve {parts.hostname}: {error}", url=url) from error
    allowed = [ipaddress.ip_network(network, strict=False) for network in allowed_networks]
    for info in infos:
        address = str(info[4][0])
        if not _address_is_public(address) and not any(ipaddress.ip_address(address) in n for n in allowed):
            raise Blocked(
                f"{parts.hostname} resolves to non-public address {address}; "
                "set allow_private_networks to fetch from private networks",
                url=url,
            )
    return tuple(dict.fromkeys(str(info[4][0]) for info in infos))


def _port_of(scheme: str, port: int | None) -> int:
    return port if port is not None else (443 if scheme == "https" else 80)


# The addresses ``check_destination`` vetted for each (host, port), set just before a request to it: a new
# connection opens to one of them instead of resolving the name once more, which a DNS-rebinding server
# could answer with a private address the second time. Only ever holds vetted addresses, so the latest
# entry is fine for any later connection to the same name.
_vetted: dict[tuple[str, int], tuple[str, ...]] = {}


class _VettedHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        addresses = _vetted.get((self.host.lower(), self.port or 0), ())
        if not addresses:
            return super()._new_conn()
        # Each vetted address in turn (an unreachable IPv6 one first, say), as urllib3 tries a resolver's
        # answer. Only the TCP connection goes to the address: ``host`` stays the name for the Host header,
        # SNI and the certificate check (setting urllib3's ``_dns_host`` instead changes all three).
        failures: list[Exception] = []
        for address in addresses:
            try:
                sock = urllib3.util.connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except OSError as failed:  # TimeoutError included
                failures.append(failed)
            else:
                sys.audit("http.client.connect", self, self.host, self.port)
                return sock
        last = failures[-1]
        if isinstance(last, TimeoutError):
            message = f"Connection to {self.host} timed out. (connect timeout={self.timeout})"
            raise urllib3.exceptions.ConnectTimeoutError(self, message) from last
        raise NewConnectionError(self, f"Failed to establish a new connection: {last}") from last


class _VettedHTTPSConnection(_VettedHTTPConnection, urllib3.connection.HTTPSConnection):
    pass


class _VettedHTTPConnectionPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _VettedHTTPConnection


class _VettedHTTPSConnectionPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _VettedHTTPSConnection


class _HostGate:
    """Per-host concurrency cap and minimum spacing between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = delay
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def enter(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.BoundedSemaphore(self._concurrency))
        semaphore.acquire()
        if self._delay > 0:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                self._next_start[host] = start + self._delay
            if start > now:
                time.sleep(start - now)
        return semaphore


_GATES: dict[tuple[int, float], _HostGate] = {}
_GATES_LOCK = threading.Lock()


def shared_gate(concurrency: int, delay: float) -> _HostGate:
    """The process-wide gate for these politeness settings (feed polls and page fetches share it)."""
    with _GATES_LOCK:
        return _GATES.setdefault((concurrency, delay), _HostGate(concurrency, delay))


class HttpClient:
    """Thread-safe GETs under ``HttpSettings``; build one per worker in ``DoFn.setup()``."""

    def __init__(self, settings: HttpSettings, *, pool_size: int = 16) -> None:
        self.settings = settings
        self._pool = urllib3.PoolManager(
            num_pools=64,
            maxsize=pool_size,
            retries=False,
            timeout=urllib3.Timeout(connect=settings.connect_timeout, read=settings.read_timeout),
        )
        self._pool.pool_classes_by_scheme = {
            "http": _VettedHTTPConnectionPool,
            "https": _VettedHTTPSConnectionPool,
        }
        self._gate = shared_gate(settings.per_host_concurrency, settings.per_host_delay)
        politeness_key("http://example.com/")  # loads tld's public suffix list now, not on the first GET

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()

    def get(self, url: str, *, max_bytes: int, headers: dict[str, str] | None = None) -> HttpResponse:
        """GET ``url`` following redirects; a 304 is returned, any other non-2xx raises."""
        started = time.monotonic()
        deadline = started + self.settings.total_timeout
        visited: set[str] = set()
        current = url
        for _ in range(self.settings.max_redirects + 1):
            if current in visited:
                raise TooManyRedirects(f"redirect loop back to {current}", url=url)
            visited.add(current)
            vetted = check_destination(
                current,
                allow_private_networks=self.settings.allow_private_networks,
                allowed_networks=self.settings.allowed_networks,
            )
            if vetted:
                parts = urlsplit(current)
                _vetted[(str(parts.hostname).lower(), _port_of(parts.scheme, parts.port))] = vetted
            status, response_headers, body = self._one_request(current, headers or {}, max_bytes, deadline)
            if status in _REDIRECTS and "location" in response_headers:
                current = urljoin(current, response_headers["location"])
                continue
            elapsed = time.monotonic() - started
            if status >= 400:
                raise HttpStatusError(
                    f"HTTP {status} from {current}",
                    url=current,
                    status=status,
                    retry_after=response_headers.get("retry-after"),
                )
            return HttpResponse(
                url=current, status=status, headers=response_headers, body=body, elapsed=elapsed
            )
        raise TooManyRedirects(f"more than {self.settings.max_redirects} redirects", url=url)

    def _one_request(
        self, url: str, headers: dict[str, str], max_bytes: int, deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        semaphore = self._gate.enter(politeness_key(url))
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchTimeout(f"fetch budget of {self.settings.total_timeout}s spent", url=url)
            timeout = urllib3.Timeout(
                connect=min(self.settings.connect_timeout, remaining),
                read=min(self.settings.read_timeout, remaining),
            )
            response = self._pool.request(
                "GET",
                url,
                headers={
                    "User-Agent": self.settings.user_agent,
                    "Accept-Encoding": "gzip, deflate",
                    **headers,
                },
                redirect=False,
                preload_content=False,
                timeout=timeout,
            )
            complete = False
            try:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status in _REDIRECTS or response.status == 304 or response.status >= 400:
                    body = response.read(65536, decode_content=True) if response.status >= 400 else b""
                    return response.status, response_headers, body or b""
                declared = response_headers.get("content-length", "")
                if (
                    declared.isdigit()
                    and int(declared) > max_bytes
                    and "content-encoding" not in response_headers
                ):
                    raise TooLarge(f"Content-Length {declared} exceeds the cap of {max_bytes} bytes", url=url)
                chunks: list[bytes] = []
                size = 0
                # read1 returns whatever arrived (b"" only at the end), so a slow drip meets the deadline check
                while chunk := response.read1(65536, decode_content=True):
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge(
                            f"body exceeds the cap of {max_bytes} bytes after decompression", url=url
                        )
                    if time.monotonic() > deadline:
                        raise FetchTimeout(f"fetch budget of {self.settings.total_timeout}s spent", url=url)
                    chunks.append(chunk)
                complete = True
                return response.status, response_headers, b"".join(chunks)
            finally:
                if complete:
                    response.release_conn()
                else:
                    response.close()  # never drain what a hostile server may keep sending
        except FetchError:
            raise
        except (NewConnectionError, ProtocolError, ConnectionError) as error:
            # before the timeouts: urllib3's NewConnectionError is a subclass of its ConnectTimeoutError
            raise ConnectionFailed(f"connection failed: {error}", url=url) from error
        except (TimeoutError, ReadTimeoutError, Urllib3Timeout) as error:
            raise FetchTimeout(f"timed out: {error}", url=url) from error
        except Urllib3Error as error:
            raise ConnectionFailed(f"{type(error).__name__}: {error}", url=url) from error
        finally:
            semaphore.release()
