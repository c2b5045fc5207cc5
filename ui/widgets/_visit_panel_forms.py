"""The visit panel's forms: the actions that ask the officer for text first (VisitPanel)."""

from __future__ import annotations

from app.core import text_limits
from app.core.errors import StationDeskError
from ui.dialogs.text_form_dialog import Field, TextFormDialog
from ui.widgets._visit_panel_actions import VisitPanelActions
from ui.widgets.messages import show_error


class VisitPanelForms(VisitPanelActions):
    """The form of each such action (complete, answer, guide, refuse, hand over, pause, reassign,
    void, decline); mixed into VisitPanel, over VisitPanelActions (``_form`` runs them)."""

    def _on_complete(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "办结",
            f"{d.row.serial}　{d.row.service_name}",
            [Field("result", "办理结果", multiline=True, text="已办结", limit=text_limits.NOTE)],
            lambda v: self._visits.complete(self._user, d.row.id, d.row.row_version, v["result"]),
            "办结",
        )

    def _on_answer(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "当场答复",
            "记录向群众答复的内容，便于回访和复核。",
            [Field("result", "答复内容", multiline=True, limit=text_limits.NOTE)],
            lambda v: self._visits.answer(self._user, d.row.id, d.row.row_version, v["result"]),
            "保存",
        )

    def _on_guide(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "引导至承办单位",
            "该事项不属本所职责：写明承办单位、地址和电话，保存后打印引导单交给群众。",
            [
                Field("guided_unit", "承办单位", limit=text_limits.UNIT),
                Field("guided_address", "单位地址", limit=text_limits.ADDRESS),
                Field("guided_phone", "单位电话", placeholder="如 0571-12345678"),
                Field(
                    "result",
                    "引导说明",
                    multiline=True,
                    placeholder="如：已告知需携带的材料",
                    limit=text_limits.NOTE,
                ),
            ],
            lambda v: self._visits.guide(
                self._user,
                d.row.id,
                d.row.row_version,
                v["guided_unit"],
                v["guided_address"],
                v["guided_phone"],
                v["result"],
            ),
            "保存并关闭事项",
        )

    def _on_refuse(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        try:
            draft = self._visits.refusal_draft(self._user, d.row.id)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        matter = draft.matter_basis
        if len(matter) > 90:
            matter = matter[:90] + "……"
        return self._form(
            "不予受理",
            "依“五个一律”规定，不予受理须书面告知理由、法律依据和救济途径；告知书写明复议机关、"
            "法院和期限（六十日内申请行政复议，六个月内提起行政诉讼），一式两份，由群众签收。"
            + (f"\n本事项的设定依据：{matter}" if matter else ""),
            [
                Field("refusal_reason", "不予受理理由", multiline=True, limit=text_limits.GROUNDS),
                Field(
                    "refusal_basis",
                    "法律依据",
                    multiline=True,
                    text=draft.basis,
                    placeholder="所依据的法律、法规条款，如《中华人民共和国行政许可法》第三十二条",
                    limit=text_limits.GROUNDS,
                ),
                Field(
                    "refusal_review_body",
                    "行政复议机关",
                    text=draft.review_body,
                    placeholder="如 某市某区人民政府（可在“本所设置”中预设）",
                    limit=text_limits.UNIT,
                ),
                Field(
                    "refusal_court",
                    "行政诉讼法院",
                    text=draft.court,
                    placeholder="如 某市某区人民法院（可在“本所设置”中预设）",
                    limit=text_limits.UNIT,
                ),
                Field(
                    "refusal_redress",
                    "其他反映渠道",
                    text="也可拨打 12389 反映。",
                    placeholder="选填，如：也可拨打 12389 反映。",
                    limit=text_limits.GROUNDS,
                ),
                Field(
                    "refusal_unsigned",
                    "群众拒绝签收",
                    placeholder="选填：群众当场拒绝签收的，写明情况，由民警和见证人签字",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._visits.refuse(
                self._user,
                d.row.id,
                d.row.row_version,
                v["refusal_reason"],
                v["refusal_redress"],
                basis=v["refusal_basis"],
                review_body=v["refusal_review_body"],
                court=v["refusal_court"],
                unsigned=v["refusal_unsigned"],
            ),
            "保存",
        )

    def _on_handover(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        try:
            colleagues = self._visits.colleagues(self._user)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        return self._form(
            "移交",
            "移交须对方在自己的账号中接收；接收前您仍是负责人。",
            [
                Field("to_officer", "接收人", choices=tuple(colleagues)),
                Field(
                    "reason",
                    "移交原因",
                    placeholder="如：本人外出培训，请代为跟进",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._visits.request_handover(
                self._user, d.row.id, d.row.row_version, int(v["to_officer"]), v["reason"]
            ),
            "发起移交",
        )

    def _on_pause(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "待补材料",
            "群众需补交材料时暂停计时，剩余期限保留；群众补齐后点“恢复办理”。",
            [
                Field(
                    "reason",
                    "缺少的材料",
                    multiline=True,
                    placeholder="如：居民户口簿原件",
                    limit=text_limits.NOTE,
                )
            ],
            lambda v: self._visits.pause_for_materials(
                self._user, d.row.id, d.row.row_version, v["reason"]
            ),
            "暂停计时",
        )

    def _on_reassign(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        try:
            officers = self._visits.colleagues(self._user, include_self=True)
        except StationDeskError as exc:
            show_error(self, exc.message)
            return None
        return self._form(
            "指派",
            f"把{d.row.serial}指派给另一位民警（如原负责人离岗）。首接责任人记录不变。",
            [
                Field("to_officer", "接手人", choices=tuple(officers)),
                Field(
                    "reason",
                    "指派原因",
                    placeholder="如：张伟调离，由刘洋接手",
                    limit=text_limits.REASON,
                ),
            ],
            lambda v: self._visits.reassign(
                self._user, d.row.id, d.row.row_version, int(v["to_officer"]), v["reason"]
            ),
            "指派",
        )

    def _on_void(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None
        return self._form(
            "作废",
            "作废后编号保留不再使用，原因记入台账。",
            [
                Field(
                    "void_reason",
                    "作废原因",
                    placeholder="如：群众临时离开、重复登记",
                    limit=text_limits.REASON,
                )
            ],
            lambda v: self._visits.void(self._user, d.row.id, d.row.row_version, v["void_reason"]),
            "作废",
        )

    def _on_decline(self) -> TextFormDialog | None:
        d = self.detail
        assert d is not None and d.pending_handover is not None
        handover_id = d.pending_handover.id
        return self._form(
            "拒收移交",
            "拒收后事项仍由原负责人办理。",
            [Field("reason", "拒收原因", limit=text_limits.REASON)],
            lambda v: self._visits.decline_handover(self._user, handover_id, v["reason"]),
            "拒收",
        )
