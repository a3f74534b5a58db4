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
