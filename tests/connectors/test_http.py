"""HttpClient over real HTTP on 127.0.0.1, including servers that misbehave on purpose."""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import itertools
import pickle
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

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
from connectors.http import HttpClient, HttpSettings, address_is_public, check_destination
from connectors.static_server import StaticServer, drip_headers, reply
from tests.conftest import SAMPLES
from tests.resolvers import RebindingResolver, SilentResolver
from tests.waiting import wait_for

Handler = http.server.BaseHTTPRequestHandler


@pytest.fixture
def server() -> Iterator[StaticServer]:
    with StaticServer(SAMPLES) as running:
        yield running


@pytest.fixture
def client() -> Iterator[HttpClient]:
    settings = HttpSettings(
        allow_private_networks=True, read_timeout=1.0, total_timeout=3.0, max_page_bytes=200_000
    )
    http_client = HttpClient(settings)
    yield http_client
    http_client.close()


def test_get_returns_body_and_headers(server: StaticServer, client: HttpClient) -> None:
    response = client.get(server.url("en/rss.xml"), max_bytes=1_000_000)
    assert response.status == 200
    assert response.body.startswith(b"<?xml")
    assert response.headers["content-type"] == "application/xml"
    assert server.requests[-1][1]["user-agent"].startswith("newsbeam/")


@pytest.mark.parametrize("status", [404, 500, 503])
def test_error_status_raises_with_status(server: StaticServer, client: HttpClient, status: int) -> None:
    server.routes["/status"] = reply(status, b"nope", Retry_After="120")
    with pytest.raises(HttpStatusError) as caught:
        client.get(server.url("status"), max_bytes=1000)
    assert caught.value.status == status
    assert caught.value.retry_after == "120"
    assert caught.value.reason == "http_status"


def test_not_modified_is_returned_not_raised(server: StaticServer, client: HttpClient) -> None:
    server.routes["/cached"] = reply(304)
    assert client.get(server.url("cached"), max_bytes=1000).status == 304


def test_redirects_are_followed_and_loops_detected(server: StaticServer, client: HttpClient) -> None:
    server.routes["/moved"] = reply(301, Location="/en/rss.xml")
    assert client.get(server.url("moved"), max_bytes=1_000_000).url.endswith("/en/rss.xml")
    server.routes["/a"] = reply(302, Location="/b")
    server.routes["/b"] = reply(302, Location="/a")
    with pytest.raises(TooManyRedirects, match="loop"):
        client.get(server.url("a"), max_bytes=1000)


def test_too_many_redirects(server: StaticServer, client: HttpClient) -> None:
    for hop in range(8):
        server.routes[f"/hop{hop}"] = reply(302, Location=f"/hop{hop + 1}")
    with pytest.raises(TooManyRedirects, match="more than 5"):
        client.get(server.url("hop0"), max_bytes=1000)


def test_size_cap_applies_after_decompression(server: StaticServer, client: HttpClient) -> None:
    bomb = gzip.compress(b"A" * 5_000_000)  # ~5 KB on the wire, 5 MB decompressed
    server.routes["/bomb"] = reply(200, bomb, Content_Encoding="gzip", Content_Type="text/html")
    with pytest.raises(TooLarge, match="after decompression"):
        client.get(server.url("bomb"), max_bytes=200_000)
    small = gzip.compress(b"<p>hello</p>")
    server.routes["/small"] = reply(200, small, Content_Encoding="gzip", Content_Type="text/html")
    assert client.get(server.url("small"), max_bytes=200_000).body == b"<p>hello</p>"


def test_declared_oversize_aborts_before_reading(server: StaticServer, client: HttpClient) -> None:
    server.routes["/huge"] = reply(200, b"x" * 300_000)
    with pytest.raises(TooLarge, match="Content-Length"):
        client.get(server.url("huge"), max_bytes=200_000)


def test_slow_drip_hits_the_total_budget(server: StaticServer, client: HttpClient) -> None:
    def drip(handler: Handler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "1000000")
        handler.end_headers()
        try:
            for _ in range(100):
                handler.wfile.write(b"x" * 10)
                handler.wfile.flush()
                time.sleep(0.5)
        except (BrokenPipeError, ConnectionResetError):
            pass

    server.routes["/drip"] = drip
    started = time.monotonic()
    with pytest.raises(FetchTimeout):
        client.get(server.url("drip"), max_bytes=10_000_000)
    assert time.monotonic() - started < 20  # the 3 s budget, not the 50 s drip


