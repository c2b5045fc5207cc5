"""Password hashing with Argon2id and the station's password rules."""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator
from functools import cached_property
from typing import TYPE_CHECKING

from app.core.errors import ValidationError
from app.core.validation import refuse_unstorable
from resources import RESOURCES_DIR

if TYPE_CHECKING:
    from argon2 import PasswordHasher

MIN_LENGTH = 8
MAX_LENGTH = 64


class PasswordHashing:
    """Argon2id (memory-hard); the parameters are injectable so tests can run cheaply."""

    def __init__(self, time_cost: int = 3, memory_cost_kib: int = 65536, parallelism: int = 2):
        self._parameters = (time_cost, memory_cost_kib, parallelism)

    @cached_property
    def _hasher(self) -> PasswordHasher:
        # argon2 (cffi) is imported with the first password checked, not at start-up.
        from argon2 import PasswordHasher

        time_cost, memory_cost_kib, parallelism = self._parameters
        return PasswordHasher(
            time_cost=time_cost, memory_cost=memory_cost_kib, parallelism=parallelism
        )

    def hash(self, password: str) -> str:
        """A salted Argon2id hash string."""
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``stored_hash``."""
        from argon2.exceptions import InvalidHashError, VerificationError

        try:
            return self._hasher.verify(stored_hash, password)
        except (VerificationError, InvalidHashError):
            return False
        except UnicodeEncodeError:
            # A lone surrogate (a broken paste): no password can hold one, so none matches.
            return False


COMMON_PASSWORDS_FILE = RESOURCES_DIR / "passwords" / "common-passwords.txt"
# Shown under every password field before anything is typed (the first-run wizard, 修改密码,
# 添加人员, 重置密码): the same rules check_password_rules enforces.
PASSWORD_RULES_TEXT = (
    f"密码规则：{MIN_LENGTH}–{MAX_LENGTH} 位，须同时包含字母和数字，首尾不能有空格；"
    "不能是常用密码（如 password1、qwerty123、Passw0rd，把字母换成形近的数字或符号也不行），"
    "也不能包含警号、本所简码或姓名拼音。"
)
# A common password with letters swapped for look-alike digits or signs is still common:
# P@ssw0rd is password. Each sign is tried both as itself and as its letters (1 as l and i).
_LEET = {
    "0": "o", "1": "li", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s",
    "!": "i",
}  # fmt: skip


@functools.cache
def common_passwords() -> frozenset[str]:
    """The shipped list of the 10,000 most common passwords, lower-cased (read once, lazily)."""
    with COMMON_PASSWORDS_FILE.open(encoding="utf-8") as lines:
        return frozenset(
            line.strip() for line in lines if line.strip() and not line.startswith("#")
        )


def _unleet(text: str) -> Iterator[str]:
    """``text`` with each look-alike digit or sign kept or read as its letter, in every mix
    (Qw3rty123 gives qwerty123 among others); only the first 8 such signs are mixed."""
    options: list[tuple[str, ...]] = []
    mixed = 0
    for char in text:
        if char in _LEET and mixed < 8:
            mixed += 1
            options.append((char, *_LEET[char]))
        else:
            options.append((char,))
    for spelled in itertools.product(*options):
        yield "".join(spelled)


def common_match(password: str) -> str:
    """The common password that ``password`` is, ignoring case and look-alike swaps; or ""."""
    common = common_passwords()
    lowered = password.lower()
    if lowered in common:
        return lowered
    return next((s for s in _unleet(lowered) if s in common), "")


def name_pinyin(name: str) -> tuple[str, ...]:
    """Ways an officer's name is written in letters: full pinyin in both orders (every reading
    of a character with several, ü as v and u), a given name of 5 letters or more alone, the
    initials; a name in letters as it is. Lower case, without spaces."""
    name = "".join((name or "").split()).replace("·", "").replace("・", "")
    if not name:
        return ()
    if name.isascii():
        return (name.lower(),)
    from pypinyin import Style, pinyin  # the dictionary loads only when a password is set

    readings = [
        [r.lower() for r in dict.fromkeys(options) if r.isascii() and r.isalpha()][:3] or [""]
        for options in pinyin(name, style=Style.NORMAL, heteronym=True, errors="ignore")
    ]
    found: dict[str, None] = {}
    for combo in itertools.islice(itertools.product(*readings), 32):
        parts = [p for p in combo if p]
        if not parts:
            continue
        for spelled in {tuple(parts), tuple(p.replace("v", "u") for p in parts)}:
            found["".join(spelled)] = None
            if len(spelled) > 1:
                found["".join(spelled[1:]) + spelled[0]] = None  # 名在前: weizhang
                if len("".join(spelled[1:])) >= 5:
                    found["".join(spelled[1:])] = None  # a long given name alone: xiaoming
            found["".join(p[0] for p in spelled)] = None  # initials: zw
    return tuple(found)


def _built_from(password: str, token: str, shortest: int = 4) -> bool:
    """Whether ``password`` holds ``token``: anywhere when it has ``shortest`` or more
    characters, else as all the password's letters (zw2026 for 张伟)."""
    if not token:
        return False
    lowered = password.lower()
    if len(token) >= shortest:
        return token in lowered
    return re.sub(r"[^a-z]", "", lowered) == token


