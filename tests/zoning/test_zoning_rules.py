"""Tests of the access list: reading the YAML (hn_geo.ground.rules), parsing and checking
the mapping (hn_geo.zoning.rules.parse), GB/T 4754 industry codes."""
from __future__ import annotations

import re
import textwrap

import pytest
import yaml

from hn_geo.core.errors import HnGeoError
from hn_geo.ground.rules import default_rules_path, read_rules_file
from hn_geo.reference import industries
from hn_geo.workflows.zoning import load_rules
from hn_geo.zoning.rules import RULE_KINDS, AccessList, parse, parse_industry_codes


def test_default_rules_cover_every_kind():
    r = load_rules()
    # park_only rules need the parks layer in every check; the default list has none (its
    # header shows one), they are tested with the lists of tests/zoning/test_zoning_sites*.py
    assert {x.kind for x in r.rules} == set(RULE_KINDS) - {"park_only"}
    assert not r.needs_parks()
    green = next(x for x in r.rules if x.kind == "green_channel")
    assert green.params["below_tce_per_wan"] == 0.52 and green.severity == "info"
    assert {x.scope_value for x in r.rules if x.scope == "type"} == {"priority", "key", "general"}
    assert r.layers_needed() == ["red_line", "water_source"]
    assert r.path == str(default_rules_path())


def test_parse_is_pure_on_a_plain_mapping():
    doc = {"version": 1, "rules": {
        "all_units": [{"id": "T", "kind": "two_high", "severity": "error", "clause": "c", "source": "s"}],
        "by_unit_type": {"key": [{"id": "K", "kind": "two_high", "severity": "warning",
                                  "clause": "c", "source": "s"}]}}}
    acl = parse(doc)
    assert isinstance(acl, AccessList) and acl.path is None
    assert [(r.id, r.scope, r.scope_value) for r in acl.rules] == [("T", "all", ""), ("K", "type", "key")]
    with pytest.raises(HnGeoError) as exc:  # unit types are codes for the parser
        parse({**doc, "rules": {"by_unit_type": {"重点管控": doc["rules"]["by_unit_type"]["key"]}}})
    assert exc.value.code == "zoning.invalid_rules"
    with pytest.raises(HnGeoError) as exc:
        parse(["not", "a", "mapping"], source="x.yaml")
    assert exc.value.code == "zoning.rules_not_mapping" and exc.value.path == "x.yaml"


