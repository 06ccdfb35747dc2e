"""Log-in throttling: slow down password guessing without ever locking the owner out.

Every checked log-in is a LoginAttempt row (the e-mail as typed, the client address, the outcome), so every
app process counts the same attempts. A try that comes too soon is refused (429, saying how long to wait)
before the password is looked at, and is not recorded: asking again never makes the wait longer.
Three rules, each a short wait after a last failure, none a lock on the account:

1. One address against one e-mail. `login_attempts_per_window` failures are free (people mistype); then that
   address waits `login_backoff_seconds` before its next try, twice as long after each further failure, at
   most the window. A success from the address starts its count over. Only that address waits: the owner
   (the administrator too) logs in from anywhere else as usual.
2. One address against many e-mails (spraying). Once an address has failed on `login_address_emails`
   different e-mails within the window, all its tries wait, doubling up to `login_address_max_wait_seconds`.
   A shared office or community centre where several people mistype once never gets there, and even a
   sprayer among them costs the others a minute at most. Known and unknown e-mails count alike, so that the
   limiter does not tell which e-mails have accounts.
3. One e-mail from many addresses (a distributed attack, where rule 1 allows each address a few tries).
   Past `login_account_attack_failures` failures on an e-mail within the window (more than one address can
   make under rule 1), every try at it, from a new address too, waits `login_account_wait_seconds` after its
   last failure. Seconds, not minutes, because the owner must still get in: told to wait five seconds, they
   try again and their password is checked. The attack is held to one guess per wait (about 180 in a
   window) however many addresses it has. Said plainly, the cost: an attacker firing at the end of every
   wait can win the race to the next check, so the owner may have to try a few times; that is still never
   the 15-minute lock-out this replaces, and a long password is what defeats such an attack in the end.

Tries from one address, and tries at one e-mail, are checked one at a time (an advisory lock on PostgreSQL,
the write lock on SQLite, held until the request's transaction ends), so that a burst of parallel requests
is counted one by one instead of all being let through before any failure is recorded.
"""

from __future__ import annotations

import hashlib
import ipaddress
import math
from datetime import datetime, timedelta
from itertools import takewhile

from sqlalchemy import delete, distinct, func, text
from sqlmodel import Session, col, select

from market.accounts.models import LoginAttempt
from market.config import Settings
from market.db import utcnow
from market.errors import TooManyAttempts

MAX_EMAIL = 254  # LoginAttempt.email; a longer "e-mail" can have no account
MAX_ADDRESS = 64  # LoginAttempt.ip
MAX_DOUBLINGS = 32  # 30 s doubled 32 times is past any window


def address_key(ip: str) -> str:
    """The address a client's attempts count under: an IPv4 address, or an IPv6 client's /64 network (one
    subscriber's line gets a whole /64: counted one by one, its addresses would be endless fresh ones)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip[:MAX_ADDRESS]  # "unknown", or a socket path: count it as it is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


def email_key(email: str) -> str:
    return email.strip().lower()[:MAX_EMAIL]


def _lock_key(kind: str, value: str) -> int:
    digest = hashlib.blake2b(f"login-{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, signed=True)


def _one_at_a_time(session: Session, email: str, ip: str) -> None:
    """Hold, until the transaction ends, the locks that make concurrent tries from this address or at this
    e-mail wait for this one to be recorded. Always the address first, then the e-mail: no deadlock."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        for key in (_lock_key("address", ip), _lock_key("email", email)):
            connection.execute(text("SELECT pg_advisory_xact_lock(CAST(:key AS bigint))"), {"key": key})
    elif connection.dialect.name == "sqlite":
        # Python's sqlite3 begins a transaction only at the first write, after the counting: begin it now,
        # taking SQLite's single write lock (db.py does the same before a savepoint).
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")


def _backoff(settings: Settings, over: int, cap: int) -> float:
    """The wait after a failure `over` failures past the free ones: the base, doubled each time, capped."""
    return float(min(settings.login_backoff_seconds * 2 ** min(over, MAX_DOUBLINGS), cap))


def seconds_to_wait(session: Session, settings: Settings, email: str, ip: str, now: datetime) -> float:
    """How long the address `ip` must still wait before a try at `email` is checked (0: go ahead)."""
    since = now - timedelta(seconds=settings.login_window_seconds)
    ready_at = [now]
    window = settings.login_window_seconds

    # 1. this address, this e-mail: the failures since its last success, newest first (past the free ones
    # and a few doublings the wait is at its cap, so more rows would change nothing)
    pair = session.exec(
        select(LoginAttempt.created_at, LoginAttempt.succeeded)
        .where(LoginAttempt.email == email, LoginAttempt.ip == ip, LoginAttempt.created_at >= since)
        .order_by(col(LoginAttempt.created_at).desc())
        .limit(settings.login_attempts_per_window + MAX_DOUBLINGS)
    ).all()
    failures = [created_at for created_at, succeeded in takewhile(lambda row: not row[1], pair)]
    over = len(failures) - settings.login_attempts_per_window
    if over >= 0:
        ready_at.append(failures[0] + timedelta(seconds=_backoff(settings, over, window)))

    failed = col(LoginAttempt.succeeded).is_(False)
    recent = LoginAttempt.created_at >= since
    # 2. this address, every e-mail: how many different e-mails it failed on
    emails, last = session.exec(
        select(func.count(distinct(col(LoginAttempt.email))), func.max(LoginAttempt.created_at)).where(
            LoginAttempt.ip == ip, recent, failed
        )
    ).one()
    over = emails - settings.login_address_emails
    if over >= 0 and last is not None:
        cap = min(settings.login_address_max_wait_seconds, window)
        ready_at.append(last + timedelta(seconds=_backoff(settings, over, cap)))

    # 3. this e-mail, every address: under attack, one check per short wait
    count, last = session.exec(
        select(func.count(), func.max(LoginAttempt.created_at)).where(
            LoginAttempt.email == email, recent, failed
        )
    ).one()
    if count >= settings.login_account_attack_failures and last is not None:
        ready_at.append(last + timedelta(seconds=settings.login_account_wait_seconds))

    return (max(ready_at) - now).total_seconds()


def check_login_allowed(session: Session, settings: Settings, email: str, ip: str) -> None:
    """Raise TooManyAttempts (with the seconds to wait) when this try comes too soon; otherwise hold the
    locks until the transaction ends, so the attempt recorded next is counted by the tries after it."""
    email, ip = email_key(email), address_key(ip)
    _one_at_a_time(session, email, ip)
    wait = seconds_to_wait(session, settings, email, ip, utcnow())
    if wait > 0:
        raise TooManyAttempts(retry_after=math.ceil(wait))


def record_attempt(session: Session, email: str, ip: str, succeeded: bool) -> None:
    session.add(LoginAttempt(email=email_key(email), ip=address_key(ip), succeeded=succeeded))


def prune_login_attempts(session: Session, settings: Settings) -> int:
    """Attempts older than the window count for nothing (no wait is longer): delete them (the worker does,
    hourly)."""
    cutoff = utcnow() - timedelta(seconds=settings.login_window_seconds)
    result = session.execute(delete(LoginAttempt).where(col(LoginAttempt.created_at) < cutoff))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
