"""A deterministic, bilingual demo: a quarter of complaints lived on a simulated clock.

:func:`run_demo` writes a ready-to-use desk into a directory -- a config file,
the sample staff directory and a SQLite database -- and fills the database by
running several hundred complaints through the real desk (:class:`~complaintcore.
desk.Desk` built from the config file, SQLite store, staff file, CN working
calendar, log notifier): receipt at two sites, forwarding by other units (IN-5)
and head office (IN-6), assessment, handling, interim replies with promises
(REC-4, DL-5), waits on the complainant (DL-8), final replies, return visits
(dissatisfied ones reopen and escalate, VIS-1), closures, reopenings, cause
analyses and sanctions (IMP-1, PEN-2), the acknowledgement call (HDL-1) and
supervisor sign-off (REC-6) of written complaints, a group complaint with one
explanation session (HDL-5, HDL-6), invalid complaints explained the same day
(VAL-3), enquiries and service requests (VAL-4), and repeat complaints (IMP-3).
A sweep runs every morning at 08:30, so missed deadlines escalate (ESC-2, DL-7)
and month-old complaints turn major (DL-6).

Everything is a function of the seed: one :class:`random.Random`, complaint ids
``C-YYYYMMDD-NNNN`` numbered by time of receipt, and a simulated clock driven by
a priority queue of (time, sequence) jobs, so no complaint ever sees time go
backwards.  Nothing reads the wall clock and nothing goes over the network.

Every command is run by someone the access rules allow (ESC-3, ESC-4, site):
the complaint's handler when the grade allows, otherwise a colleague at the
site at a high enough rung.  A command the desk still refuses is skipped and
counted in :attr:`DemoResult.skipped` (the demo never crashes on a refusal).

Printing the monthly report is the CLI's job (``complaintcore demo``).
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import random
import re
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from complaintcore.adapters.staff import write_sample_staff
from complaintcore.core.errors import (
    AccessDeniedError,
    IllegalTransitionError,
    InvalidInputError,
    reduced,
)
from complaintcore.core.escalation import current_rung_index, required_rung_index
from complaintcore.core.grading import add_months, age_upgrade_due
from complaintcore.core.models import (
    Channel,
    Complainant,
    Complaint,
    Escalated,
    Fact,
    Forwarded,
    Grade,
    Grouped,
    Intake,
    Kind,
    Linked,
    MeasureAdded,
    MeasureKind,
    SanctionRecorded,
    SignedOff,
    Status,
    TargetPerson,
    Trigger,
    Validity,
)
from complaintcore.core.validity import counts_as_complaint
from complaintcore.core.workflow import (
    TRANSITIONS,
    Acknowledge,
    AddMeasure,
    Apologise,
    Assess,
    Assign,
    AttachEvidence,
    CallBack,
    Close,
    Command,
    CompleteMeasure,
    Forward,
    Handle,
    Pause,
    RecordCause,
    RecordSanction,
    Reopen,
    Reply,
    Report,
    Resume,
    SignOff,
    Visit,
    VisitSite,
    helpers_owed,
)
from complaintcore.desk import Desk, SweepReport, access
from complaintcore.desk.config import load_config
from complaintcore.desk.plugins import make_plugin_manager
from complaintcore.desk.ports import StaffMember
from complaintcore.rules import load_pack

__all__ = [
    "CONFIG_FILE",
    "DATABASE_FILE",
    "STAFF_FILE",
    "DemoExistsError",
    "DemoResult",
    "run_demo",
]

CONFIG_FILE = "complaintcore.toml"
"""The desk configuration the demo writes (a :class:`~complaintcore.desk.config.DeskConfig`)."""
STAFF_FILE = "staff.toml"
"""The staff directory the demo writes (the packaged sample)."""
DATABASE_FILE = "complaints.sqlite3"
"""The SQLite database the demo fills."""

_PACK = "cn-property"
_CONFIG_TEXT = f"""\
# complaintcore demo desk (示例), written by `complaintcore demo`.
# Paths are relative to this file.  Open it with any complaintcore command:
#   complaintcore --config {CONFIG_FILE} report --month YYYY-MM
database = "{DATABASE_FILE}"
pack = "{_PACK}"
staff_file = "{STAFF_FILE}"

[notifiers]
# Only the log channel (at DEBUG, so it stays quiet unless asked for):
# the demo sends nothing over the network.
log = {{ level = "DEBUG" }}
"""

_SWEEP_AT = time(8, 30)
_REPEAT_WINDOW = timedelta(days=30)
"""IMP-3: a repeat comes back within this window (inside the pack's 90-day
``[repeats] window``, which the report's repeat section reads)."""


# --------------------------------------------------------------------------- result


@attrs.frozen(kw_only=True)
class DemoResult:
    """What :func:`run_demo` wrote and what happened.

    Counts describe the database at :attr:`now`:

    * ``received``: every registered record; it splits into ``valid_complaints``,
      ``invalid``, ``requests``, ``enquiries`` and ``unverified`` (VAL-4);
    * ``closed`` / ``open``; ``escalated`` (records escalated at least once) and
      ``escalations`` (escalation events); ``reopened`` (records reopened at least
      once); ``forwarded`` (received by another unit or head office, IN-2/5/6);
      ``group`` (records of the group complaint, HDL-6); ``signed_off`` (REC-6);
      ``sanctions`` (PEN-2); ``repeats`` (valid complaints repeating an earlier
      valid one by the same complainant, or about the same room and category,
      within 30 days, IMP-3);
    * ``events``: events stored; ``sweeps``: sweeps run; ``skipped``: commands the
      desk refused (``skips`` says which and why).
    """

    directory: Path
    database: Path
    config_path: Path
    staff_path: Path
    seed: int
    start: date
    end: date
    """The first day after the simulated period."""
    now: datetime
    """The simulated clock when the demo stopped: midnight at the start of :attr:`end`."""
    received: int
    valid_complaints: int
    invalid: int
    requests: int
    enquiries: int
    unverified: int
    closed: int
    open: int
    escalated: int
    escalations: int
    reopened: int
    forwarded: int
    group: int
    repeats: int
    signed_off: int
    sanctions: int
    events: int
    sweeps: int
    skipped: int
    skips: tuple[str, ...] = ()

    @property
    def months(self) -> tuple[tuple[int, int], ...]:
        """The simulated (year, month)s, first to last."""
        out: list[tuple[int, int]] = []
        y, m = self.start.year, self.start.month
        while date(y, m, 1) < self.end:
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(out)

    @property
    def last_month(self) -> tuple[int, int]:
        """The last simulated (year, month): the month whose report the CLI prints."""
        return self.months[-1]

    def counts(self) -> dict[str, int]:
        """The counts by name, in a fixed order (for printing)."""
        names = (
            "received", "valid_complaints", "invalid", "requests", "enquiries", "unverified",
            "closed", "open", "escalated", "escalations", "reopened", "forwarded", "group",
            "repeats", "signed_off", "sanctions", "events", "sweeps", "skipped",
        )  # fmt: skip
        return {name: int(getattr(self, name)) for name in names}


# --------------------------------------------------------------------------- sample data

_SITES: dict[str, tuple[str, int, int, int, float]] = {
    # code: (name, buildings, units per building, floors, share of households)
    "sunrise": ("阳光花园", 12, 3, 18, 0.58),
    "riverside": ("滨江苑", 8, 2, 28, 0.42),
}

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
    "于杜叶程魏苏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严武戴莫孔汤"
)
_GIVEN = (
    "建国", "秀英", "桂英", "志强", "丽", "敏", "静", "伟", "芳", "娜", "军", "洋", "勇", "艳",
    "杰", "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "玉兰", "磊", "斌", "海燕", "晓东",
    "红梅", "国华", "德明", "雪梅", "文博", "子涵", "梓轩", "欣怡", "浩然", "宇航", "思远",
    "雅婷", "俊杰", "嘉怡", "一鸣", "晨曦", "建华", "淑珍", "永强", "春梅", "立新", "佳琪",
)  # fmt: skip
_ENGLISH = (
    "David Miller", "Sarah Johnson", "Tom Baker", "Emily Clarke", "Michael Brown",
    "Anna Schmidt", "James Wilson", "Olivia Taylor", "Daniel Martin", "Sophie Dubois",
    "Peter Novak", "Laura Rossi", "Mark Evans", "Hannah Weber", "Chris Walker",
)  # fmt: skip
_MOBILE_PREFIXES = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
    "155", "156", "157", "158", "159", "166", "176", "177", "180", "181", "182", "183",
    "185", "186", "187", "188", "189", "199",
)  # fmt: skip

_CHANNELS: tuple[tuple[Channel, int], ...] = (
    (Channel.PHONE, 30),
    (Channel.IN_PERSON, 25),
    (Channel.WEB, 15),
    (Channel.HOTLINE, 12),
    (Channel.WRITTEN, 7),
    (Channel.FORWARDED, 6),
)


@attrs.frozen
class _Family:
    """A kind of complaint: how people word it and how the office answers it."""

    code: str
    category: str
    """The pack category its wording must classify into ("" = not checked)."""
    weight: int
    zh: tuple[str, ...]
    en: tuple[str, ...]
    results: tuple[tuple[str, str], ...] = ()
    cause: tuple[str, str, str] = ("", "", "")
    interim: tuple[str, str] = ("", "")
    """(reason the complaint cannot be answered at once, message to the complainant)."""
    kind: Kind = Kind.COMPLAINT
    facts: tuple[tuple[Fact, float], ...] = ()
    """Findings the assessment may record, each with its probability."""


