"""Load the default key-population tags (DESIGN.md). Idempotent: existing tags keep their
edits; missing defaults are added, missing synonyms appended."""

from django.db import migrations

DEFAULT_TAGS = [{'code': 'elderly_60',
  'name': '老年人（60岁以上）',
  'name_en': 'elderly (60+)',
  'synonyms': ['老年人', '老人', '60岁以上', '60岁以上老人'],
  'derived': True,
  'order': 10},
 {'code': 'elderly_80',
  'name': '高龄老人（80岁以上）',
  'name_en': 'very old (80+)',
  'synonyms': ['高龄', '高龄老人', '80岁以上', '80岁以上老人'],
  'derived': True,
  'order': 11},
 {'code': 'living_alone',
  'name': '独居',
  'name_en': 'living alone',
  'synonyms': ['独居', '独居老人', '独居人员', '孤寡老人', '孤老'],
  'order': 20},
 {'code': 'empty_nest',
  'name': '空巢',
  'name_en': 'empty-nest',
  'synonyms': ['空巢', '空巢老人', '纯老家庭', '纯老'],
  'order': 21},
 {'code': 'disabled',
  'name': '残疾人',
  'name_en': 'disabled',
  'synonyms': ['残疾', '残疾人', '残障', '残障人士', '持证残疾人'],
  'sensitive': True,
  'order': 30},
 {'code': 'child',
  'name': '儿童（14岁以下）',
  'name_en': 'child (under 14)',
  'synonyms': ['儿童', '14岁以下儿童', '婴幼儿', '留守儿童'],
  'derived': True,
  'sensitive': True,
  'order': 40},
 {'code': 'pregnant',
  'name': '孕产妇',
  'name_en': 'pregnant or postpartum',
  'synonyms': ['孕妇', '孕产妇', '怀孕', '产妇', '待产孕妇'],
  'sensitive': True,
  'order': 50},
 {'code': 'chronic_illness',
  'name': '慢性病',
  'name_en': 'chronic illness',
  'synonyms': ['慢性病', '慢病', '基础病', '慢性病患者', '高血压', '糖尿病', '心脏病'],
  'sensitive': True,
  'order': 60},
 {'code': 'critical_treatment',
  'name': '需定期治疗（透析、化疗等）',
  'name_en': 'time-critical treatment (dialysis, chemotherapy…)',
  'synonyms': ['透析', '血透', '腹透', '血液透析', '腹膜透析', '肾透析', '化疗', '放疗', '放化疗', '肿瘤放化疗', '定期治疗'],
  'sensitive': True,
  'order': 61},
 {'code': 'severe_mental_illness',
  'name': '严重精神障碍',
  'name_en': 'severe mental illness',
  'synonyms': ['严重精神障碍', '严重精神障碍患者', '精神障碍', '精神病', '重精'],
  'sensitive': True,
  'order': 70},
 {'code': 'low_income',
  'name': '低保',
  'name_en': 'low-income support',
  'synonyms': ['低保', '低保户', '低保对象', '低收入', '低收入家庭', '低边', '低保边缘'],
  'order': 80},
 {'code': 'extreme_poverty',
  'name': '特困供养',
  'name_en': 'extreme-poverty support',
  'synonyms': ['特困', '特困供养', '特困人员', '五保', '五保户'],
  'order': 81},
 {'code': 'stranded',
  'name': '滞留外地人员',
  'name_en': 'stranded non-local',
  'synonyms': ['滞留', '滞留人员', '滞留外地人员', '外地滞留人员', '滞留外来人员', '来沪滞留'],
  'order': 90},
 {'code': 'frontline_family',
  'name': '一线人员家属',
  'name_en': "front-line worker's family",
  'synonyms': ['一线人员家属', '一线家属', '医护家属', '抗疫一线家属', '医务人员家属', '一线医护人员家属'],
  'order': 100}]


def load_tags(apps, schema_editor):
    Tag = apps.get_model("residents", "Tag")
    for spec in DEFAULT_TAGS:
        tag, created = Tag.objects.get_or_create(
            code=spec["code"],
            defaults={
                "name": spec["name"],
                "name_en": spec["name_en"],
                "synonyms": spec["synonyms"],
                "derived": spec.get("derived", False),
                "sensitive": spec.get("sensitive", False),
                "order": spec["order"],
            },
        )
        if not created:
            missing = [s for s in spec["synonyms"] if s not in tag.synonyms]
            if missing:
                tag.synonyms = [*tag.synonyms, *missing]
                tag.save(update_fields=["synonyms"])


class Migration(migrations.Migration):
    dependencies = [("residents", "0001_residents_households_tags")]

    operations = [migrations.RunPython(load_tags, migrations.RunPython.noop)]
