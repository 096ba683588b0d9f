"""Resolvers for the tests of the SSRF guard: a DNS server an attacker controls, and one that never answers.

They plug into ``HttpSettings(resolver=...)``, the one seam through which newsbeam looks names up; the
fetches themselves still go over real HTTP on loopback.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field


@dataclass(eq=False)
class RebindingResolver:
    """DNS rebinding: the first lookup of each name answers ``first`` (an address the guard lets through),
    every later lookup ``then`` (one it must never connect to). ``asked`` lists the names looked up, as
    newsbeam spelled them, in order."""

    answers: dict[str, tuple[str, str]]  # name → (first answer, later answers)
    asked: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def resolve(self, host: str, port: int) -> tuple[str, ...]:
        with self._lock:
            self.asked.append(host)
            seen = self.asked.count(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not known to this resolver")
        first, then = self.answers[host]
        return (first,) if seen == 1 else (then,)

    def __getstate__(self) -> dict[str, object]:
        return {"answers": self.answers, "asked": list(self.asked)}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__init__(**state)  # type: ignore[misc]


@dataclass(eq=False)
class SilentResolver:
    """A DNS server that takes ``seconds`` to answer every lookup (with ``address``)."""

    seconds: float
    address: str = "127.0.0.1"

    def resolve(self, host: str, port: int) -> tuple[str, ...]:
        time.sleep(self.seconds)
        return (self.address,)
