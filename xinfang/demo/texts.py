"""Realistic synthetic Chinese petition texts, people and places.

Every letter is built from a matter of its problem category (the codes of migration
``petitions/0003_seed_categories``): a title, the facts (事实) and the request (请求), wrapped in
an opening that fits the channel (a letter, a clerk's record of a visit or a call) and an optional
history and closing, as real 信访 letters are. Slots such as ``{village}`` or ``{amount}`` are
filled lazily from the place and a ``random.Random``, so one seed always gives the same text.

People: weighted surnames, gendered given names, valid 身份证号 (GB 11643 check character from
``xinfang.lib.idcard.check_char``) with realistic birth dates, and mobile numbers.

The places are fictional: region codes start with 99. A 身份证号 must start with a real province
code to pass validation, so demo numbers use 43 followed by digits no real 湖南 city has
(``439921…`` for 清河县, region 990121).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from xinfang.lib.idcard import check_char

# --- people -------------------------------------------------------------------------------------

# The most common surnames, roughly by frequency (weights are relative).
_SURNAMES = (
    ("王", 72), ("李", 71), ("张", 68), ("刘", 53), ("陈", 45), ("杨", 31), ("黄", 25), ("赵", 20),
    ("吴", 20), ("周", 19), ("徐", 15), ("孙", 15), ("马", 14), ("朱", 13), ("胡", 13), ("郭", 12),
    ("何", 12), ("林", 11), ("高", 11), ("罗", 11), ("郑", 10), ("梁", 10), ("谢", 8), ("宋", 8),
    ("唐", 8), ("许", 7), ("韩", 7), ("邓", 7), ("冯", 7), ("曹", 6), ("彭", 6), ("曾", 6), ("肖", 6),
    ("田", 5), ("董", 5), ("潘", 5), ("袁", 5), ("蔡", 4), ("蒋", 4), ("余", 4), ("于", 4), ("杜", 4),
    ("叶", 4), ("程", 4), ("魏", 4), ("苏", 4), ("吕", 4), ("丁", 3), ("任", 3), ("卢", 3), ("姚", 3),
    ("沈", 3), ("钟", 3), ("姜", 3), ("崔", 3), ("谭", 3), ("陆", 3), ("范", 3), ("汪", 3), ("廖", 3),
    ("石", 3), ("金", 2), ("韦", 2), ("贾", 2), ("夏", 2), ("付", 2), ("方", 2), ("邹", 2), ("熊", 2),
    ("白", 2), ("孟", 2), ("秦", 2), ("邱", 2), ("侯", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2),
    ("段", 2), ("雷", 2), ("龙", 2), ("黎", 2), ("史", 2), ("陶", 2), ("贺", 2), ("毛", 2), ("郝", 2),
    ("顾", 2), ("龚", 2), ("邵", 2), ("万", 2), ("覃", 1), ("武", 1), ("钱", 1), ("戴", 1), ("严", 1),
    ("欧阳", 1), ("莫", 1), ("孔", 1), ("向", 1), ("汤", 1), ("易", 1), ("文", 1), ("伍", 1), ("申", 1),
)  # fmt: skip
SURNAMES = tuple(s for s, _ in _SURNAMES)
SURNAME_WEIGHTS = tuple(w for _, w in _SURNAMES)
_SURNAME_CUM = tuple(itertools.accumulate(SURNAME_WEIGHTS))

MALE_CHARS = "国建明军伟华志强勇平文海东永林荣德春成杰涛斌刚辉福新峰庆良民生贵富鹏俊浩宏光兵立红忠水"
FEMALE_CHARS = "秀英华兰玉珍芳丽凤霞梅桂红萍春燕娟美琴云莲菊敏静慧艳翠花淑芬琼霞金玲婷雪月"
GENERATION_CHARS = "德永世家正光学宗国志长继传建文明开"

MOBILE_PREFIXES = (
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 173 175 "
    "176 177 178 180 181 182 183 185 186 187 188 189 191 198 199"
).split()

_CN_DIGITS = "零一二三四五六七八九"


def cn(n: int) -> str:
    """Chinese numerals for 0–99: 3 → 三, 12 → 十二, 40 → 四十, 58 → 五十八."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_DIGITS[tens]) + "十" + (_CN_DIGITS[ones] if ones else "")


@dataclass(frozen=True)
class Person:
    name: str
    gender: str  # "男" | "女"
    birth: date
    id_number: str
    phone: str

    def age(self, on: date) -> int:
        return on.year - self.birth.year - ((on.month, on.day) < (self.birth.month, self.birth.day))


def surname(rng: random.Random) -> str:
    return rng.choices(SURNAMES, cum_weights=_SURNAME_CUM)[0]


def full_name(rng: random.Random, gender: str | None = None) -> str:
    gender = gender or rng.choice("男女")
    chars = MALE_CHARS if gender == "男" else FEMALE_CHARS
    if rng.random() < 0.72:
        first = rng.choice(GENERATION_CHARS) if gender == "男" and rng.random() < 0.4 else rng.choice(chars)
        given = first + rng.choice(chars)
    else:
        given = rng.choice(chars)
    return surname(rng) + given


def id_number(rng: random.Random, prefix: str, birth: date, gender: str) -> str:
    """A valid 18-character 身份证号: region, birth date, sequence (odd for men) and check char."""
    seq = rng.randrange(0, 100) * 10 + rng.choice((1, 3, 5, 7, 9) if gender == "男" else (0, 2, 4, 6, 8))
    first17 = f"{prefix}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def mobile(rng: random.Random) -> str:
    return rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"


def person(rng: random.Random, *, prefix: str, today: date, min_age: int = 20, max_age: int = 86) -> Person:
    """A petitioner, most often in their fifties or sixties, as in the seeds' 老户."""
    gender = "男" if rng.random() < 0.62 else "女"
    age = max(min_age, min(max_age, int(rng.triangular(min_age, max_age, 55))))
    birth = today - timedelta(days=age * 365 + rng.randrange(0, 365))
    return Person(
        name=full_name(rng, gender),
        gender=gender,
        birth=birth,
        id_number=id_number(rng, prefix, birth, gender),
        phone=mobile(rng),
    )


# --- places -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Township:
    name: str  # 城关镇, 东关街道, 石门乡
    region_code: str
    villages: tuple[str, ...]  # 东村, 柳树村 / 解放路社区
    population: int = 20_000

    @property
    def is_urban(self) -> bool:
        return self.name.endswith("街道")


@dataclass(frozen=True)
class Place:
    """The county whose people write the letters."""

    province: str
    city: str
    county: str
    region_code: str
    townships: tuple[Township, ...]
    id_prefixes: tuple[str, ...]  # the first is the county's own; the others are neighbours

    @property
    def county_short(self) -> str:
        return self.county[:-1] if len(self.county) > 2 else self.county


VILLAGE_NAMES = (
    "东村 西村 南湾村 北岭村 柳树村 双河村 红旗村 新民村 杨柳村 石桥村 大湾村 凤凰村 白鹤村 花园村 光明村 "
    "团结村 五里村 和平村 长岭村 黄土岗村 张家湾村 李家坪村 王家庄村 陈家冲村 刘家湾村 赵家岭村 枫树村 "
    "茶园村 桃源村 青龙村 新华村 胜利村 荷塘村 竹林村 马鞍村 松山村 金塘村 兴隆村 龙泉村 天井村"
).split()
COMMUNITY_NAMES = (
    "解放路社区 人民路社区 建设路社区 朝阳社区 文昌社区 滨河社区 新华社区 东门社区 西门社区 南街社区 "
    "北街社区 工农社区 幸福社区 书院社区 汽车站社区"
).split()
TOWN_STEMS = (
    "河口 柳林 石门 白马 青山 龙潭 杨家岭 桃花 新集 三河 高桥 马坪 双庙 黄龙 金山 松林 沙河 太平 长乐 永兴 "
    "大王 庙前 东岳 清水 铁山 兴隆 望江 白沙 凤山 石桥 洪山 花桥 茶陵 板桥 中和 官渡 沙坪 麻田 芦溪 古城"
).split()


