"""The rectification every 差评 opens: its owner, its steps to 销号, the appeal."""

from __future__ import annotations

import pytest

from app.core.dto import SessionUser
from app.core.errors import PermissionDenied, ValidationError
from app.core.identity import IdType
from app.core.roles import Role
from app.ratings.service import RatingInput
from app.services import Services
from app.visits.dto import NewVisit
from tests.app.ratings.test_ratings import DIMS, finished, rating  # noqa: F401


def test_a_bad_rating_opens_a_rectification_the_chief_owns_and_must_complete(
    services: Services,
    chief: SessionUser,
    finished,  # noqa: F811  (the imported fixture)
) -> None:  # type: ignore[no-untyped-def]
    officer, make = finished
    result = services.ratings.rate_on_site(
        officer, make(), rating(4, 2, comment="等了很久")
    )  # 差评 in a dimension
    assert result.bad and "-ZG-" in result.rectification

    rect = services.rectifications.rectifications(chief)[0]
    assert rect.owner == "王所长" and rect.rated_officer == "张伟"
    with pytest.raises(PermissionDenied):
        services.rectifications.verify(officer, rect.id, rect.row_version, "自查")
    with pytest.raises(ValidationError, match="原因核实、整改措施、整改结果、整改回访"):
        services.rectifications.close(chief, rect.id, rect.row_version)
    rect = services.rectifications.verify(chief, rect.id, rect.row_version, "高峰时段只开一个窗口")
    rect = services.rectifications.rectify(
        chief, rect.id, rect.row_version, "高峰加开窗口", "等候时间降至 10 分钟内"
    )
    with pytest.raises(ValidationError, match="整改回访"):
        services.rectifications.close(chief, rect.id, rect.row_version)
    rect = services.rectifications.record_follow_up(
        chief, rect.id, rect.row_version, RatingInput(4, tuple((d, 4) for d in DIMS))
    )
    rect = services.rectifications.close(chief, rect.id, rect.row_version)
    assert rect.state == "closed" and rect.follow_up == "满意"


def test_an_appeal_is_decided_by_the_chief_never_the_appellant(
    services: Services,
    chief: SessionUser,
    make_officer,
    finished,  # noqa: F811  (the imported fixture)
) -> None:  # type: ignore[no-untyped-def]
    officer, make = finished
    services.ratings.rate_on_site(officer, make(), rating(1))
    # The rated officer sees it, to appeal.
    rect = services.rectifications.rectifications(officer)[0]
    with pytest.raises(PermissionDenied):
        services.rectifications.appeal(make_officer(Role.WINDOW, "刘洋"), rect.id, "不是我")
    rect = services.rectifications.appeal(
        officer, rect.id, "群众对法定材料要求不满，非服务问题，有录像为证"
    )
    with pytest.raises(PermissionDenied):
        services.rectifications.decide_appeal(officer, rect.id, True, "我同意")
    rect = services.rectifications.decide_appeal(chief, rect.id, True, "经查看录像，申诉属实")
    assert rect.appeal_decision == "upheld" and rect.appeal_reason.startswith("经查看")


def test_the_rated_chief_is_not_the_owner_of_his_own_rectification(
    services: Services, chief: SessionUser, make_officer
) -> None:  # type: ignore[no-untyped-def]
    deputy = make_officer(Role.DEPUTY, "李副所长")
    item = services.catalogue.list_items("ZX-ZC")[0]
    v = services.visits.register(
        chief,
        NewVisit("王小明", IdType.RESIDENT, "11010519491231002X", "13805710011", item.item_id),
    )
    v = services.visits.answer(chief, v.row.id, v.row.row_version, "已答复")
    services.ratings.rate_on_site(chief, v.row.id, rating(2))
    assert services.rectifications.rectifications(deputy)[0].owner == "李副所长"