def test_connection_refused_is_a_connection_failure(client: HttpClient) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(ConnectionFailed):
        client.get(f"http://127.0.0.1:{port}/feed.xml", max_bytes=1000)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed",
        "http://localhost/feed",
        "http://10.1.2.3/feed",
        "http://192.168.0.1/feed",
        "http://169.254.169.254/latest/meta-data",
        "http://100.64.0.1/feed",
        "http://[::1]/feed",
        "http://0.0.0.0/feed",
        "http://224.0.0.1/feed",
    ],
)
def test_private_destinations_are_blocked_by_default(url: str) -> None:
    with pytest.raises(Blocked, match="non-public"):
        check_destination(url, allow_private_networks=False)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "gopher://x"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(Blocked, match="scheme"):
        check_destination(url, allow_private_networks=True)


def test_guard_blocks_the_local_server_by_default(server: StaticServer) -> None:
    guarded = HttpClient(HttpSettings())
    try:
        with pytest.raises(Blocked):
            guarded.get(server.url("en/rss.xml"), max_bytes=1_000_000)
    finally:
        guarded.close()
    assert server.requests == []  # refused before anything was sent


def test_redirect_to_a_private_address_is_blocked(server: StaticServer) -> None:
    # the first hop is allowed only because the test server itself is local; the guard runs on every hop
    server.routes["/to-metadata"] = reply(302, Location="http://169.254.169.254/latest/meta-data")
    guarded = HttpClient(HttpSettings(allow_private_networks=False))
    try:
        with pytest.raises(Blocked):
            guarded.get(server.url("to-metadata"), max_bytes=1000)
    finally:
        guarded.close()


# --- politeness, allowed networks, honest User-Agent, resets, leaks ---


def test_user_agent_carries_the_contact(server: StaticServer) -> None:
    from connectors.http import user_agent_for
    from connectors.version import NEWSBEAM_VERSION

    agent = user_agent_for("mailto:ops@newsbeam.example")
    polite = HttpClient(HttpSettings(allow_private_networks=True, user_agent=agent))
    try:
        polite.get(server.url("en/rss.xml"), max_bytes=1_000_000)
    finally:
        polite.close()
    assert server.requests[-1][1]["user-agent"] == (
        f"newsbeam/{NEWSBEAM_VERSION} (+mailto:ops@newsbeam.example; news ingestion)"
    )


def test_allowed_networks_open_only_those(server: StaticServer) -> None:
    settings = HttpSettings(allowed_networks=("127.0.0.0/8",), total_timeout=3.0)
    narrow = HttpClient(settings)
    server.routes["/to-metadata"] = reply(302, Location="http://169.254.169.254/latest/meta-data")
    try:
        assert narrow.get(server.url("en/rss.xml"), max_bytes=1_000_000).status == 200
        with pytest.raises(Blocked, match=r"169\.254\.169\.254"):
            narrow.get(server.url("to-metadata"), max_bytes=1000)
    finally:
        narrow.close()


def test_politeness_gate_is_shared_by_clients_of_one_process(server: StaticServer) -> None:
    from connectors.http import politeness_key

    assert politeness_key("https://br.cointelegraph.com/rss") == politeness_key("https://cointelegraph.com/x")
    settings = HttpSettings(allow_private_networks=True, per_host_delay=0.3, per_host_concurrency=1)
    feeds, pages = HttpClient(settings), HttpClient(settings)  # as PollFeeds and FetchPages build them
    starts: list[float] = []

    def stamp(handler: Handler) -> None:
        starts.append(time.monotonic())
        reply(200, b"ok")(handler)

    server.routes["/stamp"] = stamp
    try:
        for client in (feeds, pages, feeds, pages):
            client.get(server.url("stamp"), max_bytes=1000)
    finally:
        feeds.close()
        pages.close()
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert min(gaps) >= 0.25, gaps  # a lower bound on spacing, the behaviour under test


def _reset(handler: Handler) -> None:
    import socket
    import struct

    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()  # RST instead of an answer
    handler.close_connection = True


def test_connection_reset_is_a_connection_failure(server: StaticServer, client: HttpClient) -> None:
    server.routes["/reset"] = _reset
    with pytest.raises(ConnectionFailed):
        client.get(server.url("reset"), max_bytes=1000)