# --- the matters (问题) of every category ---------------------------------------------------------


@dataclass(frozen=True)
class Matter:
    """One kind of problem: a title, the facts and the request, with slots.

    ``group``: True when written by a group (我们), False by one person, None either.
    ``accusation``: the share filed as 检举控告; ``complained``: who is accused then —
    ``village``, ``township`` or a department key (see ``DEPARTMENTS``); ``party``: the person.
    ``suggestion``: filed as 建议意见.
    """

    title: str
    facts: str
    request: str
    group: bool | None = None
    accusation: float = 0.0
    complained: str = ""
    party: str = ""
    suggestion: bool = False

    @property
    def rural(self) -> bool:
        """About village life (land, 村干部, …): it does not happen in an urban 街道 community."""
        text = self.title + self.facts + self.request
        return any(word in text for word in RURAL_WORDS)


RURAL_WORDS = (
    "村民", "承包", "宅基地", "通村", "村里", "集体土地", "荒山", "村委会", "村干部", "党支部", "村务", "村级",
    "外嫁女", "山泉水", "移民", "果树", "耕地", "教学点", "{group}", "赌博",
)  # fmt: skip


M = Matter
MATTERS: dict[str, tuple[Matter, ...]] = {
    # 01 城乡建设
    "0101": (
        M(
            "反映{project}房屋征收补偿标准过低",
            "{year}年{month}月，{county}启动{project}，我家位于{town}{street}的住房被列入征收范围，房屋面积"
            "{house_area}平方米。征收部门给出的评估价每平方米只有{unit_price}元，远低于周边同类房屋的市场价格，"
            "评估报告也没有送达本人。征收工作人员多次上门催促签约，并称逾期不签将依法强制搬迁。",
            "请求重新委托有资质的评估机构评估，按照市场价格给予合理补偿，并公开征收补偿方案。",
            group=False,
        ),
        M(
            "{town}{households}户拆迁户过渡费长期未发放",
            "{early_year}年{project}拆迁时，指挥部承诺安置房两年内交付，过渡期间按月发放过渡费。现在已经过去"
            "{early_since}年，安置房仍未建成，过渡费从{stop_year}年起就停发了，我们{households}户拆迁户只能在外租房居住，"
            "不少老人租不起房，只能投亲靠友。",
            "请求政府督促安置房建设进度，补发拖欠的过渡费，并明确交房时间。",
            group=True,
        ),
        M(
            "反映{project}未达成协议强行拆除房屋",
            "{year}年{month}月的一天清晨，在没有与我家达成补偿协议、也没有送达任何法律文书的情况下，有关人员"
            "带着挖掘机强行拆除了我家位于{town}{village}的两层楼房，屋内的家具、粮食和衣物全部被埋。事后我们"
            "找到镇政府，答复称是{project}指挥部安排的，让我们去找指挥部，指挥部又说是镇里组织实施的。",
            "请求依法调查强拆行为，追究相关人员责任，赔偿我家的全部财产损失。",
            group=False,
            accusation=0.25,
            complained="township",
        ),
    ),
    "0102": (
        M(
            "举报{village}有人违规占用耕地建房",
            "{town}{village}村民{other_name}从{year}年开始在基本农田上修建三层楼房和养殖棚，占用耕地约"
            "{area_small}亩。村里和镇里都知道此事，但一直没有制止，现在房子已经封顶，周边还有人跟着效仿。",
            "请求自然资源和综合执法部门依法查处，拆除违法建筑，恢复耕地原状。",
            group=None,
            accusation=0.6,
            party="{other_name}",
        ),
        M(
            "对房屋被认定为违章建筑有异议",
            "我家在{town}{village}的附属房建于{year_old}年，当时经村里同意并缴纳了相关费用。{year}年{month}月，"
            "镇综合执法队认定该房屋为违章建筑，限期七日内自行拆除，否则强制拆除。我家的房屋建在规划出台之前，"
            "手续齐全，不应认定为违建。",
            "请求有关部门重新核实房屋的建设年代和审批情况，撤销违建认定，保护我家的合法财产。",
            group=False,
        ),
    ),
    "0103": (
        M(
            "{developer}开发的{community}项目停工烂尾",
            "我们是{community}的购房业主，共{households}户。{year}年{month}月我们与{developer}签订商品房买卖合同，"
            "多数业主已付清全款或办理了按揭贷款，合同约定{year2}年底交房。从去年下半年起工地全面停工，开发商称"
            "资金链断裂，工人也因欠薪撤场。我们每月照常还着房贷，却看不到复工的希望。",
            "请求政府成立工作专班，督促开发商尽快复工，加强预售资金监管，保障业主按期收房。",
            group=True,
        ),
        M(
            "反映{developer}虚假宣传擅自变更规划",
            "{developer}在销售{community}时宣传小区配建幼儿园和中心绿地，这些内容印在了宣传册上，销售沙盘上也有。"
            "交房后我们发现原规划的绿地被改建成了两栋商业楼，幼儿园也不见了。开发商拒不承认宣传内容，称一切以"
            "规划部门批准的为准。",
            "请求住建和自然资源部门核查规划变更是否合法，责令开发商按原规划建设配套设施。",
            group=True,
        ),
    ),
    "0104": (
        M(
            "反映{community}物业服务差乱收费",
            "我是{community}{building}栋的业主。小区物业公司自{year}年接管以来，电梯经常故障停运，地下车库长期积水，"
            "垃圾清运不及时，业主多次投诉无人处理。今年物业公司在没有召开业主大会的情况下，把物业费从每平方米"
            "{fee}元上调到{fee2}元，还对拒交的业主停水停电。",
            "请求住建部门调查物业公司的收费和服务问题，指导小区成立业主委员会，依法选聘物业服务企业。",
            group=None,
        ),
        M(
            "{community}公共维修资金使用不透明",
            "{community}部分楼栋外墙脱落、屋面漏水，物业公司称已动用公共维修资金{amount}万元进行维修，但维修质量"
            "很差，下雨照样漏水，资金使用明细也从未向业主公示。",
            "请求有关部门审计维修资金的使用情况，向全体业主公开明细，并督促物业公司返修。",
            group=True,
        ),
    ),
    "0105": (
        M(
            "{community}业主收房{early_since}年办不了不动产权证",
            "我们{community}的{households}户业主于{early_year}年收房，至今仍办不了不动产权证。经了解，是因为开发商"
            "{developer}拖欠土地出让金和相关税费，项目无法办理竣工验收备案。没有产权证，孩子上学、房屋抵押和"
            "买卖都受到影响。",
            "请求政府协调有关部门，尽快为业主办理不动产权证，并依法追缴开发商欠缴的费用。",
            group=True,
        ),
        M(
            "{developer}逾期交房拒不支付违约金",
            "按照合同约定，{community}应于{year}年{month}月底交房，开发商实际逾期一年多才交房，交付的房屋还存在"
            "墙体开裂、卫生间渗水等质量问题。我们按合同要求开发商支付逾期交房违约金，开发商一直推脱。",
            "请求住建部门督促开发商履行合同，支付违约金，并整改房屋质量问题。",
            group=None,
        ),
    ),
    "0106": (
        M(
            "{town}{street}路面破损路灯损坏无人维修",
            "{town}{street}从{year}年起路面坑洼不平，下雨天积水严重，路灯也坏了一大半，晚上一片漆黑，已经发生过"
            "多起电动车摔倒的事故。附近居民多次拨打热线反映，至今没有维修。",
            "请求城市管理部门尽快修复路面和路灯，消除安全隐患。",
            group=None,
        ),
        M(
            "{community}片区经常停水水压不足",
            "{community}及周边片区近{months}以来经常停水，高层住户白天基本没有水用。自来水公司说是管网老化、"
            "水压不足，但一直没有改造计划。",
            "请求协调供水企业改造老旧管网，保障居民正常用水。",
            group=None,
        ),
    ),
    # 02 国土资源
    "0201": (
        M(
            "反映{project}征收我组土地未依法办理手续",
            "{year}年{month}月，{project}在{town}{village}{group}征用集体土地{area}亩。征地时没有张贴征地公告，"
            "也没有召开村民会议征求意见，我们至今没有看到征地批准文件。目前工程已经动工，大部分村民的承包地"
            "被占用。",
            "请求有关部门公开该项目的用地审批手续，对未批先征的行为依法处理，保障被征地农民的知情权和合法权益。",
            group=True,
        ),
        M(
            "被征地农民社会保障未落实",
            "我家的承包地在{year}年被{project}全部征收。按政策被征地农民应当纳入社会保障，但我们全组{households}户"
            "只有少数人办理了被征地农民养老保险，其他人一直被告知名额有限。我今年{age}岁，没有了土地，生活没有"
            "着落。",
            "请求按政策为我们办理被征地农民社会保障，解决失地后的生活问题。",
            group=False,
        ),
        M(
            "{village}实际征地范围超出公告范围",
            "按照{year}年的征地公告，{project}征收{village}土地{area}亩，但实际施工时围挡范围明显超出了公告的红线，"
            "多占了{area_small}亩左右，其中包括我家的菜地和鱼塘。施工方说是镇里同意的。",
            "请求自然资源部门到现场测量核实，超出审批范围的土地退还给村民或依法补偿。",
            group=None,
        ),
    ),
    "0202": (
        M(
            "反映{village}征地补偿款未足额发放",
            "{year}年{month}月，县里因修建{project}征收我组集体土地{area}亩，其中我家承包地{area_small}亩。按照"
            "公布的补偿标准，每亩土地补偿费和安置补助费合计应为{per_mu}元，但村委会至今只发放了一部分，剩余款项"
            "一直拖欠。我们多次找村干部和镇政府反映，都说钱已经拨付到村，却拿不出发放明细。",
            "请求县里派人调查征地补偿款的去向，公开补偿明细，尽快将剩余补偿款足额发放到户。",
            group=None,
            accusation=0.2,
            complained="village",
            party="{village}{cadre}",
        ),
        M(
            "青苗和地上附着物补偿至今未兑现",
            "{project}施工时毁坏了我家种植的{area_small}亩果树和一口灌溉机井，当时丈量登记后答应按标准补偿"
            "{amount_yuan}元，现在已经过去{months}，一分钱也没有拿到。",
            "请求督促项目单位和镇政府兑现青苗及地上附着物补偿。",
            group=False,
        ),
    ),
    "0203": (
        M(
            "反映{village}宅基地审批不公",
            "我家{hh}口人，现在住的是上世纪八十年代建的土坯房，已经成了危房。我从{year}年起多次向村里申请宅基地，"
            "一直得不到审批，而村干部的亲属却一户批了两处宅基地。",
            "请求镇政府依法审查我的宅基地申请，并公开全村宅基地审批情况。",
            group=False,
            accusation=0.2,
            complained="village",
            party="{village}{cadre}",
        ),
        M(
            "与邻居宅基地界址纠纷多年未解决",
            "我家与邻居{other_name}家的宅基地相邻，{year}年邻居翻建房屋时越过原界址约一米，占用了我家的滴水和"
            "通道。村调解委员会调解过两次，邻居都不执行。",
            "请求镇政府依据原有宅基地使用证确定界址，依法作出处理决定。",
            group=False,
        ),
    ),
    "0204": (
        M(
            "{village}村委会违规调整我家承包地",
            "{year}年二轮承包到期延包时，{village}村委会没有召开村民代表会议，就把我家的{area_small}亩承包地调给了"
            "别人，理由是我家户口已经迁出。我家祖祖辈辈在村里生活，户口迁出是因为孩子在外上学，并不影响承包权。",
            "请求镇农经站核实情况，依法恢复我家的土地承包经营权，补发承包经营权证。",
            group=False,
        ),
        M(
            "土地流转租金长期拖欠",
            "{year}年，我们{group}{households}户村民把{area}亩承包地流转给{company}搞种植，合同约定每亩每年租金"
            "{rent}元。从{year2}年起公司以经营亏损为由停付租金，累计拖欠{amount}万元，老板现在也联系不上了。",
            "请求政府协调解决拖欠的土地流转费，必要时依法解除合同，把土地归还村民。",
            group=True,
        ),
    ),
    "0205": (
        M(
            "山林承包合同未到期被村里收回",
            "我家于{year_old}年承包了{village}集体荒山{area}亩，合同期三十年，这些年投入了大量资金植树造林。"
            "{year}年村委会以合同不规范为由单方面收回山林，并把林木卖给了他人。",
            "请求林业主管部门确认我家的林地承包经营权和林木所有权，赔偿我家的林木损失。",
            group=False,
        ),
    ),
    # 03 劳动社保
    "0301": (
        M(
            "{company}拖欠{workers}名农民工工资",
            "我们{workers}名农民工从{year}年{month}月起在{company}承建的{project}工地务工，干钢筋、木工和泥水活。"
            "工程完工后，包工头以总包单位没有结算为由，至今拖欠我们工资共计{wage}元。我们找过总包单位和包工头"
            "很多次，双方互相推诿。眼看就要过年了，大家都等着这笔钱养家。",
            "请求人社部门依法督促总包单位先行清偿拖欠的农民工工资，维护我们的合法权益。",
            group=True,
        ),
        M(
            "反映{company}长期拖欠职工工资和加班费",
            "我在{company}上班{years_n}年，公司从去年{month}月起每月只发一半工资，至今共拖欠我工资{amount_yuan}元，"
            "加班费也从来没有结算过。公司现在已基本停产，老板说等有钱了再发。",
            "请求劳动保障监察部门调查处理，责令公司支付拖欠的工资和加班费。",
            group=None,
        ),
        M(
            "讨要{project}务工工资",
            "我是{town}{village}人，{year}年在{project}工地做小工，干了{months}，按每天{day_wage}元计算，工头"
            "{other_name}还欠我{amount_yuan}元工资。我多次打电话催要，对方先是推说没钱，后来干脆不接电话。",
            "请求有关部门帮我讨回工资。",
            group=False,
        ),
    ),
    "0302": (
        M(
            "工伤认定后单位拒不支付工伤待遇",
            "{year}年{month}月，我在{company}上班时被机器轧伤右手，经鉴定为{grade}级伤残，人社局已经作出工伤认定。"
            "但公司没有给我缴纳工伤保险，拒绝支付一次性伤残补助金和医疗费，合计{amount}万元。",
            "请求有关部门督促公司依法支付工伤待遇。",
            group=False,
        ),
        M(
            "丈夫在工地摔伤死亡赔偿问题长期未解决",
            "我丈夫{other_name}于{year}年{month}月在{project}工地从高处坠落身亡。施工方只支付了部分丧葬费，对工亡"
            "补助金一直拖着不给，还说我丈夫是临时工，和公司没有劳动关系。家里上有老下有小，生活陷入困境。",
            "请求依法认定工亡，督促用人单位支付一次性工亡补助金和供养亲属抚恤金。",
            group=False,
        ),
    ),
    "0303": (
        M(
            "养老保险视同缴费年限认定有误",
            "我于{year_old}年参加工作，在原{old_factory}工作了{years_n}年，后来企业改制下岗。现在办理退休时，社保经办"
            "机构只认定我的缴费年限为十二年，之前在国有企业的工龄没有视同缴费，导致我每月养老金只有一千多元。",
            "请求社保部门核查我的档案，依法认定视同缴费年限，重新核定养老金待遇。",
            group=False,
        ),
        M(
            "城乡居民养老保险待遇被停发",
            "我今年{age}岁，一直领取城乡居民基本养老保险待遇。从{year}年{month}月开始养老金突然停发，询问后说是系统"
            "比对我有其他养老待遇，但我从来没有领过其他养老金。",
            "请求查明原因，恢复发放并补发停发期间的养老金。",
            group=False,
        ),
    ),
    "0304": (
        M(
            "编外人员养老保险并轨后待遇差距大",
            "我们是{town}的编外聘用人员，有的已经工作了二十多年。{year}年养老保险并轨后，我们被排除在机关事业单位"
            "养老保险之外，只能参加企业职工养老保险，退休待遇差距很大。",
            "请求明确政策，妥善解决我们这批人员的养老保险衔接问题。",
            group=True,
        ),
    ),
    "0305": (
        M(
            "反映{company}违法解除劳动合同",
            "我于{year_old}年进入{company}工作，签订了无固定期限劳动合同。{year}年{month}月公司以业务调整为由，在没有"
            "任何协商的情况下通知我不用再来上班，也不支付经济补偿。",
            "请求劳动保障监察部门介入，责令公司依法支付经济补偿金。",
            group=False,
        ),
        M(
            "事业单位招聘过程不公开",
            "{year}年{county}事业单位公开招聘中，{dept}一个岗位的面试成绩一直没有公示，最终录用的人员笔试成绩排名"
            "靠后，据说是某领导的亲戚。",
            "请求人社部门复查该岗位的招聘过程，公开成绩和录用依据。",
            group=None,
            accusation=0.5,
            complained="RS",
        ),
    ),
    # 04 企业改制
    "0401": (
        M(
            "{old_factory}改制时职工身份置换补偿不到位",
            "我们是原{old_factory}的职工，{year_old}年企业改制时每人只拿到几千元身份置换补偿金，远低于当时政策规定"
            "的标准。改制方案没有经过职工代表大会讨论通过，企业资产也被低价转让。",
            "请求有关部门复查企业改制过程，按政策补足身份置换补偿金。",
            group=True,
        ),
    ),
    "0402": (
        M(
            "原{old_factory}破产后职工医疗保险无人缴纳",
            "{old_factory}于{year_old}年破产，我们{workers}名老职工被一次性安置，但当时承诺的医疗保险至今没有落实。"
            "很多人年老多病，看病全靠自己掏钱。",
            "请求政府按照破产企业职工安置政策，把我们纳入职工医疗保险。",
            group=True,
        ),
    ),
    # 05 涉法涉诉
    "0501": (
        M(
            "对{court}民事判决不服",
            "我与{other_name}的借款纠纷一案，{court}于{year}年作出判决。判决认定的事实与实际不符，对方提交的借条是"
            "伪造的，我申请笔迹鉴定法院没有准许。我已经提起上诉，二审维持原判。",
            "请求有关部门监督此案，依法启动再审程序。",
            group=False,
        ),
    ),
    "0502": (
        M(
            "劳动仲裁裁决生效后公司拒不履行",
            "我与{company}劳动争议一案，{county}劳动人事争议仲裁委员会于{year}年裁决公司支付我工资和经济补偿共计"
            "{amount_yuan}元。裁决生效后公司一直不履行，我向法院申请强制执行也没有结果。",
            "请求协调督促公司履行仲裁裁决。",
            group=False,
        ),
    ),
    "0503": (
        M(
            "胜诉判决多年执行不到位",
            "我与{company}买卖合同纠纷一案，{court}于{early_year}年判决对方支付货款{amount}万元。判决生效已经{early_since}年，"
            "法院以被执行人无财产可供执行为由终结本次执行程序，但该公司老板仍在经营其他企业，名下有房有车。",
            "请求法院恢复执行，依法查控被执行人的财产。",
            group=False,
        ),
    ),
    "0504": (
        M(
            "反映派出所对殴打案件处理不公",
            "{year}年{month}月，我在{town}集市上被{other_name}等人殴打致伤，住院治疗十多天。{town}派出所受案后，只对"
            "打人者作了罚款处理，对方至今没有赔偿我的医疗费。我认为派出所偏袒对方，存在执法不公。",
            "请求县公安局复查此案，依法追究打人者的责任。",
            group=False,
            accusation=0.4,
            complained="GA",
            party="{town}派出所民警",
        ),
    ),
    # 06 涉军
    "0601": (
        M(
            "退役士兵安置政策未落实",
            "我于{year_old}年应征入伍，服役期间多次受到嘉奖，退役后回到{town}。按照当时的政策应当由政府安排工作，"
            "但我一直没有得到安置，这些年在外打零工维持生活。",
            "请求退役军人事务部门核实我的档案，落实退役士兵安置政策。",
            group=False,
        ),
    ),
    "0602": (
        M(
            "参战退役人员优抚待遇未享受",
            "我是参战退役人员，按政策应享受参战人员定期生活补助。{year}年起我多次向镇里和县退役军人事务局提交申请"
            "材料，一直没有批复。",
            "请求核实我的参战经历，依法落实优抚待遇。",
            group=False,
        ),
    ),
    # 07 民政救济
    "0701": (
        M(
            "家庭困难申请低保未获批准",
            "我家{hh}口人，丈夫{year}年因病去世，我本人患有慢性病干不了重活，两个孩子还在上学，家里主要靠种几亩地"
            "生活。我向村里申请低保，村里说名额已满，而村里有些家庭条件好的人却享受了低保。",
            "请求民政部门入户核查我家的情况，依法把我家纳入低保，同时核查{village}的低保评定是否公正。",
            group=False,
            accusation=0.2,
            complained="village",
            party="{village}{cadre}",
        ),
        M(
            "低保被无故取消",
            "我今年{age}岁，一直享受农村低保。{year}年{month}月复核时，我的低保被取消了，理由是家里有人在外打工。"
            "我儿子早已分家另过，并不赡养我。",
            "请求重新核定我的低保资格。",
            group=False,
        ),
    ),
    "0702": (
        M(
            "因灾房屋倒塌申请救助",
            "{year}年{month}月的一场暴雨，我家老房子倒塌，现在一家人借住在亲戚家。我向镇里申请了救灾救助和危房改造"
            "补助，到现在没有消息。",
            "请求给予临时救助，落实危房改造补助。",
            group=False,
        ),
    ),
    "0703": (
        M(
            "残疾人两项补贴未按时发放",
            "我儿子是一级肢体残疾，按政策应享受重度残疾人护理补贴和困难残疾人生活补贴。从{year}年起补贴时有时无，"
            "最近{months}都没有到账。",
            "请求残联和民政部门核查，补发拖欠的补贴。",
            group=False,
        ),
    ),
    "0704": (
        M(
            "计划生育手术并发症待遇未落实",
            "我于{year_old}年在{town}卫生院做了节育手术，术后一直腹痛，经鉴定为计划生育手术并发症。这些年治疗花去"
            "大量费用，按政策应给予的特别扶助一直没有落实。",
            "请求卫生健康部门依政策落实特别扶助和治疗费用。",
            group=False,
        ),
    ),
    # 08 库区移民
    "0801": (
        M(
            "水库移民后期扶持资金被截留",
            "我们是{reservoir}水库移民，全组{households}户。按照政策，每位移民每年应享受六百元后期扶持资金，但{year}年"
            "以来的扶持资金一直由村里统一掌握，说是用于修路，可路一直没修，钱也没有发到我们手上。",
            "请求移民管理部门核查扶持资金的使用情况，按政策直补到人。",
            group=True,
            accusation=0.3,
            complained="village",
            party="{village}{cadre}",
        ),
    ),
    # 09 环境保护
    "0901": (
        M(
            "{factory}偷排废水污染{river}",
            "{factory}位于{town}{village}附近，近{months}来经常在夜间通过暗管向{river}偷排废水，河水发黑发臭，下游的鱼"
            "大量死亡，村民的井水也有异味。我们向环保部门举报过，来人检查时企业就停产，人一走又继续排。",
            "请求生态环境部门突击检查、依法查处，彻底整治{river}污染。",
            group=None,
            accusation=0.3,
            complained="ST",
            party="{factory}",
        ),
        M(
            "{company}混凝土搅拌站粉尘污染严重",
            "{company}在{town}{village}村边建了一座混凝土搅拌站，离居民房屋不到一百米，每天粉尘漫天，晚上还有重型"
            "车辆来回运输，村民无法正常生活，不少老人小孩患上了呼吸道疾病。",
            "请求有关部门核查该搅拌站的环评手续，依法责令整改或搬迁。",
            group=True,
        ),
    ),
    "0902": (
        M(
            "{project}工地夜间施工噪声扰民",
            "{community}旁边的{project}工地连续{months}夜间施工，每天晚上十点以后还在打桩和浇筑混凝土，噪音极大，"
            "居民无法休息。我们拨打过多次投诉电话，情况没有改善。",
            "请求依法查处夜间违规施工行为，保障居民正常休息。",
            group=None,
        ),
        M(
            "{street}夜市烧烤油烟噪声扰民",
            "{street}的夜市从每天傍晚一直营业到凌晨两三点，烧烤油烟直接排进居民楼，划拳喝酒的声音很大，楼上的老人"
            "和学生根本睡不着。",
            "请求城市管理部门规范夜市经营时间和油烟排放。",
            group=None,
        ),
    ),
    # 10 干部作风
    "1001": (
        M(
            "举报{village}党支部书记违规发展党员",
            "{village}党支部书记{official}在{year}年发展党员时，不按程序开展考察和公示，把自己的亲属和不符合条件的人"
            "发展入党，而多年递交入党申请书的青年却一直不被考虑。",
            "请求纪检监察机关调查核实，依规依纪处理。",
            group=None,
            accusation=1.0,
            complained="village",
            party="{village}党支部书记{official}",
        ),
    ),
    "1002": (
        M(
            "反映{town}工作人员办事推诿态度恶劣",
            "我为办理{errand}，前后到{town}便民服务中心跑了七八趟，工作人员每次都让我补材料，却从不一次说清楚需要"
            "哪些材料。上次去的时候工作人员还在玩手机，对我大声呵斥。",
            "请求对相关工作人员进行批评教育，整改作风问题。",
            group=False,
            accusation=0.7,
            complained="township",
            party="{town}便民服务中心工作人员",
        ),
        M(
            "反映{dept}工作人员吃拿卡要",
            "{year}年{month}月我办理{errand}时，{dept}一名姓{official_surname}的工作人员暗示要“表示一下”才能加快办理，"
            "我送了两条烟以后才给办下来。",
            "请求纪检监察机关调查处理，整治吃拿卡要问题。",
            group=False,
            accusation=1.0,
            complained="dept",
            party="{dept}{official}",
        ),
    ),
    "1003": (
        M(
            "举报{town}干部违规插手工程项目",
            "{town}副镇长{official}的亲属承包了镇里多个道路硬化和水利工程，这些工程都没有公开招标，工程质量也很差，"
            "刚修好的路不到一年就开裂了。",
            "请求纪委监委调查该干部是否违规插手工程项目，依纪依法处理。",
            group=None,
            accusation=1.0,
            complained="township",
            party="{town}副镇长{official}",
        ),
        M(
            "举报{village}村干部优亲厚友违规享受补贴",
            "{village}{cadre}{official}利用职务便利，把自己的父母和兄弟列为低保户和危房改造对象，而真正困难的群众"
            "却享受不到。去年村里的产业扶持资金也被他安排给了亲戚的合作社。",
            "请求纪检监察机关彻查，追回违规享受的补贴，严肃处理相关人员。",
            group=None,
            accusation=1.0,
            complained="village",
            party="{village}{cadre}{official}",
        ),
    ),
    # 11 村务财务
    "1101": (
        M(
            "{village}村务长期不公开",
            "{village}已经{years_n}年没有公开村务和财务，村里的集体土地出租、工程建设和扶贫项目资金都是村干部说了算，"
            "村民代表会议也很久没有开过。",
            "请求镇政府督促{village}依法公开村务，保障村民的知情权和监督权。",
            group=True,
            accusation=0.3,
            complained="village",
            party="{village}村委会",
        ),
    ),
    "1102": (
        M(
            "举报{village}村干部侵占集体资金",
            "{village}村委会{year}年出租集体土地{area}亩，每年租金{amount}万元，但账上只记了一部分；修建村部大楼时，"
            "实际造价和报账金额相差很大。村民多次要求查账，村干部一直拒绝。",
            "请求审计{village}近年来的村级财务，对侵占集体资金的行为依法查处。",
            group=True,
            accusation=0.9,
            complained="village",
            party="{village}{cadre}{official}",
        ),
    ),
    "1103": (
        M(
            "外嫁女未能享受集体收益分配",
            "我是{village}{group}村民，{year_old}年结婚后户口一直在村里，人也在村里生活。{year}年村里分配征地补偿款"
            "和集体分红时，以我是外嫁女为由不分给我和孩子。",
            "请求镇政府依法纠正村里的分配方案，保障我们母子平等享受集体收益分配的权利。",
            group=False,
        ),
    ),
    # 12 历史遗留
    "1201": (
        M(
            "原民办代课教师生活补助未落实",
            "我从{year_old}年起在{village}小学担任民办代课教师，前后任教{years_n}年，后来被清退。按照有关政策，原民办"
            "代课教师可以按教龄享受生活补助，但我至今没有享受到。",
            "请求教育部门核实我的任教经历，落实补助政策。",
            group=None,
        ),
    ),
    "1202": (
        M(
            "离任村干部生活补助未落实",
            "我在{village}担任村干部{years_n}年，{year_old}年离任。按政策连续任职满一定年限的离任村干部可以享受生活"
            "补助，我多次申请一直未能落实。",
            "请求组织部门核实任职年限，落实离任村干部生活补助。",
            group=False,
        ),
    ),
    "1203": (
        M(
            "原{old_factory}职工集资房多年办不了产权证",
            "{year_old}年我们原{old_factory}职工集资建房，每户交了一万多元。现在企业已经关闭，房屋一直没有办理产权证，"
            "土地性质问题也无人过问。",
            "请求政府研究解决集资房的确权办证问题。",
            group=True,
        ),
    ),
    # 13 经济纠纷
    "1301": (
        M(
            "{company}非法集资群众血汗钱无法追回",
            "{year}年{company}以投资种植养殖项目为名，承诺年息百分之十五，在{town}一带吸收群众资金。我投入了{amount}"
            "万元，是全家多年的积蓄。去年起公司停止付息，老板跑路，据说涉及群众好几百人。",
            "请求公安机关立案侦查，追缴涉案资产，尽最大可能挽回群众损失。",
            group=None,
        ),
    ),
    "1302": (
        M(
            "{company}长期拖欠货款",
            "我从{year}年起给{company}供应{goods}，对方累计拖欠货款{amount}万元，对账单上有公司盖章。我多次催要，"
            "公司一直拖延。",
            "请求有关部门协调督促对方付款。",
            group=False,
        ),
    ),
    "1303": (
        M(
            "邻里排水纠纷长期得不到调解",
            "我家与邻居{other_name}家因为排水问题发生纠纷，对方在屋后修了一道围墙，堵住了排水沟，下雨时雨水倒灌进"
            "我家。村里调解了几次都没有结果，双方矛盾越来越深。",
            "请求镇司法所组织调解，依法解决纠纷。",
            group=False,
        ),
        M(
            "借款多年不还请求协调",
            "{other_name}于{year}年向我借款{amount}万元，约定一年后归还，有借条为证。到期后对方以各种理由拖延，至今"
            "分文未还，现在还扬言要搬走。",
            "请求有关部门协调处理，督促对方还款。",
            group=False,
        ),
    ),
    # 14 教育卫生
    "1401": (
        M(
            "{town}学校撤并后学生上学路远校车不足",
            "{village}的小学{year}年撤并以后，孩子们要到{distance}公里外的{school}上学，校车只有一辆，很多孩子每天"
            "早上六点就得出门，家长接送非常困难。",
            "请求教育部门增加校车，或者恢复村里的教学点。",
            group=True,
        ),
        M(
            "反映{school}违规收费",
            "{school}以资料费、托管费等名义向每名学生收取{fee_school}元，没有开具正规票据，家长不交孩子就会被老师"
            "点名。",
            "请求教育部门查处违规收费，并退还已收取的费用。",
            group=None,
            accusation=0.3,
            complained="JY",
            party="{school}",
        ),
    ),
    "1402": (
        M(
            "对{hospital}医疗纠纷处理不满",
            "{year}年{month}月，我父亲在{hospital}做手术后出现严重并发症，最终不治身亡。我们认为医院存在诊疗过错，"
            "病历也有涂改的痕迹。医院只同意给予少量人道补偿。",
            "请求卫生健康部门组织医疗事故技术鉴定，依法处理。",
            group=False,
        ),
    ),
    # 15 治安交通
    "1501": (
        M(
            "{village}聚众赌博问题突出",
            "{village}有人长期在{den}聚众赌博，输赢很大，不少村民因为赌博欠了债，家庭矛盾不断，有时还有外地人开车"
            "过来参赌。",
            "请求公安机关依法打击，还村里一个安宁。",
            group=None,
            accusation=0.5,
        ),
    ),
    "1502": (
        M(
            "交通事故赔偿问题长期未解决",
            "{year}年{month}月，我儿子骑电动车在{road}被一辆货车撞伤，经交警认定货车负全部责任。肇事司机垫付了部分"
            "医疗费后就再也不管了，车辆挂靠的运输公司也拒绝赔偿。",
            "请求交警部门和有关单位协调，督促肇事方依法赔偿。",
            group=False,
        ),
    ),
    # 16 建议意见
    "1601": (
        M(
            "建议在{community}附近增设公交站点",
            "{community}等几个小区入住的居民已有好几千户，但附近没有公交站点，老人小孩出行很不方便，最近的站点要走"
            "二十多分钟。",
            "建议公交公司调整线路，在{community}附近增设站点。",
            group=None,
            suggestion=True,
        ),
        M(
            "建议在{street}建设口袋公园和健身设施",
            "{street}一带老旧小区集中，居民以老年人为主，周边没有可以散步和健身的地方，大家只能在马路边活动，很不"
            "安全。",
            "建议利用{street}旁的闲置地块建设口袋公园，配置健身器材和休息座椅。",
            group=None,
            suggestion=True,
        ),
    ),
    "1602": (
        M(
            "建议硬化{village}至{town}集镇的通村公路",
            "{village}到{town}集镇的道路是一条砂石路，长约{distance}公里，下雨天泥泞难行，村里的农产品运不出去，"
            "孩子上学也不方便。",
            "建议将该路段纳入通村公路硬化计划。",
            group=True,
            suggestion=True,
        ),
        M(
            "{village}群众饮水困难",
            "{village}{group}的群众一直饮用山泉水，近几年水源越来越少，旱季经常断水，有的人家要到两三里外挑水。",
            "建议实施农村饮水安全工程，把自来水管网延伸到{village}。",
            group=True,
            suggestion=True,
        ),
    ),
    "1603": (
        M(
            "对{county}老旧小区改造的几点建议",
            "{county}今年启动了老旧小区改造，我作为居民代表参加了几次协调会，发现改造方案主要是刷外墙、换路灯，群众"
            "最急需的加装电梯、停车位和雨污分流考虑得不够。",
            "建议在改造前广泛征求居民意见，优先解决加装电梯、停车难和雨污分流等问题。",
            group=False,
            suggestion=True,
        ),
    ),
    # 99 其他
    "9901": (
        M(
            "咨询{policy}政策",
            "我想了解{county}关于{policy}的具体政策，包括申请条件、需要准备的材料和办理部门。我到镇里问过，工作人员"
            "也说不清楚。",
            "请求有关部门给予答复。",
            group=False,
        ),
    ),
}

