"""The users table: what the ``expapi users`` commands and the password backend read and write."""

from __future__ import annotations

from sqlalchemy import event, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from expapi.auth.users_changed import users_changed
from expapi.models import User
from expapi.models.user import USERNAME_LENGTH


class UserError(Exception):
    """A user operation that cannot be done; the message says why in one line."""


class UserExists(UserError):
    def __init__(self, username: str) -> None:
        super().__init__(f"user {username!r} already exists")


class UserNotFound(UserError):
    def __init__(self, username: str) -> None:
        super().__init__(f"user {username!r} does not exist")


class BadUsername(UserError):
    """A name that could never be sent in a Basic header, or does not fit the table."""


def check_username(username: str) -> None:
    """Raise BadUsername for a name no client could log in with."""
    if not username or username != username.strip():
        raise BadUsername("the username is empty or starts or ends with white space")
    if ":" in username:
        raise BadUsername("the username contains ':', which HTTP Basic cannot carry")
    if len(username) > USERNAME_LENGTH:
        raise BadUsername(f"the username is longer than {USERNAME_LENGTH} characters")


def password_hash_of(session: Session, username: str) -> str | None:
    """The stored hash of ``username``'s password, or None for an unknown user."""
    return session.scalar(select(User.password_hash).where(User.username == username))


def create_user(session: Session, username: str, password_hash: str) -> User:
    """Add a user; raises UserExists when the name is taken."""
    check_username(username)
    if password_hash_of(session, username) is not None:
        raise UserExists(username)
    user = User(username=username, password_hash=password_hash)
    session.add(user)
    try:
        session.flush()
    except IntegrityError:  # created by someone else since the check above
        raise UserExists(username) from None
    return user


def _note_change(session: Session) -> None:
    # Now and once committed: a worker that re-confirmed the old row in between forgets it too.
    users_changed()
    event.listen(session, "after_commit", lambda _session: users_changed(), once=True)


def set_password_hash(session: Session, username: str, password_hash: str) -> None:
    """Replace a user's password hash; raises UserNotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserNotFound(username)
    user.password_hash = password_hash
    _note_change(session)


def delete_user(session: Session, username: str) -> None:
    """Remove a user; raises UserNotFound."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise UserNotFound(username)
    session.delete(user)
    _note_change(session)


def list_users(session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.username)))
