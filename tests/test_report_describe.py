"""The report's words for a scenario's numbers and regions, as a reader sees them (exact sentences).

These pin what the mutation audit found unpinned: a triangular distribution described with a
wrong mode, and the ``northeast`` region group named after one province instead of the three.
"""

import pytest

from chainsim.data.classification import expand_region_groups
from chainsim.report.describe import Names, describe, value_words

NAMES = Names(
    sectors={"20": {"en": "Electronics", "zh": "电子设备"}},
    regions={"LN": {"en": "Liaoning", "zh": "辽宁"}, "JL": {"en": "Jilin", "zh": "吉林"},
             "HLJ": {"en": "Heilongjiang", "zh": "黑龙江"}},
)


@pytest.mark.parametrize(("value", "en", "zh"), [
    # low, mode and high all differ, so a mode read from another key shows
    ({"distribution": "triangular", "low": 20, "mode": 30, "high": 60}, "20–60 days (triangular, mode 30)", "20–60天"),
    ({"distribution": "triangular", "low": 2, "mode": 5, "high": 6}, "2–6 days (triangular, mode 5)", "2–6天"),
    ({"distribution": "uniform", "low": 20, "high": 40}, "20–40 days (uniform)", "20–40天"),
    ({"distribution": "lognormal", "median": 90, "sigma": 0.3},
     "about 90 days (lognormal, median 90, σ 0.3)", "约90天"),
    ({"distribution": "normal", "mean": 30, "sd": 4}, "about 30 days (normal, sd 4)", "约30天"),
    (45, "45 days", "45天"),
])
def test_a_duration_is_described_by_its_own_parameters(value, en, zh):
    assert value_words(value, " days", "en") == en
    assert value_words(value, "天", "zh") == zh


def test_a_triangular_duration_shows_its_mode_in_the_disruption_sentence():
    cut = {"type": "import_cut", "product": "20", "origins": ["KOR"], "regions": ["LN"], "share": 0.6,
           "start": 30, "duration": {"distribution": "triangular", "low": 20, "mode": 30, "high": 60}}
    en, zh = describe(cut, NAMES)
    assert en == ("卡链 chokepoint: imports of 20 Electronics 电子设备 from KOR into LN Liaoning 辽宁 fall by 60 % "
                  "from day 30 for 20–60 days (triangular, mode 30).")
    assert zh == "卡链：自KOR进口至辽宁的电子设备减少60%，自第30天起持续20–60天。"


def test_a_triangular_share_shows_its_mode():
    loss = {"type": "capacity_loss", "sector": "20", "region": "JL", "start": 5, "duration": 10,
            "share": {"distribution": "triangular", "low": 0.2, "mode": 0.3, "high": 0.6}}
    en, _ = describe(loss, NAMES)
    assert en == ("Capacity loss: 0.2–0.6 (triangular, mode 0.3) (share) of the capital of 20 Electronics 电子设备 "
                  "in JL Jilin 吉林 is lost from day 5 for 10 days.")


@pytest.mark.parametrize("spelling", ["northeast", "Northeast", "NORTHEAST"])
def test_the_northeast_group_is_named_as_its_three_provinces(spelling):
    # the engine reads the group case-insensitively as LN, JL and HLJ: the words say the same
    assert expand_region_groups([spelling]) == ["LN", "JL", "HLJ"]
    assert NAMES.regions_of(spelling) == "the Northeast (LN, JL, HLJ)"
    assert NAMES.regions_of(spelling, "zh") == "东北三省"
    cut = {"type": "import_cut", "product": "20", "origins": ["KOR", "JPN"], "regions": spelling, "share": 1.0,
           "start": 0}
    en, zh = describe(cut, NAMES)
    assert en == ("卡链 chokepoint: imports of 20 Electronics 电子设备 from KOR, JPN into the Northeast (LN, JL, HLJ) "
                  "fall by 100 % from day 0.")
    assert zh == "卡链：自KOR、JPN进口至东北三省的电子设备减少100%，自第0天起。"


