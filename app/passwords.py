"""Password hashing with Argon2id and the station's password rules."""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING

from app.errors import ValidationError

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


def check_password_rules(password: str, field: str = "password") -> None:
    """Refuse passwords a counter PC should not have."""
    if not password:
        raise ValidationError("请输入密码。", field)
    if len(password) < MIN_LENGTH:
        raise ValidationError(f"密码至少 {MIN_LENGTH} 位。", field)
    if len(password) > MAX_LENGTH:
        raise ValidationError(f"密码不能超过 {MAX_LENGTH} 位。", field)
    if not (re.search(r"[A-Za-z]", password) and re.search(r"\d", password)):
        raise ValidationError("密码须同时包含字母和数字。", field)
    if password.strip() != password:
        raise ValidationError("密码首尾不能有空格。", field)
