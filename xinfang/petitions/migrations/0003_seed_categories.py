"""The default two-level 问题类别 list (shared/reference/seed-analysis.md §5.1). Administrators
change it in the admin; this only fills an empty table."""

from django.db import migrations

CATEGORIES = [
    ("01", "城乡建设", ["城建拆迁", "控建拆违", "房地产开发", "物业纠纷", "交房办证", "市政设施"]),
    ("02", "国土资源", ["土地征用征收", "征地补偿", "宅基地", "农村土地承包", "林木承包"]),
    ("03", "劳动社保", ["拖欠工资", "工伤纠纷", "养老保险", "社保并轨", "劳动人事"]),
    ("04", "企业改制", ["国企改制", "破产企业职工安置"]),
    ("05", "涉法涉诉", ["诉讼", "仲裁", "执行", "执法不公"]),
    ("06", "涉军", ["退役军人安置", "优抚待遇"]),
    ("07", "民政救济", ["低保", "优抚救济", "残疾人帮扶", "计生并发症"]),
    ("08", "库区移民", ["水库移民后期扶持"]),
    ("09", "环境保护", ["环境污染", "噪声扰民"]),
    ("10", "干部作风", ["党风党纪", "干部作风", "违规违纪"]),
    ("11", "村务财务", ["村务公开", "村级财务", "集体收益分配"]),
    ("12", "历史遗留", ["民师代课教师待遇", "离任村干部待遇", "其他历史遗留"]),
    ("13", "经济纠纷", ["集资诈骗", "合同纠纷", "民事纠纷"]),
    ("14", "教育卫生", ["教育", "医疗卫生"]),
    ("15", "治安交通", ["社会治安", "交通事故"]),
    ("16", "建议意见", ["城市公益事业", "农村基础设施", "决策建议"]),
    ("99", "其他", ["其他"]),
]


def seed(apps, schema_editor):
    Category = apps.get_model("petitions", "Category")
    if Category.objects.exists():
        return
    for order, (code, name, children) in enumerate(CATEGORIES):
        parent = Category.objects.create(code=code, name=name, sort_order=order * 100)
        for i, child in enumerate(children, start=1):
            Category.objects.create(code=f"{code}{i:02d}", name=child, parent=parent, sort_order=order * 100 + i)


class Migration(migrations.Migration):
    dependencies = [("petitions", "0002_keyword_index")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
