"""The command line: init, demo, check, print, export, backup, restore (and main.py: the GUI).

``print``, ``export`` and ``backup`` write whole documents with personal data, so they log in
like the GUI: ``--badge`` plus the password from STATIONDESK_PASSWORD or a prompt (never an
argument, which would show in the process list). The officer's permissions are checked by the
services and every output is audited under that officer. ``restore`` cannot ask the database it
replaces (it may be missing or broken): the badge and password are checked against the chief's
or administrator's account stored in the backup (app/backup/restore.py).
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import gc
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from app.core.errors import AuthenticationError, StationDeskError

if TYPE_CHECKING:
    from app.core.database import Database
    from app.core.dto import SessionUser
    from app.printing.slip_data import SlipData
    from app.services import Services

# Each command imports what it needs when it runs: ``--help`` and a bad argument cost no
# database, ReportLab or Excel import, and ``print`` loads neither Excel nor the demo.

logger = logging.getLogger(__name__)

PASSWORD_ENV = "STATIONDESK_ADMIN_PASSWORD"
LOGIN_PASSWORD_ENV = "STATIONDESK_PASSWORD"
PRINT_KINDS = {
    "receipt": "受理回执",
    "guidance": "引导单",
    "refusal": "不予受理告知书",
    "notice": "一次性告知单或容缺受理承诺书",
    "rectification": "整改督办单",
    "register": "现场回访登记簿",
    "ledger": "窗口服务每日台账",
    "monthly": "月度通报",
    "case": "办件档案",
    "shift": "交接班记录",
}
EXPORT_KINDS = {"statistics": "统计表", "audit": "审计日志"}

_ARGPARSE_ZH = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "位置参数",
    "show this help message and exit": "显示本帮助并退出",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": (
        "无效的选项：%(value)r（可选：%(choices)s）"
    ),
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at most one argument": "最多需要一个值",
    "expected at least one argument": "至少需要一个值",
    "ambiguous option: %(option)s could match %(matches)s": (
        "选项 %(option)s 有歧义，可能是 %(matches)s"
    ),
    "ignored explicit argument %r": "该选项不带值，不能写 %r",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "须给出以下参数之一：%s",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "没有命令 %(parser_name)r（可选：%(choices)s）"
    ),
    "invalid %(type)s value: %(value)r": "无效的%(type)s值：%(value)r",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def _zh(message: str) -> str:
    return _ARGPARSE_ZH.get(message, message)


class UsageError(StationDeskError):
    """An argument missing for the command (found after parsing): exit code 2 as argparse's."""


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse with its own words in Chinese; a bad argument is one line and exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print one Chinese line and exit 2 (no usage dump)."""
        self.exit(2, f"stationdesk：参数错误：{message}。用 stationdesk --help 查看用法。\n")


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是整数") from None


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是日期（格式 YYYY-MM-DD）") from None


def _add_login(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--badge",
        metavar="警号",
        help=f"您的警号（必填）；密码在终端输入，或由环境变量 {LOGIN_PASSWORD_ENV} 提供",
    )


def build_parser() -> ChineseArgumentParser:
    """The parser of every command; the GUI starts when no command is given."""
    # argparse looks its messages up through this module-level name at call time.
    argparse._ = _zh  # type: ignore[attr-defined]
    parser = ChineseArgumentParser(
        prog="stationdesk", description="派出所窗口服务台账 StationDesk（不带命令时启动图形界面）"
    )
    parser.add_argument(
        "--db",
        metavar="数据库",
        help="数据库：文件路径或 SQLAlchemy 地址（默认：用户数据目录中的 SQLite 文件）",
    )
    parser.add_argument(
        "--demo", action="store_true", help="直接进入演示所（首次使用时自动生成演示数据）"
    )
    sub = parser.add_subparsers(dest="command", metavar="命令", parser_class=ChineseArgumentParser)
    _add_setup_commands(sub)
    _add_print_command(sub)
    _add_export_command(sub)
    _add_backup_commands(sub)
    _add_key_command(sub)
    _add_records_commands(sub)
    _add_server_commands(sub)
    _add_screenshots_command(sub)
    return parser


def _add_setup_commands(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``init`` (a new station's database), ``demo`` (the demo station) and ``check``."""
    p = sub.add_parser("init", help="新建本所数据库：单位信息和首个管理员账号")
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    p.add_argument(
        "--station", required=True, metavar="单位名称", help="如 XX市公安局XX分局XX派出所"
    )
    p.add_argument(
        "--code",
        default="PCS",
        metavar="简码",
        help="单位简码（用于编号，2–12 位字母数字），默认 PCS",
    )
    p.add_argument("--admin-badge", required=True, metavar="警号", help="首个管理员的警号")
    p.add_argument("--admin-name", required=True, metavar="姓名", help="首个管理员的姓名")
    p.add_argument(
        "--admin-role",
        choices=["chief", "admin"],
        default="admin",
        help="首个账号的角色：chief（所长）或 admin（系统管理员），默认 admin",
    )

    p = sub.add_parser("demo", help="生成演示所（人员、服务事项目录及历史），并列出演示账号")
    p.add_argument("--db", required=True, help="数据库文件路径或地址（须为新库）", metavar="数据库")
    p.add_argument(
        "--days",
        type=_whole_number,
        default=None,
        metavar="天数",
        help="生成多少天的历史记录，默认从六个月前的月初起（约 180 天，需一两分钟）",
    )
    p.add_argument("--seed", type=_whole_number, default=7, metavar="种子", help="随机种子，默认 7")

    p = sub.add_parser("check", help="检查数据库完整性、结构版本和审计链，正常时退出码为 0")
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")


