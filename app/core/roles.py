"""Roles, their Chinese labels and what each may do; checked by every service."""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    """An officer's role at the station."""

    WINDOW = "window"
    AUXILIARY = "auxiliary"
    DEPUTY = "deputy"
    CHIEF = "chief"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        """The role as the station says it."""
        return ROLE_LABELS[self]


ROLE_LABELS: dict[Role, str] = {
    Role.WINDOW: "窗口民警",
    Role.AUXILIARY: "辅警",
    Role.DEPUTY: "副所长",
    Role.CHIEF: "所长",
    Role.ADMIN: "系统管理员",
}


class Permission(enum.Enum):
    """A use case family that a role may or may not perform."""

    MANAGE_OFFICERS = "manage_officers"
    EDIT_CATALOGUE = "edit_catalogue"
    EDIT_SETTINGS = "edit_settings"
    EDIT_HOLIDAYS = "edit_holidays"
    VIEW_AUDIT = "view_audit"
    HANDLE_VISITS = "handle_visits"
    REFUSE_VISITS = "refuse_visits"
    VIEW_ALL_VISITS = "view_all_visits"
    BACKUP = "backup"


# The chief runs the station and may administer it; the administrator (often the 内勤) keeps
# the system but handles no citizens' matters. Later issues add case-work permissions here.
_CASE_WORK = frozenset({Permission.HANDLE_VISITS, Permission.REFUSE_VISITS})
_ADMINISTRATION = frozenset(
    {
        Permission.MANAGE_OFFICERS,
        Permission.EDIT_CATALOGUE,
        Permission.EDIT_SETTINGS,
        Permission.EDIT_HOLIDAYS,
        Permission.VIEW_AUDIT,
        Permission.BACKUP,
    }
)
_GRANTS: dict[Role, frozenset[Permission]] = {
    Role.WINDOW: _CASE_WORK,
    # 辅警 are not law-enforcement officers: they register and handle, but a written refusal
    # (不予受理) is an administrative decision a police officer must make.
    Role.AUXILIARY: frozenset({Permission.HANDLE_VISITS}),
    Role.DEPUTY: _CASE_WORK | {Permission.VIEW_AUDIT, Permission.VIEW_ALL_VISITS},
    Role.CHIEF: frozenset(Permission),
    Role.ADMIN: _ADMINISTRATION,
}

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.MANAGE_OFFICERS: "管理人员账号",
    Permission.EDIT_CATALOGUE: "编辑服务事项目录",
    Permission.EDIT_SETTINGS: "修改本所设置",
    Permission.EDIT_HOLIDAYS: "维护节假日安排",
    Permission.VIEW_AUDIT: "查看审计记录",
    Permission.HANDLE_VISITS: "办理窗口事项",
    Permission.REFUSE_VISITS: "作出不予受理决定",
    Permission.VIEW_ALL_VISITS: "查看全所事项",
    Permission.BACKUP: "备份或恢复数据库",
}


def allows(role: Role, permission: Permission) -> bool:
    """Whether ``role`` grants ``permission``."""
    return permission in _GRANTS[role]
