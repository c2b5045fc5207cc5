"""密钥恢复单: the station key on one A4 page for the chief's safe (QR code and 16 digit groups)."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

from app.printing.fonts import BOLD, register_fonts


@dataclass(frozen=True, slots=True)
class KeySheet:
    """What the recovery sheet prints."""

    station_name: str
    station_code: str
    key_id: str
    groups: tuple[str, ...]
    qr_text: str
    printed_at: dt.datetime  # local time
    printed_by: str  # name and badge number
    copy_number: int  # the how-manieth print of this key's sheet


NOTES = (
    "本单记载本所数据库的加密密钥。群众的身份证号码、电话和签名以此密钥加密保存，"
    "数据库文件和备份中均无明文。",
    "以下情形需要本单：在新电脑上恢复备份；新增一台共用本所数据库的窗口电脑；"
    "重装系统后本机的密钥丢失。届时在程序提示处扫描二维码，或逐组输入 16 组数字。",
    "本单与数据库备份放在一起即可读出全部个人信息：请由所长封存于保密柜，"
    "不得拍照、复印或与备份 U 盘同放；遗失时请立即报告。",
    "每组最后一位是校验位，输错时程序会指出是第几组。",
)


def render_key_sheet(sheet: KeySheet) -> bytes:
    """The recovery sheet as PDF bytes (A4, the bundled font embedded)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm

    from app.printing.font_runs import FallbackCanvas as Canvas
    from app.printing.qr_flowable import QrFlowable

    font = register_fonts()
    out = io.BytesIO()
    width, height = A4
    canvas = Canvas(out, pagesize=A4, initialFontName=font, invariant=1)
    canvas.setTitle("本所密钥恢复单")
    canvas.setAuthor("StationDesk")
    left, right = 20 * mm, width - 20 * mm

    y = height - 25 * mm
    canvas.setFont(BOLD, 20)
    canvas.drawCentredString(width / 2, y, "本所数据库密钥恢复单")
    canvas.setFont(BOLD, 12)
    canvas.drawRightString(right, y + 9 * mm, "绝密 · 所长保管")
    y -= 12 * mm
    canvas.setFont(font, 11)
    for label, value in (
        ("单位", f"{sheet.station_name}（{sheet.station_code}）"),
        ("密钥编号", sheet.key_id),
        ("打印时间", sheet.printed_at.strftime("%Y年%m月%d日 %H:%M")),
        ("打印人", sheet.printed_by),
        ("打印次数", f"第 {sheet.copy_number} 次打印"),
    ):
        canvas.drawString(left, y, f"{label}：{value}")
        y -= 7 * mm

    qr_size = 62 * mm
    qr = QrFlowable(sheet.qr_text, qr_size, level="Q")
    qr.drawOn(canvas, right - qr_size, height - 25 * mm - 6 * mm - qr_size)

    y = min(y, height - 25 * mm - 6 * mm - qr_size) - 8 * mm
    canvas.setFont(BOLD, 12)
    canvas.drawString(left, y, "恢复密钥（16 组，每组 6 位）")
    y -= 11 * mm
    cell = (right - left) / 4
    for row in range(4):
        for col in range(4):
            place = row * 4 + col
            x = left + col * cell
            canvas.setFont(font, 9)
            canvas.drawString(x, y + 1 * mm, f"{place + 1:>2}")
            canvas.setFont(BOLD, 17)
            canvas.drawString(x + 7 * mm, y, sheet.groups[place])
        y -= 12 * mm
    canvas.setLineWidth(0.6)
    canvas.rect(left - 3 * mm, y + 6 * mm, right - left + 6 * mm, 4 * 12 * mm + 2 * mm)

    y -= 6 * mm
    canvas.setFont(BOLD, 12)
    canvas.drawString(left, y, "使用与保管说明")
    y -= 8 * mm
    canvas.setFont(font, 10.5)
    for number, note in enumerate(NOTES, start=1):
        for k, line in enumerate(_wrap(canvas, f"{number}. {note}", font, 10.5, right - left)):
            canvas.drawString(left + (0 if k == 0 else 4 * mm), y, line)
            y -= 6.2 * mm
        y -= 1.5 * mm

    y -= 10 * mm
    canvas.setFont(font, 11)
    canvas.drawString(left, y, "打印人签名：________________")
    canvas.drawString(left + 85 * mm, y, "保管人签名：________________")
    y -= 10 * mm
    canvas.drawString(left, y, "封存日期：______年____月____日")
    canvas.drawString(left + 85 * mm, y, "保密柜编号：____________")
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def _wrap(canvas: object, text: str, font: str, size: float, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` points (CJK breaks anywhere)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    del canvas
    lines: list[str] = []
    line = ""
    for char in text:
        if stringWidth(line + char, font, size) > width and line:
            lines.append(line)
            line = char
        else:
            line += char
    if line:
        lines.append(line)
    return lines
