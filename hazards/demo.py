"""Demo findings: a mature ledger of hidden dangers across Hunan's key industries.

`seed_hazards` tops the ledger up to a number of hazards, with the inspections that found them, a
few special campaigns, and each hazard's history. Everything is generated in Python from one seeded
random generator, numbered from `LedgerSequence` in advance and written in batches of 5,000 with
no per-row query: `bulk_create` on SQLite, COPY on PostgreSQL (a million hazards in minutes).

It builds on `accounts.demo` (organisations, posts and personas) and adds a few staff users per
demo department, so that findings, assignments and acceptances are made by people of the right body.
"""

import csv
import gc
import io
import json
import queue
import random
import re
import threading
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from accounts.demo import CITIES, COUNTIES, DEPARTMENT_SUFFIX, DEPARTMENTS, FAMILY_NAMES
from accounts.models import Industry, Organization, Region, User
from accounts.roles import Role
from hazards.models import ExtensionRequest, Hazard, HazardEvent, HazardState, LedgerSequence
from inspections.models import Campaign, Inspection

BATCH_SIZE = 5000
WINDOW_DAYS = 730  # findings are spread over the two years before `today`
# The rectifier persona's factory is inspected a few times lately, so that its user has work to do.
PERSONA_WORK_DAYS = 30
MAJOR_SHARE = 0.055  # of findings; some places have no major kind to find, so ~4% of hazards

State = HazardState
Action = HazardEvent.Action
Kind = Hazard.Kind
Source = Hazard.Source
T, B, M = Kind.THING_STATE, Kind.UNSAFE_BEHAVIOUR, Kind.MANAGEMENT_DEFECT


class DemoSeedError(Exception):
    """Demo hazards cannot be made here: the demo organisations are missing, or the database cannot."""


@dataclass(frozen=True, eq=False)  # identity hashing: findings are picked millions of times
class Finding:
    """A kind of hidden danger an inspector writes down; `{n}`, `{plate}`, `{ship}` vary per hazard."""

    industry: str  # a sub-category code where one fits, else the top-level code
    kind: str
    major: bool
    title: str
    description: str
    legal_basis: str
    measures: str
    where: str = ""


COAL = "《煤矿重大事故隐患判定标准》"
COAL_RULES = "《煤矿安全规程》（2022年版）"
MINES = "《金属非金属矿山重大事故隐患判定标准》"
ROAD_MAJOR = "《道路运输企业和城市客运企业安全生产重大事故隐患判定标准（试行）》"
FERRIES = "《内河渡口渡船安全管理规定》"
BUILDING_MAJOR = "《房屋市政工程生产安全重大事故隐患判定标准（2022版）》"
FIRE_MAJOR = "GB 35181-2017《重大火灾隐患判定方法》"
FIRE_CODE = "GB 50016-2014《建筑设计防火规范》（2018年版）"
FIREWORKS_MAJOR = "《烟花爆竹生产经营单位重大事故隐患判定标准（试行）》"
FIREWORKS_DESIGN = "《烟花爆竹工程设计安全标准》GB 50161-2022"
FIREWORKS_WORK = "《烟花爆竹作业安全技术规程》GB 11652-2012"
CHEMICALS_MAJOR = "《化工和危险化学品生产经营单位重大生产安全事故隐患判定标准（试行）》"
SELF_BUILT = "《全国自建房安全专项整治工作方案》（国办发明电〔2022〕10号）"
GAS_PROJECT = "《燃气工程项目规范》GB 55009-2021"
TRADE_MAJOR = "《工贸企业重大事故隐患判定标准》"
SPECIAL_MAJOR = "《特种设备重大事故隐患判定准则》GB 45067-2024"
SPECIAL_LAW = "《中华人民共和国特种设备安全法》"
SAFETY_LAW = "《中华人民共和国安全生产法》"
FOREST = "《森林防火条例》"