_FAMILIES: dict[str, _Family] = {
    f.code: f
    for f in (
        _Family(
            "leak",
            "repairs",
            16,
            zh=(
                "楼上漏水，卫生间天花板一直在滴水，已经好几天了",
                "厨房水管爆管，地上全是水，希望尽快派人维修",
                "外墙渗水，卧室墙皮脱落发霉，去年修过一次又漏了",
                "下雨后阳台渗漏严重，木地板被泡坏了",
                "{b}栋地下室水管滴水，楼下返潮发霉",
            ),
            en=(
                "Water is leaking through my bathroom ceiling from the flat upstairs.",
                "Burst pipe in the kitchen, water everywhere, please fix it today.",
                "Damp and mould on the bedroom wall since the rain; the leak was never fixed.",
                "卫生间ceiling漏水 again，物业一直没修好",
            ),
            results=(
                (
                    "已更换楼上破损水管并做闭水试验，天花板已修补",
                    "Replaced the broken pipe upstairs, tested it and repaired the ceiling",
                ),
                (
                    "外墙防水层已重做，室内墙面已修复",
                    "Redid the outer wall's waterproofing and repaired the inside wall",
                ),
                (
                    "已疏通并更换阀门，漏水停止",
                    "Cleared the pipe and replaced the valve; the leak has stopped",
                ),
            ),
            cause=(
                "楼上管道老化破损",
                "更换破损管道并修补天花板",
                "对同批次楼栋管道进行排查，纳入年度维修计划",
            ),
            interim=(
                "需要楼上业主配合入户查找漏水点",
                "已联系楼上业主，待入户检查后答复 / we need access to the flat upstairs",
            ),
            facts=((Fact.FACILITY_LIMITATION, 0.2), (Fact.MAJOR_LOSS, 0.03)),
        ),
        _Family(
            "facility",
            "repairs",
            9,
            zh=(
                "电梯又坏了，早上困梯二十分钟才有人来",
                "楼道灯不亮一个多星期了，晚上回家看不见路",
                "单元门锁坏了，关不上也锁不住",
                "家里停水一整天也没有提前通知",
                "{b}栋电梯经常故障，老人上下楼很不方便",
            ),
            en=(
                "The lift has been broken for three days and my mother cannot use the stairs.",
                "The corridor light on our floor is faulty again.",
            ),
            results=(
                (
                    "已更换电梯控制板并通知维保单位加强巡检",
                    "Replaced the lift's control board; "
                    "the maintenance contractor will inspect more often",
                ),
                ("已更换楼道灯具和感应开关", "Replaced the corridor lights and sensor switch"),
                ("已更换门锁", "Replaced the lock"),
            ),
            cause=("设备老化、维保不到位", "更换故障部件", "督促维保单位按月保养并建立巡检记录"),
            interim=("需等待厂家配件到货", "配件已订购，到货后立即维修 / parts are on order"),
            facts=((Fact.FACILITY_LIMITATION, 0.3), (Fact.AGENT_FAULT, 0.05)),
        ),
        _Family(
            "fees",
            "fees",
            11,
            zh=(
                "物业费账单多收了两个月，要求退费",
                "这个月水费收费比上个月高了一倍，收费标准不透明",
                "装修押金交了半年还没退，催了几次都说在走流程",
                "公摊电费每个月都在涨价，要求公开明细",
                "交了物业费一直没开发票",
            ),
            en=(
                "I was charged the service charge twice this quarter and need a refund.",
                "The late fee on my bill is wrong, I paid on time.",
                "物业费bill算错了，多收了钱",
            ),
            results=(
                (
                    "经财务核对，多收部分已退回业主账户",
                    "Finance checked the account; the overcharge has been refunded",
                ),
                (
                    "已向业主出示收费明细并更正账单",
                    "Showed the owner the breakdown and corrected the bill",
                ),
                ("押金已退还，发票已补开", "Deposit refunded and invoice issued"),
            ),
            cause=("收费系统录入错误", "更正账单并退费", "收费数据双人复核，每月公示收费明细"),
            interim=(
                "需要财务部核对历史缴费记录",
                "财务部正在核对缴费记录，核对后答复 / finance is checking the records",
            ),
            facts=((Fact.STAFF_FAULT, 0.1),),
        ),
        _Family(
            "noise",
            "noise",
            11,
            zh=(
                "楼上装修电钻声从早上七点就开始，严重扰民",
                "小区广场舞音响太响，晚上十点还在跳",
                "隔壁狗叫了一整晚，老人孩子都没法休息",
                "半夜有人在楼下喝酒吵闹，一直到凌晨",
            ),
            en=(
                "Loud drilling from the renovation next door started at 7am on Sunday.",
                "A dog barking at night every day, it is too noisy to sleep.",
            ),
            results=(
                (
                    "已约谈装修户，装修时间严格限定在工作日8:00-12:00、14:00-18:00",
                    "Spoke to the renovating owner; work is now limited to weekday hours",
                ),
                (
                    "已与广场舞队协商，音量调低并在21:00前结束",
                    "Agreed with the dance group to turn the music down and stop by 21:00",
                ),
                (
                    "已上门提醒养犬业主，夜间加强巡查",
                    "Reminded the dog owner; night patrols check the building",
                ),
            ),
            cause=(
                "装修及公共活动管理不到位",
                "约谈相关业主并明确作息时间",
                "装修审批时书面告知施工时间，夜间巡逻加查噪音",
            ),
            facts=((Fact.FACILITY_LIMITATION, 0.15),),
        ),
        _Family(
            "cleaning",
            "cleaning",
            9,
            zh=(
                "楼道垃圾三天没人清扫，气味很难闻",
                "垃圾房太臭了，蟑螂老鼠很多，要求尽快消杀",
                "楼道里有狗屎，保洁一直没人打扫",
                "{b}栋门口的垃圾桶满了也没人清运",
            ),
            en=(
                "The rubbish bins near building {b} are overflowing and the smell is terrible.",
                "Cockroaches in the corridor, the hygiene in our block is poor.",
            ),
            results=(
                (
                    "已安排保洁彻底清扫并增加清运频次",
                    "Cleaned thoroughly and added a daily rubbish collection",
                ),
                (
                    "已完成垃圾房消杀并更换破损垃圾桶",
                    "Pest control done in the refuse room and broken bins replaced",
                ),
            ),
            cause=(
                "保洁外包单位排班不足",
                "增加保洁人员并补扫",
                "与外包单位约定考核标准，主管每日巡查",
            ),
            facts=((Fact.AGENT_FAULT, 0.15),),
        ),
        _Family(
            "parking",
            "parking",
            9,
            zh=(
                "地库车位被别人长期占用，找了保安也不处理",
                "小区里乱停车太严重，消防通道都被堵死了",
                "道闸经常识别不了车牌，进出车库要等很久",
            ),
            en=(
                "Someone keeps parking in my parking space in the car park.",
                "地下车库parking space被占，already the third time",
            ),
            results=(
                (
                    "已联系占位车主挪车，并在车位加装地锁",
                    "Had the car moved and fitted a parking lock on the space",
                ),
                (
                    "已清理消防通道并加装禁停标识，保安定时巡查",
                    "Cleared the fire lane, put up no-parking signs; guards check it every hour",
                ),
                ("已升级道闸识别系统", "Upgraded the barrier's plate recognition"),
            ),
            cause=(
                "停车秩序管理不到位",
                "清理占位车辆、加装标识",
                "车库每两小时巡查一次，违停车辆登记通知",
            ),
            facts=((Fact.FACILITY_LIMITATION, 0.25),),
        ),
        _Family(
            "attitude",
            "service_attitude",
            7,
            zh=(
                "{role_zh}态度很差，不耐烦，还顶撞业主",
                "去物业办事，{role_zh}爱理不理，态度冷淡",
                "{role_zh}态度恶劣，辱骂业主，要求道歉并处理",
            ),
            en=("The {role_en} was rude, dismissive and unhelpful when I asked for help.",),
            results=(
                (
                    "已核实情况，当事员工向业主当面道歉",
                    "Checked what happened; the staff member apologised to the owner in person",
                ),
                (
                    "部门负责人已向业主致歉，并对当事员工进行批评教育",
                    "The department head apologised and the staff member was reprimanded",
                ),
            ),
            cause=(
                "员工服务意识不足、沟通方式不当",
                "当事员工道歉并书面检讨",
                "全员服务礼仪培训，纳入月度考核",
            ),
            facts=((Fact.STAFF_FAULT, 0.6),),
        ),
        _Family(
            "greening",
            "greening",
            5,
            zh=(
                "小区草坪很久没修剪，杂草长得比人还高",
                "楼下大树的树枝挡住窗户，家里白天都要开灯",
                "绿化带的花草枯死了也没人补种",
            ),
            en=("The lawn and hedges in the central garden have not been trimmed for weeks.",),
            results=(
                (
                    "已修剪草坪和树枝，清理杂草",
                    "Mowed the lawn, pruned the trees and cleared the weeds",
                ),
                ("已补种枯死花草", "Replanted the dead plants"),
            ),
            cause=("绿化养护计划执行不到位", "完成修剪和补种", "按季度制定养护计划并公示"),
        ),
        _Family(
            "security",
            "security",
            6,
            zh=(
                "单元门禁坏了好几天，陌生人随便进出",
                "车棚里的电动车被盗，监控什么都没拍到",
                "晚上巡逻的保安经常不在岗，外来人员随便进小区",
            ),
            en=("My bike was stolen from the shed and the CCTV was not working.",),
            results=(
                (
                    "已修复门禁并加强外来人员登记",
                    "Repaired the door entry system; visitors are now registered",
                ),
                (
                    "已调取监控配合派出所调查，车棚加装摄像头",
                    "Gave the CCTV footage to the police and added a camera to the shed",
                ),
            ),
            cause=(
                "安防设施维护与巡逻不到位",
                "修复设施、补齐岗位",
                "夜间巡逻打卡，安防设备每周检查",
            ),
            facts=((Fact.STAFF_FAULT, 0.1),),
        ),
        _Family(
            "data_leak",
            "data_leak",
            1,
            zh=("刚收房就接到好多装修推销电话，怀疑业主信息被泄露",),
            en=(
                "I keep getting spam calls since I registered at the management office; "
                "my personal data was leaked.",
            ),
            results=(
                (
                    "已排查业主资料查阅记录，收紧资料权限并向业主说明",
                    "Audited who read the "
                    "owners' records, tightened access and explained the findings",
                ),
            ),
            cause=("业主资料管理权限过宽", "收回多余权限", "资料查阅留痕，每季度审计"),
        ),
        _Family(
            "other",
            "other",
            3,
            zh=("小区公告栏的通知总是过期，也不更新", "快递柜不够用，包裹经常没地方放"),
            en=("The notice board in the lobby is always out of date.",),
            results=(
                (
                    "已更新公告栏并指定专人每周维护",
                    "Updated the notice board; someone now keeps it current every week",
                ),
                ("已联系快递柜公司增设柜体", "The parcel-locker company will add more lockers"),
            ),
            cause=("日常管理细节疏漏", "及时整改", "纳入客服部周检清单"),
        ),
        _Family(
            "enquiry",
            "",
            4,
            zh=(
                "请问物业费可以用微信缴纳吗？",
                "请问小区游泳池几点开放？",
                "想了解一下车位月租怎么交",
            ),
            en=("Could you tell me what time the management office opens on Saturday?",),
            results=(
                ("已电话告知业主", "Answered by phone"),
                ("已在前台当面解答", "Answered at the front desk"),
            ),
            kind=Kind.ENQUIRY,
        ),
        _Family(
            "request",
            "",
            4,
            zh=("申请补办门禁卡", "家里下水道堵了，请安排师傅上门疏通", "预约周六上门检修空调"),
            en=("Please arrange a plumber to check the water pressure in my flat.",),
            results=(
                ("已按约定时间上门完成", "Done at the agreed time"),
                ("已办理完毕", "Done"),
            ),
            kind=Kind.REQUEST,
        ),
    )
}

