"""``expapi users``: the accounts of the password backend."""

from __future__ import annotations

import argparse
import getpass
import sys

from expapi.auth import password_hashing
from expapi.auth.users import UserError, create_user, delete_user, list_users, set_password_hash
from expapi.auth.users_changed import use_home
from expapi.cli.common import CommandError, setup
from expapi.cli.preparation import open_database, refuse_in_gateway_mode
from expapi.cli.output import add_output_option, render


def register(commands) -> None:
    users = commands.add_parser(
        "users",
        help="manage the users of the password backend",
        description="Manage the users that [api] auth_backend = password accepts (HTTP Basic).",
    )
    actions = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)

    create = actions.add_parser(
        "create",
        help="add a user",
        description="Add a user. Without --password or --password-stdin, the password is asked for twice.",
    )
    _add_username(create)
    _add_password_source(create)
    create.set_defaults(run=run_create)

    set_password = actions.add_parser(
        "set-password",
        help="change a user's password",
        description="Change a user's password. Without --password or --password-stdin, it is asked for twice.",
    )
    _add_username(set_password)
    _add_password_source(set_password)
    set_password.set_defaults(run=run_set_password)

    delete = actions.add_parser("delete", help="remove a user", description="Remove a user.")
    _add_username(delete)
    delete.set_defaults(run=run_delete)

    listing = actions.add_parser("list", help="list the users", description="List the users, by name.")
    add_output_option(listing)
    listing.set_defaults(run=run_list)


def _add_username(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--username", required=True, help="the user's name (what the client sends before the ':')")


def _add_password_source(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--password", help="the password (beware: visible to other local users and kept in shell history)"
    )
    source.add_argument("--password-stdin", action="store_true", help="read the password from the first line of standard input")


def read_password(args: argparse.Namespace) -> str:
    """The new password from --password, standard input or two prompts; never echoed."""
    if args.password is not None:
        password = args.password
    elif args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        try:
            password = getpass.getpass("Password: ")
            repeated = getpass.getpass("Repeat the password: ")
        except EOFError:
            raise CommandError("no password given: use --password-stdin when there is no terminal") from None
        if repeated != password:
            raise CommandError("the two passwords differ")
    try:
        password_hashing.check_usable(password)
    except password_hashing.UnusablePassword as exc:
        raise CommandError(str(exc)) from None
    return password


def _in_transaction(work) -> object:
    """Run ``work(session)`` in one transaction on the configured database; user errors exit 1."""
    config = setup()
    use_home(config.home)  # where a running server looks for the signal that users changed
    refuse_in_gateway_mode(config, "expapi users", "users are Airflow's own (set [gateway] auth = passthrough)")
    database = open_database(config)
    try:
        with database.transaction() as session:
            return work(session)
    except UserError as exc:
        raise CommandError(str(exc)) from None
    finally:
        database.dispose()


def run_create(args: argparse.Namespace) -> int:
    password = read_password(args)
    _in_transaction(lambda session: create_user(session, args.username, password_hashing.hash_password(password)))
    print(f"Created user {args.username}")
    return 0


def run_set_password(args: argparse.Namespace) -> int:
    password = read_password(args)
    _in_transaction(lambda session: set_password_hash(session, args.username, password_hashing.hash_password(password)))
    print(f"Changed the password of user {args.username}")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    _in_transaction(lambda session: delete_user(session, args.username))
    print(f"Deleted user {args.username}")
    return 0


def run_list(args: argparse.Namespace) -> int:
    rows = _in_transaction(
        lambda session: [
            {"username": user.username, "created_at": user.created_at.isoformat()} for user in list_users(session)
        ]
    )
    print(render(rows, args.output, ("username", "created_at")))
    return 0
