"""E-mail benchmark: how fast the worker renders and delivers messages over SMTP, with one and two workers.

    .venv/bin/python bench/mail.py [--messages 2000]

Needs the local PostgreSQL (`postgres@127.0.0.1:5432`, trust auth). It creates the database
`bench_mail_<pid>`, migrates it, makes one person per 20 messages, starts a real SMTP server (aiosmtpd)
on a free loopback port, and queues order confirmations (the largest message: lines of two producers and
the payment instructions). Then `market.mail.delivery.deliver_due` drains the queue, first in one thread,
then (a second batch) in two threads at once, as two workers would. Prints progress to stderr and, as the
last stdout line, one JSON object of figures.

| figure | what |
|---|---|
| `render_p50_ms`, `render_p95_ms` | `market.mail.render.render` of one order confirmation, both parts |
| `one_worker_msgs_per_s` | messages delivered per second by one worker (render + SMTP + the row's update) |
| `two_workers_msgs_per_s` | the same with two workers sharing the queue |
| `duplicates` | messages the SMTP server received more than once (must be 0) |
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.common import free_port, fresh_database, log, percentile, run_and_report  # noqa: E402


def run(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    from aiosmtpd.controller import Controller
    from sqlmodel import Session

    from market.accounts import service as accounts
    from market.accounts.schemas import Registration
    from market.config import Settings
    from market.db import make_engine
    from market.mail import kinds
    from market.mail.delivery import deliver_due
    from market.mail.models import Email
    from market.mail.queue import send
    from market.mail.render import render
    from market.migrate import upgrade
    from tests.mail.examples_orders import EXAMPLES

    received: list[str] = []

    class Catcher:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            content = envelope.original_content or envelope.content
            received.append(
                next(line for line in content.splitlines() if line.lower().startswith(b"message-id"))
            )
            return "250 OK"

    port = free_port()
    smtp = Controller(Catcher(), hostname="127.0.0.1", port=port)
    smtp.start()
    try:
        with fresh_database(f"bench_mail_{os.getpid()}") as url:
            upgrade(url)
            engine = make_engine(url)
            settings = Settings(
                database_url=url, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", _env_file=None
            )
            with Session(engine) as session:
                people = [
                    accounts.register(
                        session,
                        Registration(
                            name=f"Persona {n}", email=f"p{n}@bench.mx", password="contraseña-larga-1"
                        ),
                        confirmed=True,
                    )
                    for n in range(max(1, args.messages // 20))
                ]
                session.commit()
                sample = Email(
                    message_id="<x@y>",
                    kind="order_placed",
                    to_address="a@b.mx",
                    user_id=1,
                    context=EXAMPLES["order_placed"] | {"name": "Ana"},
                )
                timings = []
                for _ in range(200):
                    started = time.perf_counter()
                    render(sample, settings)
                    timings.append((time.perf_counter() - started) * 1000)

                def queue(n: int) -> None:
                    for i in range(n):
                        send(session, kinds.ORDER_PLACED, people[i % len(people)], **EXAMPLES["order_placed"])
                    session.commit()

                def drain() -> None:
                    while deliver_due(engine, settings):
                        pass

                figures: dict[str, Any] = {
                    "messages": args.messages,
                    "render_p50_ms": round(percentile(timings, 50), 2),
                    "render_p95_ms": round(percentile(timings, 95), 2),
                }
                for workers in (1, 2):
                    queue(args.messages)
                    log(f"{args.messages} messages queued; delivering with {workers} worker(s)")
                    started = time.perf_counter()
                    threads = [threading.Thread(target=drain) for _ in range(workers)]
                    for thread in threads:
                        thread.start()
                    for thread in threads:
                        thread.join()
                    elapsed = time.perf_counter() - started
                    key = "one_worker" if workers == 1 else "two_workers"
                    figures[f"{key}_msgs_per_s"] = round(args.messages / elapsed, 1)
                figures["duplicates"] = len(received) - len(set(received))
                figures["received"] = len(received)
            engine.dispose()
            return figures
    finally:
        smtp.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    return run_and_report(lambda workdir: run(args, workdir), "bench-mail-")


if __name__ == "__main__":
    raise SystemExit(main())