_INVALID: tuple[tuple[str, str, str], ...] = (
    # (what the complainant said, the assessment's finding, the explanation given)
    (
        "投诉物业不赔偿我家自己打碎的玻璃门",
        "室内物品由业主自行损坏，不属物业责任",
        "经核实，玻璃门系业主家中自行损坏，不属于物业管理责任范围，已当面说明",
    ),
    (
        "投诉保安不让外卖电动车开进小区",
        "保安按小区管理规定执行",
        "小区规定外卖车辆不得进入，保安按规定执行，已向业主解释并提供外卖取餐点",
    ),
    (
        "要求物业免收出差期间三个月的物业费",
        "物业费按合同按月收取，空置不减免",
        "物业服务合同约定空置期间照常收费，已向业主出示合同条款",
    ),
    (
        "投诉邻居家装修风格不好看",
        "业主室内装修属个人权利",
        "室内装修风格不属于物业管理范围，已向业主说明",
    ),
    (
        "Complaint: the office will not lend me a ladder for my own flat.",
        "不属于物业服务内容",
        "Lending tools is not a service under the contract; explained by phone / 已电话说明",
    ),
)

_GROUP = _Family(
    "group",
    "group_incident",
    0,
    zh=(
        "多名业主联名集体投诉，聚集在物业中心反映{issue_zh}",
        "我们业主们集体联名投诉：{issue_zh}，要求给个说法",
        "{issue_zh}，{n}户业主联名集体投诉，要求召开说明会",
    ),
    en=("Group complaint: many owners signed a petition, {issue_en}.",),
    results=(
        (
            "已召开业主统一说明会，停车费调整方案暂缓执行，待业主大会表决",
            "Held one explanation "
            "session for all owners; the parking-fee change is suspended until the owners' "
            "general meeting votes",
        ),
    ),
    cause=(
        "收费调整前未与业主充分沟通",
        "暂缓调价并召开说明会",
        "涉及全体业主的调整事先公示并征求意见",
    ),
    interim=(
        "需与业委会协商并召开统一说明会",
        "已与业委会联系，将召开业主说明会统一答复 / one session will answer everyone",
    ),
)
_GROUP_ISSUE = (
    "地下车库停车费上涨未经业主大会表决",
    "the underground car park fee went up without the owners' general meeting",
)

# Who an attitude complaint may be about: (department, rung) at the complaint's site.
_TARGETS: tuple[tuple[str, str, int], ...] = (
    ("customer_service", "front_line", 5),
    ("security", "front_line", 5),
    ("finance", "front_line", 2),
    ("cleaning", "front_line", 2),
    ("engineering", "front_line", 2),
    ("customer_service", "department_head", 1),
)
_STAFF_WORDS = ("工作人员", "staff member")


def _role_words(role: str) -> tuple[str, str]:
    """``"保安(夜班) / security guard, night shift"`` -> ``("保安", "security guard")``."""
    zh, _sep, en = role.partition(" / ")
    zh = re.sub(r"[(（].*?[)）]", "", zh).strip()
    en = en.split(",")[0].strip()
    return (zh or _STAFF_WORDS[0], en or _STAFF_WORDS[1])


_SATISFIED = (("满意，问题已解决", "Satisfied, thank you"), ("基本满意", "Fine now"),
              ("满意，处理及时", "Happy with how quickly it was fixed"))  # fmt: skip
_UNSATISFIED = (("问题还没有解决，不满意", "Not fixed, not satisfied"),
                ("处理太慢，要求领导出面", "Too slow; I want a manager to deal with it"),
                ("又出现同样的问题", "The same problem is back"))  # fmt: skip


def _fill_all(family: _Family, roles: Iterable[str] = ()) -> Iterator[str]:
    """Every wording of a family with sample values (for checks and tests).

    ``roles`` are staff roles (``"保安 / security guard"``) to put in the wording
    of complaints about a person.
    """
    for role_zh, role_en in [_role_words(r) for r in roles] or [_STAFF_WORDS]:
        for text in (*family.zh, *family.en):
            yield text.format(
                b=3, role_zh=role_zh, role_en=role_en, issue_zh=_GROUP_ISSUE[0],
                issue_en=_GROUP_ISSUE[1], n=12,
            )  # fmt: skip


# --------------------------------------------------------------------------- the plan


@attrs.frozen
class _Household:
    name: str
    phone: str
    room: str
    building: str
    site: str
    english: bool


@attrs.define
class _Life:
    """One complaint: what will happen to it (drawn up front) and how far it got."""

    at: datetime
    family: _Family
    household: _Household
    channel: Channel
    summary: str
    receiver: str = ""
    receiver_unit: str = "customer_service"
    via_head_office: bool = False
    forward: bool = False
    """Received by another unit or head office: forwarded to customer service first."""
    forward_at: datetime | None = None
    """When it is forwarded, if fixed at receipt (next morning; late ones, IN-5)."""
    target: TargetPerson | None = None
    validity: Validity = Validity.VALID
    facts: tuple[Fact, ...] = ()
    note: str = ""
    explanation: str = ""
    scenario: str = "normal"
    """normal | interim (REC-4 + DL-5, maybe DL-8) | late (misses department_result)."""
    promise_kept: bool = True
    pause: bool = False
    visits: list[bool] = attrs.Factory(list)
    reopen: bool = False
    measure: bool = False
    """IMP-1: corrective (and maybe preventive) measures follow the cause analysis."""
    late: bool = False
    """This office is slow on this one: its reports and measures come late."""
    sanction: bool = False
    evidence: bool = False
    major_issue: bool = False
    group: bool = False
    repeat_of: _Life | None = None
    """IMP-3: the earlier complaint this one repeats."""
    session_at: datetime | None = None
    # progress
    cid: str = ""
    generation: int = 0
    """Bumped when the next step is rescheduled; queued steps of older ones are dropped."""
    steps: deque[str] = attrs.Factory(deque)
    dissatisfied: int = 0
    handled_once: bool = False
    caused: bool = False
    sanctioned: bool = False
    reopened: bool = False
    measures: list[tuple[str, datetime]] = attrs.Factory(list)
    """IMP-1: (number, due date) of the measures recorded, to be marked done."""
    chores: set[str] = attrs.Factory(set)
    """Duties already scheduled (a written report, a site visit), so never twice."""

    @property
    def english(self) -> bool:
        return self.household.english

    def say(self, pair: tuple[str, str]) -> str:
        """A reply in the complainant's language (both for English speakers)."""
        zh, en = pair
        return f"{en} / {zh}" if self.english else zh


_ROOM_TRIES = 2_000
"""Draws of a free room before a household is drawn again: a big demo fills a building."""


