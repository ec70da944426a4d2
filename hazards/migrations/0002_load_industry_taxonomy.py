"""The key-industry taxonomy of the 2022 provincial investigation, with sub-categories."""

from django.db import migrations

# (code, Chinese name, English name, [(code, Chinese name, English name), ...])
TAXONOMY = [
    ("coal-mine", "煤矿", "Coal mines", []),
    (
        "non-coal-mine",
        "非煤矿山",
        "Non-coal mines",
        [
            ("non-coal-mine-underground", "地下矿山", "Underground mines"),
            ("non-coal-mine-open-pit", "露天矿山", "Open-pit mines"),
            ("non-coal-mine-tailings", "尾矿库", "Tailings ponds"),
        ],
    ),
    (
        "road-transport",
        "道路运输",
        "Road transport",
        [
            ("road-passenger", "公路客运", "Highway passenger transport"),
            ("road-freight", "道路货运", "Road freight"),
            ("road-hazmat", "危险货物道路运输", "Road transport of dangerous goods"),
            ("road-traffic", "道路交通安全", "Road traffic safety"),
        ],
    ),
    (
        "waterway-transport",
        "水上交通",
        "Waterway transport",
        [
            ("waterway-passenger", "水路客运及渡运", "Waterway passenger transport and ferries"),
            ("waterway-freight", "水路货运", "Waterway freight"),
        ],
    ),
    (
        "construction",
        "建筑施工",
        "Construction",
        [
            ("construction-housing", "房屋建筑工程", "Building construction"),
            ("construction-municipal", "市政工程", "Municipal works"),
            ("construction-transport", "交通水利工程", "Transport and water-conservancy works"),
        ],
    ),
    (
        "fire",
        "消防",
        "Fire protection",
        [
            ("fire-crowded-places", "人员密集场所", "Crowded places"),
            ("fire-high-rise", "高层建筑", "High-rise buildings"),
            ("fire-small-premises", "九小场所", "Small premises"),
        ],
    ),
    (
        "fireworks",
        "烟花爆竹",
        "Fireworks and firecrackers",
        [
            ("fireworks-production", "烟花爆竹生产", "Fireworks production"),
            ("fireworks-wholesale", "烟花爆竹批发储存", "Fireworks wholesale and storage"),
            ("fireworks-retail", "烟花爆竹零售", "Fireworks retail"),
        ],
    ),
    ("forest-fire", "森林防灭火", "Forest fire prevention", []),
    (
        "hazardous-chemicals",
        "危险化学品",
        "Hazardous chemicals",
        [
            ("hazchem-production", "危险化学品生产", "Hazardous chemicals production"),
            ("hazchem-storage", "危险化学品储存", "Hazardous chemicals storage"),
            ("hazchem-transport", "危险化学品运输", "Hazardous chemicals transport"),
            ("hazchem-use", "危险化学品使用", "Hazardous chemicals use"),
        ],
    ),
    ("self-built-housing", "自建房", "Self-built housing", []),
    ("building-power", "建筑电力供配电线路", "Building power supply and distribution lines", []),
    (
        "gas",
        "燃气",
        "Gas",
        [
            ("gas-pipeline", "城镇燃气管网", "Urban gas pipelines"),
            ("gas-bottled", "瓶装液化石油气", "Bottled liquefied petroleum gas"),
            ("gas-catering", "餐饮场所燃气", "Gas in restaurants"),
        ],
    ),
    (
        "industry-trade",
        "工贸",
        "Industry and trade",
        [
            ("industry-metallurgy", "冶金", "Metallurgy"),
            ("industry-nonferrous", "有色金属", "Non-ferrous metals"),
            ("industry-dust", "粉尘涉爆", "Combustible dust"),
            ("industry-ammonia", "涉氨制冷", "Ammonia refrigeration"),
            ("industry-confined-space", "有限空间作业", "Confined-space work"),
        ],
    ),
    (
        "special-equipment",
        "特种设备",
        "Special equipment",
        [
            ("special-elevator", "电梯", "Elevators"),
            ("special-boiler", "锅炉", "Boilers"),
            ("special-pressure-vessel", "压力容器", "Pressure vessels"),
            ("special-lifting", "起重机械", "Lifting machinery"),
        ],
    ),
    ("other", "其他", "Other", []),
]


def load_taxonomy(apps, schema_editor):
    load_industries(apps.get_model("hazards", "Industry"))


def load_industries(Industry) -> None:
    """Write the taxonomy into `Industry` (the historical model here; accounts.Industry since it moved)."""
    for order, (code, name_zh, name_en, children) in enumerate(TAXONOMY, start=1):
        parent, _created = Industry.objects.update_or_create(
            code=code, defaults={"name_zh": name_zh, "name_en": name_en, "sort_order": order * 100, "parent": None}
        )
        for child_order, (child_code, child_zh, child_en) in enumerate(children, start=1):
            Industry.objects.update_or_create(
                code=child_code,
                defaults={
                    "name_zh": child_zh,
                    "name_en": child_en,
                    "sort_order": order * 100 + child_order,
                    "parent": parent,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial")]

    operations = [migrations.RunPython(load_taxonomy, migrations.RunPython.noop)]