# At least four kinds of finding per top-level industry, general and major, each with its legal basis.
# fmt: off
FINDINGS: dict[str, list[Finding]] = {
    "coal-mine": [
        Finding(
            "coal-mine", T, False, "{n}号回采工作面甲烷传感器故障",
            "上隅角甲烷传感器显示值与便携式光学甲烷检测仪实测值偏差超过允许误差，传感器超期未调校，监控数据失真。",
            "《煤矿安全监控系统及检测仪器使用管理规范》AQ 1029-2019",
            "立即更换故障传感器并重新调校，安排专人用便携仪加密检测，建立传感器调校、测试台账。",
            "{n}号回采工作面上隅角",
        ),
        Finding(
            "coal-mine", T, False, "架空乘人装置越位保护失效",
            "主斜井架空乘人装置下车点越位保护装置动作不可靠，试验时未能自动停车。",
            COAL_RULES,
            "停用架空乘人装置，检修越位、防脱绳等保护装置并逐项试验，合格后方可运行。",
            "主斜井架空乘人装置下车点",
        ),
        Finding(
            "coal-mine", B, False, "入井人员未随身携带自救器",
            "井口检身时发现2名入井人员未携带隔绝式自救器，检身工未制止。",
            COAL_RULES,
            "对当事人员批评教育并处罚，严格执行入井检身制度，井口增设自救器领用核查。",
            "副井井口检身房",
        ),
        Finding(
            "coal-mine", M, False, "掘进工作面作业规程未及时修改",
            "{n}号掘进工作面地质条件变化后，作业规程未及时补充修改，技术措施未组织贯彻学习。",
            COAL_RULES,
            "组织修订作业规程并履行审批，对全体作业人员重新贯彻学习并签字确认。",
            "{n}号掘进工作面",
        ),
        Finding(
            "coal-mine", T, False, "运输大巷局部顶板离层、片帮",
            "运输大巷约15米段顶板离层、片帮，部分锚杆托盘脱落，未及时补强支护。",
            COAL_RULES,
            "设置警戒、禁止人员通行，采用锚网索补强支护并加强顶板离层监测。",
            "+{n}50m水平运输大巷",
        ),
        Finding(
            "coal-mine", B, True, "掘进工作面瓦斯超限作业",
            "{n}号掘进工作面回风流甲烷浓度达1.2%，现场未停止作业、未撤出人员。",
            f"{COAL}第三条第（二）项",
            "立即停止作业、撤出人员、切断电源，查明超限原因并加强局部通风，追究带班和瓦斯检查人员责任。",
            "{n}号掘进工作面回风流",
        ),
        Finding(
            "coal-mine", T, True, "安全监控系统不能正常运行",
            "矿井安全监控系统主机与井下分站通信频繁中断，部分甲烷传感器断线后未报警，系统不能正常运行。",
            f"{COAL}第三条第（四）项",
            "停止井下采掘作业，委托有资质单位全面检修安全监控系统，断线报警和断电功能测试合格后恢复生产。",
            "地面调度室及井下{n}号监控分站",
        ),
        Finding(
            "coal-mine", M, True, "未按规定落实探放水措施",
            "{n}号掘进工作面临近老空区，未编制探放水设计，未进行超前探放水即组织掘进。",
            f"{COAL}第三条第（六）项",
            "停止掘进，编制探放水设计并经审批，配齐探放水队伍和设备，执行“有掘必探、先探后掘”。",
            "{n}号掘进工作面",
        ),
    ],
    "non-coal-mine": [
        Finding(
            "non-coal-mine-open-pit", B, False, "爆破作业警戒不到位",
            "中深孔爆破作业时警戒范围不足200米，警戒点位缺人，爆破前未发出预警信号。",
            "《爆破安全规程》GB 6722-2014",
            "重新划定警戒范围、增设警戒人员，严格执行爆破信号制度，对爆破负责人进行约谈。",
            "{n}号采场爆破作业区",
        ),
        Finding(
            "non-coal-mine-underground", M, False, "作业人员未经安全培训上岗",
            "井下凿岩、出矿作业人员中有{n}人未经安全生产教育和培训即上岗作业。",
            f"{SAFETY_LAW}第二十八条",
            "立即停止未培训人员作业，组织三级安全教育并考核合格后上岗，完善培训档案。",
            "井下{n}中段采场",
        ),
        Finding(
            "non-coal-mine-tailings", T, False, "尾矿库在线监测设施故障",
            "尾矿库坝体位移、浸润线在线监测设施{n}号测点数据中断，未及时修复。",
            "《尾矿库安全规程》GB 39496-2020",
            "委托专业单位修复在线监测设施，修复前增加人工观测频次并做好记录。",
            "尾矿库坝体{n}号监测点",
        ),
        Finding(
            "non-coal-mine-open-pit", T, False, "运输道路临空侧未设安全车挡",
            "采场运输道路临空侧约80米路段未设置安全车挡，道路坡度超过设计。",
            "《金属非金属矿山安全规程》GB 16423-2020",
            "在临空侧设置安全车挡，按设计修整路面坡度并设置限速标志。",
            "采场运输道路{n}号弯道",
        ),
        Finding(
            "non-coal-mine-underground", T, True, "地下矿山安全出口不符合要求",
            "井下{n}中段仅有一个通往地面的安全出口，另一安全出口被废石堵塞，不能保证人员安全撤离。",
            f"{MINES}第二条",
            "立即停止该中段作业，清理安全出口并设置指示标志，组织应急撤离演练。",
            "井下{n}中段",
        ),
        Finding(
            "non-coal-mine-open-pit", T, True, "采场边坡台阶高度和坡面角超过设计",
            "{n}号采场台阶高度约25米，坡面角大于设计值，坡顶存在浮石和裂缝。",
            f"{MINES}第三条",
            "停止边坡下方作业，按设计削坡减载、清理浮石，开展边坡稳定性分析和监测。",
            "{n}号采场边坡",
        ),
        Finding(
            "non-coal-mine-tailings", T, True, "尾矿库排洪设施堵塞、排洪能力不足",
            "尾矿库{n}号排水井进水口被漂浮物堵塞，汛前未开展排洪设施检查，调洪库容不足。",
            f"{MINES}第四条",
            "汛前清理疏通排洪设施，降低库水位，开展调洪演算并落实汛期值守。",
            "尾矿库{n}号排水井",
        ),
    ],
    "road-transport": [
        Finding(
            "road-passenger", T, False, "客车卫星定位装置离线未处置",
            "{plate}大型客车卫星定位装置离线超过3天，企业监控平台未报警处置，车辆仍在营运。",
            "《道路运输车辆动态监督管理办法》",
            "车辆停运检修卫星定位装置，企业完善动态监控值守和报警处置制度。",
            "企业动态监控室",
        ),
        Finding(
            "road-passenger", B, False, "驾驶员连续驾驶超过4小时未休息",
            "动态监控记录显示{plate}客车驾驶员连续驾驶超过4小时未停车休息，监控人员未及时提醒纠正。",
            "《中华人民共和国道路交通安全法实施条例》第六十二条",
            "约谈驾驶员并开展安全教育，监控人员实时提醒，合理安排班次和双驾配备。",
            "企业动态监控平台",
        ),
        Finding(
            "road-passenger", M, False, "客运站出站检查不严",
            "客运站出站检查记录不全，{plate}客车驾驶员未签字确认即出站。",
            "《道路旅客运输及客运站管理规定》",
            "完善出站检查流程和记录，对责任人员进行处理，加强视频巡查。",
            "客运站出站口",
        ),
        Finding(
            "road-freight", B, False, "货车超载运输",
            "{plate}重型货车核定载质量18吨，实际装载约31吨，超载72%。",
            "《中华人民共和国道路交通安全法》第四十八条",
            "卸载转运超载货物，对驾驶员和货运源头单位依法处理，加强出场称重。",
            "货运源头装载点",
        ),
        Finding(
            "road-traffic", T, False, "临水临崖路段未设置防护设施",
            "县道K{n}+300处临水临崖路段长约120米，未设置波形护栏和警示标志。",
            "《公路交通安全设施设计规范》JTG D81-2017",
            "增设波形护栏、减速带和警示标志，完工前设置临时警示桩。",
            "县道K{n}+300处",
        ),
        Finding(
            "road-hazmat", M, False, "危险货物运输车辆押运人员未随车",
            "{plate}危险货物运输车辆在途运输时押运人员未随车，电子运单信息不全。",
            "《危险货物道路运输安全管理办法》",
            "对驾驶员和企业约谈，落实押运人员随车和电子运单管理，纳入动态监控。",
            "企业停车场",
        ),
        Finding(
            "road-hazmat", T, True, "危险货物运输罐车罐体超期未检",
            "{plate}危险货物运输罐车罐体检验报告已过有效期，仍在从事运输。",
            f"{ROAD_MAJOR}；《危险货物道路运输安全管理办法》",
            "立即停运，罐体送有资质机构检验，企业全面排查所属罐车检验有效期。",
            "企业停车场",
        ),
        Finding(
            "road-passenger", M, True, "长途客车未落实凌晨2时至5时停车休息",
            "企业800公里以上长途客运班线车辆多次在凌晨2时至5时运行，未采取接驳或停车休息措施。",
            ROAD_MAJOR,
            "调整班次时刻，落实凌晨2时至5时停车休息或接驳运输，动态监控平台设置时段报警。",
            "企业动态监控平台",
        ),
    ],
    "waterway-transport": [
        Finding(
            "waterway-passenger", M, False, "渡工未持有效适任证书",
            "{ship}驾驶人员适任证书已过有效期，仍在驾驶渡船。",
            "《中华人民共和国船员条例》",
            "停止该人员驾驶，安排持证渡工顶岗，督促其参加培训考试换证。",
            "渡口码头",
        ),
        Finding(
            "waterway-freight", T, False, "货船消防设备失效",
            "{ship}机舱手提式灭火器压力不足，消防泵无法正常启动。",
            "《内河船舶法定检验技术规则》",
            "更换灭火器、检修消防泵，船员开展消防应急演练。",
            "机舱",
        ),
        Finding(
            "waterway-passenger", T, False, "渡口安全设施不全",
            "渡口码头未设置安全警示标志和候船护栏，夜间照明不足。",
            FERRIES,
            "增设警示标志、护栏和照明设施，落实渡口安全管理员。",
            "渡口码头",
        ),
        Finding(
            "waterway-freight", B, False, "船舶航行未开启AIS",
            "{ship}航行中未开启船舶自动识别系统（AIS），未按规定进行进出港报告。",
            "《中华人民共和国内河交通安全管理条例》",
            "责令开启AIS并纳入监控，对船长进行约谈和安全教育。",
            "辖区通航水域",
        ),
        Finding(
            "waterway-passenger", T, True, "客渡船救生衣配备不足",
            "{ship}核定载客40人，船上仅配备成人救生衣28件，未配儿童救生衣，部分救生衣老化破损。",
            f"{FERRIES}；《内河船舶法定检验技术规则》",
            "停航整改，按核定乘客定额配齐救生衣并按比例配备儿童救生衣，定点存放、专人检查。",
            "客舱",
        ),
        Finding(
            "waterway-passenger", B, True, "渡船超载运输",
            "{ship}核定载客30人，检查时实载乘客42人。",
            "《中华人民共和国内河交通安全管理条例》",
            "立即组织超载乘客离船，对渡工和渡口经营人依法处理，渡口设置乘客计数。",
            "渡口码头",
        ),
        Finding(
            "waterway-passenger", B, True, "恶劣天气冒险开航",
            "大风黄色预警期间，{ship}未停航，冒险载客渡运。",
            FERRIES,
            "严格执行恶劣天气禁限航规定，渡口落实“一渡一策”和专人看管。",
            "渡口码头",
        ),
    ],
    "construction": [
        Finding(
            "construction-housing", B, False, "高处作业人员未系挂安全带",
            "{n}号楼外架临边作业人员未系挂安全带，作业面下方未设置安全平网。",
            "《建筑施工高处作业安全技术规范》JGJ 80-2016",
            "立即停止作业，对作业人员开展安全教育，补设安全平网，安排专人监督安全带系挂。",
            "{n}号楼外脚手架",
        ),
        Finding(
            "construction-housing", T, False, "施工临时用电开关箱无漏电保护",
            "施工现场{n}号开关箱未设置漏电保护器，电缆拖地敷设、绝缘层破损。",
            "《施工现场临时用电安全技术规范》JGJ 46-2005",
            "加装漏电保护器并测试，电缆架空或埋地敷设，落实电工每日巡检。",
            "施工现场{n}号开关箱",
        ),
        Finding(
            "construction-housing", T, False, "施工升降机防坠安全器超期未检",
            "{n}号施工升降机防坠安全器标定有效期已过，仍在使用。",
            "《建筑施工升降机安装、使用、拆卸安全技术规程》JGJ 215-2010",
            "停用升降机，送检防坠安全器，检测合格并经验收后方可使用。",
            "{n}号施工升降机",
        ),
        Finding(
            "construction-transport", T, False, "落地式脚手架连墙件缺失",
            "{n}号桥台外脚手架连墙件设置间距超过规范要求，部分连墙件被拆除。",
            "《建筑施工扣件式钢管脚手架安全技术规范》JGJ 130-2011",
            "按方案补设连墙件，经验收合格后方可继续使用。",
            "{n}号桥台外脚手架",
        ),
        Finding(
            "construction-municipal", M, False, "沟槽开挖前未进行安全技术交底",
            "管道沟槽开挖作业前未进行安全技术交底，交底记录无作业人员签字。",
            "《建设工程安全生产管理条例》第二十七条",
            "补充安全技术交底并签字确认，项目部建立交底台账。",
            "{n}号管道沟槽",
        ),
        Finding(
            "construction-housing", M, True, "高支模专项施工方案未经专家论证",
            "{n}号楼屋面高支模搭设高度9.6米，属超过一定规模的危大工程，专项施工方案未组织专家论证即开始搭设。",
            f"《危险性较大的分部分项工程安全管理规定》第十二条；{BUILDING_MAJOR}第四条",
            "立即停止搭设，组织专家论证，按论证后的方案重新搭设并验收。",
            "{n}号楼屋面高支模区域",
        ),
        Finding(
            "construction-housing", T, True, "塔式起重机力矩限制器失效",
            "{n}号塔式起重机力矩限制器失灵，超载时不能切断起升动力。",
            f"{BUILDING_MAJOR}第八条",
            "停用塔吊，由产权单位检修安全装置，检测合格后方可使用。",
            "{n}号塔式起重机",
        ),
        Finding(
            "construction-municipal", T, True, "深基坑周边超载堆放",
            "深基坑坑边1米范围内堆放钢筋、土方，超过设计允许荷载，基坑监测数据达到预警值。",
            f"{BUILDING_MAJOR}第五条",
            "立即清除坑边堆载，加密基坑监测，组织专家评估并采取加固措施。",
            "{n}号基坑",
        ),
    ],
    "fire": [
        Finding(
            "fire-crowded-places", B, False, "疏散通道和安全出口被堵塞",
            "二楼东侧安全出口被杂物堵塞，疏散通道堆放货物，影响人员安全疏散。",
            "《中华人民共和国消防法》第二十八条",
            "立即清理疏散通道和安全出口，落实每日防火巡查。",
            "二楼东侧安全出口",
        ),
        Finding(
            "fire-crowded-places", T, False, "应急照明和疏散指示标志损坏",
            "一层大厅及楼梯间应急照明灯{n}处不亮，部分疏散指示标志缺失。",
            FIRE_CODE,
            "维修更换应急照明和疏散指示标志，每月测试一次。",
            "一层大厅及楼梯间",
        ),
        Finding(
            "fire-crowded-places", T, False, "灭火器压力不足或超过维修期限",
            "场所配置的{n}具灭火器压力指针处于红区，部分超过维修期限。",
            "《建筑灭火器配置验收及检查规范》GB 50444-2008",
            "更换、送修灭火器并建立检查记录卡。",
            "经营大厅",
        ),
        Finding(
            "fire-high-rise", T, False, "室内消火栓箱内器材缺失",
            "{n}层室内消火栓箱内无水带、水枪，消火栓阀门锈蚀。",
            "《消防设施通用规范》GB 55036-2022",
            "配齐水带水枪、维修阀门，委托消防技术服务机构检测。",
            "{n}层消防前室",
        ),
        Finding(
            "fire-high-rise", B, False, "电动自行车在楼道内停放充电",
            "{n}栋一楼楼道内停放电动自行车并私拉电线充电。",
            "《高层民用建筑消防安全管理规定》（应急管理部令第5号）",
            "清理楼道电动自行车，设置集中停放充电场所，加强宣传巡查。",
            "{n}栋一楼楼道",
        ),
        Finding(
            "fire-small-premises", M, False, "未落实防火巡查检查制度",
            "场所未落实防火巡查、检查制度，员工不会使用灭火器。",
            "《机关、团体、企业、事业单位消防安全管理规定》（公安部令第61号）",
            "建立防火巡查检查制度，开展员工消防培训和疏散演练。",
            "经营场所",
        ),
        Finding(
            "fire-small-premises", T, True, "“三合一”场所住宿与经营未防火分隔",
            "一层经营、二层仓储、三层住人，住宿部分与非住宿部分未进行防火分隔，未设置独立疏散设施。",
            f"《住宿与生产储存经营合用场所消防安全技术要求》XF 703-2007；{FIRE_MAJOR}",
            "立即清理住宿人员，按标准设置防火分隔和独立疏散楼梯，整改完成前停止住人。",
            "三层住宿区",
        ),
        Finding(
            "fire-high-rise", T, True, "自动喷水灭火系统处于关闭状态",
            "消防控制室喷淋泵处于手动停止状态，报警阀组前端阀门关闭。",
            f"《中华人民共和国消防法》第二十八条；{FIRE_MAJOR}",
            "立即恢复系统自动状态，委托消防技术服务机构全面检测维保，消防控制室落实24小时双人值班。",
            "消防控制室及报警阀间",
        ),
    ],
    "fireworks": [
        Finding(
            "fireworks-production", T, False, "防雷设施检测过期",
            "{n}号中转库防雷设施检测报告已过有效期，接地电阻未检测。",
            FIREWORKS_DESIGN,
            "委托有资质机构检测防雷设施，检测合格前停止使用该中转库。",
            "{n}号中转库",
        ),
        Finding(
            "fireworks-production", T, False, "危险工房使用非防爆电气设备",
            "{n}号装药工房内安装普通照明灯具和插座，不符合防爆要求。",
            FIREWORKS_DESIGN,
            "拆除非防爆电气设备，按危险等级更换防爆电器并验收。",
            "{n}号装药工房",
        ),
        Finding(
            "fireworks-production", B, False, "厂内转运药物未使用专用工具",
            "厂区内使用普通手推车在{n}号工房之间转运药物，未按规定线路行驶。",
            FIREWORKS_WORK,
            "配备专用防静电运输工具，规定厂内转运路线并设置标识。",
            "{n}号工房至中转库通道",
        ),
        Finding(
            "fireworks-production", M, False, "危险工房“三定”管理不落实",
            "{n}号工房门口未公示定员、定量、定级，药物领用记录不全。",
            FIREWORKS_WORK,
            "完善工房“三定”标识牌，落实药物领用登记。",
            "{n}号工房",
        ),
        Finding(
            "fireworks-wholesale", M, False, "仓库出入库登记不全",
            "批发仓库出入库登记不全，库存数量与台账不符。",
            "《烟花爆竹安全管理条例》",
            "完善出入库登记和流向管理，开展库存盘点。",
            "{n}号库房",
        ),
        Finding(
            "fireworks-retail", B, False, "零售点在居住场所内储存烟花爆竹",
            "零售点在居住场所内存放烟花爆竹，与住人部分未有效隔离。",
            "《烟花爆竹经营许可实施办法》（国家安全监管总局令第65号）",
            "立即将烟花爆竹转移至符合条件的场所，严禁“下店上宅”“前店后宅”储存。",
            "零售点后屋",
        ),
        Finding(
            "fireworks-production", B, True, "{n}号工房超药量、超定员生产",
            "{n}号药物混合工房核定药量10公斤、定员1人，现场存药约25公斤、作业人员3人。",
            f"{FIREWORKS_MAJOR}第四项",
            "立即停止该工房作业，转移超量药物，严格执行“三定”管理，约谈企业主要负责人。",
            "{n}号药物混合工房",
        ),
        Finding(
            "fireworks-production", M, True, "特种作业人员未持证上岗",
            "药物混合、装药等危险工序{n}名作业人员未取得特种作业操作证。",
            f"{FIREWORKS_MAJOR}第二项",
            "停止无证人员作业，组织培训取证，完善特种作业人员台账。",
            "{n}号装药工房",
        ),
        Finding(
            "fireworks-wholesale", T, True, "成品仓库超量储存",
            "成品{n}号仓库核定存药量5吨，实际储存约8吨成品烟花。",
            f"{FIREWORKS_MAJOR}第四项",
            "立即转移超量产品，按核定药量储存，安装视频监控和库存管理系统。",
            "成品{n}号仓库",
        ),
    ],
    "forest-fire": [
        Finding(
            "forest-fire", B, False, "防火期内野外违规用火",
            "村民在林缘烧田埂草，距林地不足50米，现场无人看守。",
            f"{FOREST}第二十五条",
            "立即扑灭火源，对当事人批评教育并依法处理，村组加强巡查和宣传。",
            "林缘农田",
        ),
        Finding(
            "forest-fire", T, False, "林区防火隔离带未按规划开设",
            "林场与村庄结合部防火隔离带未按规划开设，林下可燃物堆积。",
            FOREST,
            "按规划开设防火隔离带并清理可燃物。",
            "林场与村庄结合部",
        ),
        Finding(
            "forest-fire", M, False, "护林员巡护制度落实不到位",
            "护林员巡护记录缺失，巡护轨迹显示连续{n}天未上山巡护。",
            FOREST,
            "落实护林员网格化巡护和考核，使用巡护终端记录轨迹。",
            "责任山",
        ),
        Finding(
            "forest-fire", T, False, "扑火物资储备不足",
            "乡镇森林防火物资储备库风力灭火机{n}台无法启动，二号工具数量不足。",
            FOREST,
            "维修、补充扑火机具，建立物资台账和定期维护制度。",
            "乡镇森林防火物资储备库",
        ),
        Finding(
            "forest-fire", M, False, "进山入林检查卡口无人值守",
            "清明期间进山路口森林防火检查卡口无人值守，未登记火种、未收缴。",
            FOREST,
            "落实卡口值守，开展火源登记和收缴。",
            "进山路口检查卡口",
        ),
        Finding(
            "forest-fire", T, True, "林区输电线路通道树障未清理",
            "高火险期林区10千伏输电线路通道内树障和可燃物未清理，存在线路引发山火风险。",
            f"《电力设施保护条例》；{FOREST}",
            "组织供电单位清理通道树障，开展高火险期特巡。",
            "林区10千伏线路{n}号杆段",
        ),
    ],
    "hazardous-chemicals": [
        Finding(
            "hazchem-use", M, False, "未向作业人员提供化学品安全技术说明书",
            "使用的{n}种危险化学品无安全技术说明书和安全标签，操作人员不清楚其危险特性。",
            "《危险化学品安全管理条例》",
            "收集完善化学品安全技术说明书和安全标签，组织岗位人员培训。",
            "生产车间",
        ),
        Finding(
            "hazchem-storage", T, False, "储罐区防火堤破损",
            "{n}号罐组防火堤存在孔洞，管线穿堤处未封堵。",
            "《储罐区防火堤设计规范》GB 50351-2014",
            "用不燃材料封堵孔洞和穿堤管线，修复后进行闭水试验。",
            "{n}号罐组防火堤",
        ),
        Finding(
            "hazchem-storage", T, False, "甲类仓库通风和防爆设施不符合要求",
            "甲类仓库机械通风设施故障，照明灯具非防爆型。",
            FIRE_CODE,
            "修复通风设施，更换防爆灯具并验收。",
            "甲类仓库{n}号库房",
        ),
        Finding(
            "hazchem-transport", B, False, "装货前未查验车辆和人员资质",
            "危险货物装货前未查验运输车辆、驾驶人员和押运人员资质，装卸记录不全。",
            "《危险货物道路运输安全管理办法》",
            "落实装货查验和记录制度，对装卸管理人员进行培训。",
            "装卸站台",
        ),
        Finding(
            "hazchem-production", M, False, "操作规程未明确工艺控制指标",
            "{n}号装置操作规程未明确工艺控制指标和异常工况处置程序。",
            "《化工企业工艺安全管理实施导则》AQ/T 3034-2022",
            "修订操作规程并明确工艺控制指标，组织岗位人员培训考核。",
            "{n}号生产装置",
        ),
        Finding(
            "hazchem-storage", T, True, "储罐区未设置可燃气体检测报警装置",
            "{n}号甲醇储罐区未按国家标准设置可燃气体检测报警装置。",
            f"{CHEMICALS_MAJOR}第十二项",
            "按标准设置可燃气体检测报警装置并接入控制室，设置前采取便携式检测和专人巡检措施。",
            "{n}号甲醇储罐区",
        ),
        Finding(
            "hazchem-storage", M, True, "超量储存、禁忌物料混存",
            "仓库内氧化剂与易燃液体混存，实际储存量超过设计储量。",
            f"{CHEMICALS_MAJOR}第二十项",
            "立即转移超量物品，按分区分类要求储存，禁忌物料隔离存放。",
            "{n}号危险化学品仓库",
        ),
        Finding(
            "hazchem-production", B, True, "动火作业未办理作业票",
            "{n}号装置区检修动火作业未办理动火安全作业票，未进行气体分析，现场无监护人。",
            f"{CHEMICALS_MAJOR}第十八项；《危险化学品企业特殊作业安全规范》GB 30871-2022",
            "立即停止动火作业，严格执行作业票审批和气体分析，对责任人员进行处理。",
            "{n}号装置区",
        ),
        Finding(
            "hazchem-production", T, True, "安全阀未正常投用",
            "{n}号反应釜安全阀前切断阀处于关闭状态，安全阀校验过期。",
            f"{CHEMICALS_MAJOR}第十五项",
            "打开切断阀并铅封，安全阀送检校验，建立安全附件台账。",
            "{n}号反应釜",
        ),
    ],
    "self-built-housing": [
        Finding(
            "self-built-housing", T, False, "房屋墙体开裂",
            "房屋二层外墙出现多处斜向裂缝，最大宽度约3毫米，楼面有渗水。",
            "《危险房屋鉴定标准》JGJ 125-2016",
            "委托有资质单位开展安全鉴定，按鉴定结论维修加固，加强日常观测。",
            "二层外墙",
        ),
        Finding(
            "self-built-housing", M, False, "经营性自建房未开展安全鉴定",
            "房屋一层用于餐饮经营、二至四层出租，未取得房屋安全鉴定报告。",
            SELF_BUILT,
            "委托有资质单位开展房屋安全鉴定，鉴定前限制使用人数。",
            "一层经营场所",
        ),
        Finding(
            "self-built-housing", B, False, "擅自拆改承重墙体",
            "业主为扩大经营面积擅自拆除一层部分承重墙，未委托设计单位出具方案。",
            "《建设工程质量管理条例》第十五条",
            "立即停止拆改，委托原设计单位或有资质的设计单位出具加固方案并实施。",
            "一层经营场所",
        ),
        Finding(
            "self-built-housing", T, False, "屋面临边及楼梯无防护栏杆",
            "屋面临边及楼梯间未设置防护栏杆。",
            "《民用建筑设计统一标准》GB 50352-2019",
            "按标准安装防护栏杆。",
            "屋面及楼梯间",
        ),
        Finding(
            "self-built-housing", B, True, "违规加层",
            "房屋原为两层砖混结构，业主违规加建两层，基础未加固，未取得规划许可。",
            f"《中华人民共和国城乡规划法》第六十四条；{SELF_BUILT}",
            "立即停止使用加建部分并撤出人员，委托安全鉴定，按鉴定结论拆除加层或加固。",
            "三层、四层加建部分",
        ),
        Finding(
            "self-built-housing", T, True, "C级危房仍用于出租居住",
            "房屋经鉴定为C级危险房屋，仍作为出租住房使用，居住{n}户。",
            f"《危险房屋鉴定标准》JGJ 125-2016；{SELF_BUILT}",
            "立即停止使用、撤出人员，设置警戒标志，按鉴定结论限期加固或拆除。",
            "整栋房屋",
        ),
    ],
    "building-power": [
        Finding(
            "building-power", T, False, "楼道配电线路老化",
            "小区{n}栋楼道内配电线路绝缘层老化开裂，线路未穿管保护。",
            "《住宅建筑电气设计规范》JGJ 242-2011",
            "更换老化线路并穿管敷设，增设剩余电流保护装置。",
            "{n}栋楼道",
        ),
        Finding(
            "building-power", B, False, "私拉乱接电线充电",
            "商铺私拉电线给电动自行车充电，电线沿可燃物敷设。",
            "《低压配电设计规范》GB 50054-2011",
            "拆除私拉电线，由专业电工规范敷设，设置集中充电设施。",
            "商铺后门",
        ),
        Finding(
            "building-power", T, False, "配电房防小动物措施缺失",
            "配电房门口未设置挡鼠板，电缆沟盖板缺失。",
            "《电气装置安装工程 电缆线路施工及验收标准》GB 50168-2018",
            "安装挡鼠板、补齐电缆沟盖板，落实定期巡检。",
            "小区配电房",
        ),
        Finding(
            "building-power", M, False, "配电设施无专人维护",
            "配电箱柜内积尘严重，无巡检记录，维护责任不明确。",
            f"{SAFETY_LAW}第三十六条",
            "明确配电设施维护责任人，建立巡检维护记录。",
            "地下室配电间",
        ),
        Finding(
            "building-power", T, True, "高层住宅电缆井未做防火封堵",
            "{n}栋高层住宅电缆井在楼板处未进行防火封堵，竖井内堆放杂物。",
            f"{FIRE_CODE}第6.2.9条",
            "清理竖井杂物，在每层楼板处采用防火封堵材料封堵。",
            "{n}栋电缆井",
        ),
    ],
    "gas": [
        Finding(
            "gas-catering", T, False, "餐饮场所未安装可燃气体报警装置",
            "餐馆后厨使用管道天然气，未安装可燃气体报警装置和紧急切断阀。",
            GAS_PROJECT,
            "安装可燃气体报警器和紧急切断阀，并实现联动。",
            "后厨",
        ),
        Finding(
            "gas-catering", T, False, "燃气连接软管老化",
            "后厨灶具连接软管老化龟裂，长度超过2米并穿越墙体。",
            GAS_PROJECT,
            "更换为金属波纹软管，长度不超过2米，不得穿越墙体。",
            "后厨灶台",
        ),
        Finding(
            "gas-bottled", B, False, "使用过期未检液化石油气钢瓶",
            "现场{n}只液化石油气钢瓶超过检验期限，无充装标识。",
            "《气瓶安全技术规程》TSG 23-2021",
            "停用过期钢瓶，交由有资质的充装单位回收检验，从正规渠道购气。",
            "储气间",
        ),
        Finding(
            "gas-bottled", B, False, "在地下室存放使用液化石油气钢瓶",
            "餐馆在地下室存放使用液化石油气钢瓶{n}只。",
            "《城镇燃气管理条例》第二十八条",
            "立即将钢瓶移出地下室，改用符合条件的场所或改用其他燃料。",
            "地下室",
        ),
        Finding(
            "gas-pipeline", T, False, "燃气立管锈蚀",
            "沿街外墙燃气立管锈蚀严重，管卡脱落。",
            "《城镇燃气设施运行、维护和抢修安全技术规程》CJJ 51-2016",
            "燃气企业更换锈蚀管段、补装管卡并做防腐处理。",
            "沿街外墙燃气立管",
        ),
        Finding(
            "gas-pipeline", B, False, "第三方施工未采取燃气管道保护措施",
            "道路施工在燃气管道安全保护范围内机械开挖，未与燃气企业签订保护协议。",
            "《城镇燃气管理条例》",
            "停止机械开挖，签订保护协议并由燃气企业现场监护。",
            "道路施工段",
        ),
        Finding(
            "gas-catering", T, True, "餐饮场所燃气管道腐蚀泄漏",
            "餐馆内燃气管道严重腐蚀，检测发现接口处燃气泄漏，室内无报警装置。",
            f"《城镇燃气经营安全重大隐患判定标准》；{GAS_PROJECT}",
            "立即关闭气源，燃气企业更换腐蚀管道，安装报警和切断装置，复检合格后恢复供气。",
            "后厨燃气管道",
        ),
    ],
    "industry-trade": [
        Finding(
            "industry-trade", T, False, "冲压设备传动部位防护罩缺失",
            "{n}号冲压机传动部位防护罩缺失，光电保护装置失效。",
            "《机械安全 防护装置 固定式和活动式防护装置的设计与制造一般要求》GB/T 8196-2018",
            "加装防护罩、修复光电保护装置并设置警示标识。",
            "{n}号冲压机",
        ),
        Finding(
            "industry-trade", T, False, "窑炉燃气总管未设紧急切断阀",
            "{n}号辊道窑燃气总管未设置紧急切断阀，窑头区域未设置可燃气体报警装置。",
            GAS_PROJECT,
            "加装紧急切断阀和可燃气体报警装置并实现联锁。",
            "{n}号辊道窑窑头",
        ),
        Finding(
            "industry-trade", M, False, "未建立事故隐患排查治理制度",
            "企业未建立事故隐患排查治理制度，隐患排查记录缺失。",
            f"{SAFETY_LAW}第四十一条",
            "建立隐患排查治理制度，明确排查周期和责任人，建立隐患台账。",
            "安全管理部",
        ),
        Finding(
            "industry-nonferrous", B, False, "作业人员未正确佩戴劳动防护用品",
            "熔炼车间作业人员未佩戴防护面罩和隔热手套。",
            f"{SAFETY_LAW}第四十五条",
            "配发合格的劳动防护用品，监督作业人员正确佩戴。",
            "熔炼车间",
        ),
        Finding(
            "industry-ammonia", M, False, "液氨制冷系统安全附件未定期校验",
            "液氨储罐安全阀校验过期，氨气泄漏报警装置未定期检测。",
            "《冷库设计标准》GB 50072-2021",
            "安全阀送检校验，检测氨气泄漏报警装置并建立台账。",
            "制冷机房",
        ),
        Finding(
            "industry-dust", T, False, "粉尘涉爆场所使用非防爆电气设备",
            "{n}号车间打磨工位照明灯具和开关为普通型，不符合粉尘防爆要求。",
            "《粉尘防爆安全规程》GB 15577-2018",
            "更换为粉尘防爆型电气设备，定期检查接线和防护等级。",
            "{n}号车间打磨工位",
        ),
        Finding(
            "industry-dust", T, True, "干式除尘系统未采取泄爆、惰化、抑爆措施",
            "{n}号车间木粉干式除尘器未设置泄爆装置，也未采取惰化、抑爆措施。",
            f"{TRADE_MAJOR}第十一条第（三）项",
            "停止除尘系统运行，加装泄爆片或抑爆装置，经验收合格后恢复生产。",
            "{n}号车间除尘器",
        ),
        Finding(
            "industry-dust", M, True, "粉尘清理制度不落实，作业现场积尘严重",
            "{n}号车间抛光工位及梁柱积尘严重，未落实粉尘清理制度。",
            f"{TRADE_MAJOR}第十一条第（十）项",
            "立即停产清理积尘，建立并执行每班清扫制度，使用防爆吸尘器。",
            "{n}号车间抛光工位",
        ),
        Finding(
            "industry-confined-space", M, False, "有限空间未设置安全警示标志",
            "{n}号污水井、发酵罐等有限空间入口未设置安全警示标志，未建立有限空间管理台账。",
            "《工贸企业有限空间作业安全规定》（应急管理部令第13号）",
            "辨识有限空间并建立台账，在入口设置醒目的安全警示标志。",
            "{n}号污水井",
        ),
        Finding(
            "industry-confined-space", B, True, "有限空间作业未执行“先通风、再检测、后作业”",
            "污水处理池清淤作业前未进行通风和气体检测，现场未设置监护人员。",
            f"{TRADE_MAJOR}第十三条第（二）项",
            "停止作业，严格执行作业审批，配备气体检测仪和正压式呼吸器，设置专人监护。",
            "{n}号污水处理池",
        ),
    ],
    "special-equipment": [
        Finding(
            "special-elevator", M, False, "电梯超期未检验",
            "{n}号电梯定期检验合格有效期已过，仍在使用。",
            f"{SPECIAL_LAW}第四十条",
            "停止使用该电梯，申报定期检验，检验合格后恢复使用。",
            "{n}号电梯",
        ),
        Finding(
            "special-elevator", M, False, "电梯维护保养不到位",
            "{n}号电梯维保记录显示超过15日未进行维护保养。",
            "《电梯维护保养规则》TSG T5002-2017",
            "督促维保单位按规定周期维保，使用单位落实维保监督。",
            "{n}号电梯",
        ),
        Finding(
            "special-elevator", M, False, "电梯未办理使用登记",
            "{n}号电梯投入使用后未办理使用登记。",
            f"{SPECIAL_LAW}第三十三条",
            "停止使用，向负责特种设备安全监督管理的部门办理使用登记。",
            "{n}号电梯",
        ),
        Finding(
            "special-boiler", B, False, "锅炉作业人员无证操作",
            "锅炉房当班司炉工未取得特种设备作业人员证。",
            f"{SPECIAL_LAW}第十四条",
            "安排持证人员操作，组织无证人员培训取证。",
            "锅炉房",
        ),
        Finding(
            "special-pressure-vessel", T, False, "压力容器安全阀超期未校验",
            "{n}号储气罐安全阀校验有效期已过，压力表未检定。",
            "《固定式压力容器安全技术监察规程》TSG 21-2016",
            "安全阀送检校验，更换检定合格的压力表。",
            "{n}号储气罐",
        ),
        Finding(
            "special-lifting", T, False, "桥式起重机起升高度限位器失效",
            "车间{n}号桥式起重机起升高度限位器失效。",
            "《起重机械安全技术规程》TSG 51-2023",
            "停用起重机，修复限位器并试验合格后使用。",
            "{n}号桥式起重机",
        ),
        Finding(
            "special-boiler", T, True, "锅炉超压运行且安全阀失效",
            "锅炉运行压力超过额定压力，安全阀锈死不能起跳，水位表无法显示水位。",
            f"{SPECIAL_MAJOR}；《锅炉安全技术规程》TSG 11-2020",
            "立即停炉，更换安全阀和水位表，经检验合格后恢复运行。",
            "锅炉房",
        ),
        Finding(
            "special-elevator", T, True, "电梯层门门锁回路被短接",
            "{n}号电梯层门门锁回路被短接，层门未关闭时电梯仍可运行。",
            SPECIAL_MAJOR,
            "立即停梯，拆除短接线并检修门锁，经检验合格后恢复使用。",
            "{n}号电梯",
        ),
    ],
    "other": [
        Finding(
            "other", T, False, "游乐设施乘客安全带磨损",
            "游乐场{n}号游乐设施乘客安全带磨损严重。",
            "《大型游乐设施安全规范》GB 8408-2018",
            "更换安全带，开展运营前安全检查。",
            "{n}号游乐设施",
        ),
        Finding(
            "other", M, False, "未建立全员安全生产责任制",
            "单位未建立全员安全生产责任制，未明确各岗位的责任人员和考核标准。",
            f"{SAFETY_LAW}第二十二条",
            "制定全员安全生产责任制并公示，纳入考核。",
            "办公楼",
        ),
        Finding(
            "other", T, False, "户外广告牌固定件锈蚀松动",
            "临街户外广告牌钢结构固定件锈蚀松动，存在坠落风险。",
            "《户外广告设施钢结构技术规程》CECS 148:2003",
            "拆除或加固广告牌，委托专业单位检测。",
            "临街外墙",
        ),
        Finding(
            "other", M, False, "大型活动未制定安全工作方案",
            "节庆活动预计参加人数超过千人，未制定安全工作方案和应急疏散预案。",
            "《大型群众性活动安全管理条例》",
            "制定安全工作方案和应急预案，报公安机关审核。",
            "活动场地",
        ),
        Finding(
            "other", T, True, "小水电站大坝安全鉴定过期",
            "小水电站大坝超过安全鉴定期限，坝体存在渗漏，泄洪闸门启闭不灵。",
            "《水库大坝安全管理条例》",
            "委托开展大坝安全鉴定，检修泄洪闸门，汛期控制运行水位。",
            "大坝及泄洪闸",
        ),
    ],
}
# fmt: on