# Relative volumes, roughly as the seeds' statistics rank them (城建拆迁, 土地征收, 劳动社保 lead).
CATEGORY_WEIGHTS: dict[str, float] = {
    "0101": 6, "0102": 3, "0103": 3, "0104": 3, "0105": 4, "0106": 2,
    "0201": 7, "0202": 6, "0203": 3, "0204": 4, "0205": 1,
    "0301": 7, "0302": 2, "0303": 3, "0304": 1, "0305": 2,
    "0401": 1.5, "0402": 1.5,
    "0501": 2, "0502": 0.5, "0503": 2, "0504": 2,
    "0601": 1.5, "0602": 1.5,
    "0701": 3, "0702": 1, "0703": 1, "0704": 0.5,
    "0801": 1,
    "0901": 3, "0902": 2,
    "1001": 1, "1002": 2, "1003": 1.5,
    "1101": 1.5, "1102": 2, "1103": 1.5,
    "1201": 1, "1202": 0.5, "1203": 1,
    "1301": 1, "1302": 1, "1303": 2,
    "1401": 2, "1402": 1.5,
    "1501": 1, "1502": 1,
    "1601": 1, "1602": 1.5, "1603": 0.5,
    "9901": 1,
}  # fmt: skip
CATEGORY_CODES = tuple(CATEGORY_WEIGHTS)
_CATEGORY_CUM = tuple(itertools.accumulate(CATEGORY_WEIGHTS.values()))

