"""HttpClient over real HTTP on 127.0.0.1, including servers that misbehave on purpose."""

from __future__ import annotations

import gzip
import http.server
import itertools
import pickle
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import urllib3

from connectors import http as http_module
from connectors.errors import (
    Blocked,
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    HttpStatusError,
    TooLarge,
    TooManyRedirects,
)
from connectors.http import HttpClient, HttpSettings, check_destination
from connectors.static_server import StaticServer, reply
from tests.conftest import SAMPLES

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

    agent = user_agent_for("mailto:ops@newsbeam.example")
    polite = HttpClient(HttpSettings(allow_private_networks=True, user_agent=agent))
    try:
        polite.get(server.url("en/rss.xml"), max_bytes=1_000_000)
    finally:
        polite.close()
    assert (
        server.requests[-1][1]["user-agent"] == "newsbeam/0.1 (+mailto:ops@newsbeam.example; news ingestion)"
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
    time.sleep(0.5)  # the server's handler threads finish their writes
    assert threading.active_count() <= threads + 1  # the server may still be closing one handler
    assert _open_fds() <= fds + 1


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


def test_a_connection_never_resolves_a_vetted_name_again(server: StaticServer) -> None:
    # DNS rebinding: a name that passed the guard must not be resolved a second time by the connection
    # (the answer could then be a private address). ".invalid" names never resolve (RFC 6761), so this
    # request succeeds only if the connection opens to the address vetted for the name.
    name = "rebind-check.invalid"
    http_module._vetted[(name, server.port)] = ("127.0.0.1",)
    try:
        pool = http_module._VettedHTTPConnectionPool(name, server.port, retries=False, maxsize=1)
        for _ in range(2):  # the second request rides the kept-alive connection: still the name in Host
            response = pool.request("GET", "/en/rss.xml")
            assert response.status == 200 and response.data.startswith(b"<?xml")
            assert server.requests[-1][1]["host"] == f"{name}:{server.port}"
        pool.close()
    finally:
        del http_module._vetted[(name, server.port)]


def test_the_guard_returns_every_address_it_checked() -> None:
    assert check_destination("http://93.184.215.14:8080/feed", allow_private_networks=False) == (
        "93.184.215.14",
    )
    assert check_destination("http://127.0.0.1/feed", allow_private_networks=True) == ()


def test_https_to_a_vetted_address_still_checks_the_certificate_against_the_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the TCP connection goes to the vetted address; TLS (SNI and the certificate check) uses the name
    from tests.integration.test_kafka_sasl_ssl import write_certificates

    ca_file, server_file = write_certificates(tmp_path)
    body = b"<?xml version='1.0'?><rss version='2.0'><channel><title>tls</title></channel></rss>"

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(server_file)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    serving = threading.Thread(target=httpd.serve_forever, daemon=True)
    serving.start()
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # OpenSSL's default trust store: our test CA
    guarded = HttpClient(HttpSettings(allowed_networks=("127.0.0.0/8", "::1/128")))
    try:
        port = httpd.server_address[1]
        assert guarded.get(f"https://localhost:{port}/feed", max_bytes=10_000).body == body
        # a name the certificate does not carry, pinned to the same address: the TLS check refuses it
        http_module._vetted[("not-in-the-cert.invalid", port)] = ("127.0.0.1",)
        pool = http_module._VettedHTTPSConnectionPool("not-in-the-cert.invalid", port, retries=False)
        with pytest.raises(urllib3.exceptions.SSLError, match=r"not-in-the-cert\.invalid"):
            pool.request("GET", "/feed")
        pool.close()
    finally:
        http_module._vetted.pop(("not-in-the-cert.invalid", port), None)
        guarded.close()
        httpd.shutdown()
        httpd.server_close()