# Where findings are made when the place is not a registered unit: by industry (sub-category first).
SITES = {
    "coal-mine": ["{short}{word}煤矿", "{short}{word}煤业有限公司"],
    "non-coal-mine": ["{short}{word}石灰石矿", "{short}{word}采石场"],
    "non-coal-mine-tailings": ["{short}{word}矿业有限公司尾矿库"],
    "road-transport": ["{short}{word}汽车运输有限公司", "{short}{word}物流有限公司", "{town}汽车站"],
    "road-traffic": ["{town}县乡道路"],
    "waterway-transport": ["{ship}", "{town}渡口"],
    "waterway-freight": ["{ship}"],
    "construction": ["{short}{word}花园{n}期项目", "{short}{word}安置小区建设项目", "{town}中心学校教学楼工程"],
    "construction-municipal": ["{short}{word}路提质改造工程", "{town}污水管网工程"],
    "construction-transport": ["{short}{word}大桥工程", "{town}水库除险加固工程"],
    "fire": ["{word}大酒店", "{word}购物广场", "{word}KTV", "{town}{word}养老院"],
    "fire-high-rise": ["{word}国际大厦", "{word}小区"],
    "fire-small-premises": ["{town}{word}超市", "{word}网吧", "{town}{word}小旅馆"],
    "fireworks": ["{short}{word}花炮厂", "{short}{word}烟花制造有限公司"],
    "fireworks-wholesale": ["{short}{word}烟花爆竹批发有限公司"],
    "fireworks-retail": ["{town}{word}烟花爆竹零售点"],
    "forest-fire": ["{town}国有林场", "{town}{village}村集体林区"],
    "hazardous-chemicals": ["{short}{word}化工有限公司", "{short}{word}新材料有限公司"],
    "hazchem-storage": ["{short}{word}化工仓储有限公司", "{town}{word}加油站"],
    "hazchem-transport": ["{short}{word}危险货物运输有限公司"],
    "self-built-housing": ["{town}{village}村{n}组{surname}某某自建房", "{town}{street}{n}号经营性自建房"],
    "building-power": ["{word}小区", "{town}{word}商业街"],
    "gas": ["{word}餐馆", "{word}酒楼", "{town}{word}小吃店"],
    "gas-pipeline": ["{short}{word}燃气有限公司", "{town}{street}燃气管网"],
    "gas-bottled": ["{town}{word}液化气供应站", "{word}餐馆"],
    "industry-trade": ["{short}{word}陶瓷有限公司", "{short}{word}机械制造有限公司"],
    "industry-dust": ["{short}{word}木业有限公司", "{short}{word}五金抛光厂"],
    "industry-ammonia": ["{short}{word}冷链物流有限公司"],
    "industry-nonferrous": ["{short}{word}有色金属冶炼有限公司"],
    "industry-confined-space": ["{short}{word}污水处理有限公司", "{short}{word}食品有限公司"],
    "special-equipment": ["{word}小区", "{word}大酒店", "{short}{word}机械制造有限公司"],
    "special-boiler": ["{short}{word}纺织有限公司锅炉房", "{word}大酒店"],
    "other": ["{town}{word}游乐场", "{town}{word}水电站", "{word}广场"],
}
# fmt: off
WORDS = [
    "鑫源", "宏发", "顺达", "兴旺", "恒安", "永盛", "华盛", "福田", "新龙", "安平", "长兴", "金桥", "湘江", "东方", "红星", "盛世", "天成",
    "龙腾", "富民", "瑞丰", "嘉禾", "和平", "康达", "银河",
]
TOWNS = [
    "城关镇", "永安镇", "大瑶镇", "金刚镇", "沙市镇", "官渡镇", "白沙镇", "石湾镇", "花明楼镇", "东湖街道", "枫林镇", "龙门镇", "桥头镇", "新华街道",
    "城南街道", "城北街道", "金石镇", "杨市镇", "青山铺镇", "黄材镇", "泗汾镇", "王仙镇", "白马垅镇", "荷塘镇", "三塘铺镇", "伏口镇", "古塘乡", "石门乡",
    "横市镇", "双江口镇", "泉塘街道", "中和镇",
]
VILLAGES = [
    "新塘", "枫树", "石桥", "黄泥", "长冲", "大屋", "金星", "荷花", "白竹", "松山", "高桥", "柳树", "团山", "桐木", "双河", "竹山",
]
STREETS = [
    "解放路", "人民路", "建设路", "新华街", "沿河路", "中山路", "迎宾路", "桂花路", "金沙路", "滨江路",
]
GIVEN = [
    "建国", "志强", "秀英", "海燕", "卫东", "晓明", "丽华", "国庆", "文涛", "红梅", "湘平", "振华", "伟", "敏", "军", "勇", "静", "磊",
    "洋", "艳", "杰", "涛", "斌", "芳", "超", "霞",
]
# Licence-plate letters of Hunan's prefecture-level divisions.
PLATE_LETTERS = {
    "4301": "A", "4302": "B", "4303": "C", "4304": "D", "4305": "E", "4306": "F", "4307": "J",
    "4308": "G", "4309": "H", "4310": "L", "4311": "M", "4312": "N", "4313": "K", "4331": "U",
}
# fmt: on