def _add_print_command(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``print``: a document of a matter or of the station as a PDF."""
    p = sub.add_parser(
        "print",
        help="把单据生成 PDF：receipt（受理回执）、guidance（引导单）、refusal（不予受理告知书）、"
        "notice（一次性告知单）、rectification（整改督办单）、register（现场回访登记簿）、"
        "ledger（每日台账）、monthly（月度通报）、case（办件档案）",
    )
    p.add_argument(
        "kind",
        choices=list(PRINT_KINDS),
        metavar="单据",
        help="receipt、guidance、refusal、notice、rectification、register、ledger、monthly 或 case",
    )
    p.add_argument(
        "number",
        nargs="?",
        metavar="编号",
        help="登记编号（如 QNL-2026-000123，receipt、guidance、refusal 和 case 用）；"
        "notice 用告知单编号，rectification 用督办单编号；register 不需要编号（用 --from）；"
        "ledger 写日期 YYYY-MM-DD；monthly 写月份 YYYY-MM",
    )
    p.add_argument(
        "--from",
        dest="start",
        type=_day,
        metavar="日期",
        help="register：开始日期 YYYY-MM-DD",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=_day,
        metavar="日期",
        help="register：结束日期 YYYY-MM-DD（默认与开始日期相同，最多 31 天）",
    )
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    p.add_argument("--out", required=True, metavar="文件", help="输出的 PDF 文件")
    _add_login(p)


def _add_export_command(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``export``: the statistics workbook or the audit log."""
    p = sub.add_parser(
        "export", help="导出 Excel 工作簿：statistics（统计表）或 audit（审计日志，也可 .csv）"
    )
    p.add_argument(
        "kind",
        choices=list(EXPORT_KINDS),
        metavar="内容",
        help="statistics（统计表）或 audit（审计日志）",
    )
    p.add_argument("--from", dest="start", type=_day, metavar="日期", help="开始日期 YYYY-MM-DD")
    p.add_argument(
        "--to",
        dest="end",
        type=_day,
        metavar="日期",
        help="结束日期 YYYY-MM-DD（默认与开始日期相同；统计表最长 366 天）",
    )
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    p.add_argument(
        "--out", required=True, metavar="文件", help="输出的 .xlsx 文件（审计日志也可 .csv）"
    )
    _add_login(p)


def _add_backup_commands(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``backup`` (a checked copy of the database) and ``restore`` (the database from one)."""
    p = sub.add_parser(
        "backup", help="把数据库备份到文件夹：写入后核对无误才算完成，文件名含单位简码和时间"
    )
    p.add_argument("--to", required=True, metavar="文件夹", help="备份文件夹（须已存在）")
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    _add_login(p)

    p = sub.add_parser(
        "restore",
        help="用备份恢复数据库：先核对备份，原数据库留存为 <文件名>.replaced-<时间>；"
        "须使用备份中所长或系统管理员的警号和密码",
    )
    p.add_argument("file", metavar="备份文件", help="stationdesk backup 写出的 .sqlite3 或 .dump")
    p.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="数据库",
        help="要恢复到的数据库文件或地址（默认：用户数据目录中的数据库文件）",
    )
    p.add_argument(
        "--recovery-code",
        metavar="恢复密钥",
        help="本机没有该备份的本所密钥时（新电脑），输入密钥恢复单上的 16 组数字",
    )
    _add_login(p)


def _add_key_command(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``key``: the station key's recovery sheet, or its recovery code entered."""
    p = sub.add_parser("key", help="本所密钥：打印密钥恢复单（所长），或在本机录入恢复密钥")
    p.add_argument("action", choices=("sheet", "enter"), metavar="操作", help="sheet 或 enter")
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    p.add_argument("--out", metavar="文件", help="sheet：恢复单 PDF 的保存位置")
    p.add_argument(
        "--recovery-code",
        metavar="恢复密钥",
        help="enter：密钥恢复单上的 16 组数字（或二维码内容）",
    )
    _add_login(p)


def _add_records_commands(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``purge`` (personal data past its keeping time) and ``import`` (an earlier ledger)."""
    p = sub.add_parser(
        "purge", help="清理超过保存期限的群众身份证号码、电话和签名（登记记录与统计保留）"
    )
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    p.add_argument("--dry-run", action="store_true", help="只列出将清理的数量，不作改动")
    _add_login(p)

    p = sub.add_parser(
        "import",
        help="历史台账导入：按常见表头对应各列，逐行检查 Excel（.xlsx）或 CSV 台账，"
        "列出未通过的行及原因（导入须在程序中签字确认）",
    )
    p.add_argument("what", choices=["ledger"], metavar="内容", help="ledger（历史台账）")
    p.add_argument("file", metavar="文件", help="要导入的台账文件（.xlsx 或 .csv）")
    p.add_argument("--sheet", metavar="工作表", help="工作表名称（默认第一个工作表）")
    p.add_argument("--check-only", action="store_true", help="只检查，不导入")
    p.add_argument(
        "--report", metavar="文件", help="把检查结果（未通过的行及原因）保存为 .xlsx 或 .csv"
    )
    p.add_argument("--db", required=True, help="数据库文件路径或地址", metavar="数据库")
    _add_login(p)


def _add_server_commands(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``server`` (``init``, ``upgrade``) and ``migrate-to``: the station's PostgreSQL server."""
    p = sub.add_parser(
        "server", help="本所服务器（PostgreSQL）：init 准备本所数据库和账号，upgrade 升级到本版本"
    )
    server = p.add_subparsers(
        dest="server_command", metavar="操作", parser_class=ChineseArgumentParser, required=True
    )
    q = server.add_parser(
        "init",
        help="在 PostgreSQL 服务器上新建本所数据库、所有者账号和窗口账号（最小权限），"
        "并列出各窗口电脑的连接设置",
    )
    q.add_argument(
        "--admin-url",
        required=True,
        metavar="管理员地址",
        help="postgresql+psycopg://postgres@地址:5432/postgres（超级用户，或具有 CREATEROLE 和 "
        "CREATEDB 的账号）；密码可不写在地址中，由环境变量 PGPASSWORD 提供或在终端输入",
    )
    q.add_argument(
        "--database", default="stationdesk", metavar="库名", help="本所数据库名，默认 stationdesk"
    )
    q.add_argument("--tls", action="store_true", help="要求各窗口以加密连接（TLS）连接服务器")
    q.add_argument(
        "--address", metavar="地址", help="各窗口连接服务器用的地址（默认：管理员地址中的地址）"
    )
    q = server.add_parser(
        "upgrade", help="先备份，再以所有者账号把本所数据库升级到本程序的结构版本"
    )
    q.add_argument(
        "--owner-url",
        required=True,
        metavar="所有者地址",
        help="server init 打印的所有者账号地址；密码可不写在地址中（PGPASSWORD 或终端输入）",
    )
    q.add_argument(
        "--backup-to", required=True, metavar="文件夹", help="升级前备份（.dump）的保存文件夹"
    )

    p = sub.add_parser(
        "migrate-to",
        help="把一台电脑上的本所数据库（SQLite 文件）整体搬到本所服务器上的空数据库，"
        "并核对内容和审计链一致",
    )
    p.add_argument(
        "url",
        metavar="目标地址",
        help="server init 打印的所有者账号地址 postgresql+psycopg://<库名>_owner@地址:5432/库名",
    )
    p.add_argument(
        "--db",
        default=argparse.SUPPRESS,
        metavar="数据库",
        help="要搬迁的数据库文件（默认：用户数据目录中的数据库文件）",
    )


def _add_screenshots_command(sub: argparse._SubParsersAction[ChineseArgumentParser]) -> None:
    """``screenshots``: every page and main dialog as a PNG, offscreen."""
    p = sub.add_parser("screenshots", help="离屏生成每个页面和主要对话框的 PNG 截图")
    p.add_argument(
        "--db", required=True, help="数据库文件路径或地址（建议先运行 demo）", metavar="数据库"
    )
    p.add_argument("--out", required=True, metavar="文件夹", help="截图输出文件夹")
    p.add_argument(
        "--font-size",
        choices=["标准", "大", "特大"],
        default="标准",
        metavar="字号",
        help="以哪种字号截图（标准、大、特大），默认标准",
    )


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run a non-GUI command; expected problems become one Chinese line and exit code 1."""
    out = out or sys.stdout
    err = err or sys.stderr
    commands: dict[str, Callable[[argparse.Namespace, TextIO], int]] = {
        "init": _init,
        "demo": _demo,
        "check": _check,
        "print": _print,
        "export": _export,
        "backup": _backup,
        "restore": _restore,
        "key": _key,
        "purge": _purge,
        "import": _import,
        "server": _server,
        "migrate-to": _migrate_to,
    }
    command = commands.get(args.command)
    if command is None:
        err.write(
            "stationdesk：请给出命令（init、demo、check、print、export、backup、restore、key、"
            "purge、import、server、migrate-to、screenshots），或不带命令启动图形界面。\n"
        )
        return 2
    _quick_exit_once()
    return guarded(args.command, lambda: command(args, out), err)


def guarded(name: str, call: Callable[[], int], err: TextIO | None = None) -> int:
    """Run command ``name``; whatever goes wrong is one Chinese line and a non-zero exit code.

    Expected problems say what to do (exit 1, 2 for an argument); anything else says where
    its details are: the traceback goes to the log file only (``app.core.logs``).
    """
    err = err or sys.stderr
    try:
        return call()
    except UsageError as exc:
        err.write(f"stationdesk：参数错误：{exc.message}\n")
        return 2
    except StationDeskError as exc:
        logger.info("%s refused: %s", name, exc.message)
        err.write(f"stationdesk：{exc.message}\n")
        return 1
    except KeyboardInterrupt:
        logger.info("%s interrupted", name)
        err.write("stationdesk：已取消。\n")
        return 130
    except Exception:
        logger.exception("unexpected error in %s", name)
        from app.core.logs import log_file

        where = log_file()
        err.write(
            "stationdesk：发生意外错误，操作未完成（已保存的数据不受影响），"
            + (f"详情已写入日志：{where}\n" if where else "详情请查看日志。\n")
        )
        return 1


@cache
def _quick_exit_once() -> None:
    """At exit, keep the collector's final passes off the objects the command leaves behind.

    A command ends with about a million objects alive (SQLAlchemy, ReportLab, the parsed font)
    and no cyclic garbage worth finding; the interpreter's shutdown collections over them took
    a quarter of a second of every ``stationdesk print``. Freezing them first (an atexit
    handler, so it runs before shutdown and only then) skips that; the memory goes back to the
    system with the process, and everything is still flushed and closed as before.
    """
    atexit.register(gc.freeze)


def _init(args: argparse.Namespace, out: TextIO) -> int:
    from app.core.passwords import check_password_rules
    from app.core.roles import Role
    from app.officers.dto import NewOfficer
    from app.officers.service import clean_badge, clean_officer_name
    from app.services import build_services
    from app.station.dto import StationSettings
    from app.station.service import validate_settings

    settings = StationSettings(name=args.station, code=args.code)
    # Check every argument before a database file is created.
    validate_settings(settings)
    clean_badge(args.admin_badge)
    clean_officer_name(args.admin_name)
    password = os.environ.get(PASSWORD_ENV)
    if not password:
        if not sys.stdin or not sys.stdin.isatty():
            raise StationDeskError(f"请在终端中输入密码，或通过环境变量 {PASSWORD_ENV} 提供。")
        import getpass

        password = getpass.getpass("首个管理员的密码：")
        if getpass.getpass("再输入一次：") != password:
            raise StationDeskError("两次输入的密码不一致，未作任何改动。")
    check_password_rules(password)
    db = _open_new(args.db)
    try:
        services = build_services(db.sessions, database=db)
        user = services.station.initialize(
            settings,
            NewOfficer(args.admin_badge, args.admin_name, Role(args.admin_role), password),
        )
        count = len(services.catalogue.list_items())
    finally:
        db.dispose()
    out.write(f"已创建：{args.station}（{db.location}）\n")
    out.write(f"管理员：{user.name}，警号 {user.badge_no}；服务事项目录已载入 {count} 项。\n")
    return 0


def _demo(args: argparse.Namespace, out: TextIO) -> int:
    if args.days is not None and not 1 <= args.days <= 3650:
        raise StationDeskError("--days 应在 1 到 3650 之间。")
    from app.demo import build_demo

    db = _open_new(args.db)
    shown = sys.stderr.isatty()

    def progress(day: int, days: int) -> None:
        # One line rewritten in place on a terminal; nothing in a log or a pipe.
        if shown:
            sys.stderr.write(f"\r正在生成演示数据：第 {day}/{days} 天…")
            sys.stderr.flush()

    try:
        logins = build_demo(db.sessions, days=args.days, seed=args.seed, progress=progress)
    finally:
        db.dispose()
        if shown:
            sys.stderr.write("\n")
    out.write(f"演示所已生成：{db.location}\n")
    out.write("演示账号（密码相同）：\n")
    for login in logins:
        out.write(
            f"  {login.role.label:<6}\t{login.name:<4}\t"
            f"警号 {login.badge_no}\t密码 {login.password}\n"
        )
    return 0


def _check(args: argparse.Namespace, out: TextIO) -> int:
    from app.core.database import open_database
    from app.integrity.service import check_database

    db = open_database(args.db, create=False, migrate=False)
    try:
        report = check_database(db)
    finally:
        db.dispose()
    out.write(f"检查数据库：{db.location}\n")
    for line in report.lines:
        out.write(f"  {line}\n")
    out.write(
        "结论：正常\n" if report.ok else "结论：发现问题，请联系系统管理员并保留数据库文件。\n"
    )
    return 0 if report.ok else 1


def _badge(args: argparse.Namespace) -> str:
    """The --badge given, or a refusal before anything else is done."""
    badge = (args.badge or "").strip()
    if not badge:
        raise UsageError(
            f"请用 --badge 给出您的警号（{args.command} 须以本人账号登录，"
            f"密码在终端输入或由环境变量 {LOGIN_PASSWORD_ENV} 提供）。"
        )
    return badge


def _password(badge: str) -> str:
    """The password of --badge: STATIONDESK_PASSWORD, else typed at the terminal."""
    password = os.environ.get(LOGIN_PASSWORD_ENV)
    if not password:
        if not sys.stdin or not sys.stdin.isatty():
            raise AuthenticationError(
                f"请在终端中输入密码，或通过环境变量 {LOGIN_PASSWORD_ENV} 提供。", "password"
            )
        import getpass

        try:
            password = getpass.getpass(f"警号 {badge} 的密码：")
        except EOFError:
            raise AuthenticationError("没有输入密码，未作任何操作。", "password") from None
    return password


def _login(services: Services, badge: str) -> SessionUser:
    """The officer behind --badge and the password, through the same lock-out as the GUI."""
    user = services.auth.login(badge, _password(badge))
    if user.must_change_password:
        raise AuthenticationError(
            "该账号须先修改初始密码：请先在图形界面登录并修改密码，再使用命令行打印、导出或备份。",
            "password",
        )
    return user


def _printing_code(*modules: str) -> Callable[[], None]:
    """Import the printing modules and register the font (what the first print does)."""

    def load() -> None:
        from app.printing.fonts import register_fonts

        for module in modules:
            __import__(module)  # as an import statement does (python -X importtime sees it)
        register_fonts()

    return load


@contextmanager
def _logged_in(
    args: argparse.Namespace,
    badge: str,
    load: Callable[[], object] | None = None,
    *,
    check_all: bool = False,
) -> Iterator[tuple[Services, SessionUser]]:
    """The services of the database named by --db and the officer logged in there.

    The file is quick-checked before anything is written to it (a login is written): a
    small one always, a big one only with ``check_all`` (``app.core.database.QUICK_CHECK_LIMIT``),
    which ``backup`` (a copy of the whole file) and ``purge`` (many rows changed) give: they
    are rare and slow anyway, and a print must stay well under a second.

    ``load`` (the printing code and font) runs once the officer is logged in. Starting up
    makes about a million objects that live as long as the process (modules, classes, the
    parsed font), so the cyclic collector is kept out of it (it would walk them again and
    again and find nothing) and then told to leave them alone (freeze); what the command
    itself allocates is collected as usual.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        from app.core.database import open_database
        from app.services import build_services

        db = open_database(args.db, create=False, check_all=check_all)
        try:
            services = build_services(db.sessions, database=db)
            user = _login(services, badge)
            if load is not None:
                load()
        except BaseException:
            db.dispose()
            raise
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    try:
        yield services, user
    finally:
        gc.unfreeze()
        db.dispose()


def _print(args: argparse.Namespace, out: TextIO) -> int:
    badge = _badge(args)
    target = Path(args.out).expanduser()
    if target.suffix.lower() != ".pdf":
        raise StationDeskError("输出文件名请以 .pdf 结尾。")
    if not target.parent.is_dir():
        raise StationDeskError(f"输出文件夹不存在：{target.parent}")
    if args.kind == "register":
        return _print_register(args, badge, target, out)
    if args.kind == "ledger":
        return _print_ledger(args, badge, target, out)
    if args.kind == "monthly":
        return _print_monthly(args, badge, target, out)
    if args.kind in ("case", "shift"):
        return _print_case_file(args, badge, target, out)
    if args.start is not None or args.end is not None:
        raise StationDeskError("--from 和 --to 只用于 register（现场回访登记簿）。")
    if not args.number:
        raise StationDeskError(f"请给出要打印的{PRINT_KINDS[args.kind]}的编号。")
    from app.printing.fonts import glyph_warning
    from app.printing.slip_pdf import render_slip

    with _logged_in(args, badge, _printing_code("app.printing.slip_layout")) as (
        services,
        user,
    ):
        record: Callable[[], None]
        data: SlipData
        if args.kind == "notice":
            notice_id, data = services.notices.slip_by_number(user, args.number)

            def record() -> None:
                services.notices.record_print(user, notice_id, data.copy_no, via="cli")
        elif args.kind == "rectification":
            rect_id, data = services.rectifications.rectification_slip_by_number(user, args.number)

            def record() -> None:
                services.rectifications.record_rectification_print(
                    user, rect_id, data.copy_no, via="cli"
                )
        else:
            visit_id, data = services.visits.slip_by_serial(user, args.number, args.kind)

            def record() -> None:
                services.visits.record_print(user, visit_id, args.kind, data.copy_no, via="cli")

        # The file appears only once the print is on record (and not at all if it is not).
        write_atomically(target, render_slip(data), record)
    copy = f"（补打，第 {data.copy_no} 次打印）" if data.is_reprint else ""
    out.write(f"已生成{data.title}{copy}：{target}\n")
    warning = glyph_warning(data.texts())
    if warning:
        sys.stderr.write(f"stationdesk：注意：{warning}\n")
    return 0


def _print_case_file(args: argparse.Namespace, badge: str, target: Path, out: TextIO) -> int:
    """办件档案 (case) by a matter's number, or a 交接班记录 (shift) by its own number."""
    example = "QNL-2026-000123" if args.kind == "case" else "QNL-JJB-2026-00001"
    what = "登记编号" if args.kind == "case" else "记录编号"
    if args.start is not None or args.end is not None:
        raise StationDeskError(f"{args.kind} 不用 --from/--to，请直接写{what}，如 {example}。")
    if not args.number:
        raise StationDeskError(f"请给出要打印{PRINT_KINDS[args.kind]}的{what}，如 {example}。")
    from app.printing.fonts import glyph_warning
    from app.printing.register_pdf import render_register

    with _logged_in(args, badge, _printing_code("app.printing.register_layout")) as (
        services,
        user,
    ):
        if args.kind == "shift":
            doc = services.shifts.document(user, args.number)

            def record() -> None:
                services.shifts.record_print(user, doc.number, via="cli")

        else:
            doc = services.case_files.document(user, args.number)

            def record() -> None:
                services.case_files.record_print(user, doc.number, via="cli")

        write_atomically(target, render_register(doc), record)
    out.write(f"已生成{doc.title}（{doc.number}，{doc.row_count} 行）：{target}\n")
    warning = glyph_warning(doc.texts())
    if warning:
        sys.stderr.write(f"stationdesk：注意：{warning}\n")
    return 0


def _print_register(args: argparse.Namespace, badge: str, target: Path, out: TextIO) -> int:
    if args.number:
        raise StationDeskError("register 不需要编号，请用 --from 和 --to 给出日期。")
    if args.start is None:
        raise StationDeskError("请用 --from 给出登记簿的开始日期（YYYY-MM-DD）。")
    start: dt.date = args.start
    end: dt.date = args.end or start
    from app.printing.fonts import glyph_warning
    from app.printing.register_pdf import register_as_printed, render_register

    with _logged_in(args, badge, _printing_code("app.printing.register_layout")) as (
        services,
        user,
    ):
        doc = services.ratings.on_site_register(user, start, end)
        # The second and later print of the same period's register say 补打 on every page.
        doc = register_as_printed(doc, services.reports.print_copy_no(user, "register", doc.number))

        def record() -> None:
            services.ratings.record_register_print(
                user, start, end, doc.row_count, via="cli", copy_no=doc.copy_no
            )

        write_atomically(target, render_register(doc), record)
    copy = f"，{doc.reprint_mark}" if doc.reprint_mark else ""
    out.write(f"已生成{doc.title}（{doc.subtitle}，{doc.row_count} 条{copy}）：{target}\n")
    warning = glyph_warning(doc.texts())
    if warning:
        sys.stderr.write(f"stationdesk：注意：{warning}\n")
    return 0


def _print_ledger(args: argparse.Namespace, badge: str, target: Path, out: TextIO) -> int:
    if args.start is not None or args.end is not None:
        raise StationDeskError("ledger 不用 --from/--to，请直接写日期，如 2026-11-20。")
    try:
        day = dt.date.fromisoformat((args.number or "").strip())
    except ValueError:
        raise StationDeskError("请给出台账日期，格式 YYYY-MM-DD，如 2026-11-20。") from None
    from app.ledger.pdf import ledger_document
    from app.printing.fonts import glyph_warning
    from app.printing.register_pdf import render_register

    with _logged_in(args, badge, _printing_code("app.printing.register_layout")) as (
        services,
        user,
    ):
        # As on the ledger page: only the chief and deputies, and never a complaint about
        # the officer printing it.
        ledger = services.ledger.ledger(user, day)
        station = services.station.settings()
        copy_no = services.ledger.print_copy_no(user, day)
        doc = ledger_document(ledger, station.timezone, dt.datetime.now(dt.UTC), copy_no)

        def record() -> None:
            services.ledger.record_print(user, day, "pdf", via="cli", copy_no=copy_no)

        write_atomically(target, render_register(doc), record)
    state = "已审核" if ledger.locked else "未审核"
    copy = f"，{doc.reprint_mark}" if doc.reprint_mark else ""
    out.write(
        f"已生成{doc.title}（{day.isoformat()}，{state}，{ledger.row_count} 行{copy}）：{target}\n"
    )
    warning = glyph_warning(doc.texts())
    if warning:
        sys.stderr.write(f"stationdesk：注意：{warning}\n")
    return 0


def _month(text: str | None) -> dt.date:
    """The first day of the month written YYYY-MM."""
    try:
        year, month = (int(part) for part in (text or "").strip().split("-"))
        return dt.date(year, month, 1)
    except ValueError:
        raise StationDeskError("请给出通报的月份，格式 YYYY-MM，如 2026-10。") from None


def _print_monthly(args: argparse.Namespace, badge: str, target: Path, out: TextIO) -> int:
    if args.start is not None or args.end is not None:
        raise StationDeskError("monthly 不用 --from/--to，请直接写月份，如 2026-10。")
    month = _month(args.number)
    ready = _printing_code("app.statistics.reports", "app.printing.register_layout")
    with _logged_in(args, badge, ready) as (services, user):
        report = services.reports.save_monthly_report(user, month, target, via="cli")
    copy = f"（补打，第 {report.copy_no} 次打印）" if report.copy_no > 1 else ""
    out.write(f"已生成{report.title}{copy}：{target}\n")
    if report.warning:
        sys.stderr.write(f"stationdesk：注意：{report.warning}\n")
    return 0


def _export(args: argparse.Namespace, out: TextIO) -> int:
    badge = _badge(args)
    if args.start is None:
        raise StationDeskError("请用 --from 给出统计的开始日期（YYYY-MM-DD）。")
    start: dt.date = args.start
    end: dt.date = args.end or start
    if args.kind == "audit":
        return _export_audit(args, badge, start, end, out)
    from app.exports import files
    from app.statistics.service import check_period

    # Arguments first, so that a typo is known before the password is asked for.
    check_period(start, end)
    target = files.check_target(Path(args.out), ".xlsx", "统计表")
    with _logged_in(args, badge) as (services, user):
        result = services.reports.export_statistics(user, start, end, target, via="cli")
    out.write(
        f"已导出{EXPORT_KINDS[args.kind]}（{result.label}，民警 {result.officers} 人、"
        f"事项 {result.matters} 项）：{result.path}\n"
    )
    return 0


def _export_audit(
    args: argparse.Namespace, badge: str, start: dt.date, end: dt.date, out: TextIO
) -> int:
    from app.audit_log.service import AuditFilter, check_export_target, check_period

    flt = AuditFilter(start, end)
    check_period(flt)  # before the password is asked for
    target = check_export_target(Path(args.out))
    with _logged_in(args, badge) as (services, user):
        result = services.audit_log.export(user, flt, target, via="cli")
    out.write(
        f"已导出审计日志（{start.isoformat()} 至 {end.isoformat()}，{result.rows} 条）："
        f"{result.path}\n"
    )
    return 0


def _backup(args: argparse.Namespace, out: TextIO) -> int:
    badge = _badge(args)
    from app.backup.service import size_text

    with _logged_in(args, badge, check_all=True) as (services, user):
        result = services.backup.backup(user, Path(args.to), "manual")
    out.write(
        f"已备份并核对：{result.path}（{size_text(result.size_bytes)}，"
        f"SHA-256 {result.sha256[:16]}…）\n"
    )
    return 0


def _restore(args: argparse.Namespace, out: TextIO) -> int:
    """Restore a backup; the badge and password are checked against the backup's accounts
    (the database being replaced may be missing or broken, so it cannot be asked)."""
    badge = _badge(args)
    from app.backup.restore import restore
    from app.core.station_key import StationKeyNeeded

    password = _password(badge)
    code = args.recovery_code
    try:
        result = restore(
            Path(args.file), getattr(args, "db", None), badge, password, recovery_code=code
        )
    except StationKeyNeeded:
        if code or not sys.stdin.isatty():
            raise
        code = input("本机没有该备份的本所密钥，请输入密钥恢复单上的 16 组数字：")
        result = restore(
            Path(args.file), getattr(args, "db", None), badge, password, recovery_code=code
        )
    kept = f"原数据库已留存为 {result.replaced}" if result.replaced else "原处没有数据库"
    out.write(
        f"已恢复：{result.location}（{result.station_name}，来自 {result.source}，"
        f"由{result.officer_name}恢复）；{kept}。\n"
    )
    return 0


def _purge(args: argparse.Namespace, out: TextIO) -> int:
    badge = _badge(args)
    with _logged_in(args, badge, check_all=True) as (services, user):
        if args.dry_run:
            out.write("将清理：" + services.retention.plan(user).sentence() + "\n")
        else:
            out.write("已清理：" + services.retention.purge(user).sentence() + "\n")
    return 0


def _import(args: argparse.Namespace, out: TextIO) -> int:
    """``import ledger FILE``: read with the suggested columns, check every row, report.

    The import itself locks each day it fills as reviewed under the importer's signature on
    the pad, which a terminal cannot give: here the file is checked (and the report saved);
    a file that passes is imported in the program (历史台账导入).
    """
    from app.ledger.importer import FIELDS, write_report

    badge = _badge(args)
    report = Path(args.report).expanduser() if args.report else None
    if report is not None and report.suffix.lower() not in (".xlsx", ".csv"):
        raise UsageError("检查报告的文件名请以 .xlsx 或 .csv 结尾。")
    path = Path(args.file).expanduser()
    with _logged_in(args, badge) as (services, user):
        source = services.ledger_import.read(user, path, args.sheet)
        mapping = source.suggested
        columns = "；".join(
            f"{spec.label}←{source.headers[column]}"
            for spec in FIELDS
            if (column := mapping[spec.key]) is not None
        )
        out.write(
            f"文件：{source.file_name}，工作表：{source.sheet}，表头在第 {source.header_row} 行\n"
            f"列对应：{columns}\n"
        )
        check = services.ledger_import.check(user, path, source.sheet, mapping)
    out.write(
        f"共 {check.rows_total} 行：可导入 {check.accepted} 行，未通过 {check.rejected_rows} 行。\n"
    )
    shown = check.problems[:50]
    for problem in shown:
        out.write(f"  第 {problem.row_no} 行【{problem.column}】{problem.reason}\n")
    if len(check.problems) > len(shown):
        out.write(f"  ……另有 {len(check.problems) - len(shown)} 条，完整清单请用 --report 保存。\n")
    if report is not None:
        out.write(f"检查报告已保存：{write_report(check, report)}\n")
    if not check.ok:
        out.write("未导入任何记录：请按检查结果修改表格后重新检查。\n")
        return 1
    if args.check_only:
        out.write("检查通过（只检查，未导入）。\n")
        return 0
    raise StationDeskError(
        "检查通过，但未导入：导入时所填各日的台账随即审核锁定，须由所长或副所长在签字板上"
        "签字确认，命令行无法签字。请在程序中打开“历史台账导入”导入本文件。"
    )


def _key(args: argparse.Namespace, out: TextIO) -> int:
    """``key sheet``: the chief prints the recovery sheet; ``key enter``: keep the key here."""
    if args.action == "enter":
        return _key_enter(args, out)
    if not args.out:
        raise UsageError("打印密钥恢复单须用 --out 给出 PDF 文件的保存位置。")
    badge = _badge(args)
    target = Path(args.out).expanduser()
    with _logged_in(args, badge) as (services, user):
        pdf = services.keys.recovery_sheet(user)
        write_atomically(target, pdf)
    out.write(f"已生成密钥恢复单：{target}。请打印后由所长封存，并删除该 PDF 文件。\n")
    return 0


def _key_enter(args: argparse.Namespace, out: TextIO) -> int:
    from app.core.database import enter_recovery_code

    code = args.recovery_code
    if not code and sys.stdin.isatty():
        code = input("请输入密钥恢复单上的 16 组数字（或扫描二维码）：")
    cipher = enter_recovery_code(args.db, code or "")
    out.write(f"本机已保存该数据库的本所密钥（密钥编号 {cipher.key_id[:8]}）。\n")
    return 0


def _server_url(text: str) -> str:
    """A server URL with its password: as given, else PGPASSWORD, else typed at the terminal.

    A password written in the URL shows in the process list; PGPASSWORD or the prompt do not.
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise UsageError(f"数据库地址格式不正确：{text}") from None
    if url.password is not None or url.get_backend_name() != "postgresql":
        return text.strip()
    password = os.environ.get("PGPASSWORD", "")
    if not password and sys.stdin is not None and sys.stdin.isatty():
        import getpass

        password = getpass.getpass(f"数据库账号 {url.username} 的密码：")
    if not password:
        return text.strip()
    return url.set(password=password).render_as_string(hide_password=False)


def _server(args: argparse.Namespace, out: TextIO) -> int:
    """``server init`` (prepare a station database) and ``server upgrade`` (migrate it)."""
    from app.station.server import (
        APP_PASSWORD_ENV,
        OWNER_PASSWORD_ENV,
        init_report,
        init_server,
        upgrade_report,
        upgrade_server,
    )

    if args.server_command == "upgrade":
        folder = Path(args.backup_to).expanduser()
        if not folder.is_dir():
            raise StationDeskError(f"备份文件夹不存在：{folder}。请先创建，未作任何改动。")
        upgraded = upgrade_server(_server_url(args.owner_url), folder)
        out.write("\n".join(upgrade_report(upgraded)) + "\n")
        return 0
    result = init_server(
        _server_url(args.admin_url),
        args.database,
        tls=args.tls,
        address=args.address,
        app_password=os.environ.get(APP_PASSWORD_ENV) or None,
        owner_password=os.environ.get(OWNER_PASSWORD_ENV) or None,
    )
    out.write("\n".join(init_report(result)) + "\n")
    return 0


def _migrate_to(args: argparse.Namespace, out: TextIO) -> int:
    """Copy this computer's (or --db's) SQLite station into an empty server database."""
    from app.station.move import migrate_to, move_report

    result = migrate_to(_server_url(args.url), getattr(args, "db", None))
    out.write("\n".join(move_report(result)) + "\n")
    return 0 if result.ok else 1


def write_atomically(
    target: Path, content: bytes, before_rename: Callable[[], None] | None = None
) -> None:
    """The shared atomic writer; ``before_rename`` logs the print and, if it fails, no file."""
    from app.exports import files

    @contextmanager
    def logged() -> Iterator[None]:
        if before_rename is not None:
            before_rename()
        yield

    files.write_atomically(target, content, logged)


def _open_new(target: str) -> Database:
    """Open (creating) a database that must not have been initialised yet."""
    from app.core.database import open_database
    from app.services import build_services
    from app.station.preview import preview_station

    # Refuse an initialised file before opening it: opening refreshes planner statistics
    # (a write), and a refused command must leave the file byte for byte as it was.
    if preview_station(target) is not None:
        raise StationDeskError(
            f"该数据库已经初始化过：{Path(target).expanduser().resolve()}。请换一个新文件。"
        )
    db = open_database(target, create=True)
    services = build_services(db.sessions, database=db)
    if services.station.is_initialized():
        db.dispose()
        raise StationDeskError(f"该数据库已经初始化过：{db.location}。请换一个新文件。")
    return db


def main(argv: Sequence[str] | None = None) -> int:
    """Entry for the non-GUI commands (main.py dispatches the GUI and screenshots)."""
    args = build_parser().parse_args(argv)
    return run(args)