def _open_fds() -> int:
    import os

    return len(os.listdir("/proc/self/fd"))


def test_hostile_responses_leak_no_thread_or_socket(server: StaticServer) -> None:
    import threading

    server.routes["/reset"] = _reset
    server.routes["/bomb"] = reply(200, gzip.compress(b"A" * 5_000_000), Content_Encoding="gzip")
    server.routes["/a"] = reply(302, Location="/b")
    server.routes["/b"] = reply(302, Location="/a")
    server.routes["/500"] = reply(500, b"no")

    def endless(handler: Handler) -> None:
        handler.send_response(200)
        handler.end_headers()  # no length: read until the cap
        try:
            while True:
                handler.wfile.write(b"x" * 65536)
        except (BrokenPipeError, ConnectionResetError):
            pass

    server.routes["/endless"] = endless
    settings = HttpSettings(allow_private_networks=True, total_timeout=2.0, read_timeout=1.0)
    warm = HttpClient(settings)
    warm.get(server.url("en/rss.xml"), max_bytes=1_000_000)
    warm.close()
    threads, fds = threading.active_count(), _open_fds()
    for _ in range(3):
        client = HttpClient(settings)
        for path in ("reset", "bomb", "a", "500", "endless"):
            with pytest.raises(FetchError):
                client.get(server.url(path), max_bytes=1_000_000)
        client.close()
    # the server's handler threads finish their writes; it may still be closing one handler
    wait_for(
        lambda: threading.active_count() <= threads + 1 and _open_fds() <= fds + 1,
        10,
        f"threads back to {threads} (+1) and descriptors to {fds} (+1)",
        interval=0.1,
    )


@pytest.mark.parametrize(
    "error",
    [
        FetchTimeout("read timed out", url="http://a.example/"),
        HttpStatusError("HTTP 503", url="http://a.example/", status=503, retry_after="30"),
    ],
)
def test_fetch_errors_survive_pickling(error: FetchError) -> None:
    # a feed's failure fetched ahead of its poll step may cross workers (connectors.feed_polling)
    copy = pickle.loads(pickle.dumps(error))
    assert (type(copy), str(copy), copy.reason, copy.__dict__) == (
        type(error),
        str(error),
        error.reason,
        error.__dict__,
    )


def test_a_guarded_get_connects_to_the_address_it_checked(server: StaticServer) -> None:
    # the guard resolves the name and vets the address; the connection goes to that vetted address
    # ("localhost" may answer ::1 first, where this server does not listen: the next vetted one is tried)
    guarded = HttpClient(HttpSettings(allowed_networks=("127.0.0.0/8", "::1/128")))
    try:
        response = guarded.get(f"http://localhost:{server.port}/en/rss.xml", max_bytes=1_000_000)
    finally:
        guarded.close()
    assert response.status == 200 and response.body.startswith(b"<?xml")
    assert server.requests[-1][1]["host"] == f"localhost:{server.port}"  # the name, not the address


def test_the_guard_returns_every_address_it_checked() -> None:
    checked = check_destination("http://93.184.215.14:8080/feed", allow_private_networks=False)
    assert (checked.addresses, checked.url) == (("93.184.215.14",), "http://93.184.215.14:8080/feed")
    assert check_destination("http://127.0.0.1/feed", allow_private_networks=True).addresses == ("127.0.0.1",)


TLS_BODY = b"<?xml version='1.0'?><rss version='2.0'><channel><title>tls</title></channel></rss>"


@pytest.fixture
def tls_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """An HTTPS server on 127.0.0.1 with a certificate for localhost from a test CA that OpenSSL trusts
    here: ``/feed`` answers ``TLS_BODY``, ``/slow-headers`` drips its headers."""
    from tests.integration.test_kafka_sasl_ssl import write_certificates

    ca_file, server_file = write_certificates(tmp_path)

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            if self.path == "/slow-headers":
                _slow_headers(self)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(TLS_BODY)))
            self.end_headers()
            self.wfile.write(TLS_BODY)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    serving = threading.Thread(target=httpd.serve_forever, daemon=True)
    serving.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # OpenSSL's default trust store: our test CA
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_https_to_a_vetted_address_still_checks_the_certificate_against_the_name(tls_port: int) -> None:
    # the TCP connection goes to the vetted address; TLS (SNI and the certificate check) uses the name.
    # A name the certificate does not carry, resolving to the same address: the TLS check refuses it.
    resolver = RebindingResolver({"not-in-the-cert.invalid": ("127.0.0.1", "127.0.0.1")})
    guarded = HttpClient(HttpSettings(allowed_networks=("127.0.0.0/8", "::1/128")))
    other_name = HttpClient(HttpSettings(allowed_networks=("127.0.0.0/8",), resolver=resolver))
    try:
        assert guarded.get(f"https://localhost:{tls_port}/feed", max_bytes=10_000).body == TLS_BODY
        with pytest.raises(ConnectionFailed, match=r"not-in-the-cert\.invalid"):
            other_name.get(f"https://not-in-the-cert.invalid:{tls_port}/feed", max_bytes=10_000)
    finally:
        guarded.close()
        other_name.close()


