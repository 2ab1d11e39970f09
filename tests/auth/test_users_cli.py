"""``expapi users``: create, list, set-password and delete, with passwords never shown."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from expapi.app import create_app
from expapi.auth import password_hashing
from expapi.auth.users import password_hash_of
from expapi.cli import main
from expapi.config import load_config
from expapi.db import Database
from auth_support import basic
from http_helpers import API

SECRET = "correct horse battery staple"


@pytest.fixture
def users(home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture):
    """Run ``expapi users ...`` against the test's home; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("EXPAPI_HOME", str(home))
    for name in [n for n in os.environ if n.startswith("EXPAPI__")]:
        monkeypatch.delenv(name)
    assert main(["db", "init"]) == 0  # so the commands below log nothing about a new database
    capsys.readouterr()

    def users(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main(["users", *args])
        out, err = capsys.readouterr()
        assert SECRET not in out + err
        return code, out, err

    return users


@pytest.fixture
def prompts(monkeypatch: pytest.MonkeyPatch):
    """Answers for getpass, in order; records the prompts shown."""
    shown: list[str] = []

    def answer(*replies: str) -> list[str]:
        queue = list(replies)

        def getpass(prompt: str = "") -> str:
            shown.append(prompt)
            if not queue:
                raise EOFError
            return queue.pop(0)

        monkeypatch.setattr("getpass.getpass", getpass)
        return shown

    return answer


def stored_hash(home: Path, username: str) -> str | None:
    database = Database.from_url(load_config(home, environ={}).core.sql_alchemy_conn)
    try:
        with database.transaction() as session:
            return password_hash_of(session, username)
    finally:
        database.dispose()


def test_create_with_password_then_list(users, home: Path) -> None:
    assert users("create", "--username", "hello", "--password", SECRET) == (0, "Created user hello\n", "")
    assert password_hashing.verify_password(SECRET, stored_hash(home, "hello"))
    code, out, _ = users("list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split(" | ") == ["username", "created_at"]
    assert lines[2].startswith("hello    | 20")


def test_list_as_json(users) -> None:
    users("create", "--username", "bob", "--password", SECRET)
    users("create", "--username", "alice", "--password", SECRET)
    code, out, _ = users("list", "-o", "json")
    rows = json.loads(out)
    assert code == 0
    assert [row["username"] for row in rows] == ["alice", "bob"]
    assert all(set(row) == {"username", "created_at"} and row["created_at"].endswith("+00:00") for row in rows)


def test_list_with_no_users(users) -> None:
    assert users("list", "-o", "json") == (0, "[]\n", "")


def test_create_from_stdin(users, home: Path) -> None:
    assert users("create", "--username", "hello", "--password-stdin", stdin=SECRET + "\n")[0] == 0
    assert password_hashing.verify_password(SECRET, stored_hash(home, "hello"))


def test_create_asks_twice_without_echo(users, prompts, home: Path) -> None:
    shown = prompts(SECRET, SECRET)
    assert users("create", "--username", "hello")[0] == 0
    assert shown == ["Password: ", "Repeat the password: "]
    assert password_hashing.verify_password(SECRET, stored_hash(home, "hello"))


def test_different_answers_create_nobody(users, prompts, home: Path) -> None:
    prompts(SECRET, SECRET + "!")
    assert users("create", "--username", "hello") == (1, "", "expapi: the two passwords differ\n")
    assert stored_hash(home, "hello") is None


def test_no_terminal_and_no_password_is_a_clear_error(users, prompts) -> None:
    prompts()
    code, _, err = users("create", "--username", "hello")
    assert (code, err) == (1, "expapi: no password given: use --password-stdin when there is no terminal\n")


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["--password", ""], None, "the password is empty"),
        (["--password-stdin"], "\n", "the password is empty"),
        (["--password", "x" * 73], None, "the password is longer than 72 bytes (bcrypt's limit)"),
    ],
    ids=["empty", "empty-stdin", "too-long"],
)
def test_unusable_passwords_are_refused(users, home: Path, args, stdin, message) -> None:
    assert users("create", "--username", "hello", *args, stdin=stdin) == (1, "", f"expapi: {message}\n")
    assert stored_hash(home, "hello") is None


@pytest.mark.parametrize("username", ["a:b", "", " padded"], ids=["colon", "empty", "space"])
def test_unusable_usernames_are_refused(users, username: str) -> None:
    code, out, err = users("create", "--username", username, "--password", SECRET)
    assert (code, out) == (1, "")
    assert err.startswith("expapi: the username ") and err.count("\n") == 1


def test_a_duplicate_is_refused_in_one_line(users) -> None:
    users("create", "--username", "hello", "--password", SECRET)
    assert users("create", "--username", "hello", "--password", "other") == (
        1,
        "",
        "expapi: user 'hello' already exists\n",
    )


def test_password_and_stdin_together_are_bad_usage(users) -> None:
    with pytest.raises(SystemExit) as exited:
        users("create", "--username", "hello", "--password", SECRET, "--password-stdin")
    assert exited.value.code == 2


def test_set_password(users, home: Path) -> None:
    users("create", "--username", "hello", "--password", "old password")
    assert users("set-password", "--username", "hello", "--password-stdin", stdin=SECRET + "\r\n") == (
        0,
        "Changed the password of user hello\n",
        "",
    )
    assert password_hashing.verify_password(SECRET, stored_hash(home, "hello"))
    assert not password_hashing.verify_password("old password", stored_hash(home, "hello"))


def test_set_password_of_an_unknown_user(users) -> None:
    assert users("set-password", "--username", "nobody", "--password", SECRET) == (
        1,
        "",
        "expapi: user 'nobody' does not exist\n",
    )


def test_delete(users, home: Path) -> None:
    users("create", "--username", "hello", "--password", SECRET)
    assert users("delete", "--username", "hello") == (0, "Deleted user hello\n", "")
    assert stored_hash(home, "hello") is None
    assert users("delete", "--username", "hello") == (1, "", "expapi: user 'hello' does not exist\n")


def test_a_user_created_by_the_cli_can_call_the_api(users, home: Path) -> None:
    users("create", "--username", "hello", "--password", SECRET)
    config = load_config(home, environ={"EXPAPI__API__AUTH_BACKEND": "password"})
    with TestClient(create_app(config), base_url="http://localhost") as client:
        assert client.get(f"{API}/test", headers=basic("hello", SECRET)).json() == {"status": "OK"}
        users("delete", "--username", "hello")
        assert client.get(f"{API}/test", headers=basic("hello", SECRET)).status_code == 403