# Words of the texts above that a clerk types into the search box, grouped so that two words of
# one group occur together in some letters (the benchmark's 1- and 2-word keyword queries).
KEYWORD_GROUPS: tuple[tuple[str, ...], ...] = (
    ("征收", "补偿", "评估", "拆迁"),
    ("过渡费", "安置房", "拆迁户"),
    ("征地", "补偿款", "明细", "村委会"),
    ("农民工", "工资", "包工头", "拖欠"),
    ("物业", "业主", "维修"),
    ("开发商", "交房", "产权证", "业主"),
    ("承包地", "流转", "租金"),
    ("宅基地", "审批"),
    ("低保", "民政"),
    ("养老金", "养老保险", "社保"),
    ("工伤", "伤残", "补助金"),
    ("废水", "污染", "环保"),
    ("噪音", "施工", "居民"),
    ("村务", "财务", "公开", "集体"),
    ("纪检", "监察", "调查"),
    ("判决", "执行", "法院"),
    ("退役", "安置", "优抚"),
    ("移民", "扶持", "资金"),
    ("学校", "校车"),
    ("公交", "站点"),
)
KEYWORDS: tuple[str, ...] = tuple(sorted({w for group in KEYWORD_GROUPS for w in group}))

# Department keys of a county (the codes' suffix), their names and unit kinds.
DEPARTMENTS: tuple[tuple[str, str, str], ...] = (
    ("ZR", "自然资源局", "department"),
    ("RS", "人力资源和社会保障局", "department"),
    ("ZJ", "住房和城乡建设局", "department"),
    ("GA", "公安局", "legal"),
    ("JW", "纪委监委", "discipline"),
    ("MZ", "民政局", "department"),
    ("ST", "生态环境局", "department"),
    ("TY", "退役军人事务局", "department"),
    ("NY", "农业农村局", "department"),
    ("JY", "教育局", "department"),
    ("WJ", "卫生健康局", "department"),
    ("CG", "城市管理综合执法局", "department"),
)

