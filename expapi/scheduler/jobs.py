"""The scheduler's ``job`` row: its id for task instances, its heartbeat, and SQLite's one-at-a-time rule."""

from __future__ import annotations

import getpass
import os
import socket
from datetime import datetime, timedelta

from sqlalchemy import select, text, update

from expapi.db import Database
from expapi.models import Job

JOB_TYPE = "SchedulerJob"
RUNNING = "running"


class AnotherSchedulerRunning(Exception):
    """SQLite has no row locks to share work with: a second scheduler must not start."""


def _unixname() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def _alive_here(job: Job) -> bool:
    """False when the job's process is known to be gone (same host, no such pid)."""
    if job.hostname != socket.getfqdn():
        return True
    try:
        os.kill(job.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_job(database: Database, now: datetime, health_threshold: float) -> Job:
    """Record this scheduler; on SQLite, refuse while another live one is recorded.

    On SQLite the check and the insert share one immediate (write-locked) transaction, so
    two schedulers starting together cannot both pass it.
    """
    sqlite = database.engine.dialect.name == "sqlite"
    with database.transaction() as session:
        if sqlite:
            session.execute(text("SELECT 1"))  # opens the transaction; the UPDATE below takes the write lock
            session.execute(update(Job).where(Job.id == -1).values(state=RUNNING))
            alive_after = now - timedelta(seconds=health_threshold)
            for other in session.scalars(select(Job).where(Job.job_type == JOB_TYPE, Job.state == RUNNING)):
                if other.latest_heartbeat >= alive_after and _alive_here(other):
                    raise AnotherSchedulerRunning(
                        f"another scheduler is running on this SQLite database (job {other.id}, pid {other.pid} on "
                        f"{other.hostname}, last heartbeat {other.latest_heartbeat.isoformat()}); SQLite allows one "
                        "scheduler: stop it, or use PostgreSQL or MySQL to run several"
                    )
                other.state = "failed"  # its process is gone: Airflow marks such jobs failed
                other.end_date = now
        job = Job(
            job_type=JOB_TYPE, state=RUNNING, hostname=socket.getfqdn(), unixname=_unixname(), pid=os.getpid(),
            start_date=now, latest_heartbeat=now,
        )
        session.add(job)
        session.flush()
        session.expunge(job)
    return job


def heartbeat(database: Database, job_id: int, now: datetime) -> None:
    with database.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(latest_heartbeat=now))


def end_job(database: Database, job_id: int, now: datetime) -> None:
    with database.transaction() as session:
        session.execute(update(Job).where(Job.id == job_id).values(state="success", end_date=now, latest_heartbeat=now))
