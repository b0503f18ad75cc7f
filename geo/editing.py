"""Who may change the page's datasets (import, rename, delete): the editing policy as data, without
Streamlit, so every decision is table-tested (tests/test_editing.py).

``PANJ_EDITING`` chooses the mode:

- ``local`` (the default): sessions whose browser connects from the server's own machine, that is
  from a loopback address (127.0.0.0/8, ::1, or IPv4-mapped loopback ::ffff:127.x.y.z). The
  machine's other addresses (its LAN or Docker bridge address) do not count: a port forwarded by
  Docker or NAT arrives from such an address for every outside reader, and telling the machine's
  own addresses apart would mean asking the operating system on every rerun. An unknown address
  (None) never counts.
- ``password``: a session may edit once its reader typed ``PANJ_EDITOR_PASSWORD`` on the page; a
  wrong attempt makes the next one wait (``PasswordGate``). Without a password set nobody may edit.
- ``off``: nobody; the page is read-only.

The command line (``panj import``, ``panj datasets``) is not governed by this: whoever runs it can
open the store anyway.
"""

from __future__ import annotations

import hmac
import ipaddress
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field

ENV_MODE = "PANJ_EDITING"
ENV_PASSWORD = "PANJ_EDITOR_PASSWORD"
LOCAL, PASSWORD, OFF = "local", "password", "off"
MODES = {
    LOCAL: "only sessions from the server's own machine (a browser on it opening http://localhost:PORT)",
    PASSWORD: f"sessions whose reader unlocks editing with the password in {ENV_PASSWORD}",
    OFF: "nobody: the page is read-only",
}
DEFAULT_MODE = LOCAL
FIRST_PAUSE_S = 1.0  # after the first wrong password; doubled after each further one
LONGEST_PAUSE_S = 30.0
WHAT = "import, rename or delete datasets"


class EditingError(ValueError):
    """A setting of the editing policy that is not one Panj knows."""


def parse_mode(text: str) -> str:
    """The mode ``text`` names (``local``, ``password``, ``off``; case and surrounding blanks
    ignored); EditingError otherwise."""
    mode = text.strip().lower()
    if mode not in MODES:
        raise EditingError(f"{ENV_MODE}={text!r} is not one of {', '.join(MODES)}")
    return mode


def is_local_address(address: str | None) -> bool:
    """True when a browser connecting from ``address`` sits on the server's own machine: a
    loopback address, also written IPv4-mapped in IPv6. None, text that is no IP address, and the
    machine's own non-loopback addresses are not local (see the module's docstring)."""
    if address is None:
        return False
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback


def environment_mode(environ: Mapping[str, str]) -> str:
    """The mode ``environ`` sets (unset or blank: the default); EditingError for an unknown one."""
    text = environ.get(ENV_MODE, "")
    return parse_mode(text) if text.strip() else DEFAULT_MODE


@dataclass(frozen=True)
class EditingPolicy:
    """The server's editing mode, its password, and why nobody may edit when the setting is wrong."""

    mode: str
    password: bytes | None = field(default=None, repr=False)
    problem: str | None = None  # set when a bad setting leaves the page read-only

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> EditingPolicy:
        """The policy ``environ`` sets. Never raises: a bad setting gives a read-only policy whose
        ``problem`` says what is wrong, for the page to show and the server to log."""
        try:
            mode = environment_mode(environ)
        except EditingError as error:
            return cls(OFF, problem=f"{error}: nobody may {WHAT} until it is fixed.")
        password = environ.get(ENV_PASSWORD, "")
        if mode == PASSWORD and not password:
            return cls(PASSWORD, problem=f"{ENV_MODE}=password but {ENV_PASSWORD} is not set: "
                                         f"nobody may {WHAT} until it is.")
        return cls(mode, password.encode() if mode == PASSWORD else None)

    def may_edit(self, client_address: str | None, unlocked: bool) -> bool:
        """Whether a session may change datasets now: its browser's address as the server sees it
        (None when unknown) and whether its reader unlocked editing with the password."""
        if self.problem is not None:
            return False
        if self.mode == LOCAL:
            return is_local_address(client_address)
        if self.mode == PASSWORD:
            return unlocked
        return False

    @property
    def needs_password(self) -> bool:
        """Whether the page should offer a password box (a password mode that has its password)."""
        return self.mode == PASSWORD and self.problem is None

    def who_may_edit(self) -> str:
        """One sentence for the page: who may change datasets here, and how."""
        if self.problem is not None:
            return self.problem
        if self.mode == LOCAL:
            return (f"Only a browser on the server's own machine (at http://localhost) may {WHAT} here; "
                    "others see them read-only.")
        if self.mode == PASSWORD:
            return f"To {WHAT}, unlock editing with the editor password."
        return f"Editing is off on this server ({ENV_MODE}=off): the datasets are read-only here."

    def check_password(self, typed: str) -> bool:
        """Whether ``typed`` is the password, compared in constant time (False when none is set)."""
        return self.password is not None and hmac.compare_digest(typed.encode(), self.password)


