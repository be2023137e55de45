"""`kehu bench` end to end on a tiny dataset: a real `kehu serve`, every scenario measured,
every figure present, and not one error from the server."""

from __future__ import annotations

import json

from django.core.management import call_command


def test_a_tiny_run_measures_every_scenario_without_errors(tmp_path, capsys):
    # when
    call_command("bench", "--size", "tiny", "--out", str(tmp_path), "--seed", "3")
    # then
    [json_file] = tmp_path.glob("bench-*-sqlite-tiny.json")
    result = json.loads(json_file.read_text())
    assert (tmp_path / json_file.name.replace(".json", ".md")).exists()
    assert result["dataset"]["rows"]["customers"] == 200
    assert result["machine"]["cpus"] >= 1 and result["database"]["vendor"] == "sqlite"
    assert "commit" in result["git"]

    names = {s["name"] for s in result["scenarios"]}
    assert {"api_list_first", "api_list_deep", "api_list_filtered", "api_search_cjk",
            "api_search_phone4", "api_search_email", "api_detail", "html_list_first",
            "html_search_cjk", "html_detail", "api_kanban", "html_kanban",
            "api_stage_move", "html_dashboard", "api_dashboard", "api_funnel",
            "api_forecast", "api_report"} <= names
    for scenario in result["scenarios"]:
        assert scenario["available"], (scenario["name"], scenario["reason"])
        assert [lv["concurrency"] for lv in scenario["levels"]] == [1, 4]
        for level in scenario["levels"]:
            assert level["requests"] > 0
            for figure in ("p50_ms", "p95_ms", "p99_ms", "rps"):
                assert level[figure] is not None and level[figure] > 0

    by_name = {s["name"]: s for s in result["scenarios"]}
    for name in ("api_list_first", "api_list_deep", "api_search_cjk", "api_search_phone4",
                 "api_search_email"):
        assert all(by_name[name]["probe_items"]), name  # real queries find real customers

    errors = result["errors"]
    assert errors["non_2xx"] == 0 and errors["failures"] == 0 and errors["probe_5xx"] == 0
    assert errors["server_5xx"] == 0 and errors["server_error_lines"] == 0
    assert errors["requests_logged"] > 0

    memory = result["server"]["memory"]
    assert memory["peak_rss_mib"] >= memory["idle_rss_mib"] > 50
    assert {p["role"] for p in memory["processes"]} >= {"serve", "gunicorn", "jobs"}

    verdicts = {t["key"]: t["status"] for t in result["targets"]}
    assert verdicts["search"] in ("met", "missed") and verdicts["detail"] in ("met", "missed")
    assert verdicts["kanban"] in ("met", "missed") and verdicts["import"] in ("met", "missed")
    assert verdicts["stage_move"] in ("met", "missed") and verdicts["assign"] in ("met", "missed")
    assert verdicts["dashboard"] in ("met", "missed") and verdicts["report"] in ("met", "missed")
    assert result["assign"]["assigned"] == result["assign"]["leads"] == 10_000
    imported = result["import"]
    assert imported["csv"]["created"] + imported["csv"]["skipped"] + imported["csv"][
        "rejected"] == imported["rows"] == 300
    # the same rows in either format get the same verdicts
    assert imported["xlsx"]["created"] == imported["csv"]["created"] > 250
    assert imported["csv"]["ratio_to_raw"] > 1 and imported["raw"]["rows_per_s"] > 0
    assert "| api_search_cjk | 1 |" in capsys.readouterr().out


def test_a_tiny_soak_reports_windows_without_errors(tmp_path):
    # when
    call_command("bench", "--size", "tiny", "--out", str(tmp_path), "--seed", "3",
                 "--soak", "0.1")
    # then
    [json_file] = tmp_path.glob("bench-*-sqlite-tiny-soak.json")
    soaked = json.loads(json_file.read_text())["soak"]
    assert len(soaked["windows"]) == 3 and soaked["requests"] > 0
    assert soaked["errors"] == 0, [w["failure_samples"] for w in soaked["windows"]]
    assert soaked["rss_last_mib"] > 50 and soaked["p99_drift_percent"] is not None
