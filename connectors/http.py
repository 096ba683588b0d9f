"""Polite, bounded HTTP GETs for feeds and article pages.

Every request: http or https only; the host normalised once (IDNA A-labels, lower case, no trailing dot)
and the URL rewritten with it, so the guard, the politeness key and urllib3 all see one spelling; the
name resolved once, through the settings' ``Resolver``, and every address checked (no loopback, private,
link-local, CGNAT, multicast or metadata addresses, nor IPv6 addresses that carry one, unless the
settings allow private networks); the connection opened only to an address that was checked, never to a
second resolution of the name (DNS rebinding); one wall-clock budget for the whole fetch that covers
the wait for the site's gate, DNS, connect, TLS, the headers and the body, redirects included; a size
cap counted after decompression with early abort; at most ``max_redirects`` hops, loops detected; a
per-site cap on concurrent requests and a minimum delay between requests to one site.
Failures raise the ``connectors.errors`` family and nothing else.

Politeness is per site (the registrable domain: ``br.cointelegraph.com`` and ``cointelegraph.com``
share one budget, because they share infrastructure) and per worker process: every ``HttpClient`` in
a process with the same politeness settings shares one gate, so feed polls and article fetches of one
site queue behind each other. Several worker processes each have their own gate; keying page fetches
by site in the graph (``connectors.page_fetching.RouteEntriesBySite``) makes one worker own each site.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import SplitResult, urljoin, urlsplit, urlunsplit

import idna
import urllib3
import urllib3.connection
from tld import get_fld
from urllib3.exceptions import HTTPError as Urllib3Error
from urllib3.exceptions import NewConnectionError, ProtocolError, ReadTimeoutError
from urllib3.exceptions import TimeoutError as Urllib3Timeout
from urllib3.util.ssl_ import create_urllib3_context

from connectors.errors import (
    Blocked,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    InvalidUrl,
    TooLarge,
    TooManyRedirects,
)
from connectors.version import NEWSBEAM_VERSION
from connectors.watchdog import TimedOut, Watchdog

PRODUCT = f"newsbeam/{NEWSBEAM_VERSION}"
DEFAULT_CONTACT = "https://github.com/newsbeam/newsbeam"
DEFAULT_USER_AGENT = f"{PRODUCT} (+{DEFAULT_CONTACT}; news ingestion)"
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
# IPv6 prefixes whose addresses carry an IPv4 address that the packets end up at (RFC 6052 NAT64,
# RFC 4291 IPv4-compatible); ipaddress names the mapped, 6to4 and Teredo forms itself
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_REDIRECTS = {301, 302, 303, 307, 308}
MAX_ABANDONED_LOOKUPS = 8  # DNS lookups past their budget still running before new ones wait for room


class Resolver(Protocol):
    """Turns a host name into the addresses to connect to (in the order to try them)."""

    def resolve(self, host: str, port: int) -> Sequence[str]:
        """The addresses of ``host``; raises ``OSError`` (``socket.gaierror``) when there are none."""
        ...


@dataclass(frozen=True, slots=True)
class SystemResolver:
    """The operating system's resolver (``getaddrinfo``), the one every run uses."""

    def resolve(self, host: str, port: int) -> tuple[str, ...]:
        """The addresses of ``host``, in the resolver's order, each once."""
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        return tuple(dict.fromkeys(str(address[0]) for *_, address in infos))  # address: (host, port, ...)


@dataclass(frozen=True, kw_only=True, slots=True)
class HttpSettings:
    """How politely and how boundedly to fetch. Picklable: the client is built from it on the worker."""

    user_agent: str = DEFAULT_USER_AGENT
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0  # wall clock for the whole fetch: gate, DNS, connect, TLS, headers, body
    max_feed_bytes: int = 10 * 1024 * 1024
    max_page_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    allow_private_networks: bool = False
    # networks (CIDR) allowed although not public, e.g. ("127.0.0.0/8",) for one internal feed host;
    # everything else non-public stays blocked
    allowed_networks: tuple[str, ...] = ()
    per_host_concurrency: int = 4
    per_host_delay: float = 0.0  # minimum seconds between the starts of two requests to one host
    # where host names are looked up: the system's resolver, or a test's (the one seam for DNS)
    resolver: Resolver = field(default_factory=SystemResolver)


