"""Pools of realistic name parts, drawn once per seed, so that a million rows cost a few random
choices each instead of several Faker calls (Faker is ~20 µs a call; a choice is ~0.3 µs).

Everything here is deterministic for a seed: Faker is seeded per instance and every other
choice comes from the `random.Random(seed)` the caller passes in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from faker import Faker

# (province, city, districts); weighted towards where most Chinese SMEs are.
REGIONS: list[tuple[str, str, tuple[str, ...], int]] = [
    ("广东省", "深圳市", ("南山区", "福田区", "宝安区", "龙岗区"), 9),
    ("广东省", "广州市", ("天河区", "越秀区", "番禺区", "白云区"), 8),
    ("广东省", "东莞市", ("南城街道", "长安镇", "虎门镇"), 4),
    ("广东省", "佛山市", ("顺德区", "南海区", "禅城区"), 4),
    ("上海市", "上海市", ("浦东新区", "闵行区", "徐汇区", "嘉定区", "松江区"), 9),
    ("北京市", "北京市", ("海淀区", "朝阳区", "丰台区", "大兴区"), 8),
    ("浙江省", "杭州市", ("西湖区", "滨江区", "余杭区", "萧山区"), 7),
    ("浙江省", "宁波市", ("鄞州区", "北仑区", "慈溪市"), 4),
    ("浙江省", "温州市", ("鹿城区", "瑞安市", "乐清市"), 3),
    ("浙江省", "金华市", ("义乌市", "婺城区"), 3),
    ("江苏省", "苏州市", ("工业园区", "吴中区", "昆山市", "常熟市"), 7),
    ("江苏省", "南京市", ("鼓楼区", "江宁区", "建邺区"), 5),
    ("江苏省", "无锡市", ("滨湖区", "江阴市", "新吴区"), 4),
    ("江苏省", "常州市", ("武进区", "新北区"), 3),
    ("山东省", "青岛市", ("市南区", "黄岛区", "城阳区"), 4),
    ("山东省", "济南市", ("历下区", "槐荫区"), 3),
    ("福建省", "厦门市", ("思明区", "湖里区"), 3),
    ("福建省", "泉州市", ("晋江市", "丰泽区"), 3),
    ("四川省", "成都市", ("高新区", "武侯区", "锦江区", "双流区"), 5),
    ("重庆市", "重庆市", ("渝北区", "江北区", "九龙坡区"), 4),
    ("湖北省", "武汉市", ("洪山区", "江汉区", "东湖高新区"), 4),
    ("湖南省", "长沙市", ("岳麓区", "雨花区", "开福区"), 3),
    ("河南省", "郑州市", ("金水区", "郑东新区", "二七区"), 3),
    ("安徽省", "合肥市", ("蜀山区", "包河区", "高新区"), 3),
    ("天津市", "天津市", ("滨海新区", "南开区", "和平区"), 3),
    ("陕西省", "西安市", ("雁塔区", "未央区", "高新区"), 3),
    ("河北省", "石家庄市", ("长安区", "桥西区"), 2),
    ("辽宁省", "大连市", ("中山区", "甘井子区"), 2),
    ("辽宁省", "沈阳市", ("和平区", "浑南区"), 2),
    ("江西省", "南昌市", ("红谷滩区", "青山湖区"), 2),
    ("广西壮族自治区", "南宁市", ("青秀区", "西乡塘区"), 2),
    ("云南省", "昆明市", ("五华区", "官渡区"), 2),
    ("黑龙江省", "哈尔滨市", ("南岗区", "道里区"), 1),
    ("吉林省", "长春市", ("朝阳区", "南关区"), 1),
    ("山西省", "太原市", ("小店区", "迎泽区"), 1),
    ("贵州省", "贵阳市", ("观山湖区", "南明区"), 1),
    ("海南省", "海口市", ("龙华区", "美兰区"), 1),
    ("新疆维吾尔自治区", "乌鲁木齐市", ("天山区", "沙依巴克区"), 1),
]

# industry -> the words a company in it puts before its legal suffix
INDUSTRIES: dict[str, tuple[str, ...]] = {
    "制造业": ("机械", "精密制造", "电子", "五金制品", "塑胶", "模具", "自动化设备", "新材料"),
    "软件和信息技术": ("科技", "信息技术", "软件", "网络科技", "数据科技", "智能科技"),
    "批发零售": ("贸易", "商贸", "供应链", "进出口", "电子商务"),
    "建筑": ("建设工程", "建筑工程", "装饰工程", "建材", "幕墙工程"),
    "医疗健康": ("医疗器械", "生物科技", "医药", "健康管理"),
    "教育培训": ("教育科技", "文化传播", "职业培训"),
    "物流运输": ("物流", "国际货运代理", "供应链管理", "运输"),
    "餐饮": ("餐饮管理", "食品", "餐饮服务"),
    "金融": ("投资管理", "融资租赁", "资产管理"),
    "农业": ("农业科技", "农产品", "生态农业"),
}
INDUSTRY_WEIGHTS = (18, 16, 16, 9, 8, 7, 8, 7, 4, 7)

# characters Chinese companies pick for their trade names (字号)
BRAND_CHARS = ("华鑫盛达恒泰瑞隆兴宏信德鼎汇通源嘉佳创科远航锦金天海新凯诚博利安康永昌丰润美"
               "晟辉星腾卓越中联合和福祥益顺旭阳明光立正泽宇东方力元亿万百精展智启睿")
LEGAL_SUFFIXES = ("有限公司", "有限责任公司", "股份有限公司", "集团有限公司")
LEGAL_WEIGHTS = (66, 18, 11, 5)
SOURCES = ("官网", "电话营销", "展会", "客户介绍", "百度推广", "微信", "老客户", "阿里巴巴")
# mainland mobile prefixes (China Mobile, Unicom, Telecom, Broadnet)
MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151",
                   "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177",
                   "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191",
                   "193", "195", "198", "199")
FREE_MAIL = ("qq.com", "163.com", "126.com", "sina.com", "gmail.com", "outlook.com")
EN_CITIES = ("Shanghai", "Beijing", "Shenzhen", "Suzhou", "Guangzhou", "Hangzhou", "Tianjin")
EMAIL_ROLES = ("sales", "info", "contact", "service", "purchase", "admin", "hr")


@dataclass(frozen=True)
class Pools:
    brands: tuple[str, ...]
    zh_people: tuple[str, ...]
    en_people: tuple[str, ...]
    en_companies: tuple[str, ...]
    streets: tuple[str, ...]
    domains: tuple[str, ...]
    user_names: tuple[str, ...]


def build_pools(seed: int, size: int = 3000) -> Pools:
    """Name parts for `seed`: Faker zh_CN and en_US, each seeded, a few thousand of each."""
    zh = Faker("zh_CN")
    zh.seed_instance(seed)
    en = Faker("en_US")
    en.seed_instance(seed)
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    prefixes = sorted({zh.company_prefix() for _ in range(400)})
    brands = {rng.choice(BRAND_CHARS) + rng.choice(BRAND_CHARS) for _ in range(size)}
    brands.update(p for p in prefixes if 2 <= len(p) <= 4)
    return Pools(
        brands=tuple(sorted(brands)),
        zh_people=tuple(zh.name() for _ in range(size)),
        en_people=tuple(en.name() for _ in range(size // 4)),
        en_companies=tuple(en.last_name() + rng.choice((" Industrial", " Technology",
                                                         " Trading", " Electronics", ""))
                           for _ in range(size // 4)),
        streets=tuple(zh.street_name() for _ in range(size)),
        domains=tuple(zh.domain_name() for _ in range(size)),
        user_names=tuple(zh.user_name() for _ in range(size)),
    )
