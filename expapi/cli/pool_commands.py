"""``expapi pools list|get|set|delete|import|export`` and Airflow 1.10's ``expapi pool``."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from expapi.cli.api_commands import api_command
from expapi.cli.common import CommandError
from expapi.cli.output import add_output_option, render
from expapi.client import Client, ClientError

def register(commands) -> None:
    pools = commands.add_parser("pools", help="manage pools", description="Manage pools.")
    actions = pools.add_subparsers(dest="pools_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list pools", description="List every pool.")
    add_output_option(listing)
    listing.set_defaults(run=api_command(lambda client, args: show(client.list_pools(), args)))

    get = actions.add_parser("get", help="show a pool", description="Show one pool.")
    get.add_argument("name", metavar="NAME")
    add_output_option(get)
    get.set_defaults(run=api_command(lambda client, args: show(_known_pool(client.get_pool, args), args)))

    set_ = actions.add_parser("set", help="create or update a pool", description="Create the pool, or update it if it exists.")
    set_.add_argument("name", metavar="NAME")
    set_.add_argument("slots", metavar="SLOTS", type=int)
    set_.add_argument("description", metavar="DESCRIPTION")
    add_output_option(set_)
    set_.set_defaults(run=api_command(run_set))

    delete = actions.add_parser("delete", help="delete a pool", description="Delete a pool (not default_pool).")
    delete.add_argument("name", metavar="NAME")
    add_output_option(delete)
    delete.set_defaults(run=api_command(run_delete))

    imports = actions.add_parser(
        "import", help="create or update pools from a file",
        description='Read pools from a JSON file of the form {"name": {"slots": 1, "description": "..."}}.',
    )
    imports.add_argument("file", metavar="FILE", type=Path)
    imports.set_defaults(run=api_command(run_import))

    exports = actions.add_parser(
        "export", help="write every pool to a file", description="Write every pool to a JSON file that 'pools import' reads."
    )
    exports.add_argument("file", metavar="FILE", type=Path)
    exports.set_defaults(run=api_command(run_export))


def register_legacy(commands) -> None:
    """Airflow 1.10's ``pool`` command: one option per action, listing by default."""
    pool = commands.add_parser(
        "pool", help="manage pools (Airflow 1.10 style)",
        description="Manage pools with Airflow 1.10's options; with no option, list the pools.",
    )
    action = pool.add_mutually_exclusive_group()
    action.add_argument("-s", "--set", nargs=3, metavar=("NAME", "SLOT_COUNT", "POOL_DESCRIPTION"), help="create or update a pool")
    action.add_argument("-g", "--get", metavar="NAME", help="show a pool")
    action.add_argument("-x", "--delete", metavar="NAME", help="delete a pool")
    action.add_argument("-i", "--import", dest="import_file", metavar="FILEPATH", type=Path, help="import pools from a JSON file")
    action.add_argument("-e", "--export", dest="export_file", metavar="FILEPATH", type=Path, help="export pools to a JSON file")
    action.add_argument("-l", "--list", action="store_true", help="list pools (the default)")
    add_output_option(pool)
    pool.set_defaults(run=api_command(run_legacy_pool))


def show(data: Any, args: argparse.Namespace) -> None:
    print(render(data, args.output, args.cli.pool_columns))


def _known_pool(operation, args: argparse.Namespace) -> Any:
    # Airflow 2's CLI says "Pool <name> does not exist" for an unknown pool; 1.10 relayed the server.
    try:
        return operation(args.name)
    except ClientError as exc:
        if exc.status == 404 and args.cli.pool_missing_line is not None:
            raise CommandError(args.cli.pool_missing_line.format(name=args.name)) from None
        raise


def _show_or_say(data: Any, line: str | None, args: argparse.Namespace) -> None:
    # Airflow 2 prints one line after a change (unless asked for json/yaml); 1.10 printed the pool.
    if line is not None and args.output in ("table", "plain"):
        print(line.format(name=args.name))
    else:
        show(data, args)


def run_set(client: Client, args: argparse.Namespace) -> None:
    _show_or_say(client.create_pool(args.name, args.slots, args.description), args.cli.pool_set_line, args)


def run_delete(client: Client, args: argparse.Namespace) -> None:
    _show_or_say(_known_pool(client.delete_pool, args), args.cli.pool_deleted_line, args)


def run_legacy_pool(client: Client, args: argparse.Namespace) -> None:
    if args.set:
        name, slots, description = args.set
        show(client.create_pool(name, slots, description), args)
    elif args.get:
        show(client.get_pool(args.get), args)
    elif args.delete:
        show(client.delete_pool(args.delete), args)
    elif args.import_file:
        args.file = args.import_file
        run_import(client, args)
    elif args.export_file:
        args.file = args.export_file
        run_export(client, args)
    else:
        show(client.list_pools(), args)


def run_import(client: Client, args: argparse.Namespace) -> None:
    """Create or update each pool of the file; report the entries that could not be applied."""
    pools = read_pools_file(args.file)
    failed = []
    for name, entry in pools.items():
        if not isinstance(entry, dict) or set(entry) != {"slots", "description"}:
            failed.append(f"{name} (needs exactly 'slots' and 'description')")
            continue
        try:
            client.create_pool(name, entry["slots"], entry["description"])
        except ClientError as exc:
            if exc.status is None:
                raise
            failed.append(f"{name} ({exc.message})")
    print(f"Uploaded {len(pools) - len(failed)} of {len(pools)} pool(s)")
    if failed:
        raise CommandError(f"Failed to update pool(s): {', '.join(failed)}")


def read_pools_file(path: Path) -> dict[str, Any]:
    """The pools of an import file, or a clear error."""
    try:
        pools = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CommandError(f"Missing pools file {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CommandError(f"Cannot read pools file {path}: {exc}") from None
    except ValueError as exc:
        raise CommandError(f"Invalid json file {path}: {exc}") from None
    if not isinstance(pools, dict):
        raise CommandError(f"Invalid pools file {path}: expected an object of pools by name")
    return pools


def run_export(client: Client, args: argparse.Namespace) -> None:
    """Write every pool in Airflow's file format, sorted, indented by four."""
    pools = {p["pool"]: {"description": p["description"], "slots": p["slots"]} for p in client.list_pools()}
    try:
        args.file.write_text(json.dumps(pools, indent=4, sort_keys=True) + "\n", encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"Cannot write {args.file}: {exc.strerror}") from None
    print(f"Exported {len(pools)} pool(s) to {args.file}")