def test_other_regions_are_named_one_by_one_or_as_every_region():
    assert NAMES.regions_of(["LN", "HLJ"]) == "LN Liaoning 辽宁, HLJ Heilongjiang 黑龙江"
    assert NAMES.regions_of(["LN", "HLJ"], "zh") == "辽宁、黑龙江"
    assert NAMES.regions_of("JL") == "JL Jilin 吉林"
    assert NAMES.regions_of("all") == "every region" and NAMES.regions_of("all", "zh") == "所有地区"
    assert NAMES.regions_of(["ROC"]) == "ROC" and NAMES.regions_of(["ROC"], "zh") == "ROC"  # no name: its code


@pytest.mark.parametrize("origins", [None, "all", ["all"]])
def test_an_import_cut_from_every_origin_says_so_in_words(origins):
    # the schema's default (and 'all') cuts every foreign origin: the sentence must not read "from all" / "自all"
    cut = {"type": "import_cut", "product": "20", "regions": ["LN"], "share": 0.5, "start": 10, "duration": 30}
    if origins is not None:
        cut["origins"] = origins
    en, zh = describe(cut, NAMES)
    assert en == ("卡链 chokepoint: imports of 20 Electronics 电子设备 from every foreign origin into LN Liaoning 辽宁 "
                  "fall by 50 % from day 10 for 30 days.")
    assert zh == "卡链：自所有境外来源地进口至辽宁的电子设备减少50%，自第10天起持续30天。"


# ---------------------------------------------------------------- the episodes' words (new-user pass, words8)
from datetime import date  # noqa: E402

EPISODE = Names(
    sectors={"18": {"en": "Manufacture of transport equipment", "zh": "交通运输设备"},
             "30": {"en": "Accommodation and catering", "zh": "住宿和餐饮"}},
    regions={"JL": {"en": "Jilin", "zh": "吉林"}, "ROC": {"en": "Rest of China", "zh": "中国其他地区"}},
    origins={"KOR": {"en": "Korea, Republic of", "zh": "韩国"}, "JPN": {"en": "Japan", "zh": "日本"}},
    places={"changchun": {"en": "Changchun", "zh": "长春"}, "shanghai": {"en": "Shanghai", "zh": "上海"}},
    start=date(2022, 3, 1),
)
# as run.json's scenario_body has them: dates already turned into days of the calendar (day 0 = 1 March 2022)
REST_OF_JILIN = {"type": "lockdown", "name": "Jilin outside Changchun", "region": "JL", "sectors": "industry",
                 "area": {"subregion": "changchun", "bound": "drawn", "complement": True}, "basis": "observed",
                 "absent": {"points": [[10, 0.2], [49, 0.037], [52, 0.02], [61, 0.0]]}}


def test_a_complement_area_is_the_rest_of_the_region_not_the_named_city():
    # the report said "workers of industry in JL Jilin 吉林 (changchun) absent" for the rest of Jilin
    en, zh = describe(REST_OF_JILIN, EPISODE)
    assert en == ("Jilin outside Changchun — Lockdown: workers of industry 工业 (NBS 02–26) in JL Jilin 吉林 outside "
                  "Changchun 长春 absent, peaking at 20 % between 2022-03-11 and 2022-05-01.")
    assert zh == "封控：吉林长春以外地区工业劳动力缺勤，2022年3月11日至2022年5月1日间最高20%。"


def test_a_named_city_is_named_in_words_with_the_sectors_it_leaves_out():
    city = {**REST_OF_JILIN, "name": "Changchun closed-off management", "except_sectors": ["18"],
            "area": {"subregion": "changchun", "bound": "drawn"},
            "absent": {"interpolation": "step", "points": [[10, 1.0], [46, 0.0]]}}
    en, zh = describe(city, EPISODE)
    assert en == ("Changchun closed-off management — Lockdown: workers of industry 工业 (NBS 02–26) except "
                  "18 Manufacture of transport equipment 交通运输设备 in Changchun 长春 (JL Jilin 吉林) absent, "
                  "peaking at 100 % between 2022-03-11 and 2022-04-16.")
    assert zh == "封控：长春（吉林）工业（交通运输设备除外）劳动力缺勤，2022年3月11日至2022年4月16日间最高100%。"


