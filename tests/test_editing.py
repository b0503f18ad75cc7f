"""Who may change datasets (geo.editing): the policy each environment sets, which sessions may edit
under it, and how password attempts are paced."""

from __future__ import annotations

import pytest

from geo.editing import (
    NO_PASSWORD,
    TOO_SOON,
    UNLOCKED,
    WRONG,
    Attempt,
    EditingError,
    EditingPolicy,
    PasswordGate,
    PasswordGates,
    is_local_address,
    parse_mode,
)


@pytest.mark.parametrize(("address", "local"), [
    ("127.0.0.1", True),
    ("127.8.9.10", True),  # all of 127.0.0.0/8 is loopback
    ("::1", True),
    ("::ffff:127.0.0.1", True),  # loopback written IPv4-mapped, as a dual-stack socket reports it
    ("0:0:0:0:0:0:0:1", True),
    (" 127.0.0.1 ", True),
    ("192.168.1.20", False),  # a LAN address, even were it this machine's own
    ("10.0.0.5", False),
    ("172.17.0.1", False),  # Docker's bridge gateway: what every forwarded reader arrives from
    ("::ffff:192.168.1.20", False),
    ("fe80::1%eth0", False),
    ("203.0.113.7", False),
    ("128.0.0.1", False),
    ("localhost", False),  # a name, not an address
    ("", False),
    (None, False),  # unknown: never local
])
def test_local_addresses(address, local) -> None:
    assert is_local_address(address) is local


@pytest.mark.parametrize(("environ", "mode", "problem", "password_box"), [
    ({}, "local", None, False),
    ({"PANJ_EDITING": ""}, "local", None, False),
    ({"PANJ_EDITING": "local"}, "local", None, False),
    ({"PANJ_EDITING": " Password ", "PANJ_EDITOR_PASSWORD": "s3cret"}, "password", None, True),
    ({"PANJ_EDITING": "off", "PANJ_EDITOR_PASSWORD": "s3cret"}, "off", None, False),
    ({"PANJ_EDITING": "password"}, "password",
     ("PANJ_EDITING=password but PANJ_EDITOR_PASSWORD is not set: nobody may import, rename or delete datasets "
      "until it is."), False),
    ({"PANJ_EDITING": "password", "PANJ_EDITOR_PASSWORD": ""}, "password",
     ("PANJ_EDITING=password but PANJ_EDITOR_PASSWORD is not set: nobody may import, rename or delete datasets "
      "until it is."), False),
    ({"PANJ_EDITING": "anyone"}, "off",
     ("PANJ_EDITING='anyone' is not one of local, password, off: nobody may import, rename or delete datasets "
      "until it is fixed."), False),
])
def test_policy_from_the_environment(environ, mode, problem, password_box) -> None:
    policy = EditingPolicy.from_environment(environ)
    assert (policy.mode, policy.problem, policy.needs_password) == (mode, problem, password_box)
    if problem is not None:
        assert policy.who_may_edit() == problem  # the page says what is wrong


def test_the_password_never_shows_in_the_policys_text() -> None:
    policy = EditingPolicy.from_environment({"PANJ_EDITING": "password", "PANJ_EDITOR_PASSWORD": "s3cret"})
    assert "s3cret" not in repr(policy) and "s3cret" not in policy.who_may_edit()


LOCAL = {"PANJ_EDITING": "local"}
PASSWORD = {"PANJ_EDITING": "password", "PANJ_EDITOR_PASSWORD": "s3cret"}
NO_PASSWORD_SET = {"PANJ_EDITING": "password"}
OFF = {"PANJ_EDITING": "off"}
UNKNOWN = {"PANJ_EDITING": "everyone"}


@pytest.mark.parametrize(("environ", "address", "unlocked", "may"), [
    (LOCAL, "127.0.0.1", False, True),
    (LOCAL, "::1", False, True),
    (LOCAL, "192.168.1.20", False, False),
    (LOCAL, "192.168.1.20", True, False),  # an unlock means nothing in local mode
    (LOCAL, None, False, False),
    (PASSWORD, "127.0.0.1", False, False),  # the server's own machine needs the password too
    (PASSWORD, "192.168.1.20", True, True),
    (PASSWORD, None, True, True),
    (NO_PASSWORD_SET, "127.0.0.1", True, False),
    (OFF, "127.0.0.1", True, False),
    (UNKNOWN, "127.0.0.1", True, False),
])
def test_who_may_edit(environ, address, unlocked, may) -> None:
    assert EditingPolicy.from_environment(environ).may_edit(address, unlocked) is may