CONTINGENCY = [
    "整改期间设置警戒区域和警示标志，安排专人值守；发现异常立即停止作业、撤离人员并报告属地政府和主管部门。",
    "制定专项应急处置方案，配备应急物资，明确现场负责人和联络人，每日巡查并记录。",
    "整改前落实临时管控措施：限制人员进入、加强巡查、配备灭火器材和应急照明。",
    "与属地乡镇（街道）建立联动机制，遇险情立即启动应急预案，组织人员疏散。",
]
GOALS = [
    "限期消除隐患，整改完成后委托专家或有资质机构评估，经验收合格后申请销号。",
    "彻底消除重大事故隐患，完善相关安全管理制度，防止同类隐患反复出现。",
    "整改完成后达到相关国家标准和行业标准要求，经政府部门验收合格后恢复生产经营。",
]
MATERIALS = [
    "购置检测报警设备及配套材料，委托有资质单位设计施工。",
    "落实专项资金，采购合格的安全设施、器材，由专业队伍施工。",
    "委托安全评价机构开展评估，按评估意见采购设备材料。",
]
COMPLETION = [
    "已按整改要求完成整改，整改前后照片及相关资料已上传，申请验收。",
    "隐患已整改到位，相关制度已修订完善，人员已培训，申请验收销号。",
    "已完成设备更换和检测，检测报告附后，请予验收。",
]
OPINIONS = [
    "经现场复查，隐患已整改到位，同意销号。",
    "整改措施落实到位，资料齐全，验收合格。",
    "经专家现场核查，整改符合标准要求，同意通过验收。",
    "复查合格，要求企业举一反三，加强日常排查。",
]
REJECTIONS = [
    "整改不彻底，现场仍存在问题，退回继续整改。",
    "整改资料不全，缺少整改后照片，请补充后重新提交。",
]
VOID_REASONS = ["重复录入，与已登记隐患为同一问题。", "经复核不属于事故隐患，予以作废。", "录入信息有误，已重新登记。"]
EXTENSION_REASONS = [
    "整改涉及设备采购，到货周期较长，申请延期。",
    "整改工程量大，需委托专业单位设计施工，申请延期。",
    "受连续降雨影响无法施工，申请延期。",
]