def test_reader_turns_unit_type_words_into_codes(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text(textwrap.dedent("""
        version: 1
        rules:
          by_unit_type:
            优先保护:
              - {id: P, kind: two_high, severity: error, clause: c, source: s}
            key control:
              - {id: K, kind: two_high, severity: error, clause: c, source: s}
            general:
              - {id: G, kind: two_high, severity: error, clause: c, source: s}
        """), encoding="utf-8")
    doc = read_rules_file(p)
    assert list(doc["rules"]["by_unit_type"]) == ["priority", "key", "general"]
    assert [r.scope_value for r in parse(doc, source=p).rules] == ["priority", "key", "general"]
    assert read_rules_file() == _embedded_with_codes()


def _embedded_with_codes():
    doc = yaml.safe_load(default_rules_path().read_text(encoding="utf-8"))
    words = {"优先保护": "priority", "重点管控": "key", "一般管控": "general"}
    doc["rules"]["by_unit_type"] = {words[k]: v for k, v in doc["rules"]["by_unit_type"].items()}
    return doc


def test_rule_file_errors_name_rule_and_field(tmp_path):
    bad = textwrap.dedent("""
        version: 1
        industry_categories:
          化工: {codes: ["26"]}
        rules:
          all_units:
            - {id: R1, kind: min_distance, params: {layer: red_line, distance_m: -5},
               severity: error, clause: c, source: s}
            - {id: R2, kind: teleport, severity: error, clause: c, source: s}
            - {id: R3, kind: two_high, severity: error, source: s}
            - {id: R4, kind: prohibited_industry, params: {categories: [火箭]},
               severity: error, clause: c, source: s}
            - {id: R5, kind: emission_cap, params: {pollutant: so2_t, cap_t: 1},
               severity: error, clause: c, source: s}
            - {id: R6, kind: two_high, severity: error, clause: c, source: s}
            - {id: R6, kind: two_high, severity: error, clause: c, source: s}
          by_unit_code:
            ZH3304812001:
              - {id: R7, kind: two_high, severity: error, clause: c, source: s}
        """)
    p = tmp_path / "bad.yaml"
    p.write_text(bad, encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        load_rules(p)
    assert exc.value.path == str(p)
    msg = exc.value.render("en")
    assert str(p) in msg and "invalid rules file (7 problem(s))" in msg
    assert re.search(r"rule 'R1'.*field 'params\.distance_m'", msg)
    assert re.search(r"rule 'R2'.*field 'kind'", msg)
    assert re.search(r"rule 'R3'.*'clause' is a required property", msg)
    assert re.search(r"rule 'R4'.*field 'categories'.*火箭", msg)
    assert re.search(r"rule 'R5'.*field 'params\.pollutant'", msg)
    assert re.search(r"rule 'R6'.*field 'id': duplicate", msg)
    assert "ZH3304812001" in msg
    assert exc.value.render("zh").startswith(f"文件 {p}：准入清单无效（7 处问题）")


def test_rule_file_severity_error_and_yaml_syntax(tmp_path):
    p = tmp_path / "r.yaml"
    p.write_text("version: 1\nrules:\n  all_units:\n    - {id: R5, kind: two_high, severity: fatal, "
                 "clause: c, source: s}\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        load_rules(p)
    assert re.search(r"rule 'R5'.*field 'severity'", exc.value.render("en"))
    p.write_text("version: 1\nrules: [\n  - {id: x\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        read_rules_file(p)
    assert exc.value.code == "zoning.rules_not_yaml_at"
    assert re.search(r"not valid YAML at line \d+", exc.value.render("en"))
    assert re.search(r"不是有效的 YAML（第 \d+ 行", exc.value.render("zh"))


def test_reader_errors_name_the_file(tmp_path):
    with pytest.raises(HnGeoError) as exc:
        read_rules_file(tmp_path / "missing.yaml")
    assert exc.value.code == "zoning.rules_not_found" and exc.value.path.endswith("missing.yaml")
    p = tmp_path / "gbk.yaml"
    p.write_bytes("version: 1\ntitle: 准入清单\n".encode("gbk"))
    with pytest.raises(HnGeoError) as exc:
        read_rules_file(p)
    assert exc.value.code == "zoning.rules_not_utf8"
    p.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        read_rules_file(p)
    assert exc.value.code == "zoning.rules_not_mapping"
    p.write_text("version: 1\nrules: {all_units: []}\n", encoding="utf-8")
    with pytest.raises(HnGeoError) as exc:
        load_rules(p)
    assert exc.value.code == "zoning.no_rules"


def test_parse_industry_codes():
    codes = ["2614", "C2614", " 17 ", "175", "A2614", "99", "2", "26145", "", None, "c3399"]
    norm, ok, name = parse_industry_codes(codes)
    assert ok.tolist() == [True, True, True, True, False, False, False, False, False, False, True]
    assert norm[1] == "2614" and norm[2] == "17" and name[0] == "化学原料和化学制品制造业"


def test_divisions_table():
    t = industries.divisions()
    assert len(t) == 97 and t["code"].is_unique and set(t["section"]) <= set(industries.SECTIONS)
    assert industries.section_of()["26"] == "C" and industries.name_of()["44"] == "电力、热力生产和供应业"


def test_access_list_with_alias_bomb_is_refused(tmp_path):
    """Nine levels of nested aliases ("billion laughs") are refused before anything walks them."""
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 8):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("rules: [" + ", ".join(["*a7"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(HnGeoError) as err:
        read_rules_file(path)
    assert err.value.code == "zoning.rules_not_yaml" and str(err.value.path) == str(path)
    assert "refused" in str(err.value)
    # a few aliases are fine
    path.write_text("x: &x [1, 2]\nrules: {y: *x}\n", encoding="utf-8")
    assert read_rules_file(path)["rules"] == {"y": [1, 2]}