def test_a_tls_server_that_drips_its_headers_meets_the_budget(tls_port: int) -> None:
    settings = HttpSettings(allowed_networks=("127.0.0.0/8", "::1/128"), total_timeout=2.0, read_timeout=1.0)
    seconds = _time_to_time_out(settings, f"https://localhost:{tls_port}/slow-headers", "budget")
    assert seconds < 6  # the 2 s budget, not the 10 s of headers


# --- one spelling of the host, connections only to vetted addresses, one budget for everything ---


@pytest.fixture
def rebinding_pair(server: StaticServer) -> Iterator[tuple[StaticServer, StaticServer]]:
    """The sample server on 127.0.0.1 and an "internal" one on 127.0.0.2 (same port) that must never be reached."""
    with StaticServer(SAMPLES, port=server.port, host="127.0.0.2") as internal:
        internal.routes["/en/rss.xml"] = reply(200, b"INTERNAL", Content_Type="application/rss+xml")
        yield server, internal


@pytest.mark.parametrize(
    ("spelling", "looked_up"),
    [
        ("rb2.rebind.test.", "rb2.rebind.test"),  # trailing dot: urllib3 strips it, the guard must too
        ("bücher.test", "xn--bcher-kva.test"),  # international: urllib3 uses A-labels, the guard must too
        ("RB4.Rebind.TEST", "rb4.rebind.test"),
    ],
    ids=["trailing-dot", "idn", "mixed-case"],
)
def test_a_rebinding_name_is_fetched_only_from_the_address_the_guard_checked(
    rebinding_pair: tuple[StaticServer, StaticServer], spelling: str, looked_up: str
) -> None:
    public, internal = rebinding_pair
    resolver = RebindingResolver({looked_up: ("127.0.0.1", "127.0.0.2")})  # later answers: the internal one
    client = HttpClient(
        HttpSettings(allowed_networks=("127.0.0.1/32",), total_timeout=5.0, resolver=resolver)
    )
    try:
        response = client.get(f"http://{spelling}:{public.port}/en/rss.xml", max_bytes=1_000_000)
    finally:
        client.close()
    assert response.body.startswith(b"<?xml")
    assert resolver.asked == [looked_up], "looked up once, under one spelling"
    assert internal.requests == []
    assert public.requests[-1][1]["host"] == f"{looked_up}:{public.port}"