# Campaigns (name, kind, description, start, end, industry codes, region codes); `{y}` is today's year.
CAMPAIGNS = [
    (
        "安全生产治本攻坚三年行动（2024—2026年）",
        Campaign.Kind.KEY_INDUSTRIES,
        "聚焦重点行业领域，全面排查整治重大事故隐患，推动安全生产治理模式向事前预防转型。",
        (2024, 1, 1),
        (2026, 12, 31),
        [],
        [],
    ),
    (
        "{y1}年“打非治违”专项行动",
        Campaign.Kind.CRACKDOWN,
        "严厉打击非法违法生产经营建设行为，重点整治矿山、危险化学品、烟花爆竹、交通运输和建筑施工领域。",
        ("y1", 3, 1),
        ("y1", 12, 31),
        ["coal-mine", "non-coal-mine", "fireworks", "hazardous-chemicals", "road-transport", "waterway-transport"],
        [],
    ),
    (
        "经营性自建房安全专项整治（{y1}—{y}年）",
        Campaign.Kind.SELF_BUILT_HOUSING,
        "对城乡经营性自建房逐栋排查，重点整治违规加层、擅自拆改承重结构和用作人员密集场所的房屋。",
        ("y1", 5, 1),
        ("y", 12, 31),
        ["self-built-housing", "fire", "gas", "building-power"],
        CITIES,
    ),
    (
        "{y}年春节前后烟花爆竹安全专项检查",
        Campaign.Kind.SEASONAL,
        "节前对烟花爆竹生产、批发、零售单位开展全覆盖检查，严查超药量、超定员和违规储存。",
        ("y", 1, 2),
        ("y", 3, 15),
        ["fireworks"],
        ["430100", "430200"],
    ),
]

# Which department inspects and supervises each industry; fire and "other" go to the safety
# committee's office, which sits in the emergency management bureau.
DEPARTMENT_OF = {code: name for name, codes in DEPARTMENTS.items() for code in codes}
DEPARTMENT_OF.update({"fire": "应急管理", "other": "应急管理"})
DEPARTMENT_KEYS = {"应急管理": "yj", "住房和城乡建设": "zj", "交通运输": "jt", "市场监督管理": "sj"}

INDUSTRY_WEIGHTS = {
    "coal-mine": 2, "non-coal-mine": 4, "road-transport": 8, "waterway-transport": 4, "construction": 12,
    "fire": 14, "fireworks": 4, "forest-fire": 4, "hazardous-chemicals": 7, "self-built-housing": 11,
    "building-power": 4, "gas": 9, "industry-trade": 8, "special-equipment": 7, "other": 2,
}  # fmt: skip
# What each demo county is known for: Liuyang and Liling fireworks, Lianyuan coal, Ningxiang building.
COUNTY_EMPHASIS = {
    "430181": {"fireworks": 8, "hazardous-chemicals": 1.5},
    "430281": {"fireworks": 5, "industry-trade": 2},
    "431382": {"coal-mine": 8, "non-coal-mine": 2},
    "430182": {"construction": 1.8, "industry-trade": 1.5},
}
DEMO_COUNTY_SHARE = {"430181": 30, "430182": 14, "430281": 14, "431382": 14}
DEMO_CITY_COUNTIES_SHARE = 10  # the other counties of Changsha, Zhuzhou and Loudi
OTHER_COUNTIES_SHARE = 18
RECTIFIER_FACTORY = "浏阳演示烟花制造有限公司"
DEMO_REGIONS = ["430000", *CITIES, *COUNTIES]  # where accounts.demo made a government and departments
SUSPENSIONS = [Hazard.ProductionSuspension.FULL, Hazard.ProductionSuspension.PARTIAL, Hazard.ProductionSuspension.NONE]
LISTED_NAMES = {"county": "县", "city": "市", "province": "省"}
SOURCE_PREFIX = {
    Source.SELF_CHECK: "企业自查发现：",
    Source.PUBLIC_REPORT: "群众举报反映，经现场核实：",
    Source.ASSIGNED_FROM_ABOVE: "上级督导检查发现并交办：",
}

TZ = ZoneInfo(settings.TIME_ZONE)


@dataclass
class Body:
    """A demo department or government with the people who act for it."""

    id: int
    region: str
    reviewers: list[int] = field(default_factory=list)  # assign, verify, close
    inspectors: list[int] = field(default_factory=list)  # find, and act when the body rectifies
    persona_inspector: int | None = None
    persona_reviewer: int | None = None


@dataclass
class Visit:
    """One occasion on which findings were recorded: an inspection, a self-check or a report."""

    on: date
    county: str
    top: str
    industry: str
    source: str
    found_by: int
    at: datetime
    unit: int | None = None
    site_name: str = ""
    inspecting: Body | None = None
    team: list[int] = field(default_factory=list)
    campaign: int | None = None
    words: dict = field(default_factory=dict)
    persona_work: bool = False  # an inspection of the rectifier persona's factory, for its work queue