def password_problem(
    password: str,
    field: str = "password",
    *,
    badge: str = "",
    name: str = "",
    station_code: str = "",
) -> ValidationError | None:
    """The first rule ``password`` breaks, as the error to show at ``field``; None when sound.

    The rules: 8–64 characters, letters and digits both, no space at either end; not one of
    the 10,000 most common passwords (case ignored, look-alike swaps undone: Passw0rd is
    password); not holding the badge number, the station code or the officer's name in
    pinyin (full in either order, or a long given name, anywhere in it; a pinyin shorter than
    4 letters, or the initials, as all its letters). The station code counts from 3 letters.
    """
    if not password:
        return ValidationError("请输入密码。", field)
    try:
        refuse_unstorable(password, field=field, label="密码")
    except ValidationError as unstorable:
        return unstorable
    if len(password) < MIN_LENGTH:
        return ValidationError(f"密码至少 {MIN_LENGTH} 位（现为 {len(password)} 位）。", field)
    if len(password) > MAX_LENGTH:
        return ValidationError(f"密码不能超过 {MAX_LENGTH} 位（现为 {len(password)} 位）。", field)
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        return ValidationError("密码须同时包含字母和数字。", field)
    if password.strip() != password:
        return ValidationError("密码首尾不能有空格。", field)
    common = common_match(password)
    if common == password.lower():
        return ValidationError("这是最常用的密码之一，很容易被猜中，请换一个。", field)
    if common:
        return ValidationError(
            f"这只是把常用密码“{common}”的字母换成了形近的数字或符号，仍很容易被猜中，请换一个。",
            field,
        )
    badge = (badge or "").strip().lower()
    if badge and _built_from(password, badge):
        return ValidationError("密码不能包含警号，请换一个。", field)
    code = (station_code or "").strip().lower()
    if code and _built_from(password, code, shortest=3):
        return ValidationError(f"密码不能包含本所简码 {code.upper()}，请换一个。", field)
    for spelled in name_pinyin(name):
        if _built_from(password, spelled):
            return ValidationError(f"密码不能包含姓名的拼音（{spelled}），请换一个。", field)
    return None


def check_password_rules(
    password: str,
    field: str = "password",
    *,
    badge: str = "",
    name: str = "",
    station_code: str = "",
) -> None:
    """Refuse passwords a counter PC should not have (see ``password_problem``)."""
    problem = password_problem(password, field, badge=badge, name=name, station_code=station_code)
    if problem is not None:
        raise problem


def check_repeat(password: str, repeat: str | None, field: str = "repeat") -> None:
    """The second typing of a new password must match the first (None: not asked)."""
    if repeat is not None and repeat != password:
        raise ValidationError("两次输入的密码不一致。", field)
