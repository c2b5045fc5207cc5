"""Modal messages in Chinese, with Chinese button texts."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget


def show_error(parent: QWidget | None, message: str, title: str = "无法完成操作") -> None:
    """One error dialog with a Chinese 确定 button."""
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    box.exec()


def show_info(parent: QWidget | None, message: str, title: str = "提示") -> None:
    """One information dialog with a Chinese 确定 button."""
    box = QMessageBox(
        QMessageBox.Icon.Information, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.button(QMessageBox.StandardButton.Ok).setText("确定")
    box.exec()


def confirm(parent: QWidget | None, message: str, title: str = "请确认", yes: str = "确定") -> bool:
    """Ask yes/no with Chinese buttons; returns True for yes."""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        title,
        message,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        parent,
    )
    box.button(QMessageBox.StandardButton.Yes).setText(yes)
    box.button(QMessageBox.StandardButton.No).setText("取消")
    box.setDefaultButton(QMessageBox.StandardButton.No)
    return box.exec() == QMessageBox.StandardButton.Yes