@dataclass(frozen=True, slots=True)
class HttpResponse:
    """A complete, size-checked response."""

    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)  # lower-cased names
    body: bytes = b""
    elapsed: float = 0.0


@dataclass(frozen=True, slots=True)
class Destination:
    """A URL as it is fetched: rewritten with its normalised host, and the addresses vetted for it."""

    url: str
    host: str  # IDNA A-labels, lower case, no trailing dot; an IP address in its canonical form
    port: int
    addresses: tuple[str, ...]


def _carried_ipv4(ip: ipaddress.IPv6Address) -> tuple[ipaddress.IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries (mapped, IPv4-compatible, 6to4, Teredo, NAT64)."""
    if ip.ipv4_mapped is not None:
        return (ip.ipv4_mapped,)
    if ip.sixtofour is not None:
        return (ip.sixtofour,)
    if ip.teredo is not None:
        return ip.teredo  # (server, client)
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return (ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF),)
    return ()


def _plainly_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_unspecified
        or ip.is_reserved
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
    )


def address_is_public(address: str) -> bool:
    """Whether ``address`` is a public one: neither it nor any IPv4 address it carries is private,
    loopback, link-local, CGNAT, multicast, unspecified or reserved.

    A mapped or NAT64 address is only a way to reach the IPv4 address inside it, so that address alone
    decides; 6to4, Teredo and IPv4-compatible ones must pass on both counts.
    """
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        carried = _carried_ipv4(ip)
        if not all(_plainly_public(inner) for inner in carried):
            return False
        if carried and (ip.ipv4_mapped is not None or ip in _NAT64):
            return True
    return _plainly_public(ip)


def user_agent_for(contact: str | None) -> str:
    """An honest User-Agent: who we are and where a site owner reaches the operator (URL or mailto)."""
    return f"{PRODUCT} (+{contact or DEFAULT_CONTACT}; news ingestion)"


def politeness_key(url: str) -> str:
    """The site a request counts against: the registrable domain, or the host for IPs and bare names."""
    site = get_fld(url, fail_silently=True)
    if site:
        return str(site)
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # an unparseable URL is refused by the fetch; any key does until then
        return url


def normalise_host(host: str) -> str:
    """``host`` as the guard, the politeness gate and the connection all see it: an IP address in its
    canonical form, else the name lower-cased without a trailing dot, non-ASCII names as IDNA A-labels
    (UTS #46 mapping, as browsers do). Raises ``ValueError`` for a name IDNA refuses."""
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    name = host.rstrip(".")
    if name.isascii():
        return name.lower()
    try:
        return idna.encode(name, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise ValueError(f"{host!r} is not a valid internationalised domain name: {error}") from error


def parse_destination(url: str) -> tuple[SplitResult, str, int]:
    """``url`` checked and rewritten with its normalised host: ``(parts, host, port)``.

    Raises ``InvalidUrl`` for a URL that does not parse (a bad IPv6 literal, a port out of range, a bad
    international name) and ``Blocked`` for a scheme other than http(s) or a URL without a host.
    """
    try:
        parts = urlsplit(url)
        port = parts.port
        hostname = parts.hostname
        host = normalise_host(hostname) if hostname else ""
    except ValueError as error:
        raise InvalidUrl(f"not a URL that can be fetched ({error}): {url}", url=url) from error
    if parts.scheme not in ("http", "https"):
        raise Blocked(f"scheme {parts.scheme or '(none)'!r} is not allowed; only http and https", url=url)
    if not host:
        raise Blocked("URL has no host", url=url)
    in_netloc = f"[{host}]" if ":" in host else host
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = (f"{userinfo}@" if userinfo else "") + in_netloc + (f":{port}" if port is not None else "")
    effective_port = port if port is not None else (443 if parts.scheme == "https" else 80)
    return parts._replace(netloc=netloc), host, effective_port


def check_destination(
    url: str,
    *,
    allow_private_networks: bool,
    allowed_networks: tuple[str, ...] = (),
    resolver: Resolver | None = None,
    lookups: Watchdog | None = None,
    timeout: float = 30.0,
) -> Destination:
    """Normalise ``url``'s host, resolve it once and refuse it when an address is not public (unless
    private networks are allowed, or the address lies in one of ``allowed_networks``).

    Returns the rewritten URL and the checked addresses, in the resolver's order, which are the only ones
    a connection may open to. The lookup runs on ``lookups`` (a helper thread) under ``timeout``.
    """
    parts, host, port = parse_destination(url)
    destination_url = urlunsplit(parts)
    try:
        ipaddress.ip_address(host)
        addresses: tuple[str, ...] = (host,)  # an address literal needs no lookup
    except ValueError:
        addresses = _lookup(resolver or SystemResolver(), host, port, lookups, timeout, url)
    if not addresses:
        raise ConnectionFailed(f"cannot resolve {host}: no addresses", url=url)
    if not allow_private_networks:
        allowed = [ipaddress.ip_network(network, strict=False) for network in allowed_networks]
        for address in addresses:
            ip = ipaddress.ip_address(address)
            if not address_is_public(address) and not any(ip in network for network in allowed):
                carried = _carried_ipv4(ip) if isinstance(ip, ipaddress.IPv6Address) else ()
                inside = f" (it carries {', '.join(map(str, carried))})" if carried else ""
                where = f"{host} is a" if host == address else f"{host} resolves to a"
                raise Blocked(
                    f"{where} non-public address {address}{inside}; "
                    "set allow_private_networks to fetch from private networks",
                    url=url,
                )
    return Destination(url=destination_url, host=host, port=port, addresses=addresses)


def _lookup(
    resolver: Resolver, host: str, port: int, lookups: Watchdog | None, timeout: float, url: str
) -> tuple[str, ...]:
    try:
        if lookups is None:
            return tuple(resolver.resolve(host, port))
        return tuple(lookups.run(lambda: resolver.resolve(host, port), timeout=max(timeout, 0.0)))
    except TimedOut as error:
        raise FetchTimeout(f"looking up {host} took longer than the fetch budget allows", url=url) from error
    except OSError as error:  # socket.gaierror and friends
        raise ConnectionFailed(f"cannot resolve {host}: {error}", url=url) from error


# The fetch in progress on this thread: its deadline, and the addresses vetted for its current hop.
# urllib3 builds connections and reads responses on the calling thread, so the connection and socket
# classes below find them here; HttpClient sets them around each request (``_fetching``).
_current = threading.local()


@contextmanager
def _fetching(addresses: tuple[str, ...], deadline: float) -> Iterator[None]:
    _current.addresses, _current.deadline = addresses, deadline
    try:
        yield
    finally:
        _current.addresses, _current.deadline = (), None


def _remaining(op_timeout: float | None) -> float | None:
    """The socket timeout for the next blocking call: the operation's own, cut to what is left of the
    current fetch's budget; raises ``TimeoutError`` when nothing is left."""
    deadline: float | None = getattr(_current, "deadline", None)
    if deadline is None:
        return op_timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("the fetch budget is spent")
    return left if op_timeout is None else min(op_timeout, left)


class _BudgetedSocket(socket.socket):
    """A TCP socket whose every blocking call ends by the current fetch's deadline.

    A per-call read timeout alone lets a server that sends one header line a second hold a fetch for
    ever; cutting each call's timeout to what is left of the budget bounds the whole exchange. The TLS
    socket below inherits these calls, so the handshake and every encrypted read keep to it too.
    """

    _op_timeout: float | None = None

    def settimeout(self, value: float | None) -> None:
        self._op_timeout = value
        super().settimeout(value)

    def _arm(self) -> None:
        super().settimeout(_remaining(self._op_timeout))

    def recv(self, *args: Any, **kwargs: Any) -> bytes:
        self._arm()
        return super().recv(*args, **kwargs)

    def recv_into(self, *args: Any, **kwargs: Any) -> int:
        self._arm()
        return super().recv_into(*args, **kwargs)

    def send(self, *args: Any, **kwargs: Any) -> int:
        self._arm()
        return super().send(*args, **kwargs)

    def sendall(self, *args: Any, **kwargs: Any) -> None:
        self._arm()
        super().sendall(*args, **kwargs)


class _BudgetedSSLSocket(_BudgetedSocket, ssl.SSLSocket):
    """The TLS side of ``_BudgetedSocket`` (``SSLContext.sslsocket_class``); its calls come first in the
    method order, so they arm the deadline before ``SSLSocket``'s own."""

    def do_handshake(self, *args: Any, **kwargs: Any) -> None:
        self._arm()
        super().do_handshake(*args, **kwargs)


def _connect(address: str, port: int, timeout: float | None, options: Sequence[Any] | None) -> socket.socket:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = _BudgetedSocket(family, socket.SOCK_STREAM)
    try:
        for option in options or ():
            sock.setsockopt(*option)
        sock.settimeout(timeout)
        sock._arm()
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _VettedHTTPConnection(urllib3.connection.HTTPConnection):
    def _new_conn(self) -> socket.socket:
        # Only to an address the guard checked for this hop, each in turn (an unreachable IPv6 one first,
        # say), never to a new resolution of the name. Only the TCP connection goes to the address:
        # ``host`` stays the name for the Host header, SNI and the certificate check.
        addresses: tuple[str, ...] = getattr(_current, "addresses", ())
        if not addresses:
            raise NewConnectionError(
                self, "no vetted address: connections open only to addresses the guard checked"
            )
        failures: list[Exception] = []
        for address in addresses:
            try:
                sock = _connect(address, self.port, self.timeout, self.socket_options)
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


def _tls_context() -> ssl.SSLContext:
    """urllib3's own defaults (certificates and host names checked, the system's CAs), with sockets whose
    handshake and reads keep to the fetch's budget.

    One per trust store (OpenSSL reads ``SSL_CERT_FILE`` and ``SSL_CERT_DIR`` when the CAs are loaded), shared
    by every client: loading the CAs costs tens of milliseconds, and an ``SSLContext`` serves connections on
    any thread."""
    return _tls_context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _tls_context_for(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    """The context for one trust-store setting: the arguments are the cache's key, OpenSSL reads them."""
    context = create_urllib3_context()
    context.load_default_certs()
    context.sslsocket_class = _BudgetedSSLSocket
    return context


class _HostGate:
    """Per-host concurrency cap and minimum spacing between request starts."""

    def __init__(self, concurrency: int, delay: float) -> None:
        self._concurrency = max(1, concurrency)
        self._delay = delay
        self._lock = threading.Lock()
        self._semaphores: dict[str, threading.BoundedSemaphore] = {}
        self._next_start: dict[str, float] = {}

    def enter(self, host: str, deadline: float) -> threading.BoundedSemaphore | None:
        """The host's semaphore, acquired; None when no slot (or start) comes before ``deadline``."""
        with self._lock:
            semaphore = self._semaphores.setdefault(host, threading.BoundedSemaphore(self._concurrency))
        if not semaphore.acquire(timeout=max(deadline - time.monotonic(), 0.0)):
            return None
        if self._delay > 0:
            with self._lock:
                now = time.monotonic()
                start = max(now, self._next_start.get(host, 0.0))
                if start >= deadline:
                    semaphore.release()
                    return None
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
            ssl_context=_tls_context(),
        )
        self._pool.pool_classes_by_scheme = {
            "http": _VettedHTTPConnectionPool,
            "https": _VettedHTTPSConnectionPool,
        }
        self._gate = shared_gate(settings.per_host_concurrency, settings.per_host_delay)
        # lookups run on helper threads, so that a resolver that never answers cannot outlast the budget
        self._lookups = Watchdog(name="dns", max_abandoned=MAX_ABANDONED_LOOKUPS)
        politeness_key("http://example.com/")  # loads tld's public suffix list now, not on the first GET

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.clear()
        self._lookups.close()

    def get(self, url: str, *, max_bytes: int, headers: dict[str, str] | None = None) -> HttpResponse:
        """GET ``url`` following redirects; a 304 is returned, any other non-2xx raises."""
        started = time.monotonic()
        deadline = started + self.settings.total_timeout
        visited: set[str] = set()
        current = url
        for _ in range(self.settings.max_redirects + 1):
            destination = check_destination(
                current,
                allow_private_networks=self.settings.allow_private_networks,
                allowed_networks=self.settings.allowed_networks,
                resolver=self.settings.resolver,
                lookups=self._lookups,
                timeout=deadline - time.monotonic(),
            )
            if destination.url in visited:
                raise TooManyRedirects(f"redirect loop back to {current}", url=url)
            visited.add(destination.url)
            status, response_headers, body = self._one_request(
                destination, headers or {}, max_bytes, deadline
            )
            if status in _REDIRECTS and "location" in response_headers:
                try:
                    current = urljoin(destination.url, response_headers["location"])
                except ValueError as error:
                    raise InvalidUrl(
                        f"redirect to a URL that does not parse: {response_headers['location']!r}", url=url
                    ) from error
                continue
            elapsed = time.monotonic() - started
            if status >= 400:
                raise HttpStatusError(
                    f"HTTP {status} from {destination.url}",
                    url=destination.url,
                    status=status,
                    retry_after=response_headers.get("retry-after"),
                )
            return HttpResponse(
                url=destination.url, status=status, headers=response_headers, body=body, elapsed=elapsed
            )
        raise TooManyRedirects(f"more than {self.settings.max_redirects} redirects", url=url)

    def _spent(self, url: str) -> FetchTimeout:
        return FetchTimeout(f"fetch budget of {self.settings.total_timeout:g}s spent", url=url)

    def _one_request(
        self, destination: Destination, headers: dict[str, str], max_bytes: int, deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        url = destination.url
        semaphore = self._gate.enter(politeness_key(url), deadline)
        if semaphore is None:
            raise FetchTimeout(
                f"no free slot for {politeness_key(url)} within the fetch budget of "
                f"{self.settings.total_timeout:g}s (at most {self.settings.per_host_concurrency} requests "
                "to one site at once)",
                url=url,
            )
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise self._spent(url)
            timeout = urllib3.Timeout(
                connect=min(self.settings.connect_timeout, remaining),
                read=min(self.settings.read_timeout, remaining),
            )
            with _fetching(destination.addresses, deadline):
                return self._exchange(url, headers, max_bytes, deadline, timeout)
        except FetchError:
            raise
        except (NewConnectionError, ProtocolError, ConnectionError) as error:
            # before the timeouts: urllib3's NewConnectionError is a subclass of its ConnectTimeoutError
            if time.monotonic() >= deadline:
                raise self._spent(url) from error
            raise ConnectionFailed(f"connection failed: {error}", url=url) from error
        except (TimeoutError, ReadTimeoutError, Urllib3Timeout) as error:
            if time.monotonic() >= deadline:
                raise self._spent(url) from error
            raise FetchTimeout(f"timed out: {error}", url=url) from error
        except Urllib3Error as error:
            raise ConnectionFailed(f"{type(error).__name__}: {error}", url=url) from error
        finally:
            semaphore.release()

    def _exchange(
        self, url: str, headers: dict[str, str], max_bytes: int, deadline: float, timeout: urllib3.Timeout
    ) -> tuple[int, dict[str, str], bytes]:
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
            # read1 returns whatever arrived (b"" only at the end); each read ends by the deadline
            while chunk := response.read1(65536, decode_content=True):
                size += len(chunk)
                if size > max_bytes:
                    raise TooLarge(f"body exceeds the cap of {max_bytes} bytes after decompression", url=url)
                if time.monotonic() > deadline:
                    raise self._spent(url)
                chunks.append(chunk)
            complete = True
            return response.status, response_headers, b"".join(chunks)
        finally:
            if complete:
                response.release_conn()
            else:
                response.close()  # never drain what a hostile server may keep sending
