"""The one small exception family of the HTTP boundary.

urllib3 and socket errors are translated into these in exactly one place (``connectors.http``), chained
with ``from``; each carries a short ``reason`` that becomes the dead letter's reason.
"""

from __future__ import annotations


class FetchError(Exception):
    """A feed or page could not be fetched."""

    reason = "fetch_error"

    def __init__(self, message: str, *, url: str) -> None:
        super().__init__(message)
        self.url = url

    def __reduce__(self) -> tuple[object, ...]:
        # pickle would call cls(message) without the keyword-only arguments; a failure fetched ahead
        # (connectors.feed_polling) may cross workers
        return (_rebuild, (type(self), str(self), dict(self.__dict__)))


def _rebuild(cls: type[FetchError], message: str, attributes: dict[str, object]) -> FetchError:
    error = cls.__new__(cls)
    Exception.__init__(error, message)
    error.__dict__.update(attributes)
    return error


class FetchTimeout(FetchError):
    """Connecting, reading, or the whole fetch took longer than its budget."""

    reason = "timeout"


class ConnectionFailed(FetchError):
    """DNS, refused or reset connections, TLS failures."""

    reason = "connection_failed"


class HttpStatusError(FetchError):
    """The server answered with a 4xx or 5xx status."""

    reason = "http_status"

    def __init__(self, message: str, *, url: str, status: int, retry_after: str | None = None) -> None:
        super().__init__(message, url=url)
        self.status = status
        self.retry_after = retry_after


class InvalidUrl(FetchError):
    """The URL cannot be fetched as written: it does not parse, its port is out of range, its name is not
    a valid internationalised domain name."""

    reason = "invalid_url"


class TooLarge(FetchError):
    """The body, once decompressed, passed the size cap."""

    reason = "too_large"


class TooManyRedirects(FetchError):
    """More redirect hops than allowed, or a loop."""

    reason = "redirects"


class Blocked(FetchError):
    """The request was refused before it was sent: scheme, private address, robots.txt."""

    reason = "blocked"


class RobotsDisallowed(Blocked):
    """robots.txt does not let us fetch this page (or the site could not say: RFC 9309 §2.3.1.4)."""

    reason = "robots"