# Openings, by who writes: the petitioner (letter, online, mailbox, fax) or the clerk who records a
# visit or a call verbatim (条例第十九条).
_OPEN_LETTER = (
    "尊敬的领导：\n您好！我叫{name}，今年{age}岁，是{county}{town}{village}{group}{resident}。现将我遇到的问题向您反映。",
    "尊敬的县领导：\n我是{county}{town}{village}{resident}{name}，{gender}，{age}岁。",
    "领导您好！我是{town}{village}的{name}，有一件事困扰我很久，特向您反映。",
    "本人{name}，{gender}，{age}岁，住{county}{town}{village}。",
)
_OPEN_LETTER_GROUP = (
    "尊敬的领导：\n我们是{county}{town}{village}{group}的{resident}，现联名反映以下问题，恳请领导重视。",
    "尊敬的县领导：\n我们是{town}{village}的{persons_cn}户{resident}，代表大家向您反映一个长期得不到解决的问题。",
)
_OPEN_ANONYMOUS = (
    "尊敬的领导：\n我是{town}的一名普通群众，因为怕被打击报复，不敢留真名，特写信反映以下问题。",
    "纪委领导：\n本人是{town}{village}的{resident}，现实名难以反映，请允许我匿名举报。",
)
_OPEN_VISIT = (
    "来访人{name}，{gender}，{age}岁，{town}{village}{resident}，到{receiver}反映：",
    "{name}（{town}{village}{resident}）来访，口述如下：",
)
_OPEN_VISIT_GROUP = (
    "{town}{village}{resident}{persons}人到{receiver}集体上访，推选{reps}为代表，反映：",
    "{town}{village}群众{persons}人来访，代表{reps}反映：",
)
_OPEN_PHONE = (
    "来电人{name}（{town}{village}{resident}）反映：",
    "群众{name}来电称：",
)
_HISTORY = (
    "此事我们先后多次向村、镇两级反映，至今没有得到解决。",
    "{year2}年我曾到县信访局反映过，有关部门答复说正在调查，但之后就没有了下文。",
    "镇里曾答复会尽快处理，但一直没有落实。",
    "我们也拨打过12345热线，工单转到相关部门后，只回复说正在协调。",
)
_REPEAT = (
    "这个问题我已经反映过{times}次了，每次都说研究研究，到现在还是没有结果。",
    "我从{year2}年开始反映这件事，先后找过镇里、县里，一直没有解决。",
)
_THREAT = ("如果再得不到解决，我只能到{higher}去反映。", "我已经等不起了，希望这次能有个说法。")
_CLOSE_LETTER = (
    "以上情况属实，恳请领导在百忙之中过问此事，早日给我们一个答复。\n此致\n敬礼！",
    "恳请领导重视，尽快解决为盼！",
    "以上反映情况如有不实，本人愿意承担责任。",
    "望领导明察，给群众一个公道。",
)
_CLOSE_VISIT = ("来访人要求尽快给予答复。", "以上内容经来访人确认无误。", "")
_CLOSE_PHONE = ("来电人要求尽快给予答复。", "来电人希望有关部门尽快联系处理。", "")
_RECEIVERS = {"local": "县信访局", "city": "市信访局", "province": "省信访局", "national": "国家信访局"}
_HIGHER = {"local": "市里", "city": "省里", "province": "北京", "national": "北京"}