class _Planner:
    """Draws the quarter's complaints: who, where, when, what and how it will go."""

    def __init__(
        self,
        rng: random.Random,
        staff: Sequence[StaffMember],
        tz: ZoneInfo,
        start: date,
        end: date,
        complaints: int,
    ) -> None:
        self.rng = rng
        self.staff = staff
        self.tz = tz
        self.start = start
        self.end = end
        self.total = complaints
        self.phones: set[str] = set()
        self.rooms: set[tuple[str, str]] = set()
        self.days = [start + timedelta(days=i) for i in range((end - start).days)]

    # ------------------------------------------------------------------ people

    def _phone(self) -> str:
        while True:
            number = self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def _name(self, english: bool) -> str:
        if english:
            return self.rng.choice(_ENGLISH)
        surname = self.rng.choice(_SURNAMES)
        if self.rng.random() < 0.1:
            return surname + self.rng.choice(("先生", "女士"))
        return surname + self.rng.choice(_GIVEN)

    def household(self, site: str | None = None, building: int | None = None) -> _Household:
        rng = self.rng
        if site is None:
            site = rng.choices(list(_SITES), [s[4] for s in _SITES.values()])[0]
        _zh, buildings, units, floors, _share = _SITES[site]
        for tries in itertools.count():
            b = building if building is not None else rng.randint(1, buildings)
            room = f"{b}-{rng.randint(1, units)}-{rng.randint(2, floors)}{rng.randint(1, 4):02d}"
            if (site, room) not in self.rooms:
                self.rooms.add((site, room))
                break
            if tries >= _ROOM_TRIES:  # the building is full: a household complains again
                break
        english = rng.random() < 0.08
        return _Household(self._name(english), self._phone(), room, str(b), site, english)

    def co_resident(self, h: _Household) -> _Household:
        """Another member of the same household: same room, own name and phone."""
        return attrs.evolve(h, name=self._name(h.english), phone=self._phone())

    # ------------------------------------------------------------------ staff

    def member(self, site: str, department: str, rung: str) -> StaffMember | None:
        for m in self.staff:
            if m.site == site and m.department == department and m.rung == rung:
                return m
        return None

    def head_office(self) -> str:
        """Who registers complaints sent straight to head office (IN-6): 总经办."""
        found = [m for m in self.staff if m.site in ("*", "") and m.department == "head_office"]
        found.sort(key=lambda m: ("总经办" not in m.role, m.staff_id))
        return found[0].staff_id if found else self.staff[0].staff_id

    def cs(self, site: str, rung: str = "front_line") -> str:
        m = self.member(site, "customer_service", rung)
        return m.staff_id if m else ""

    # ------------------------------------------------------------------ time

    def moment(self, day: date, *, office: bool = False) -> datetime:
        rng = self.rng
        r = rng.random()
        if office or r < 0.72:
            minutes = rng.randint(8 * 60 + 30, 18 * 60)
        elif r < 0.95:
            minutes = rng.randint(18 * 60, 22 * 60 + 30)
        else:
            minutes = rng.randint(22 * 60 + 30, 23 * 60 + 59)
        return datetime.combine(day, time(minutes // 60, minutes % 60), self.tz)

    def day(self) -> date:
        while True:
            d = self.rng.choice(self.days)
            if d.weekday() < 5 or self.rng.random() < 0.65:
                return d

    # ------------------------------------------------------------------ complaints

    def text(self, family: _Family, english: bool, **values: object) -> str:
        rng = self.rng
        pool = family.en if (english and rng.random() < 0.8) or rng.random() < 0.04 else ()
        template = rng.choice(pool or family.zh)
        return template.format(**values)

    def plan(self) -> list[_Life]:
        rng = self.rng
        n = self.total
        n_group = max(4, min(20, n // 25))
        n_repeat = max(3, n // 12)
        n_rise = n // 25
        n_base = max(n - n_group - n_repeat - n_rise, 1)
        codes = list(_FAMILIES)
        weights = [_FAMILIES[c].weight for c in codes]
        families = [*codes, "invalid", "invalid"]  # every family at least once
        rest = max(n_base - len(families), 0)
        families += rng.choices([*codes, "invalid"], [*weights, 7], k=rest)
        rng.shuffle(families)
        lives = [self.base(code) for code in families[:n_base]]
        base = list(lives)
        lives += self.group(n_group)
        lives += self.rise(n_rise)
        lives += self.repeats(base, n_repeat)
        lives += [self.base(rng.choice(codes)) for _ in range(n - len(lives))]
        lives = self.trim(lives, base, len(lives) - n)
        lives.sort(key=lambda life: life.at)
        return lives

    @staticmethod
    def trim(lives: list[_Life], base: list[_Life], extra: int) -> list[_Life]:
        """Drop ``extra`` ordinary complaints (third raisings came on top), never one a
        repeat refers to nor the last of its kind."""
        if extra <= 0:
            return lives
        referenced = {id(life.repeat_of) for life in lives if life.repeat_of is not None}
        kinds = Counter((life.family.code, life.validity) for life in base)
        dropped: set[int] = set()
        for life in reversed(base):
            kind = (life.family.code, life.validity)
            if len(dropped) == extra:
                break
            if id(life) not in referenced and kinds[kind] > 1:
                dropped.add(id(life))
                kinds[kind] -= 1
        return [life for life in lives if id(life) not in dropped]

    def base(self, code: str) -> _Life:
        rng = self.rng
        h = self.household()
        when = self.moment(self.day())
        channel = rng.choices([c for c, _ in _CHANNELS], [w for _, w in _CHANNELS])[0]
        if code == "invalid":
            said, note, explanation = rng.choice(_INVALID)
            life = _Life(
                when,
                _FAMILIES["other"],
                h,
                channel,
                said,
                validity=Validity.INVALID,
                note=note,
                explanation=explanation,
            )
        else:
            family = _FAMILIES[code]
            target = self.target(h.site) if code == "attitude" else None
            role = _role_words(target.role) if target else _STAFF_WORDS
            summary = self.text(family, h.english, b=h.building, role_zh=role[0], role_en=role[1])
            life = _Life(when, family, h, channel, summary, target=target)
            self.outcome(life)
        self.receive(life)
        return life

    def target(self, site: str) -> TargetPerson:
        rng = self.rng
        options = [t for t in _TARGETS if self.member(site, t[0], t[1]) is not None]
        department, rung, _w = rng.choices(options, [t[2] for t in options])[0]
        m = self.member(site, department, rung)
        assert m is not None
        return TargetPerson(staff_id=m.staff_id, rung=m.rung, role=m.role, department=m.department)

    def outcome(self, life: _Life) -> None:
        """How a valid record's life will go."""
        rng = self.rng
        family = life.family
        life.facts = tuple(f for f, p in family.facts if rng.random() < p)
        if family.kind is not Kind.COMPLAINT:
            return
        r = rng.random()
        life.scenario = "interim" if r < 0.16 else "late" if r < 0.25 else "normal"
        life.promise_kept = rng.random() < 0.8
        life.pause = rng.random() < 0.5
        first = rng.random() < 0.09
        life.visits = [False, rng.random() < 0.75] if first else [True]
        life.reopen = rng.random() < 0.05
        serious = any(
            f in life.facts
            for f in (Fact.STAFF_FAULT, Fact.AGENT_FAULT, Fact.MAJOR_LOSS, Fact.PROMISE_NOT_KEPT)
        )
        life.measure = serious or rng.random() < 0.3
        life.late = rng.random() < 0.08
        life.sanction = life.target is not None and Fact.STAFF_FAULT in life.facts
        life.evidence = family.code in ("leak", "facility", "security") and rng.random() < 0.3
        life.major_issue = family.code == "leak" and rng.random() < 0.05

    def receive(self, life: _Life) -> None:
        """Who took it, and whether another unit or head office had it first (IN-2/5/6).

        Never the person the complaint is about: they would hand it on (ESC-4).
        """
        self._receive(life)
        if life.target is not None and life.receiver == life.target.staff_id:
            life.receiver, life.receiver_unit = (
                self.cs(life.household.site, "complaint_handler"),
                ("customer_service"),
            )
            life.forward, life.forward_at = False, None

    def _receive(self, life: _Life) -> None:
        rng = self.rng
        site = life.household.site
        hour = life.at.hour + life.at.minute / 60
        office = 8.5 <= hour < 19.5
        channel = life.channel
        if channel is Channel.WRITTEN and not office:
            life.at = self.moment(life.at.date(), office=True)
            office = True
        if channel is Channel.FORWARDED and not life.group:
            if rng.random() < 0.5:  # IN-6: sent straight to head office
                life.receiver, life.receiver_unit = self.head_office(), "head_office"
                life.via_head_office = life.forward = True
                life.at = self.moment(life.at.date(), office=True)
                return
            life.summary = "【12345市民热线转办】" + life.summary
            life.receiver = self.cs(site, "complaint_handler")
            return
        if channel in (Channel.HOTLINE, Channel.WEB):
            life.receiver = self.cs(site, "complaint_handler")
            return
        told_other = not office or rng.random() < 0.05
        if channel in (Channel.PHONE, Channel.IN_PERSON) and told_other and not life.group:
            # IN-2, IN-5: a guard on night duty (or a technician on a job) took it.
            unit = rng.choice(("engineering", "security")) if office else "security"
            m = self.member(site, unit, "front_line")
            if m is not None:
                life.receiver, life.receiver_unit = m.staff_id, unit
                late = rng.random() < 0.15
                if office:
                    delay = timedelta(hours=rng.uniform(25, 40) if late else rng.uniform(1, 8))
                else:
                    next_morning = datetime.combine(
                        life.at.date() + timedelta(days=1), time(8, 40), self.tz
                    )
                    delay = next_morning - life.at + timedelta(minutes=rng.randint(0, 50))
                    if late:
                        delay += timedelta(hours=rng.uniform(24, 30))
                life.forward_at = life.at + delay
                life.forward = True
                return
        life.receiver = self.cs(site, "front_line" if rng.random() < 0.7 else "complaint_handler")
        if not life.receiver:
            life.receiver = self.cs(site, "complaint_handler")

    def group(self, count: int) -> list[_Life]:
        """HDL-5, HDL-6: one issue, many households, two days (a weekday in month two)."""
        rng = self.rng
        months = sorted({(d.year, d.month) for d in self.days})
        y, m = months[len(months) // 2]
        weekdays = [d for d in self.days if (d.year, d.month) == (y, m) and d.weekday() < 3]
        first = datetime.combine(rng.choice(weekdays or self.days), time(9, 0), self.tz)
        building = rng.randint(1, _SITES["sunrise"][1])  # the owners of one building
        lives = []
        for _ in range(count):
            h = self.household("sunrise", building)
            at = first + timedelta(minutes=rng.randint(0, 30 * 60))
            if at.hour >= 21 or at.hour < 8:
                at = at.replace(hour=rng.randint(8, 20))
            channel = (
                Channel.WRITTEN
                if rng.random() < 0.15
                else rng.choice((Channel.IN_PERSON, Channel.IN_PERSON, Channel.PHONE))
            )
            summary = self.text(
                _GROUP, h.english, issue_zh=_GROUP_ISSUE[0], issue_en=_GROUP_ISSUE[1], n=count
            )
            life = _Life(at, _GROUP, h, channel, summary, group=True)
            life.scenario = "group"
            life.visits = [rng.random() < 0.85, True]
            life.measure = rng.random() < 0.5
            self.receive(life)
            lives.append(life)
        last = max(life.at for life in lives)
        session = datetime.combine(last.date() + timedelta(days=1), time(19, 30), self.tz)
        while session.weekday() >= 5:
            session += timedelta(days=1)
        for life in lives:
            life.session_at = session
        return lives

    def repeats(self, lives: list[_Life], count: int) -> list[_Life]:
        """IMP-3: the same complainant again, or the same room and matter again."""
        rng = self.rng
        last = datetime.combine(self.end, time(0), self.tz)
        pool = [
            life for life in lives
            if life.validity is Validity.VALID and life.family.kind is Kind.COMPLAINT
            and not life.group and life.family.category not in ("", "other")
            and life.at + timedelta(days=8) < last
        ]  # fmt: skip
        rng.shuffle(pool)
        out: list[_Life] = []
        for original in pool[:count]:
            gap = timedelta(days=rng.uniform(5, 28), hours=rng.uniform(-4, 4))
            at = original.at + gap
            if at >= last - timedelta(hours=12):
                at = last - timedelta(hours=rng.uniform(14, 60))
            at = self.moment(at.date())
            if not original.at + timedelta(days=1) < at < last:
                continue
            if at - original.at > _REPEAT_WINDOW - timedelta(days=1):
                continue
            same_person = rng.random() < 0.6
            h = original.household if same_person else self.co_resident(original.household)
            family = original.family
            again = "（第二次反映）" if not h.english else " (second time)"
            role = _role_words(original.target.role) if original.target else _STAFF_WORDS
            summary = (
                self.text(family, h.english, b=h.building, role_zh=role[0], role_en=role[1]) + again
            )
            life = _Life(
                at,
                family,
                h,
                rng.choice((Channel.PHONE, Channel.IN_PERSON, Channel.HOTLINE)),
                summary,
                target=original.target,
                repeat_of=original,
            )
            self.outcome(life)
            if rng.random() < 0.3:
                # GRD-2: a promise not kept; raised a third time it is major (the desk
                # links the raisings at intake and sets "raised repeatedly" itself)
                life.facts = (*life.facts, Fact.PROMISE_NOT_KEPT)
                life.measure = True
            self.receive(life)
            out.append(life)
            third = self.again(life, original, last)
            if third is not None:
                out.append(third)
        return out

    def again(self, second: _Life, original: _Life, last: datetime) -> _Life | None:
        """IMP-3, GRD-2: now and then the same household raises the matter a third time."""
        rng = self.rng
        if rng.random() >= 0.3:
            return None
        at = self.moment((second.at + timedelta(days=rng.uniform(3, 12))).date())
        if not second.at + timedelta(hours=12) < at < last - timedelta(hours=12):
            return None
        h = second.household
        role = _role_words(original.target.role) if original.target else _STAFF_WORDS
        again = "（第三次反映，仍未解决）" if not h.english else " (third time, still not fixed)"
        summary = (
            self.text(original.family, h.english, b=h.building, role_zh=role[0], role_en=role[1])
            + again
        )
        life = _Life(
            at,
            original.family,
            h,
            rng.choice((Channel.PHONE, Channel.HOTLINE)),
            summary,
            target=original.target,
            repeat_of=second,
        )
        self.outcome(life)
        life.facts = tuple(dict.fromkeys((*life.facts, *second.facts)))
        life.measure = True
        self.receive(life)
        return life

    def rise(self, count: int) -> list[_Life]:
        """IMP-4: a real rise to warn about: one building's lifts fail in the last month,
        and its households complain over ten days."""
        rng = self.rng
        months = sorted({(d.year, d.month) for d in self.days})
        y, m = months[-1]
        days = [d for d in self.days if (d.year, d.month) == (y, m)]
        start = days[min(6, len(days) - 1)]
        building = rng.randint(1, _SITES["sunrise"][1])
        family = _FAMILIES["facility"]
        lift = [t for t in family.zh if "电梯" in t]
        lives = []
        for _ in range(count):
            h = self.household("sunrise", building)
            day = start + timedelta(days=rng.randrange(10))
            if day not in self.days:
                continue
            summary = rng.choice(lift).format(b=h.building)
            life = _Life(self.moment(day), family, h, rng.choice((Channel.PHONE, Channel.HOTLINE)),
                         summary)  # fmt: skip
            self.outcome(life)
            self.receive(life)
            lives.append(life)
        return lives


# --------------------------------------------------------------------------- the run


class _Simulation:
    """Runs the plan through a desk on a simulated clock (a priority queue of jobs)."""

    def __init__(
        self,
        desk: Desk,
        rng: random.Random,
        lives: list[_Life],
        start: date,
        end: date,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.desk = desk
        self.pack = desk.pack
        self.cal = desk.calendar
        self.rng = rng
        self.lives = lives
        self.tz = ZoneInfo(desk.pack.calendar.timezone)
        self.final = datetime.combine(end, time(0), self.tz)
        self.members = list(desk.directory.members())
        self.progress = progress
        self.days = (end - start).days
        self.queue: list[tuple[datetime, int, str, int, int]] = []
        self.seq = 0
        self.index_of: dict[str, int] = {}
        self.latest: dict[str, Complaint] = {}
        self.daily: dict[date, int] = {}
        self.skips: list[str] = []
        self.explained: set[str] = set()
        """Concentrated issues given their one explanation (HDL-5)."""
        self.sweeps = 0
        for i in range(self.days):
            self.push(datetime.combine(start + timedelta(days=i), _SWEEP_AT, self.tz), "sweep", i)
        for index, life in enumerate(lives):
            self.push(life.at, "receive", index)

    # ------------------------------------------------------------------ the queue

    def push(self, at: datetime, what: str, index: int, generation: int = 0) -> None:
        self.seq += 1
        heapq.heappush(self.queue, (at, self.seq, what, index, generation))

    def run(self) -> None:
        while self.queue:
            at, _seq, what, index, generation = heapq.heappop(self.queue)
            if at >= self.final:
                continue
            if what == "sweep":
                self.sweep(at)
                if self.progress is not None:
                    self.progress(index + 1, self.days)
            elif what == "receive":
                self.receive(self.lives[index], index, at)
            elif what == "take_over":
                self.take_over(self.lives[index], index, at)
            elif generation == self.lives[index].generation:  # not rescheduled since
                self.step(self.lives[index], index, at)
        self.sweep(self.final)
        if self.progress is not None:
            self.progress(self.days, self.days)

    def sweep(self, now: datetime) -> None:
        report: SweepReport = self.desk.sweep(now)
        self.desk.deliver(now)  # the office's cron: sweep, then send what is queued
        self.sweeps += 1
        escalated = {cid for cid, _clock in report.escalated}
        for cid in sorted(escalated | set(report.regraded)):
            self.refresh(cid, now)
            life = self.lives[self.index_of[cid]]
            if cid in escalated and life.steps and life.steps[0] != "forward":
                later = self.cal.add(now, timedelta(minutes=self.rng.randint(20, 120)))
                self.push(later, "take_over", self.index_of[cid])

    def take_over(self, life: _Life, index: int, now: datetime) -> None:
        """ESC-2: after a missed deadline the rung above takes the complaint at once."""
        self.ensure_handler(self.latest[life.cid], now)
        if life.steps and life.steps[0] == "handle" and life.scenario in ("late", "interim"):
            life.scenario = "normal"  # no more waiting: the new handler gets on with it
            life.generation += 1
            self.schedule(life, index, now)

    def schedule(self, life: _Life, index: int, now: datetime) -> None:
        """When the next step happens (working time for office work)."""
        if not life.steps:
            return
        nxt = life.steps[0]
        rng = self.rng
        cal = self.cal

        def work(lo: float, hi: float) -> datetime:
            return cal.add(now, timedelta(minutes=round(rng.uniform(lo, hi) * 60)))

        def soon(lo: int, hi: int) -> datetime:
            return now + timedelta(minutes=rng.randint(lo, hi))

        at: datetime
        if nxt == "forward":
            at = max(now, life.forward_at) if life.forward_at else work(1, 6)
        elif nxt == "assess":
            at = work(0.2, 2.5)
        elif nxt in ("evidence", "pause"):
            at = soon(5, 40)
        elif nxt == "interim":
            at = work(1, 6)
        elif nxt == "resume":
            at = work(3, 9)
        elif nxt == "handle":
            if life.family.kind is Kind.ENQUIRY:
                at = soon(5, 40)  # customer service answers it itself
            elif life.scenario == "late" and not life.handled_once:
                at = work(28, 40)
            elif life.scenario == "interim" and not life.handled_once:
                at = work(0.5, 3)
                promised = self.latest[life.cid].state.promise_due
                if promised is not None and not life.promise_kept:
                    at = cal.add(max(promised, now), timedelta(hours=rng.uniform(1, 6)))
            elif life.scenario == "group" and life.session_at is not None:
                at = max(now + timedelta(minutes=1), life.session_at)
            else:
                at = work(1, 12)
        elif nxt in ("reply", "answer"):
            at = soon(10, 50) if life.scenario == "group" else work(0.3, 3)
        elif nxt == "visit_answer":  # by the time appointed at the visit (VIS-2)
            at = work(1, 8)
        elif nxt == "explain":  # VAL-3, DL-2: the same working day, mostly
            due = cal.end_of_working_day(cal.next_open(now))
            at = work(0.2, 2)
            if rng.random() < 0.88:
                at = min(at, max(now, due - timedelta(minutes=rng.randint(5, 30))))
            else:
                at = cal.add(due, timedelta(hours=rng.uniform(1, 5)))
        elif nxt == "visit":
            at = work(3, 18)
        elif nxt == "close":
            at = soon(3, 30)
        elif nxt in ("report", "written_report"):  # by the next working day (REC-2, GRD-3)
            at = work(10, 20) if life.late else work(0.3, 7)
        elif nxt == "site_visit":  # within 4 hours on the clock, "at once" (004 篇4 §3.6)
            at = soon(270, 540) if life.late else soon(20, 210)
        elif nxt == "acknowledge":  # by the end of the next working day (HDL-1)
            at = work(18, 26) if life.late else work(0.2, 3)
        elif nxt == "call_back":  # within 2 working days of closure (IN-6)
            at = work(20, 30) if life.late else work(1, 15)
        elif nxt == "measure_done" and life.measures:
            _number, due = life.measures[0]
            at = (
                due + timedelta(days=rng.uniform(1, 6))
                if life.late
                else max(now + timedelta(hours=1), due - timedelta(days=rng.uniform(0.5, 5)))
            )
        elif nxt == "reopen":
            at = cal.next_open(now + timedelta(days=rng.uniform(5, 25)))
        else:  # decide, cause, sanction, sign_off
            at = work(0.5, 4) if nxt == "cause" else work(1, 14)
        self.push(at, "step", index, life.generation)

    # ------------------------------------------------------------------ receiving

    def receive(self, life: _Life, index: int, now: datetime) -> None:
        h = life.household
        site_zh = _SITES[h.site][0]
        day = now.date()
        self.daily[day] = self.daily.get(day, 0) + 1
        cid = f"C-{day:%Y%m%d}-{self.daily[day]:04d}"
        life.cid = cid
        self.index_of[cid] = index
        intake = Intake(
            complainant=Complainant(h.name, h.phone, h.room, h.building, h.site),
            channel=life.channel,
            received_at=now,
            receiver=life.receiver,
            receiver_unit=life.receiver_unit,
            summary=life.summary,
            site=h.site,
            location=f"{site_zh}{h.room}",
            target=life.target,
            via_head_office=life.via_head_office,
            account=f"业主自述：{life.summary}"
            if life.channel in (Channel.PHONE, Channel.IN_PERSON)
            else "",
            idempotency_key=f"web-{cid}" if life.channel is Channel.WEB else "",
        )
        routed = not life.forward
        c = self.desk.receive(intake, now=now, complaint_id=cid, route=routed)
        self.latest[cid] = c
        for ev in c.events:  # earlier complaints this one changed (GRD-2, HDL-6)
            if isinstance(ev, Linked) and ev.raised_repeatedly:
                for other in (*ev.same_complainant, *ev.same_room):
                    self.refresh(other, now)
            elif isinstance(ev, Grouped) and ev.incident:
                for other in ev.members:
                    if other != cid:
                        self.refresh(other, now)
        steps: list[str] = ["forward"] if not routed else []
        if any(d.command == "acknowledge" and d.owed_on(life.channel) for d in self.pack.duties):
            steps.append("acknowledge")  # HDL-1, 002 A.b: a letter is acknowledged by phone
        if life.validity is Validity.INVALID:
            # No Handled event: nothing to fix.  (The pack's department_result clock does
            # not stop at closure, so the report counts it as breached for these.)
            steps += ["assess", "explain", "close"]
        elif life.family.kind is not Kind.COMPLAINT:  # VAL-4: a request or an enquiry
            steps += ["assess", "handle", "answer", "close"]
        else:
            steps.append("assess")
            steps += ["evidence"] if life.evidence else []
            if life.scenario in ("interim", "group") or (
                life.scenario == "late" and self.rng.random() < 0.8
            ):
                steps.append("interim")
            if life.scenario == "interim" and life.pause and life.promise_kept:
                steps += ["pause", "resume"]
            steps += ["handle", "reply", "report", "cause", "visit", "close"]
            life.chores.add("report")  # REC-2: once answered, reported to the leader
        life.steps = deque(steps)
        self.add_chores(life, index, now, scheduled=True)
        self.schedule(life, index, now)

    # ------------------------------------------------------------------ acting

    def act(self, c: Complaint, command: Command, now: datetime) -> Complaint | None:
        """Run a command; a refusal is counted and skipped, never fatal."""
        try:
            after = self.desk.act(c.id, command, now=now)
        except (AccessDeniedError, IllegalTransitionError, InvalidInputError) as exc:
            self.skips.append(
                f"{c.id} {command.name} by {command.actor}: {type(exc).__name__}: {exc}"
            )
            return None
        self.latest[c.id] = after
        return after

    def site(self, c: Complaint) -> str:
        return c.intake.site or c.intake.complainant.site

    def candidates(self, c: Complaint, prefer: Iterable[str] = ()) -> list[str]:
        """Who might act: the preferred ids, then the site's staff, lowest rung first,
        the complaint's department before customer service before the rest."""
        site = self.site(c)
        dept = c.state.department
        cs = self.pack.customer_service
        others = sorted(
            (m for m in self.members if m.works_at(site) and self.pack.has_rung(m.rung)),
            key=lambda m: (
                self.pack.rung_index(m.rung),
                m.department != dept,
                m.department != cs,
                m.staff_id,
            ),
        )
        seen: dict[str, None] = {}
        for sid in (*prefer, *(m.staff_id for m in others)):
            if sid:
                seen.setdefault(sid, None)
        return list(seen)

    def by(
        self, c: Complaint, make: Callable[[str], Command], prefer: Iterable[str] = ()
    ) -> Command | None:
        """The command from the first candidate the access rules allow (ESC-3/4, site)."""
        for sid in self.candidates(c, prefer):
            command = make(sid)
            try:
                access.authorize(c, command, self.desk.directory.get(sid), self.pack)
            except AccessDeniedError:
                continue
            return command
        return None

    def run_by(
        self,
        c: Complaint,
        make: Callable[[str], Command],
        now: datetime,
        prefer: Iterable[str] = (),
    ) -> Complaint | None:
        command = self.by(c, make, prefer)
        if command is None:
            probe = make(c.state.handler or "nobody")
            self.skips.append(f"{c.id} {probe.name}: nobody at the site may do it")
            return None
        return self.act(c, command, now)

    def cs_staff(self, c: Complaint) -> list[str]:
        """Customer service at the site, complaint handler first (visits, reopenings)."""
        site = self.site(c)
        order = {"complaint_handler": 0, "front_line": 1, "department_head": 2}
        found = [m for m in self.members
                 if m.site == site and m.department == self.pack.customer_service
                 and m.rung in order]  # fmt: skip
        return [m.staff_id for m in sorted(found, key=lambda m: (order[m.rung], m.staff_id))]

    def ensure_handler(self, c: Complaint, now: datetime) -> Complaint:
        """A handler the grade and target allow (ESC-3, ESC-4), assigned if needed.

        After an escalation the complaint has no handler; after a grade rises its
        handler may be too junior.  The new handler sits at the rung the complaint
        is at or must be at: a higher rung than both needs an escalation (ESC-5).
        """
        if "assign" not in TRANSITIONS[c.state.status]:
            return c
        need = max(required_rung_index(c, self.pack), current_rung_index(c, self.pack))
        handler = self.desk.directory.get(c.state.handler) if c.state.handler else None
        if handler is not None and self.pack.rung_index(handler.rung) >= need:
            return c
        chosen: StaffMember | None
        if not c.state.rung:
            chosen = access.pick_handler(c, self.members, self.pack, now)
        else:
            target = c.state.target or c.intake.target
            site = self.site(c)
            pool = [
                m for m in self.members
                if m.works_at(site) and self.pack.has_rung(m.rung)
                and self.pack.rung_index(m.rung) == need
                and not (target is not None and target.staff_id == m.staff_id)
            ]  # fmt: skip
            pool.sort(
                key=lambda m: (
                    m.department != c.state.department,
                    m.department != self.pack.customer_service,
                    m.staff_id,
                )
            )
            chosen = pool[0] if pool else None
        if chosen is None:
            return c
        member = chosen
        after = self.run_by(
            c,
            lambda sid: Assign(actor=sid, handler=member.staff_id, rung=member.rung),
            now,
            prefer=self.cs_staff(c)[::-1],
        )
        return after or c

    def settle(
        self, c: Complaint, make: Callable[[str], Command], now: datetime
    ) -> Complaint | None:
        """A handling command (ESC-3): by the handler, reassigned first if need be."""
        c = self.ensure_handler(c, now)
        return self.run_by(c, make, now, prefer=(c.state.handler,))

    # ------------------------------------------------------------------ steps

    def step(self, life: _Life, index: int, now: datetime) -> None:
        name = life.steps.popleft()
        if age_upgrade_due(self.latest[life.cid], self.pack, now):
            # GRD-2, DL-6: made major since the last sweep: the desk regrades and
            # re-routes it first, so its staff are chosen from that state
            self.sweep(now)
        c = self.latest[life.cid]
        getattr(self, f"do_{name}")(life, c, now)
        self.add_chores(life, index, now, scheduled=True)
        self.schedule(life, index, now)

    def refresh(self, cid: str, now: datetime) -> None:
        """Re-read a complaint another one changed (grouped, raised again) and do what
        its new state owes."""
        index = self.index_of.get(cid)
        if index is None:
            return
        self.latest[cid] = self.desk.get(cid)
        self.add_chores(self.lives[index], index, now)

    def add_chores(self, life: _Life, index: int, now: datetime, scheduled: bool = False) -> None:
        """What a complaint's grade or a serious or HDL-6 escalation owes at once: a written
        report for an important or major complaint (GRD-3), a visit to the site for a major
        or serious one (004 篇4 §3.6).  Done before the complaint's next step."""
        c = self.latest.get(life.cid)
        if c is None or c.state.complaint_kind is not Kind.COMPLAINT:
            return
        grade = c.state.grade
        serious = any(  # the pack's site_visit starts on each (004 篇4 §3.6, HDL-6)
            (isinstance(e, Escalated) and e.trigger in (Trigger.SERIOUS, Trigger.INCIDENT))
            or (isinstance(e, Grouped) and e.incident)  # a member at the rung already
            for e in c.events
        )
        ahead = []
        if grade is not None and grade.rank >= Grade.IMPORTANT.rank:
            ahead.append("written_report")
        if grade is Grade.MAJOR or serious:
            ahead.append("site_visit")
        ahead = [chore for chore in ahead if chore not in life.chores]
        if not ahead:
            return
        life.chores.update(ahead)
        idle = not life.steps
        life.steps.extendleft(reversed(ahead))
        if idle and not scheduled:
            life.generation += 1
            self.schedule(life, index, now)

    def do_forward(self, life: _Life, c: Complaint, now: datetime) -> None:
        if c.state.unit == self.pack.customer_service:
            # IN-5: forwarded too late, the sweep has already handed it to customer service
            self.ensure_handler(c, now)
            return
        note = (
            "值班受理，转客服部登记处理" if life.receiver_unit == "security" else "转客服部登记处理"
        )
        after = self.run_by(
            c,
            lambda sid: Forward(actor=sid, to_unit=self.pack.customer_service, note=note),
            now,
            prefer=(life.receiver,),
        )
        if after is not None:
            self.ensure_handler(after, now)

    def do_assess(self, life: _Life, c: Complaint, now: datetime) -> None:
        kind = life.family.kind if life.validity is Validity.VALID else Kind.COMPLAINT
        note = life.note or ("经现场核实属实" if kind is Kind.COMPLAINT else "")
        self.settle(
            c,
            lambda sid: Assess(
                actor=sid,
                validity=life.validity,
                kind=kind,
                reasonable=life.validity is Validity.VALID,
                facts=life.facts,
                note=note,
            ),
            now,
        )

    def do_evidence(self, life: _Life, c: Complaint, now: datetime) -> None:
        self.run_by(
            c,
            lambda sid: AttachEvidence(
                actor=sid,
                reference=f"IMG_{now:%Y%m%d_%H%M}.jpg",
                note="业主提供的现场照片 / photo from the owner",
            ),
            now,
            prefer=self.cs_staff(c),
        )

    def do_interim(self, life: _Life, c: Complaint, now: datetime) -> None:
        family = life.family
        reason, message = family.interim
        reason = reason or "需要相关部门进一步核查"
        message = message or "正在核查处理，将尽快答复 / we are looking into it"
        # DL-3: the reply that cannot solve it at once agrees a new date with the owner
        # (a promise, DL-5): two hours after the session with them, else by the
        # close of the working day after the next eight working hours; a late
        # department's owner is given 48 working hours, which it keeps
        hours = 48 if life.scenario == "late" else 8
        due = self.cal.end_of_working_day(self.cal.add(now, timedelta(hours=hours)))
        if life.session_at is not None and life.session_at + timedelta(hours=2) > now:
            due = life.session_at + timedelta(hours=2)
        self.settle(
            c,
            lambda sid: Reply(
                actor=sid, message=message, unanswerable_reason=reason, agreed_due=due
            ),
            now,
        )

    def do_pause(self, life: _Life, c: Complaint, now: datetime) -> None:
        self.run_by(
            c,
            lambda sid: Pause(actor=sid, reason="等待业主提供入户时间 (DL-8)"),
            now,
            prefer=(c.state.handler,),
        )

    def do_resume(self, life: _Life, c: Complaint, now: datetime) -> None:
        if c.state.paused:
            self.run_by(c, lambda sid: Resume(actor=sid), now, prefer=(c.state.handler,))

    def _result(self, life: _Life) -> tuple[str, str]:
        results = life.family.results or (("已处理完毕", "Done"),)
        return results[sum(map(ord, life.cid)) % len(results)]

    def do_handle(self, life: _Life, c: Complaint, now: datetime) -> None:
        promised = c.state.promise_due
        if promised is not None and promised < now and "apology" not in life.chores:
            # DL-5: the promise was broken: apologise, say why, offer a remedy
            life.chores.add("apology")
            self.run_by(
                c,
                lambda sid: Apologise(
                    actor=sid,
                    apology="向业主致歉，未能按约定时间处理完毕",
                    reason="配件未能按时到货 / the parts did not arrive in time",
                    remedy="今天下午安排师傅上门，并减免当月维修费",
                ),
                now,
                prefer=(c.state.handler,),
            )
            c = self.latest[life.cid]
        if c.state.status is Status.AWAITING_VISIT:
            return  # answered already (HDL-5: the issue's explanation gave the result)
        zh = life.note or self._result(life)[0]
        if life.handled_once:
            zh = "返工处理：" + zh
        life.handled_once = True
        self.settle(c, lambda sid: Handle(actor=sid, result=zh), now)

    def do_reply(self, life: _Life, c: Complaint, now: datetime) -> None:
        if life.scenario == "group" and c.state.issue:
            self.explain_issue(c, now)
            return
        c = self.helped(c, now)
        message = life.say(self._result(life))
        self.settle(c, lambda sid: Reply(actor=sid, message=message, final=True), now)

    def helped(self, c: Complaint, now: datetime) -> Complaint:
        """HDL-4: each helping department records its part before the final reply, by
        its own staff at the complaint's rung or above (CLS-3, ESC-5), else by the
        handler."""
        pack = self.pack
        need = max(required_rung_index(c, pack), current_rung_index(c, pack))
        for department in helpers_owed(c, pack):
            own = sorted(
                m.staff_id
                for m in self.members
                if m.department == department
                and pack.has_rung(m.rung)
                and pack.rung_index(m.rung) >= need
            )
            done = self.run_by(c, _helping_part(department), now, prefer=(*own, c.state.handler))
            c = done or c
        return c

    def explain_issue(self, c: Complaint, now: datetime) -> None:
        """HDL-5: the session's one explanation, given to every member of the issue.

        The first member to be answered answers them all (``Desk.explain_all``);
        the others find their reply given already.  A group complaint the desk
        did not link (received outside the pack's window) is answered alone.
        """
        issue = c.state.issue
        if issue in self.explained:
            return
        self.explained.add(issue)
        for row in self.desk.issue(issue):  # HDL-4: each member's helpers, first
            member = self.latest.get(row.id)
            if member is not None and member.is_open:
                self.helped(member, now)
        first = self.ensure_handler(self.latest[self.desk.issue(issue)[0].id], now)
        message = "已召开业主统一说明会，停车费调整方案暂缓执行，待业主大会表决"
        probe = self.by(
            first,
            lambda sid: Reply(actor=sid, message=message, explanation=True, final=True),
            prefer=(first.state.handler,),
        )
        if probe is None:
            self.skips.append(f"{issue} explain_all: nobody at the site may do it")
            return
        result = self.desk.explain_all(
            issue, actor=probe.actor, message=message, now=now, final=True
        )
        for cid in result.done:
            self.latest[cid] = self.desk.get(cid)
        self.skips += [f"{cid} explain_all: {exc}" for cid, exc in result.skipped]

    def do_answer(self, life: _Life, c: Complaint, now: datetime) -> None:
        self.do_reply(life, c, now)

    def do_explain(self, life: _Life, c: Complaint, now: datetime) -> None:
        message = life.explanation or "经核实不属于物业管理责任范围，已向业主说明"
        self.settle(c, lambda sid: Reply(actor=sid, message=message, explanation=True), now)

    def do_visit(self, life: _Life, c: Complaint, now: datetime) -> None:
        if c.state.status is not Status.AWAITING_VISIT:
            life.steps.appendleft("visit")  # not replied yet: ask later
            if c.state.status is Status.IN_HANDLING and "reply" not in life.steps:
                life.steps.appendleft("reply")
            return
        satisfied = life.visits.pop(0) if life.visits else True
        rng = self.rng
        opinion = life.say(rng.choice(_SATISFIED if satisfied else _UNSATISFIED))
        reply_due = None
        if satisfied and rng.random() < 0.05:  # VIS-2: a question for later
            opinion += "；另询问物业费发票事宜，约定两天内答复"
            reply_due = now + timedelta(days=2)
        major = satisfied and life.major_issue
        problem = "整栋楼水管老化，建议列入维修计划" if major else ""
        if major:
            opinion += "；" + problem
        after = self.run_by(
            c,
            lambda sid: Visit(
                actor=sid,
                satisfied=satisfied,
                opinion=opinion,
                reply_due=reply_due,
                major_issue=major,
                problem=problem,
            ),
            now,
            prefer=self.cs_staff(c),
        )
        if after is not None and reply_due is not None:
            life.steps.appendleft("visit_answer")  # VIS-2: answered before it is closed
        if after is None or satisfied:
            return
        life.dissatisfied += 1
        # REC-2: the new result is reported to the leader too
        report = ["report"] if "report" in life.chores else []
        if life.dissatisfied >= 2 and after.state.rung == self.pack.top_rung.code:
            # VIS-3: the top rung decides instead of the complainant.
            if life.steps and life.steps[0] == "close":
                life.steps.popleft()
            life.steps.extendleft(reversed(["handle", "decide", *report]))
        else:
            life.steps.extendleft(reversed(["handle", "reply", *report, "visit"]))

    def do_visit_answer(self, life: _Life, c: Complaint, now: datetime) -> None:
        """VIS-2: the question the visit could not answer, answered as appointed."""
        message = "关于物业费发票事宜，已开具并送达业主 / the fee invoice has been issued"
        self.settle(c, lambda sid: Reply(actor=sid, message=message), now)

    def do_close(self, life: _Life, c: Complaint, now: datetime) -> None:
        if c.state.status is Status.CLOSED:
            return
        if life.validity is Validity.INVALID:
            result = "无效投诉，已向业主解释说明 / invalid, explained to the complainant"
        elif life.family.kind is not Kind.COMPLAINT:
            result = self._result(life)[0]
        else:
            result = self._result(life)[0] + "；业主确认满意 / confirmed by the complainant"
        after = self.settle(
            c,
            lambda sid: Close(
                actor=sid,
                result=result,
                confirmed_by_complainant=life.validity is Validity.VALID
                and life.family.kind is Kind.COMPLAINT,
            ),
            now,
        )
        if after is not None and after.state.status is Status.CLOSED:
            self.after_close(life)

    def do_decide(self, life: _Life, c: Complaint, now: datetime) -> None:
        result = "经物业总监审定，维持处理结果，结案 / closed by decision of senior management"
        after = self.settle(
            c, lambda sid: Close(actor=sid, result=result, decided_by_top_rung=True), now
        )
        if after is not None and after.state.status is Status.CLOSED:
            self.after_close(life)

    def after_close(self, life: _Life) -> None:
        tail = []
        c = self.latest[life.cid]
        if c.state.grade is not None and "report" not in life.chores:
            life.chores.add("report")  # REC-2: content and result to the leader
            tail.append("report")
        if c.intake.via_head_office and "call_back" not in life.chores:
            life.chores.add("call_back")  # IN-6: head office calls the complainant back
            tail.append("call_back")
        if life.channel.value in self.pack.sign_off_channels:
            tail.append("sign_off")
        if life.sanction and not life.sanctioned:
            tail.append("sanction")
        if life.reopen and not life.reopened:
            tail.append("reopen")
        waiting = len(life.measures) - life.steps.count("measure_done")
        tail += ["measure_done"] * max(waiting, 0)
        life.steps.extend(tail)

    def do_cause(self, life: _Life, c: Complaint, now: datetime) -> None:
        """IMP-1: the cause and the measures, recorded before the complaint closes."""
        cause, corrective, preventive = life.family.cause
        if not cause or life.caused:
            return
        life.caused = True
        after = self.run_by(
            c,
            lambda sid: RecordCause(
                actor=sid, cause=cause, corrective=corrective, preventive=preventive
            ),
            now,
            prefer=(c.state.handler,),
        )
        if after is None or not life.measure:
            return
        owner = self.member(c, c.state.department or self.pack.customer_service)
        if owner is None:
            return
        plans = [(MeasureKind.CORRECTIVE, corrective, self.rng.uniform(5, 15))]
        if self.rng.random() < 0.4:
            plans.append((MeasureKind.PREVENTIVE, preventive, self.rng.uniform(20, 45)))
        for kind, action, days in plans:
            due = self.cal.end_of_working_day(self.cal.next_open(now + timedelta(days=days)))
            done = self.run_by(
                after, _measure(kind, action, owner, due), now, prefer=(after.state.handler,)
            )
            if done is not None:
                measure = done.events[-1]
                assert isinstance(measure, MeasureAdded)
                life.measures.append((measure.measure, measure.due))
                after = done

    def member(self, c: Complaint, department: str) -> StaffMember | None:
        """The head of ``department`` at the complaint's site (who owns its measures)."""
        site = self.site(c)
        for m in self.members:
            if m.site == site and m.department == department and m.rung == "department_head":
                return m
        return None

    def do_report(self, life: _Life, c: Complaint, now: datetime) -> None:
        result = self._result(life)
        self.run_by(
            c,
            lambda sid: Report(
                actor=sid,
                content=f"业主反映：{life.family.cause[0] or '投诉'}",
                result=result[0],
                to="department_head",
            ),
            now,
            prefer=(c.state.handler,),
        )

    def do_written_report(self, life: _Life, c: Complaint, now: datetime) -> None:
        # once answered, the report gives the result too (REC-2: it reports to the leader)
        answered = c.state.final_reply or c.state.status is Status.CLOSED
        result = self._result(life)[0] if answered else ""
        self.run_by(
            c,
            lambda sid: Report(
                actor=sid,
                content="重要投诉书面报告：" + (life.family.cause[0] or "投诉"),
                result=result,
                to="project_manager",
                written=True,
                reference=f"BG-{c.id}",
            ),
            now,
            prefer=self.cs_staff(c)[::-1],
        )

    def do_site_visit(self, life: _Life, c: Complaint, now: datetime) -> None:
        owed = self.desk.duties(c.id, now)
        if not any(d.owed and "site_visited" in d.duty.stop for d in owed):
            return  # HDL-6: a group incident's visit, recorded on another member
        self.run_by(
            c,
            lambda sid: VisitSite(
                actor=sid,
                findings="已随业主到现场查看并记录 / checked on site with the owner",
                departments=(c.state.department,) if c.state.department else (),
            ),
            now,
            prefer=self.cs_staff(c)[::-1],
        )

    def do_call_back(self, life: _Life, c: Complaint, now: datetime) -> None:
        self.run_by(
            c,
            lambda sid: CallBack(actor=sid, outcome="业主表示满意 / satisfied", satisfied=True),
            now,
            prefer=[m.staff_id for m in self.members if m.department == "head_office"],
        )

    def do_measure_done(self, life: _Life, c: Complaint, now: datetime) -> None:
        if not life.measures:
            return
        number, _due = life.measures.pop(0)
        self.run_by(
            c,
            lambda sid: CompleteMeasure(
                actor=sid, measure=number, result="已按计划完成整改 / done as planned"
            ),
            now,
            prefer=(c.state.handler,),
        )

    def do_sanction(self, life: _Life, c: Complaint, now: datetime) -> None:
        life.sanctioned = True
        if any(isinstance(e, SanctionRecorded) for e in c.events):
            return
        self.run_by(c, lambda sid: RecordSanction(actor=sid), now, prefer=(c.state.handler,))

    def do_acknowledge(self, life: _Life, c: Complaint, now: datetime) -> None:
        """HDL-1 (002 A.b): customer service calls the owner: received, being arranged,
        with an apology."""
        if c.state.acknowledged:
            return
        apology = "来信已收到，正着手安排解决，给您带来不便深表歉意 / received, in hand; sorry"
        self.run_by(c, lambda sid: Acknowledge(actor=sid, apology=apology), now, self.cs_staff(c))

    def do_sign_off(self, life: _Life, c: Complaint, now: datetime) -> None:
        if c.state.status is not Status.CLOSED or c.state.signed_off:
            return
        self.run_by(c, lambda sid: SignOff(actor=sid), now, prefer=self.cs_staff(c)[::-1])

    def do_reopen(self, life: _Life, c: Complaint, now: datetime) -> None:
        life.reopened = True
        if c.state.status is not Status.CLOSED:
            return
        after = self.run_by(
            c,
            lambda sid: Reopen(actor=sid, reason="业主来电反映问题复发 / the problem came back"),
            now,
            prefer=self.cs_staff(c),
        )
        if after is not None:
            life.visits = [True]
            report = ["report"] if "report" in life.chores else []  # REC-2: the new result
            life.steps.extendleft(reversed(["handle", "reply", *report, "visit", "close"]))


def _measure(
    kind: MeasureKind, action: str, owner: StaffMember, due: datetime
) -> Callable[[str], Command]:
    def make(actor: str) -> Command:
        return AddMeasure(
            actor=actor,
            kind=kind,
            action=action,
            owner=owner.staff_id,
            due=due,
            department=owner.department,
        )

    return make


# --------------------------------------------------------------------------- entry point


DEMO_MARKER = ".complaintcore-demo"
"""Marks a directory the demo wrote, so ``--force`` never replaces a real desk; it
records the configuration the demo wrote (:func:`_is_demo`)."""

_MARKER_TEXT = "written by `complaintcore demo`; safe to replace\nconfig-sha256: {digest}\n"


def _digest(text: bytes) -> str:
    return hashlib.sha256(text).hexdigest()


def _is_demo(marker: Path, config_path: Path) -> bool:
    """Whether the desk files in a directory are still a demo's: its marker is there
    *and* the configuration is the one that demo wrote (the digest the marker
    records; a marker from before it had none: the demo's own text).  A marker
    alone proves nothing: ``rm desk/*`` leaves it, and ``init`` may then set up a
    real desk there (review s41B F02)."""
    try:
        recorded = marker.read_text(encoding="utf-8")
        written = config_path.read_bytes()
    except (OSError, UnicodeDecodeError):  # no marker, no config (a database alone)
        return False
    found = re.search(r"^config-sha256: ([0-9a-f]{64})$", recorded, re.MULTILINE)
    expected = found[1] if found else _digest(_CONFIG_TEXT.encode("utf-8"))
    return _digest(written) == expected


class DemoExistsError(FileExistsError):
    """``directory`` already holds files the demo would write; ``.path`` names the
    first and ``.reason`` says whether it may be replaced (a real desk never is)."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = str(path)
        self.reason = reason

    def __reduce__(self) -> tuple[Any, ...]:
        return reduced(self)  # pickles and copies as the library's errors do


def run_demo(
    directory: Path,
    *,
    seed: int = 2025,
    complaints: int = 400,
    start: date = date(2025, 7, 1),
    months: int = 3,
    progress: Callable[[int, int], None] | None = None,
    overwrite: bool = False,
) -> DemoResult:
    """Write a demo desk into ``directory`` and live a quarter of complaints through it.

    :param directory: created if missing; gets ``complaintcore.toml``, ``staff.toml``
        and ``complaints.sqlite3``.
    :param seed: the same seed gives the same database, event for event.
    :param complaints: how many records to receive (at least 20).
    :param start: the first simulated day; ``months`` calendar months are simulated.
    :param progress: called with (simulated days done, days in all) once a
        simulated day, and at the end.
    :param overwrite: replace the files of an earlier demo in ``directory``.
    :raises DemoExistsError: ``directory`` holds a desk that is not a demo, or a
        demo and ``overwrite`` is false (a :class:`FileExistsError`).
    :raises InvalidInputError: a bad argument (``.path`` names it).
    """
    if isinstance(complaints, bool) or not isinstance(complaints, int) or complaints < 20:
        raise InvalidInputError("complaints", "expected an integer of at least 20")
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 12:
        raise InvalidInputError("months", "expected an integer from 1 to 12")
    if not isinstance(start, date) or isinstance(start, datetime):
        raise InvalidInputError("start", "expected a date")
    end = add_months(start, months)
    spec = load_pack(_PACK).calendar
    if not (spec.first_year <= start.year and end.year <= spec.last_year):
        raise InvalidInputError(
            "start", f"the {_PACK} calendar covers {spec.first_year}-{spec.last_year} only"
        )
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    config_path, staff_path, database = root / CONFIG_FILE, root / STAFF_FILE, root / DATABASE_FILE
    marker = root / DEMO_MARKER
    existing = [p for p in (config_path, staff_path, database) if p.exists()]
    if existing and not _is_demo(marker, config_path):  # never replace a real desk
        raise DemoExistsError(existing[0], "exists and is not a demo: choose another directory")
    if existing and not overwrite:
        raise DemoExistsError(
            existing[0], "an earlier demo is here: replace it (--force) or choose another directory"
        )
    config_text = _CONFIG_TEXT.encode("utf-8")
    marker.write_text(_MARKER_TEXT.format(digest=_digest(config_text)), encoding="utf-8")
    for p in (database, Path(f"{database}-wal"), Path(f"{database}-shm")):
        p.unlink(missing_ok=True)
    write_sample_staff(staff_path, overwrite=True)
    config_path.write_bytes(config_text)

    desk = Desk.from_config(
        load_config(config_path), plugin_manager=make_plugin_manager(load_entry_points=False)
    )
    try:
        rng = random.Random(seed)
        tz = ZoneInfo(desk.pack.calendar.timezone)
        lives = _Planner(rng, desk.directory.members(), tz, start, end, complaints).plan()
        sim = _Simulation(desk, rng, lives, start, end, progress)
        sim.run()
        return _result(sim, root, database, config_path, staff_path, seed, start, end)
    finally:
        desk.close()


def _helping_part(department: str) -> Callable[[str], Command]:
    """HDL-4: the command recording ``department``'s helping part, by whoever acts."""
    return lambda sid: Handle(actor=sid, department=department, result="协助处理：已配合完成")


def _result(
    sim: _Simulation,
    root: Path,
    database: Path,
    config_path: Path,
    staff_path: Path,
    seed: int,
    start: date,
    end: date,
) -> DemoResult:
    final = list(sim.latest.values())
    counts = _count(final)
    repeats = 0
    for life in sim.lives:
        if life.repeat_of is None or not life.cid:
            continue
        original = life.repeat_of
        now_state = sim.latest.get(life.cid)
        before = sim.latest.get(original.cid)
        if (
            now_state is not None
            and before is not None
            and counts_as_complaint(now_state)
            and counts_as_complaint(before)
        ):
            repeats += 1
    return DemoResult(
        directory=root,
        database=database,
        config_path=config_path,
        staff_path=staff_path,
        seed=seed,
        start=start,
        end=end,
        now=sim.final,
        repeats=repeats,
        sweeps=sim.sweeps,
        skipped=len(sim.skips),
        skips=tuple(sim.skips),
        **counts,
    )


def _count(complaints: Iterable[Complaint]) -> dict[str, int]:
    """The :class:`DemoResult` counts that can be read off complaints themselves."""
    n: dict[str, int] = dict.fromkeys(
        ("received", "valid_complaints", "invalid", "requests", "enquiries", "unverified",
         "closed", "open", "escalated", "escalations", "reopened", "forwarded", "group",
         "signed_off", "sanctions", "events"), 0)  # fmt: skip
    for c in complaints:
        s = c.state
        n["received"] += 1
        if s.complaint_kind is Kind.REQUEST:
            n["requests"] += 1
        elif s.complaint_kind is Kind.ENQUIRY:
            n["enquiries"] += 1
        elif counts_as_complaint(s):
            n["valid_complaints"] += 1
        elif s.validity is Validity.INVALID:
            n["invalid"] += 1
        else:
            n["unverified"] += 1
        n["closed" if s.status is Status.CLOSED else "open"] += 1
        n["escalated"] += s.escalations > 0
        n["escalations"] += s.escalations
        n["reopened"] += s.reopened > 0
        n["forwarded"] += any(isinstance(e, Forwarded) for e in c.events)
        n["group"] += s.category == "group_incident"
        n["signed_off"] += any(isinstance(e, SignedOff) for e in c.events)
        n["sanctions"] += any(isinstance(e, SanctionRecorded) for e in c.events)
        n["events"] += len(c.events)
    return n