def test_a_demand_cut_reads_as_a_fall_with_its_category_and_area_in_words():
    # "Final demand (household) ... changes, peaking at -28 %" / "最终需求（household）... 最高-28%"
    cut = {"type": "final_demand_by_category", "name": "Changchun catering", "region": "JL",
           "categories": ["household"], "sectors": ["30"], "area": {"share": 0.36, "source": "as above"},
           "change": {"points": [[10, -0.70], [46, -0.70], [91, 0.0]]}}
    en, zh = describe(cut, EPISODE)
    assert en == ("Changchun catering — Final demand of household consumption for 30 Accommodation and catering "
                  "住宿和餐饮 in 36 % of JL Jilin 吉林 falls by up to 70 % between 2022-03-11 and 2022-05-31.")
    assert zh == ("最终需求（居民消费）：吉林（36%的范围）对住宿和餐饮的需求下降，"
                  "2022年3月11日至2022年5月31日间最多下降70%。")
    rise = {**cut, "name": None, "categories": ["exports", "gfcf"], "area": None,
            "change": {"points": [[0, 0.1], [20, 0.0]]}}
    en, zh = describe(rise, Names(sectors=EPISODE.sectors, regions=EPISODE.regions))
    assert en == ("Final demand of exports and gross fixed capital formation for 30 Accommodation and catering "
                  "住宿和餐饮 in JL Jilin 吉林 rises by up to 10 % between day 0 and day 20.")
    assert zh == "最终需求（出口、固定资本形成）：吉林对住宿和餐饮的需求上升，第0天至第20天间最多上升10%。"


def test_every_final_demand_category_has_words_in_both_languages():
    from chainsim.report.describe import CATEGORY_NAMES
    from chainsim.shocks.demand import CATEGORIES

    assert set(CATEGORY_NAMES) == set(CATEGORIES)
    assert all(v["en"] and v["zh"] for v in CATEGORY_NAMES.values())


def test_a_final_demand_cut_reads_as_a_fall_in_chinese_too():
    fd = {"type": "final_demand", "sector": "18", "region": "JL", "share": -0.3, "start": 10, "duration": 20}
    en, zh = describe(fd, EPISODE)
    assert en == ("Final demand for 18 Manufacture of transport equipment 交通运输设备 in JL Jilin 吉林 falls by 30 % "
                  "from 2022-03-11 for 20 days.")
    assert zh == "最终需求：吉林对交通运输设备的最终需求下降30%，自2022年3月11日起持续20天。"


def test_import_origins_carry_their_names_and_sub_regions_theirs():
    cut = {"type": "import_cut", "product": "18", "origins": ["KOR", "JPN"], "regions": ["JL"], "share": 0.5,
           "start": 0, "duration": 30}
    en, zh = describe(cut, EPISODE)
    assert en == ("卡链 chokepoint: imports of 18 Manufacture of transport equipment 交通运输设备 from KOR Korea, "
                  "Republic of 韩国; JPN Japan 日本 into JL Jilin 吉林 fall by 50 % from 2022-03-01 for 30 days.")
    assert zh == "卡链：自韩国、日本进口至吉林的交通运输设备减少50%，自2022年3月1日起持续30天。"


def test_the_shipped_place_and_origin_names_cover_the_episodes():
    from chainsim.report.glossary import origin_words, place_names

    places = place_names()
    assert places["changchun"] == {"en": "Changchun", "zh": "长春"}
    assert places["shanghai"] == {"en": "Shanghai", "zh": "上海"}
    assert places["hubei"] == {"en": "Hubei", "zh": "湖北"}
    assert {k: v["zh"] for k, v in origin_words().items() if k in ("KOR", "JPN", "TWN", "USA")} == \
        {"KOR": "韩国", "JPN": "日本", "TWN": "中国台湾", "USA": "美国"}


@pytest.mark.parametrize(("share", "en"), [(0.043, "4.3 %"), (0.6, "60 %"), (0.05, "5 %"), (0.285, "28 %"),
                                          (0.004, "0.4 %"), (1.0, "100 %")])
def test_a_small_area_share_keeps_a_digit(share, en):
    # Shanghai's 4.3 % of the Rest of China's households read "4 %"
    from chainsim.report.describe import _share

    assert _share(share, "en") == en and _share(share, "zh") == en.replace(" ", "")