# --- the slots ----------------------------------------------------------------------------------


class Slots(dict[str, Any]):
    """Slot values, made on first use and then kept, so a repeat petitioner's letters agree."""

    def __init__(self, maker: SlotMaker, **fixed: Any) -> None:
        super().__init__(**fixed)
        self.maker = maker

    def __missing__(self, key: str) -> Any:
        value = getattr(self.maker, "s_" + key)(self)
        self[key] = value
        return value


COMMUNITIES = (
    "锦绣花园 阳光小区 滨河名苑 翠湖湾 金色家园 御景华府 书香门第 江南春城 丽水湾 东方明珠小区 幸福里".split()
)
STREETS = "解放路 人民路 建设路 朝阳街 新华路 滨河路 文化路 沿河街 东风路 五一路".split()
FIRM_STEMS = "宏远 鑫盛 恒达 金泰 华盛 瑞丰 兴隆 永安 天成 众鑫 博远 联创 泰和 润达 昌盛 鼎新".split()
FIRM_TRADES = "建筑工程 建设工程 劳务 建材 矿业 食品 纺织 混凝土 生态农业 农业开发 物流 机械制造".split()
POLLUTERS = "化工 造纸 电镀 制革 砖业 石材 冶炼".split()
OLD_FACTORIES = "化肥厂 第二纺织厂 机械厂 食品厂 酒厂 水泥厂 农机厂 供销社 粮站".split()
RIVERS = "清水河 白沙河 柳溪 龙潭河 东干渠 小清河".split()
GOODS = "建材 饲料 砂石 水泥 蔬菜 钢材 木材".split()
ERRANDS = "新生儿落户 残疾证换证 宅基地审批 养老保险资格认证 不动产登记 营业执照变更".split()
POLICIES = "农村危房改造补助 高龄津贴 城乡居民医保缴费 退役军人优待证办理 二孩育儿补贴".split()
DENS = "村里一家棋牌室 村部旁边的小卖部 村口的废弃厂房 河边的养殖场".split()
CADRES = "党支部书记 村委会主任 村会计 村文书".split()