class _Random(random.Random):
    """random.Random with cheaper choice() and randint(): they run tens of millions of times for 1M hazards."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def _department_name(region_name: str, region: str, department: str) -> str:
    """The name accounts.demo gives a department: 浏阳市应急管理局, 湖南省应急管理厅."""
    level = "province" if region == "430000" else ("city" if region in CITIES else "county")
    return f"{region_name}{department}{DEPARTMENT_SUFFIX[level]}"


def _short_name(name: str) -> str:
    short = re.sub(r"(土家族|苗族|侗族|瑶族|各族|自治县|自治州|县|市|区)+$", "", name)
    return short if len(short) >= 2 else name


def _money(rng: random.Random, low: float, high: float) -> Decimal:
    return Decimal(int(rng.uniform(low, high) * 100)).scaleb(-2)


@contextmanager
def _historical_timestamps(model) -> Iterator[None]:
    """Let bulk_create write the rows' own created/updated times instead of now: demo rows are dated.

    It changes the model's fields for the duration, so it belongs in a command, not a web process.
    """
    fields = [
        f for f in model._meta.concrete_fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Pause the cycle collector: the rows hold no cycles, and rescanning millions of them costs ~10%."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class _LedgerSeeder:
    """Generates the findings: who found what where, and what became of it up to `today`."""

    def __init__(self, *, today: date, seed: int, existing: int):
        self.today = today
        # The end of `today`, or now when seeding the real present: no milestone lies in the future.
        self.cutoff = (
            timezone.now().astimezone(TZ)  # one tzinfo for all: comparisons across zones are slow
            if today == timezone.localdate()
            else datetime.combine(today + timedelta(days=1), time(0), tzinfo=TZ) - timedelta(seconds=1)
        )
        # A top-up continues the stream instead of repeating the findings already made.
        self.rng = _Random(f"{seed}:{existing}")
        self.counts = {"hazards": 0, "inspections": 0, "events": 0, "users": 0}
        self._load()

    # --- the demo's organisations and people ------------------------------------------------------

    def _load(self) -> None:
        regions = list(Region.objects.values_list("code", "name", "level", "parent_id"))
        self.region_names = {code: name for code, name, _level, _parent in regions}
        counties = sorted(code for code, _name, level, _parent in regions if level == Region.Level.COUNTY)
        self.industries = dict(Industry.objects.values_list("code", "id"))
        self.towns = {code: random.Random(code).sample(TOWNS, 5) for code in counties}

        organizations = list(Organization.objects.values_list("id", "name", "kind", "region_id"))
        by_name = {(region, name): (pk, kind) for pk, name, kind, region in organizations}
        users = list(User.objects.filter(organization__isnull=False).values_list("id", "username", "organization_id"))
        persona = {username: pk for pk, username, _org in users}
        missing = [name for name in ("inspector", "head", "rectifier", "province") if name not in persona]
        if missing:
            raise DemoSeedError(f"run seed_demo first: personas {', '.join(missing)} are missing")

        self._ensure_staff(by_name)
        users = list(User.objects.filter(organization__isnull=False).values_list("id", "username", "organization_id"))
        members: dict[int, list[tuple[str, int]]] = {}
        for pk, username, organization in users:
            members.setdefault(organization, []).append((username, pk))

        # Departments and governments of the demo regions, with their reviewers and inspectors.
        self.departments: dict[tuple[str, str], Body] = {}
        self.governments: dict[str, tuple[int, int | None]] = {}
        for region in DEMO_REGIONS:
            name = self.region_names[region]
            government = by_name.get((region, f"{name}人民政府"))
            if government:
                lead = dict(members.get(government[0], [])).get(f"{region}-gov-2")
                self.governments[region] = (government[0], lead)
            for department in DEPARTMENTS:
                found = by_name.get((region, _department_name(name, region, department)))
                if not found:
                    continue
                body = Body(id=found[0], region=region)
                for username, pk in sorted(members.get(body.id, [])):
                    if username == "inspector":
                        body.persona_inspector = pk
                        body.inspectors.append(pk)
                    elif username == "head":
                        body.persona_reviewer = pk
                        body.reviewers.append(pk)
                    elif username.startswith("demo-"):  # the staff made by _ensure_staff: -1 is the section chief
                        (body.reviewers if username.endswith("-1") else body.inspectors).append(pk)
                if body.reviewers and body.inspectors:
                    self.departments[(region, department)] = body
        if ("430000", "应急管理") not in self.departments:
            raise DemoSeedError("run seed_demo first: the provincial departments are missing")

        # Enterprises of the demo, by county and top-level industry, with who acts for them.
        industry_parent = {
            code: parent or code
            for code, parent in Industry.objects.values_list("code", "parent__code")  # top-level code of each
        }
        self.enterprise_names = {pk: name for pk, name, kind, _region in organizations if kind == "enterprise"}
        self.enterprises: dict[tuple[str, str], list[tuple[int, str]]] = {}
        self.enterprise_users: dict[int, list[int]] = {}
        through = Organization.industries.through.objects.filter(organization__kind=Organization.Kind.ENTERPRISE)
        for organization, region, code in through.values_list(
            "organization_id", "organization__region_id", "industry__code"
        ):
            self.enterprises.setdefault((region, industry_parent[code]), []).append((organization, code))
        for organization, people in members.items():
            if organization not in self.enterprise_names:
                continue
            ranked = sorted(people, key=lambda person: person[0] != "rectifier")  # the persona acts first
            self.enterprise_users[organization] = [pk for _username, pk in ranked]
        for enterprises in self.enterprises.values():
            enterprises.sort()
        factory = by_name.get(("430181", RECTIFIER_FACTORY))
        fireworks = [pk for pk, _code in self.enterprises.get(("430181", "fireworks"), [])]
        self.rectifier_factory = factory[0] if factory and factory[0] in fireworks else None

        # County choice: most findings in the demo counties, the rest spread over Hunan.
        demo_cities = {code[:4] for code in CITIES}
        near = [code for code in counties if code[:4] in demo_cities and code not in DEMO_COUNTY_SHARE]
        far = [code for code in counties if code[:4] not in demo_cities]
        self.counties = [*DEMO_COUNTY_SHARE, *near, *far]
        weights = [*DEMO_COUNTY_SHARE.values()]
        weights += [DEMO_CITY_COUNTIES_SHARE / len(near)] * len(near) + [OTHER_COUNTIES_SHARE / len(far)] * len(far)
        self.county_weights = self._cumulative(weights)
        self.tops = list(INDUSTRY_WEIGHTS)
        self.industry_weights = {
            county: self._cumulative(
                [INDUSTRY_WEIGHTS[top] * COUNTY_EMPHASIS.get(county, {}).get(top, 1) for top in self.tops]
            )
            for county in [*COUNTY_EMPHASIS, ""]
        }
        self.findings = {
            (top, major): [finding for finding in findings if finding.major == major]
            for top, findings in FINDINGS.items()
            for major in (False, True)
        }

    @staticmethod
    def _cumulative(weights: list[float]) -> list[float]:
        total, cumulative = 0.0, []
        for weight in weights:
            total += weight
            cumulative.append(total)
        return cumulative

    def _ensure_staff(self, by_name: dict) -> None:
        """Give each demo department a section chief (reviewer) and two inspectors, once."""
        groups = {role: Group.objects.get(name=role) for role in (Role.INSPECTOR, Role.DEPARTMENT_HEAD)}
        wanted = []
        for index, region in enumerate(DEMO_REGIONS):
            name = self.region_names[region]
            for offset, department in enumerate(DEPARTMENTS):
                found = by_name.get((region, _department_name(name, region, department)))
                if not found:
                    continue
                for number in (1, 2, 3):
                    serial = index * 12 + offset * 3 + number
                    wanted.append(
                        (
                            f"demo-{region}-{DEPARTMENT_KEYS[department]}-{number}",
                            FAMILY_NAMES[serial * 7 % len(FAMILY_NAMES)],
                            GIVEN[serial * 5 % len(GIVEN)],
                            found[0],
                            region,
                            Role.DEPARTMENT_HEAD if number == 1 else Role.INSPECTOR,
                        )
                    )
        existing = set(User.objects.filter(username__startswith="demo-").values_list("username", flat=True))
        new = [
            User(
                username=username,
                last_name=family,
                first_name=given,
                organization_id=organization,
                region_id=region,
                email=f"{username}@example.gov.cn",
                # They receive reminders and appear in histories; nobody signs in as them.
                password=make_password(None),
            )
            for username, family, given, organization, region, _role in wanted
            if username not in existing
        ]
        if not new:
            return
        User.objects.bulk_create(new)
        ids = dict(User.objects.filter(username__in=[user.username for user in new]).values_list("username", "id"))
        role_of = {username: role for username, *_rest, role in wanted}
        User.groups.through.objects.bulk_create(
            [User.groups.through(user_id=ids[user.username], group=groups[role_of[user.username]]) for user in new],
            ignore_conflicts=True,
        )
        self.counts["users"] = len(new)

    def ensure_campaigns(self) -> list[tuple[int, date, date, set[str], set[str]]]:
        """Create or refresh the demo campaigns; returns (id, start, end, industries, regions) of each."""
        years = {"y": self.today.year, "y1": self.today.year - 1}
        self.campaign_names: dict[int, str] = {}
        organizers = dict(
            Organization.objects.filter(region_id="430000", kind=Organization.Kind.DEPARTMENT).values_list("name", "id")
        )
        campaigns = []
        for name, kind, description, start, end, industries, regions in CAMPAIGNS:
            start_date = date(years.get(start[0], start[0]), start[1], start[2])
            end_date = date(years.get(end[0], end[0]), end[1], end[2])
            organizer = organizers.get(
                "湖南省住房和城乡建设厅" if kind == Campaign.Kind.SELF_BUILT_HOUSING else "湖南省应急管理厅"
            )
            campaign, _created = Campaign.objects.update_or_create(
                name=name.format(**years),
                defaults={
                    "kind": kind,
                    "description": description,
                    "start_date": start_date,
                    "end_date": end_date,
                    "organizer_id": organizer,
                },
            )
            campaign.industries.set([self.industries[code] for code in industries])
            campaign.regions.set(regions)
            campaigns.append((campaign.pk, start_date, end_date, set(industries), set(regions)))
            self.campaign_names[campaign.pk] = campaign.name
        self.campaigns = campaigns
        return campaigns

    # --- generating findings ----------------------------------------------------------------------

    def _days(self, count: int) -> dict[date, int]:
        """Spread `count` findings over the window: fewer at weekends, a slow rise as use grows."""
        first = self.today - timedelta(days=WINDOW_DAYS - 1)
        days = [first + timedelta(days=offset) for offset in range(WINDOW_DAYS)]
        weights = [
            (0.8 + 0.4 * offset / WINDOW_DAYS) * (1.0, 1.0, 1.0, 1.0, 1.0, 0.4, 0.25)[day.weekday()]
            for offset, day in enumerate(days)
        ]
        total, running, issued, quotas = sum(weights), 0.0, 0, {}
        for day, weight in zip(days, weights, strict=True):
            running += weight
            quotas[day] = round(count * running / total) - issued
            issued += quotas[day]
        return quotas

    def _persona_work(self, count: int) -> dict[date, int]:
        """Findings at the rectifier persona's factory on recent days: a work queue for that user."""
        if self.rectifier_factory is None:
            return {}
        work: dict[date, int] = {}
        for _ in range(min(24, max(8, count // 25), count // 4)):
            day = self.today - timedelta(days=self.rng.randint(1, PERSONA_WORK_DAYS))
            work[day] = work.get(day, 0) + 1
        return work

    def _body(self, county: str, top: str) -> Body:
        """The department that inspects and supervises this industry here, else the one above."""
        department = DEPARTMENT_OF[top]
        for region in (county, county[:4] + "00", "430000"):
            body = self.departments.get((region, department))
            if body:
                return body
        return self.departments[("430000", "应急管理")]

    def _above(self, county: str, top: str) -> Body:
        """The department one level above the one that supervises this county's industry."""
        return self._body(county[:4] + "00" if county in COUNTIES else "430000", top)

    def _pick_inspector(self, body: Body) -> int:
        if body.persona_inspector and self.rng.random() < 0.6:
            return body.persona_inspector
        return self.rng.choice(body.inspectors)

    def _campaign(self, on: date, county: str, top: str) -> int | None:
        fitting = [
            pk
            for pk, start, end, industries, regions in self.campaigns
            if start <= on <= end
            and (not industries or top in industries)
            and (not regions or county in regions or county[:4] + "00" in regions)
        ]
        return fitting[-1] if fitting else None  # the most specific, listed last

    def _visit(self, on: date, *, persona_work: bool = False) -> Visit:
        """Where, what industry, who and why: the occasion on which findings are recorded."""
        rng = self.rng
        if persona_work:
            county, top = "430181", "fireworks"
        else:
            county = rng.choices(self.counties, cum_weights=self.county_weights)[0]
            top = rng.choices(self.tops, cum_weights=self.industry_weights.get(county, self.industry_weights[""]))[0]
        short = _short_name(self.region_names[county])
        words = {
            "short": short,
            "town": rng.choice(self.towns[county]),
            "village": rng.choice(VILLAGES),
            "street": rng.choice(STREETS),
            "word": rng.choice(WORDS),
            "n": rng.randint(1, 12),
            "surname": rng.choice(FAMILY_NAMES),
            "plate": f"湘{PLATE_LETTERS.get(county[:4], 'A')}{rng.randint(10000, 99999)}",
            "ship": f"湘{short}{rng.choice('渡客货')}{rng.randint(1, 9999):04d}",
        }
        unit, industry = None, None
        enterprises = self.enterprises.get((county, top))
        if persona_work:
            unit, industry = next(enterprise for enterprise in enterprises if enterprise[0] == self.rectifier_factory)
        elif enterprises:
            unit, industry = rng.choice(enterprises)
            if rng.random() > 0.55:  # most places are not the demo's registered enterprises
                unit, industry = None, None
        if industry is None:
            industry = rng.choice(self.findings[(top, False)]).industry
        at = datetime.combine(on, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=TZ)
        visit = Visit(
            on=on, county=county, top=top, industry=industry, source=Source.INSPECTION, found_by=0,  # set below
            at=at, unit=unit, words=words, persona_work=persona_work,
        )  # fmt: skip
        if unit is None:
            patterns = SITES.get(industry) or SITES[top]
            visit.site_name = rng.choice(patterns).format(**words)

        roll = 1.0 if persona_work else rng.random()
        body = self._body(county, top)
        if unit and roll < 0.2:
            visit.source = Source.SELF_CHECK
            visit.found_by = (
                self.enterprise_users[unit][0] if rng.random() < 0.7 else rng.choice(self.enterprise_users[unit])
            )
        elif 0.2 <= roll < 0.25:
            visit.source = Source.ASSIGNED_FROM_ABOVE
            visit.found_by = rng.choice(self._above(county, top).inspectors)
        elif unit is None and 0.25 <= roll < 0.31:
            visit.source = Source.PUBLIC_REPORT
            visit.found_by = self._pick_inspector(body)
        else:
            visit.inspecting = body
            lead = self._pick_inspector(body)
            others = [pk for pk in body.inspectors if pk != lead]
            visit.team = [lead, *rng.sample(others, min(len(others), rng.randint(0, 2)))]
            visit.found_by = lead
            campaign = self._campaign(on, county, top)
            if campaign and rng.random() < 0.35:
                visit.campaign = campaign
                visit.source = Source.CAMPAIGN
        return visit

    def _findings(self, visit: Visit, count: int) -> list[tuple[Finding, bool]]:
        """Up to `count` different findings fitting the visit's industry, each general or major."""
        rng = self.rng
        chosen, used = [], set()
        for _ in range(count):
            # A major hazard where this kind of place has one to find; never more majors than that.
            levels = (True, False) if rng.random() < MAJOR_SHARE else (False,)
            for major in levels:
                pool = [
                    finding
                    for finding in self.findings[(visit.top, major)]
                    if finding.industry in (visit.industry, visit.top) and finding not in used
                ]
                if pool:
                    finding = rng.choice(pool)
                    used.add(finding)
                    chosen.append((finding, major))
                    break
        return chosen

    def _later(self, moment: datetime, low_hours: float, high_hours: float) -> datetime:
        """Some time later, moved into office hours (8:00-18:00): people act at work."""
        rng = self.rng
        low = max(low_hours * 60, 10)
        moment += timedelta(0, 60 * int(low + rng.random() * (max(high_hours * 60, low + 1) - low)))
        if moment.hour < 8:
            moment = moment.replace(hour=8, minute=rng.randint(0, 59))
        elif moment.hour >= 18:
            moment = (moment + timedelta(days=1)).replace(hour=8, minute=rng.randint(0, 59))
        return moment

    def _history(self, visit: Visit, major: bool, people: dict) -> tuple[list[tuple], date | None]:
        """What would have happened to the finding, step by step, and its first deadline.

        Events are (at, action, from_state, to_state, actor, reason, changes); the caller keeps
        those up to the cutoff, so recent findings are still in progress.
        """
        rng = self.rng
        assigner, approver, doer = people["assigner"], people["approver"], people["doer"]
        found_at = people["found_at"]
        events: list[tuple] = [(found_at, Action.REPORT, "", State.REPORTED, visit.found_by, "", None)]
        age = (self.today - visit.on).days

        if rng.random() < 0.02:  # logged in error or twice
            moment, deadline = self._later(found_at, 2, 120), None
            if rng.random() < 0.3:
                deadline = moment.date() + timedelta(days=rng.choice([7, 15, 30]))
                events.append((moment, Action.ASSIGN, State.REPORTED, State.ASSIGNED, assigner, "", None))
                moment = self._later(moment, 4, 72)
            reason = rng.choice(VOID_REASONS)
            events.append((moment, Action.VOID, events[-1][3], State.VOID, assigner, reason, None))
            return events, deadline

        if people["on_the_spot"]:
            deadline = visit.on
            moment = self._later(found_at, 0.3, 2)
            reason = "立查立改，现场已整改完毕。"
            events.append((moment, Action.SUBMIT, State.REPORTED, State.SUBMITTED, visit.found_by, reason, None))
        else:
            moment = self._later(found_at, 1, 120 if rng.random() < 0.8 else 240)
            if major:
                period = rng.choice([30, 60, 90, 90, 120, 180])
            else:  # the persona's factory has bigger jobs: a new lightning rod, explosion-proof wiring
                period = rng.choice([20, 30, 30, 45, 60] if people["mine"] else [3, 7, 7, 10, 15, 15, 30, 30, 60])
            deadline = first_deadline = moment.date() + timedelta(days=period)
            reason = f"限{deadline:%Y年%m月%d日}前整改完毕。"
            events.append((moment, Action.ASSIGN, State.REPORTED, State.ASSIGNED, assigner, reason, None))
            if people["listed_level"]:
                listed = f"{LISTED_NAMES[people['listed_level']]}级"
                changes = {"listed_level": ["", listed]}
                at = self._later(moment, 1, 48)
                events.append((at, Action.LIST, "", "", people["lister"], f"列入{listed}挂牌督办。", changes))

            # Some work stalls: the unit never starts, or never finishes; once the deadline passes
            # the hazard is overdue. Older stalls are rarer: supervision catches up with them.
            stall_chance = 0.2 if people["mine"] else (0.08 if age < 400 else 0.01)
            stall = rng.random() < stall_chance
            if stall and rng.random() < 0.4:
                return events, first_deadline
            moment = self._later(moment, 0.5, 72)
            events.append((moment, Action.START, State.ASSIGNED, State.RECTIFYING, doer, "", None))
            for _ in range(0 if rng.random() < 0.9 else rng.choice([1, 1, 1, 2])):
                asked = self._later(
                    max(moment, datetime.combine(deadline, time(9), tzinfo=TZ) - timedelta(days=3)), 0.5, 24
                )
                if asked.date() >= deadline:
                    break
                decided = self._later(asked, 2, 48)
                longer = deadline + timedelta(days=rng.choice([15, 20, 30]))
                changes = {"deadline": [deadline.isoformat(), longer.isoformat()]}
                reason = rng.choice(EXTENSION_REASONS)
                events.append((asked, Action.REQUEST_EXTENSION, "", "", doer, reason, changes))
                reason = f"同意延期至{longer:%Y年%m月%d日}。"
                events.append((decided, Action.DECIDE_EXTENSION, "", "", assigner, reason, changes))
                deadline, moment = longer, decided
            if stall:
                return events, first_deadline

            due = datetime.combine(deadline, time(17), tzinfo=TZ)
            if rng.random() < 0.1:  # late, but done in the end
                moment = self._later(due, 24, 24 * 20)
            elif due > moment:
                # Most units finish some time before the deadline; the persona's factory, near it.
                share = 0.6 + 0.4 * rng.random() if people["mine"] else rng.random()
                moment = self._later(moment, 0, (due - moment).total_seconds() / 3600 * share)
            else:
                moment = self._later(moment, 1, 8)
            report = rng.choice(COMPLETION)
            events.append((moment, Action.SUBMIT, State.RECTIFYING, State.SUBMITTED, doer, report, None))
            if rng.random() < 0.05:
                moment = self._later(moment, 4, 120)
                reason = rng.choice(REJECTIONS)
                events.append((moment, Action.REJECT, State.SUBMITTED, State.RECTIFYING, approver, reason, None))
                moment = self._later(moment, 24, 240)
                report = rng.choice(COMPLETION)
                events.append((moment, Action.SUBMIT, State.RECTIFYING, State.SUBMITTED, doer, report, None))
            deadline = first_deadline

        moment = self._later(moment, 2, 240)
        events.append((moment, Action.VERIFY, State.SUBMITTED, State.VERIFIED, approver, rng.choice(OPINIONS), None))
        events.append((self._later(moment, 0.5, 120), Action.CLOSE, State.VERIFIED, State.CLOSED, approver, "", None))
        return events, deadline

    def _people(self, visit: Visit, major: bool) -> dict:
        """Who rectifies, who assigns and accepts, and whether the hazard is listed, and by whom."""
        rng = self.rng
        county, top = visit.county, visit.top
        body = self._body(county, top)
        above = self._above(county, top)
        if visit.unit:
            rectifying_unit = visit.unit
            unit_people = self.enterprise_users.get(visit.unit) or [visit.found_by]
            doer = unit_people[0] if rng.random() < 0.75 else rng.choice(unit_people)
        elif body.region == county:
            # A house or a ship: the county department answers for getting it put right.
            rectifying_unit, doer = body.id, rng.choice(body.inspectors)
        else:
            rectifying_unit, doer = None, visit.found_by

        listed_level, listed_by, lister = "", None, None
        if major and rng.random() < 0.6:
            listed_level = rng.choices(["county", "city", "province"], weights=[5, 3, 2])[0]
            region = {"county": county, "city": county[:4] + "00", "province": "430000"}[listed_level]
            listed_by, lister = self.governments.get(region, (None, None))
        assigner = rng.choice(body.reviewers)
        # Acceptance at the listing level; otherwise mostly the county, sometimes the city.
        approver_body = {"city": above, "province": self._body("430000", top)}.get(listed_level, body)
        if not listed_level and rng.random() < 0.3:
            approver_body = above
        if approver_body.persona_reviewer and rng.random() < 0.5:
            approver = approver_body.persona_reviewer
        else:
            approver = rng.choice(approver_body.reviewers)
        if approver in (doer, visit.found_by):  # acceptance is never by the one who did the work
            approver = assigner
        on_the_spot = not major and not visit.persona_work and visit.inspecting is not None and rng.random() < 0.12
        return {
            "rectifying_unit": rectifying_unit,
            "doer": doer,
            "assigner": assigner,
            "approver": approver,
            "listed_level": listed_level,
            "listed_by": listed_by,
            "lister": lister or assigner,
            "mine": visit.persona_work,
            "on_the_spot": on_the_spot,
        }

    def _hazard(
        self, visit: Visit, finding: Finding, major: bool, found_at: datetime
    ) -> tuple[dict, list[tuple], list[dict]]:
        """The hazard's fields, its history up to the cutoff (whence its state) and extension requests."""
        rng, words = self.rng, visit.words
        words["n"] = rng.randint(1, 12)
        people = self._people(visit, major)
        people["found_at"] = found_at
        people["on_the_spot"] = people["on_the_spot"] and finding.kind != M
        events, deadline = self._history(visit, major, people)
        events.sort(key=lambda event: event[0])

        state, history, requests = State.REPORTED, [], []
        first: dict[str, datetime] = {}
        last: dict[str, tuple] = {}
        for event in events:
            at, action, from_state, to_state, actor, reason, changes = event
            if at > self.cutoff:
                break
            if not to_state:  # not a transition: the event records the state it happened in
                event = (at, action, state, state, actor, reason, changes)
            state = to_state or state
            history.append(event)
            first.setdefault(action, at)
            last[action] = event
            if action == Action.REQUEST_EXTENSION:
                old, new = (date.fromisoformat(day) for day in changes["deadline"])
                requests.append(
                    {"requested_by_id": actor, "requested_at": at, "current_deadline": old, "new_deadline": new}
                )
                requests[-1]["reason"] = reason
            elif action == Action.DECIDE_EXTENSION:
                requests[-1].update(
                    decision=ExtensionRequest.Decision.APPROVED,
                    decided_by_id=actor,
                    decided_at=at,
                    decision_note=reason,
                )
                deadline = requests[-1]["new_deadline"]
        where = finding.where.format(**words)
        hazard = {
            "title": finding.title.format(**words),
            "description": SOURCE_PREFIX.get(visit.source, "") + finding.description.format(**words),
            "industry_id": self.industries[finding.industry],
            "level": Hazard.Level.MAJOR if major else Hazard.Level.GENERAL,
            "kind": finding.kind,
            "legal_basis": finding.legal_basis,
            "source": visit.source,
            "campaign_id": visit.campaign,
            "region_id": visit.county,
            "unit_id": visit.unit,
            "site_name": visit.site_name,
            "location": where if visit.unit else f"{self.region_names[visit.county]}{words['town']}，{where}",
            "found_on": visit.on,
            "found_by_id": visit.found_by,
            "state": state,
            "on_the_spot": people["on_the_spot"],
            "listed_level": people["listed_level"],
            "listed_by_id": people["listed_by"],
            "responsibility_chain": [],
            "created_at": history[0][0],
            "updated_at": history[-1][0],
            "version": len(history),
            "assigned_at": first.get(Action.ASSIGN),
            "started_at": first.get(Action.START),
            "submitted_at": last[Action.SUBMIT][0] if Action.SUBMIT in last else None,
            "verified_at": first.get(Action.VERIFY),
            "closed_at": first.get(Action.CLOSE),
            "voided_at": first.get(Action.VOID),
        }
        if Action.ASSIGN in first or Action.SUBMIT in first:
            hazard.update(
                rectifying_unit_id=people["rectifying_unit"],
                deadline=deadline,
                extension_count=sum(1 for request in requests if "decided_at" in request),
                measures=f"立查立改：{finding.measures}" if people["on_the_spot"] else finding.measures,
                funds=_money(rng, 5, 300) if major else _money(rng, 0.05, 0.5 if people["on_the_spot"] else 8),
                responsible_person=f"{rng.choice(FAMILY_NAMES)}{rng.choice(GIVEN)}",
                contingency_plan=rng.choice(CONTINGENCY),
            )
            if major:
                hazard.update(
                    goals=rng.choice(GOALS),
                    materials=rng.choice(MATERIALS),
                    production_suspension=rng.choices(SUSPENSIONS, weights=[5, 3, 2])[0],
                )
        if Action.SUBMIT in last:
            hazard.update(completion_report=last[Action.SUBMIT][5], submitted_by_id=last[Action.SUBMIT][4])
        if Action.VERIFY in last:
            method = rng.choices(["expert", "government", "self_evaluation"], weights=[6, 4, 0] if major else [1, 4, 5])
            hazard.update(
                verified_by_id=last[Action.VERIFY][4],
                acceptance_method=method[0],
                acceptance_opinion=last[Action.VERIFY][5],
            )
        return hazard, history, requests

    # --- writing ----------------------------------------------------------------------------------

    def batches(self, count: int) -> Iterator[list[tuple[Visit, list[tuple[dict, list[tuple], list[dict]]]]]]:
        """Generate `count` hazards day by day, in batches of about BATCH_SIZE: (visit, its hazards)."""
        rng = self.rng
        persona_work = self._persona_work(count)
        remaining = count - sum(persona_work.values())
        quotas = self._days(remaining)
        batch: list[tuple[Visit, list[tuple[dict, list[tuple], list[dict]]]]] = []
        in_batch = owed = 0
        for day, quota in quotas.items():
            occasions = []
            work = persona_work.get(day, 0)
            while work > 0:
                visit = self._visit(day, persona_work=True)
                occasions.append((visit, self._record(visit, min(work, 4))))
                work -= len(occasions[-1][1])
            # An inspection writes down one to four findings, even past the day's share: the next days owe it.
            quota -= owed
            while quota > 0 and remaining > 0:
                visit = self._visit(day)
                wanted = (
                    min(remaining, rng.choices([1, 2, 3, 4], weights=[35, 30, 20, 15])[0]) if visit.inspecting else 1
                )
                hazards = self._record(visit, wanted)
                quota -= len(hazards)
                remaining -= len(hazards)
                if hazards:
                    occasions.append((visit, hazards))
            owed = max(-quota, 0)
            for visit, hazards in occasions:
                batch.append((visit, hazards))
                in_batch += len(hazards)
                if in_batch >= BATCH_SIZE:
                    yield batch
                    batch, in_batch = [], 0
        if batch:
            yield batch

    def _record(self, visit: Visit, wanted: int) -> list[tuple[dict, list[tuple], list[dict]]]:
        """The visit's findings as hazards, each written down a few minutes after the last."""
        hazards = []
        found_at = visit.at
        for finding, major in self._findings(visit, wanted):
            hazards.append(self._hazard(visit, finding, major, min(found_at, self.cutoff)))
            found_at += timedelta(minutes=self.rng.randint(3, 25))
        return hazards

    def insert_batch(self, batch: list[tuple[Visit, list[tuple[dict, list[tuple], list[dict]]]]], insert) -> None:
        """Hand the batch's rows to `insert(model, rows, ids=...)`, table by table, parents first.

        `insert` returns the new primary keys when asked (`ids=True`); children refer to them.
        """
        visits = [(visit, hazards) for visit, hazards in batch if visit.inspecting is not None]
        inspection_ids = insert(
            Inspection,
            [
                {
                    "inspected_on": visit.on,
                    "region_id": visit.county,
                    "unit_id": visit.unit,
                    "site_name": visit.site_name,
                    "industry_id": self.industries[visit.industry],
                    "campaign_id": visit.campaign,
                    "organization_id": visit.inspecting.id,
                    "notes": f"{self.campaign_names.get(visit.campaign, '日常执法检查')}："
                    f"对{visit.site_name or self.enterprise_names[visit.unit]}开展安全检查，"
                    f"发现隐患{len(hazards)}处。",
                    "created_by_id": visit.team[0],
                    "created_at": hazards[-1][1][0][0],
                }
                for visit, hazards in visits
            ],
            ids=True,
        )
        inspection_of = {id(visit): pk for (visit, _hazards), pk in zip(visits, inspection_ids, strict=True)}
        insert(
            Inspection.inspectors.through,
            [
                {"inspection_id": pk, "user_id": user}
                for (visit, _hazards), pk in zip(visits, inspection_ids, strict=True)
                for user in visit.team
            ],
        )

        hazards = [(visit, *hazard) for visit, found in batch for hazard in found]
        for visit, row, _history, _extensions in hazards:
            row["inspection_id"] = inspection_of.get(id(visit))
        hazard_rows = [row for _visit, row, _history, _extensions in hazards]
        self._number(hazard_rows)
        hazard_ids = insert(Hazard, hazard_rows, ids=True)
        events = [
            {
                "hazard_id": pk,
                "actor_id": actor,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "reason": reason,
                "changes": changes or {},
                "at": at,
            }
            for (_visit, _hazard, history, _extensions), pk in zip(hazards, hazard_ids, strict=True)
            for at, action, from_state, to_state, actor, reason, changes in history
        ]
        insert(HazardEvent, events)
        insert(
            ExtensionRequest,
            [
                {"hazard_id": pk, **request}
                for (_visit, _hazard, _history, extensions), pk in zip(hazards, hazard_ids, strict=True)
                for request in extensions
            ],
        )
        self.counts["hazards"] += len(hazards)
        self.counts["inspections"] += len(visits)
        self.counts["events"] += len(events)

    @staticmethod
    @transaction.atomic
    def _number(hazards: list[dict]) -> None:
        """Issue `HN-<county>-<year>-<seq>` numbers from LedgerSequence, locked, in one pass.

        In a transaction of its own when called outside one: numbers are reserved like a sequence's,
        so a batch that fails later leaves a gap, never a number issued twice.
        """
        keys = {(hazard["region_id"], hazard["found_on"].year) for hazard in hazards}
        LedgerSequence.objects.bulk_create(
            [LedgerSequence(region_id=region, year=year) for region, year in keys], ignore_conflicts=True
        )
        sequences = {
            (sequence.region_id, sequence.year): sequence
            for sequence in LedgerSequence.objects.select_for_update().filter(
                region_id__in={region for region, _year in keys}, year__in={year for _region, year in keys}
            )
        }
        for hazard in hazards:
            region, year = hazard["region_id"], hazard["found_on"].year
            sequence = sequences[(region, year)]
            sequence.last += 1
            hazard["number"] = f"HN-{region}-{year}-{sequence.last:06d}"
        LedgerSequence.objects.bulk_update([sequences[key] for key in keys], ["last"])


class _BulkCreateRows:
    """Writes rows with Django's bulk_create: portable, fast enough for a development database."""

    def insert(self, model, rows: list[dict], *, ids: bool = False) -> list[int]:
        """Insert the rows (dicts of attnames); returns their primary keys, in order, if asked."""
        objects = [model(**row) for row in rows]
        with _historical_timestamps(model):
            model._default_manager.bulk_create(objects, batch_size=BATCH_SIZE)
        return [obj.pk for obj in objects] if ids else []


class _CopyRows:
    """Writes rows with PostgreSQL's COPY (CSV through the C csv module), ids drawn from the sequence first.

    bulk_create spends ~50-100 µs per row preparing values; a million hazards come with six
    million events, so on PostgreSQL the rows go through COPY instead, at a few µs per row.
    `insert` only prepares a COPY (and reserves the ids); `load` runs the prepared ones in one
    transaction, so that another thread can load while the next batch is prepared.
    """

    def __init__(self):
        self.prepared: list[tuple[str, str]] = []

    def insert(self, model, rows: list[dict], *, ids: bool = False) -> list[int]:
        """Prepare the rows' COPY (dicts of attnames; a missing field takes its default); returns new ids if asked."""
        if not rows:
            return []
        meta = model._meta
        fields = [field for field in meta.concrete_fields if not field.primary_key]
        defaults = [(field.attname, field.get_default()) for field in fields]
        table = [[row.get(name, default) for name, default in defaults] for row in rows]
        for index, model_field in enumerate(fields):
            if isinstance(model_field, models.JSONField):
                for values in table:
                    value = values[index]
                    values[index] = json.dumps(value, ensure_ascii=False) if value else ("[]" if value == [] else "{}")
        columns = [field.column for field in fields]
        pks = []
        if ids:
            pks = self._next_ids(meta.db_table, meta.pk.column, len(rows))
            columns.insert(0, meta.pk.column)
            for pk, values in zip(pks, table, strict=True):
                values.insert(0, pk)
        data = io.StringIO()
        # Every value quoted; FORCE_NULL turns the empty ones of nullable columns (None) into NULL.
        csv.writer(data, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(table)
        quote = connection.ops.quote_name
        options = "FORMAT csv"
        nullable = [quote(field.column) for field in fields if field.null]
        if nullable:
            options += f", FORCE_NULL ({', '.join(nullable)})"
        sql = f"COPY {quote(meta.db_table)} ({', '.join(quote(column) for column in columns)}) FROM STDIN WITH ({options})"
        self.prepared.append((sql, data.getvalue()))
        return pks

    def take(self) -> list[tuple[str, str]]:
        """The COPYs prepared since the last call."""
        prepared, self.prepared = self.prepared, []
        return prepared

    @staticmethod
    def load(prepared: list[tuple[str, str]]) -> None:
        """Run prepared COPYs in one transaction (parents first, as prepared)."""
        with transaction.atomic(), connection.cursor() as cursor:
            # Demo rows can be made again if the machine crashes: don't wait for each flush to disk.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            raw = cursor.cursor
            for sql, data in prepared:
                if hasattr(raw, "copy_expert"):  # psycopg2
                    raw.copy_expert(sql, io.StringIO(data), size=1 << 20)
                else:  # psycopg 3
                    with raw.copy(sql) as copy:
                        copy.write(data)

    @staticmethod
    def _next_ids(table: str, column: str, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, column, count]
            )
            return sorted(row[0] for row in cursor.fetchall())


def _write_all(seeder: _LedgerSeeder, batches: Iterator, rows: "_BulkCreateRows | _CopyRows") -> None:
    """Write the batches: with bulk_create, or on PostgreSQL with COPY from a second thread.

    PostgreSQL works in its own process: while a writer thread waits for it to load one batch
    (COPY, then the foreign-key checks at commit), this thread prepares the next, so the two cores
    work at once instead of taking turns.
    """
    if isinstance(rows, _BulkCreateRows):
        for batch in batches:
            with transaction.atomic():
                seeder.insert_batch(batch, rows.insert)
        return
    if connection.in_atomic_block:
        # Inside a transaction (a test, a caller's atomic block) another connection would not see its rows.
        for batch in batches:
            seeder.insert_batch(batch, rows.insert)
            rows.load(rows.take())
        return
    handover: queue.Queue = queue.Queue(maxsize=2)
    failures: list[BaseException] = []

    def writer() -> None:
        try:
            while (prepared := handover.get()) is not None:
                if not failures:  # after a failure keep taking batches, so that the generator never blocks
                    try:
                        rows.load(prepared)
                    except BaseException as error:
                        failures.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=writer, name="seed-hazards-writer")
    thread.start()
    try:
        for batch in batches:
            if failures:
                break
            seeder.insert_batch(batch, rows.insert)
            handover.put(rows.take())
    finally:
        handover.put(None)
        thread.join()
    if failures:
        raise failures[0]


REBUILD_INDEXES_FROM = 100_000


@contextmanager
def _indexes_rebuilt_after_large_load(adding: int) -> Iterator[None]:
    """On PostgreSQL, for a large load, drop the ledger's secondary indexes and build them again after.

    Building an index once over a million rows is several times cheaper than updating it row by row
    during COPY — above all the text-search GIN index (hazards/search.py), which would otherwise
    hold the load to a third of its speed. Unique and primary-key indexes stay: constraints need them.
    """
    if connection.vendor != "postgresql" or adding < REBUILD_INDEXES_FROM:
        yield
        return
    table = Hazard._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
               JOIN pg_class c ON c.relname = i.indexname JOIN pg_index x ON x.indexrelid = c.oid
               WHERE i.tablename = %s AND NOT x.indisunique AND NOT x.indisprimary""",
            [table],
        )
        indexes = cursor.fetchall()
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '512MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            cursor.execute("RESET maintenance_work_mem")
            cursor.execute(f'ANALYZE "{table}"')


def seed_hazards(*, count: int, today: date | None = None, seed: int = 2026) -> dict:
    """Top the ledger up to `count` hazards of realistic demo findings; returns what it made.

    Findings spread over the two years before `today` (default: the local date), mostly in the demo
    counties, each with the inspection that found it and its history up to today: a mature ledger,
    mostly closed, with work in progress, overdue items and a few void. Running it again with the
    same `count` creates nothing. Needs `accounts.demo.seed_demo` first (raises DemoSeedError).
    The result has `hazards`, `inspections`, `events` and `users` created, the ledger's `total`
    and the number of demo `campaigns`.
    """
    if count < 0:
        raise ValueError("count must be zero or more")
    if connection.vendor == "postgresql":
        rows = _CopyRows()
    elif connection.features.can_return_rows_from_bulk_insert:
        rows = _BulkCreateRows()
    else:
        raise DemoSeedError("seeding hazards needs PostgreSQL or SQLite 3.35+ (ids back from bulk inserts)")
    today = today or timezone.localdate()
    existing = Hazard.objects.count()
    seeder = _LedgerSeeder(today=today, seed=seed, existing=existing)
    campaigns = seeder.ensure_campaigns()
    if count > existing:
        with _without_cyclic_gc(), _indexes_rebuilt_after_large_load(count - existing):
            _write_all(seeder, seeder.batches(count - existing), rows)
        snapshot_chains()
    return {**seeder.counts, "total": existing + seeder.counts["hazards"], "campaigns": len(campaigns)}


def snapshot_chains() -> int:
    """Give demo hazards still in work the responsibility chain the workflow would have stored at assignment.

    Rows are written in bulk, so the chain is resolved once per (county, industry, unit) and set with
    one UPDATE per group, with the people named on it. Closed and void history keeps no chain: resolving
    it for every group of a large ledger would cost minutes. Returns how many hazards got a chain.
    """
    from hazards.responsibility import resolve_chain

    in_work = (HazardState.ASSIGNED, HazardState.RECTIFYING, HazardState.SUBMITTED, HazardState.VERIFIED)
    # One read of the pending rows, grouped here: a query per group would scan the ledger each time.
    groups: dict[tuple, list[int]] = defaultdict(list)
    pending = Hazard.objects.filter(responsibility_chain=[], state__in=in_work)
    for pk, *key in pending.values_list("pk", "region_id", "industry_id", "rectifying_unit_id", "unit_id").iterator(
        chunk_size=20_000
    ):
        groups[tuple(key)].append(pk)
    updated = 0
    named = Hazard.named_users.through
    for (region_id, industry_id, rectifying_unit_id, unit_id), hazard_ids in groups.items():
        sample = Hazard(
            region_id=region_id, industry_id=industry_id, rectifying_unit_id=rectifying_unit_id, unit_id=unit_id
        )
        chain = resolve_chain(sample)
        updated += Hazard.objects.filter(pk__in=hazard_ids).update(responsibility_chain=chain)
        user_ids = {entry["user_id"] for entry in chain if entry.get("user_id")}
        named.objects.bulk_create(
            [named(hazard_id=hazard_id, user_id=user_id) for hazard_id in hazard_ids for user_id in user_ids],
            ignore_conflicts=True,
            batch_size=5_000,
        )
    return updated