@pytest.mark.parametrize(("scope", "en", "zh"), [
    ("northeast", "the Northeast (LN, JL, HLJ)", "东北三省"),
    ("JL", "JL Jilin 吉林", "吉林"),
    ("all", "every region", "所有地区"),
    ("18", "18 Manufacture of transport equipment 交通运输设备", "交通运输设备"),
    ("JL|18", "18 Manufacture of transport equipment 交通运输设备 in JL Jilin 吉林", "吉林交通运输设备"),
])
def test_a_scope_is_named_in_both_languages(scope, en, zh):
    # the bilingual report headed its tables "Scope northeast" in English only
    assert EPISODE.scope_of(scope) == en and EPISODE.scope_of(scope, "zh") == zh


def test_a_disruptions_own_profile_counts_from_its_start():
    # run.json's body holds covid2020's coal profile as days after the disruption's start (default day 1):
    # [22, 0.0] is 24 January 2020 (day 23), not the 23rd
    coal = {"type": "capacity_loss", "name": "coal mines", "region": "LN", "sector": "18", "share": 1.0,
            "basis": "capacity", "profile": {"points": [[22.0, 0.0], [40.0, 0.375], [82.0, 0.0]]}}
    names = Names(sectors=EPISODE.sectors, regions={"LN": {"en": "Liaoning", "zh": "辽宁"}}, start=date(2020, 1, 1))
    en, zh = describe(coal, names)
    assert en.endswith("is lost along a profile, peaking at 38 % between 2020-01-24 and 2020-03-24."), en
    assert zh.endswith("按时间曲线损失，2020年1月24日至2020年3月24日间最高38%。"), zh
    en, _ = describe({**coal, "start": 10}, names)  # days 32 and 92
    assert en.endswith("between 2020-02-02 and 2020-04-02."), en


def test_a_disruption_without_a_start_is_described_from_its_default_start():
    # the engine starts it on day 1 (the schema's default); the words said "from day 0"
    loss = {"type": "capacity_loss", "sector": "18", "region": "JL", "share": 0.5, "duration": 10}
    en, zh = describe(loss, EPISODE)
    assert en == ("Capacity loss: 50 % of the capital of 18 Manufacture of transport equipment 交通运输设备 in "
                  "JL Jilin 吉林 is lost from 2022-03-02 for 10 days.")
    assert zh == "产能损失：吉林交通运输设备的资本损失50%，自2022年3月2日起持续10天。"
    assert describe(loss, Names())[0].endswith("is lost from day 1 for 10 days.")


def test_a_congestion_names_its_sources_in_words():
    # "堵链：自JPN、KOR、TWN、USA、DEU ... ROW至辽宁": codes in a Chinese sentence; the list is every foreign origin
    from chainsim.report.glossary import origin_words

    names = Names(sectors=EPISODE.sectors, regions={**EPISODE.regions, "LN": {"en": "Liaoning", "zh": "辽宁"}},
                  origins=origin_words())
    every = [k for k in origin_words() if k != "DOM"]
    jam = {"type": "congestion", "from_region": every, "to_region": "LN", "throughput_loss": 0.7,
           "extra_lead_days": 10, "start": 30, "duration": 20}
    en, zh = describe(jam, names)
    assert en == ("堵链 congestion: the route from every foreign origin into LN Liaoning 辽宁 loses 70 % of its "
                  "throughput and takes 10 more days from day 30 for 20 days; the backlog then clears.")
    assert zh == "堵链：自所有境外来源地至辽宁的通道运力下降70%，运输时间增加10天，自第30天起持续20天。"
    en, zh = describe({**jam, "from_region": ["JL", "KOR"]}, names)
    assert en.startswith("堵链 congestion: the route from JL Jilin 吉林; KOR Korea, Republic of 韩国 into LN"), en
    assert zh.startswith("堵链：自吉林、韩国至辽宁的通道"), zh


def test_a_permanent_demand_change_without_a_start_is_dated_from_its_type_default():
    # final_demand starts on day 1 unless told (its schema's default), as the temporary one is described;
    # the permanent branch read a missing start as day 0
    from chainsim.disruptions import DISRUPTIONS

    assert DISRUPTIONS["final_demand"].model_fields["start"].default == 1
    cut = {"type": "final_demand", "sector": "20", "region": "LN", "share": -0.1, "permanent": True}
    en, zh = describe(cut, NAMES)
    assert en.endswith("falls by 10 % permanently from day 1.")
    assert zh.endswith("自第1天起永久。")