class SlotMaker:
    """Makes each slot's value from the place, the matter's township and date, and the rng."""

    def __init__(
        self, rng: random.Random, place: Place, township: Township, received: date, year_max: int
    ) -> None:
        self.rng = rng
        self.place = place
        self.township = township
        self.received = received
        self.year_max = min(year_max, received.year)

    # places
    def s_province(self, s: Slots) -> str:
        return self.place.province

    def s_city(self, s: Slots) -> str:
        return self.place.city

    def s_county(self, s: Slots) -> str:
        return self.place.county

    def s_town(self, s: Slots) -> str:
        return self.township.name

    def s_village(self, s: Slots) -> str:
        return self.rng.choice(self.township.villages)

    def s_resident(self, s: Slots) -> str:
        return "居民" if s["village"].endswith("社区") else "村民"

    def s_group(self, s: Slots) -> str:
        return "" if s["village"].endswith("社区") else cn(self.rng.randint(1, 12)) + "组"

    def s_street(self, s: Slots) -> str:
        return self.rng.choice(STREETS)

    def s_community(self, s: Slots) -> str:
        return self.rng.choice(COMMUNITIES)

    def s_building(self, s: Slots) -> int:
        return self.rng.randint(1, 28)

    def s_receiver(self, s: Slots) -> str:
        return _RECEIVERS["local"]

    def s_higher(self, s: Slots) -> str:
        return _HIGHER["local"]

    def s_road(self, s: Slots) -> str:
        return self.rng.choice(
            (f"{self.place.county_short}{s['town'][:2]}公路", "国道线集镇路段", f"{s['street']}路口")
        )

    def s_river(self, s: Slots) -> str:
        return self.rng.choice(RIVERS)

    def s_reservoir(self, s: Slots) -> str:
        return self.rng.choice(("青龙", "白石", "双河", "红岩"))

    def s_den(self, s: Slots) -> str:
        return self.rng.choice(DENS)

    def s_project(self, s: Slots) -> str:
        c = self.place.county_short
        return self.rng.choice((
            f"{c}工业园区扩建项目", f"{self.place.city[:-1]}至{c}一级公路", "城南棚户区改造项目",
            f"{s['town']}集镇改造项目", "高速公路连接线工程", "城北新区道路建设项目", "物流园建设项目",
            "污水处理厂配套管网工程", "高铁站片区开发项目",
        ))  # fmt: skip

    # organisations
    def s_company(self, s: Slots) -> str:
        return (
            f"{self.place.county_short}县{self.rng.choice(FIRM_STEMS)}{self.rng.choice(FIRM_TRADES)}有限公司"
        )

    def s_developer(self, s: Slots) -> str:
        kind = self.rng.choice(("置业有限公司", "房地产开发有限公司"))
        return f"{self.place.city[:-1]}{self.rng.choice(FIRM_STEMS)}{kind}"

    def s_factory(self, s: Slots) -> str:
        return f"{self.place.county_short}{self.rng.choice(FIRM_STEMS)}{self.rng.choice(POLLUTERS)}有限公司"

    def s_old_factory(self, s: Slots) -> str:
        return f"{self.place.county_short}县{self.rng.choice(OLD_FACTORIES)}"

    def s_court(self, s: Slots) -> str:
        return f"{self.place.county}人民法院"

    def s_school(self, s: Slots) -> str:
        return s["town"][: -1 if s["town"].endswith(("镇", "乡")) else -2] + self.rng.choice(
            ("中心小学", "初级中学", "中心幼儿园")
        )

    def s_hospital(self, s: Slots) -> str:
        return self.rng.choice(
            (f"{self.place.county}人民医院", f"{self.place.county}中医院", f"{s['town']}卫生院")
        )

    def s_dept(self, s: Slots) -> str:
        return "县" + self.rng.choice(("自然资源局", "住建局", "市场监管局", "人社局", "不动产登记中心"))

    # people
    def s_name(self, s: Slots) -> str:
        return full_name(self.rng)

    def s_gender(self, s: Slots) -> str:
        return self.rng.choice("男女")

    def s_age(self, s: Slots) -> int:
        return self.rng.randint(35, 78)

    def s_other_name(self, s: Slots) -> str:
        return full_name(self.rng)

    def s_official_surname(self, s: Slots) -> str:
        return surname(self.rng)

    def s_official(self, s: Slots) -> str:
        return s["official_surname"] + self.rng.choice(("某", "某某"))

    def s_cadre(self, s: Slots) -> str:
        return self.rng.choice(CADRES)

    def s_reps(self, s: Slots) -> str:
        return s["name"]

    def s_persons(self, s: Slots) -> int:
        return self.rng.randint(5, 30)

    def s_persons_cn(self, s: Slots) -> str:
        return cn(min(99, s["households"]))

    # dates and durations
    def s_year(self, s: Slots) -> int:
        return self.rng.randint(self.year_max - 4, self.year_max)

    def s_year2(self, s: Slots) -> int:
        return self.rng.randint(s["year"], max(s["year"], self.year_max))

    def s_early_year(self, s: Slots) -> int:
        """A year at least three years back, for matters that "have dragged on for N years"."""
        return self.rng.randint(self.year_max - 9, self.year_max - 3)

    def s_early_since(self, s: Slots) -> int:
        return self.received.year - s["early_year"]

    def s_stop_year(self, s: Slots) -> int:
        return self.rng.randint(s["early_year"] + 2, self.year_max)

    def s_year_old(self, s: Slots) -> int:
        return self.rng.randint(1983, 2008)

    def s_month(self, s: Slots) -> int:
        last = self.received.month if s["year"] >= self.received.year else 12
        return self.rng.randint(1, last)

    def s_months(self, s: Slots) -> str:
        return self.rng.choice(("三个月", "四个月", "半年", "八个月", "十个月", "一年多", "两年多"))

    def s_years_n(self, s: Slots) -> int:
        return self.rng.randint(3, 15)

    def s_times(self, s: Slots) -> str:
        return cn(self.rng.randint(3, 9))

    # amounts and quantities
    def s_area(self, s: Slots) -> int:
        return self.rng.randint(12, 260)

    def s_area_small(self, s: Slots) -> str:
        return f"{self.rng.uniform(0.6, 6):.1f}"

    def s_house_area(self, s: Slots) -> int:
        return self.rng.randint(68, 280)

    def s_unit_price(self, s: Slots) -> int:
        return self.rng.randint(13, 42) * 100

    def s_per_mu(self, s: Slots) -> int:
        return self.rng.randint(28, 72) * 1000

    def s_amount(self, s: Slots) -> str:
        return f"{self.rng.uniform(2, 180):.1f}".removesuffix(".0")

    def s_amount_yuan(self, s: Slots) -> int:
        return self.rng.randint(18, 860) * 100

    def s_day_wage(self, s: Slots) -> int:
        return self.rng.randint(16, 35) * 10

    def s_workers(self, s: Slots) -> int:
        return self.rng.randint(6, 58)

    def s_wage(self, s: Slots) -> int:
        return s["workers"] * self.rng.randint(60, 260) * 100

    def s_households(self, s: Slots) -> int:
        return self.rng.randint(8, 160)

    def s_hh(self, s: Slots) -> str:
        return cn(self.rng.randint(3, 7))

    def s_fee(self, s: Slots) -> str:
        return f"{0.8 + 0.1 * self.rng.randint(0, 6):.1f}"

    def s_fee2(self, s: Slots) -> str:
        return f"{float(s['fee']) + 0.1 * self.rng.randint(3, 8):.1f}"

    def s_fee_school(self, s: Slots) -> int:
        return self.rng.randint(12, 120) * 10

    def s_rent(self, s: Slots) -> int:
        return self.rng.randint(4, 9) * 100

    def s_grade(self, s: Slots) -> str:
        return cn(self.rng.randint(5, 10))

    def s_distance(self, s: Slots) -> int:
        return self.rng.randint(3, 18)

    def s_goods(self, s: Slots) -> str:
        return self.rng.choice(GOODS)

    def s_errand(self, s: Slots) -> str:
        return self.rng.choice(ERRANDS)

    def s_policy(self, s: Slots) -> str:
        return self.rng.choice(POLICIES)