@pytest.mark.parametrize(("text", "mode"), [("local", "local"), ("PASSWORD", "password"), (" off\n", "off")])
def test_modes_by_name(text, mode) -> None:
    assert parse_mode(text) == mode


@pytest.mark.parametrize("text", ["", "on", "local,password", "none"])
def test_unknown_modes_are_refused_by_name(text) -> None:
    with pytest.raises(EditingError, match=f"PANJ_EDITING={text!r} is not one of local, password, off"):
        parse_mode(text)


# Each step: (clock time in s, what was typed, the attempt expected, unlocked after it).
PACED = [
    (0.0, "guess1", Attempt(WRONG, 1.0), False),
    (0.5, "s3cret", Attempt(TOO_SOON, 0.5), False),  # refused unheard, even the right password
    (1.0, "guess2", Attempt(WRONG, 2.0), False),
    (2.5, "guess3", Attempt(TOO_SOON, 0.5), False),  # a refused attempt does not lengthen the pause
    (3.0, "guess3", Attempt(WRONG, 4.0), False),
    (7.0, "guess4", Attempt(WRONG, 8.0), False),
    (15.0, "guess5", Attempt(WRONG, 16.0), False),
    (31.0, "guess6", Attempt(WRONG, 30.0), False),  # capped
    (61.0, "guess7", Attempt(WRONG, 30.0), False),
    (91.0, "S3CRET", Attempt(WRONG, 30.0), False),  # case counts
    (121.0, "s3cret", Attempt(UNLOCKED), True),
]


def test_wrong_passwords_make_the_next_attempt_wait_longer() -> None:
    policy, gate = EditingPolicy.from_environment(PASSWORD), PasswordGate()
    for now, typed, expected, unlocked in PACED:
        assert (gate.attempt(policy, typed, now), gate.unlocked) == (expected, unlocked), (now, typed)


def test_an_unlock_forgets_the_failures() -> None:
    policy, gate = EditingPolicy.from_environment(PASSWORD), PasswordGate()
    for now, typed in [(0.0, "x"), (1.0, "y"), (3.0, "s3cret")]:
        gate.attempt(policy, typed, now)
    assert (gate.failures, gate.unlocked) == (0, True)
    gate.unlocked = False  # the same session, locked again: its next wrong guess pauses 1 s, not 4 s
    assert gate.attempt(policy, "z", 3.5) == Attempt(WRONG, 1.0)


def test_many_failures_stay_capped() -> None:
    policy, gate = EditingPolicy.from_environment(PASSWORD), PasswordGate(failures=5000)
    assert gate.attempt(policy, "x", 0.0) == Attempt(WRONG, 30.0)


@pytest.mark.parametrize("environ", [NO_PASSWORD_SET, LOCAL, OFF, UNKNOWN])
def test_no_attempt_unlocks_without_a_password_mode(environ) -> None:
    gate = PasswordGate()
    assert gate.attempt(EditingPolicy.from_environment(environ), "", 0.0) == Attempt(NO_PASSWORD)
    assert not gate.unlocked


def test_pauses_are_kept_per_address_and_forgotten_past_the_bound() -> None:
    policy, gates = EditingPolicy.from_environment(PASSWORD), PasswordGates(max_addresses=2)
    assert gates.attempt(policy, "198.51.100.1", "guess", now=0.0) == Attempt(WRONG, 1.0)
    assert gates.attempt(policy, "198.51.100.1", "s3cret", now=0.5) == Attempt(TOO_SOON, 0.5)  # a new tab too
    assert gates.attempt(policy, "198.51.100.2", "s3cret", now=0.5) == Attempt(UNLOCKED)  # another reader
    assert gates.attempt(policy, None, "guess", now=0.5) == Attempt(WRONG, 1.0)  # unknown addresses share one
    assert gates.attempt(policy, "198.51.100.3", "guess", now=0.5) == Attempt(WRONG, 1.0)
    # Two addresses remembered at most: the first, least recently heard, is forgotten.
    assert gates.attempt(policy, "198.51.100.1", "s3cret", now=0.6) == Attempt(UNLOCKED)