def test_a_redirect_to_a_rebinding_name_is_checked_and_fetched_once(
    rebinding_pair: tuple[StaticServer, StaticServer],
) -> None:
    public, internal = rebinding_pair
    public.routes["/moved"] = reply(302, Location=f"http://rb5.rebind.test.:{public.port}/en/rss.xml")
    resolver = RebindingResolver({"rb5.rebind.test": ("127.0.0.1", "127.0.0.2")})
    client = HttpClient(
        HttpSettings(allowed_networks=("127.0.0.1/32",), total_timeout=5.0, resolver=resolver)
    )
    try:
        response = client.get(public.url("moved"), max_bytes=1_000_000)
    finally:
        client.close()
    assert response.body.startswith(b"<?xml") and response.url.startswith("http://rb5.rebind.test:")
    assert resolver.asked == ["rb5.rebind.test"]
    assert internal.requests == []


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("2002:7f00:1::1", False),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", False),  # 6to4 of the metadata address
        ("2002:808:808::1", True),  # 6to4 of a public address
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of the metadata address
        ("64:ff9b::808:808", True),  # NAT64 of a public address: how IPv6-only networks reach IPv4 sites
        ("64:ff9b:1::808:808", False),  # local-use NAT64 (RFC 8215): never global
        ("::7f00:1", False),  # IPv4-compatible (deprecated)
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),  # Teredo, client 10.0.0.1
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("100.64.0.1", False),
        ("93.184.215.14", True),
    ],
)
def test_ipv6_addresses_are_judged_by_the_ipv4_address_they_carry(address: str, public: bool) -> None:
    assert address_is_public(address) is public
    url = f"http://[{address}]/feed" if ":" in address else f"http://{address}/feed"
    if public:
        canonical = str(ipaddress.ip_address(address))
        assert check_destination(url, allow_private_networks=False).addresses == (canonical,)
    else:
        with pytest.raises(Blocked, match="non-public"):
            check_destination(url, allow_private_networks=False)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:99999/feed", "http://[oops/feed", "http://\u0301b.example/feed"],
    ids=["port-out-of-range", "bad-ipv6-literal", "bad-idn"],
)
def test_a_url_that_does_not_parse_is_an_invalid_url_not_a_crash(url: str) -> None:
    client = HttpClient(HttpSettings(allow_private_networks=True, total_timeout=2.0))
    try:
        with pytest.raises(InvalidUrl) as raised:
            client.get(url, max_bytes=1000)
    finally:
        client.close()
    assert raised.value.reason == "invalid_url"


_slow_headers = drip_headers()  # 10 s of headers, a line every 0.5 s: no read timeout ever fires


def _time_to_time_out(settings: HttpSettings, url: str, match: str) -> float:
    """Seconds a GET of ``url`` takes to fail with ``FetchTimeout`` (its message matching ``match``)."""
    client = HttpClient(settings)
    started = time.monotonic()
    try:
        with pytest.raises(FetchTimeout, match=match):
            client.get(url, max_bytes=1_000_000)
    finally:
        client.close()
    return time.monotonic() - started


BUDGET_3S = HttpSettings(allow_private_networks=True, read_timeout=1.0, total_timeout=3.0)


def test_a_server_that_drips_its_headers_meets_the_budget(server: StaticServer) -> None:
    server.routes["/slow-headers"] = _slow_headers
    seconds = _time_to_time_out(BUDGET_3S, server.url("slow-headers"), "budget")
    assert seconds < 7  # the 3 s budget, not the 10 s of headers


def test_a_tls_handshake_that_never_ends_meets_the_budget() -> None:
    with socket.socket() as silent:  # accepts the connection and never answers the ClientHello
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        seconds = _time_to_time_out(BUDGET_3S, f"https://127.0.0.1:{silent.getsockname()[1]}/feed", "budget")
    assert seconds < 7  # the 3 s budget, not the 5 s connect nor 10 s read timeout


def test_a_dns_lookup_counts_against_the_budget(server: StaticServer) -> None:
    settings = HttpSettings(
        allowed_networks=("127.0.0.0/8",), total_timeout=1.0, resolver=SilentResolver(8.0)
    )
    seconds = _time_to_time_out(settings, f"http://slow-dns.test:{server.port}/en/rss.xml", "looking up")
    assert seconds < 5  # the 1 s budget, not the 8 s lookup
    assert server.requests == []


def test_waiting_for_the_sites_gate_counts_against_the_budget(server: StaticServer) -> None:
    server.routes["/slow-headers"] = _slow_headers
    settings = HttpSettings(allow_private_networks=True, per_host_concurrency=1, total_timeout=4.0)
    holder, waiter = HttpClient(settings), HttpClient(replace(settings, total_timeout=1.0))
    held: list[FetchError] = []

    def hold() -> None:
        try:
            holder.get(server.url("slow-headers"), max_bytes=1000)
        except FetchError as error:
            held.append(error)

    holding = threading.Thread(target=hold)
    try:
        holding.start()
        wait_for(lambda: server.requests, 10, "the holder to take the site's only slot", interval=0.01)
        started = time.monotonic()
        with pytest.raises(FetchTimeout, match="no free slot"):
            waiter.get(server.url("en/rss.xml"), max_bytes=1_000_000)
        assert time.monotonic() - started < 3.5  # its own 1 s budget, not the holder's 4 s
    finally:
        holding.join(timeout=10)
        holder.close()
        waiter.close()
    assert [path for path, _ in server.requests] == ["/slow-headers"]
    assert [type(error) for error in held] == [FetchTimeout]