def pick_category(rng: random.Random) -> str:
    return rng.choices(CATEGORY_CODES, cum_weights=_CATEGORY_CUM)[0]


@dataclass
class Letter:
    title: str
    content: str
    matter: Matter


def write_letter(
    rng: random.Random,
    slots: Slots,
    matter: Matter,
    *,
    channel: str,
    visit_level: str = "",
    collective: bool = False,
    anonymous: bool = False,
    repeat: bool = False,
) -> Letter:
    """The title and the content of one petition about ``matter`` in the words of its channel."""
    plural = collective or matter.group is True
    if channel == "visit":
        slots.setdefault("receiver", _RECEIVERS.get(visit_level or "local", "县信访局"))
        opening = rng.choice(_OPEN_VISIT_GROUP if collective else _OPEN_VISIT)
    elif channel == "phone":
        opening = rng.choice(_OPEN_PHONE)
    elif anonymous:
        opening = rng.choice(_OPEN_ANONYMOUS)
    else:
        opening = rng.choice(_OPEN_LETTER_GROUP if plural else _OPEN_LETTER)
    parts = [opening, matter.facts]
    if repeat:
        parts.append(rng.choice(_REPEAT))
        if rng.random() < 0.5:
            slots.setdefault("higher", _HIGHER.get(visit_level or "local", "市里"))
            parts.append(rng.choice(_THREAT))
    elif rng.random() < 0.45:
        parts.append(rng.choice(_HISTORY))
    parts.append(matter.request)
    recorded = channel in ("visit", "phone")
    closing = rng.choice({"visit": _CLOSE_VISIT, "phone": _CLOSE_PHONE}.get(channel, _CLOSE_LETTER))
    if closing:
        parts.append(closing)
    head, body = parts[0], "".join(parts[1:])
    separator = "\n" if head.endswith(("：", "！")) and not recorded else ""
    content = (head + separator + body).format_map(slots)
    title = matter.title.format_map(slots)
    if repeat and not title.startswith(("再次", "多次")) and rng.random() < 0.6:
        title = "再次" + ("反映" + title if not title.startswith(("反映", "举报")) else title)
    return Letter(title=title[:200], content=content, matter=matter)


def matter_for(rng: random.Random, category: str, *, group: bool | None = None) -> Matter:
    """A matter of the category; ``group`` True prefers those a group writes."""
    matters = MATTERS[category]
    if group is not None:
        fitting = [m for m in matters if m.group in (group, None)]
        matters = tuple(fitting) or matters
    return rng.choice(matters)