# The outcomes of PasswordGate.attempt.
UNLOCKED, WRONG, TOO_SOON, NO_PASSWORD = "unlocked", "wrong", "too soon", "no password"


@dataclass(frozen=True)
class Attempt:
    """What one password attempt did: ``outcome`` and, unless unlocked, the seconds before the
    next attempt is heard (0 when it may be made at once)."""

    outcome: str
    wait_s: float = 0.0


@dataclass
class PasswordGate:
    """One session's password attempts and whether it is unlocked. After the n-th wrong attempt
    in a row the next is refused unheard for min(FIRST_PAUSE_S * 2**(n-1), LONGEST_PAUSE_S)
    seconds; a refused attempt neither counts nor lengthens the pause. Times come from the caller's
    clock (seconds, monotonic), so the gate is tested with a clock of the test's own."""

    failures: int = 0
    heard_from: float = float("-inf")  # clock time from which the next attempt is heard
    unlocked: bool = False

    def attempt(self, policy: EditingPolicy, typed: str, now: float) -> Attempt:
        if not policy.needs_password:
            return Attempt(NO_PASSWORD)
        if now < self.heard_from:
            return Attempt(TOO_SOON, self.heard_from - now)
        if policy.check_password(typed):
            self.failures, self.heard_from, self.unlocked = 0, float("-inf"), True
            return Attempt(UNLOCKED)
        self.failures += 1
        pause = min(FIRST_PAUSE_S * 2.0 ** min(self.failures - 1, 32), LONGEST_PAUSE_S)  # no float overflow
        self.heard_from = now + pause
        return Attempt(WRONG, pause)


MAX_ADDRESSES = 4096  # client addresses whose pauses are remembered; the least recently heard go first


class PasswordGates:
    """The password pauses of every client address, shared by all the sessions of a page process:
    a new tab or a reload is a new session, and must not start a guesser afresh. Each address has
    its own ``PasswordGate`` (behind a proxy that hides readers' addresses, they all share one);
    unlocking stays the session's own. Bounded: past ``max_addresses`` the least recently heard
    address is forgotten. Safe to share between threads."""

    def __init__(self, max_addresses: int = MAX_ADDRESSES):
        self._max_addresses = max_addresses
        self._gates: OrderedDict[str, PasswordGate] = OrderedDict()
        self._lock = threading.Lock()

    def attempt(self, policy: EditingPolicy, address: str | None, typed: str, now: float) -> Attempt:
        """``PasswordGate.attempt`` for the address ``address`` (None: the unknown addresses' one)."""
        key = address or ""
        with self._lock:
            gate = self._gates.pop(key, None) or PasswordGate()
            result = gate.attempt(policy, typed, now)
            if result.outcome != UNLOCKED:  # a right password leaves nothing to remember
                self._gates[key] = gate
            while len(self._gates) > self._max_addresses:
                self._gates.popitem(last=False)
            return result
