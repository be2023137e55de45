"""An admin's first import and first look at the figures, in a real browser against
`kehu serve`: a GBK CSV from Chinese Excel goes through upload, mapping and the background job;
the rejected row comes back in the downloadable report with its reason; the manager's
dashboard draws its charts and every funnel figure opens the list it counts."""

import csv
import io
import re
from pathlib import Path

import pytest

from tests.e2e.conftest import login

pytestmark = pytest.mark.e2e

GBK_CSV = (
    "客户名称,手机,邮箱,省份\r\n"
    "端到端导入甲有限公司,13911110001,info@jia-daoru.example.cn,广东省\r\n"
    ",13911110002,wuming@bing-daoru.example.cn,浙江省\r\n"
    "端到端导入乙有限公司, 139 1111 0003 ,info@yi-daoru.example.cn,江苏省\r\n"
).encode("gbk")


def test_admin_imports_a_gbk_csv_and_reads_the_rejected_row_in_the_report(page):
    login(page, "admin@demo.kehu.local")
    page.goto("/customers/import/new/")
    page.set_input_files("input[name=file]", files=[
        {"name": "客户名单.csv", "mimeType": "text/csv", "buffer": GBK_CSV}])
    page.locator("main form button[type=submit]").click()

    # the mapping page read the file as GBK and guessed every column from its Chinese name
    mapping = page.locator("[data-testid=mapping]")
    mapping.wait_for()
    assert "客户名称" in mapping.inner_text()  # read as GBK: the header is legible
    assert page.locator("select.mapping-select").nth(0).input_value() == "name"
    assert page.locator("select.mapping-select").nth(1).input_value() == "phone"
    page.locator("[data-testid=start-import]").click()

    # the job runs in the background consumer; the page follows its progress
    page.locator("[data-testid=import-status]", has_text="完成").wait_for(timeout=60_000)
    assert page.locator("[data-testid=created]").inner_text() == "2"
    assert page.locator("[data-testid=rejected]").inner_text() == "1"

    with page.expect_download() as download_info:
        page.locator("[data-testid=report]").click()
    report = download_info.value
    text = Path(report.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["客户名称", "手机", "邮箱", "省份", "行号", "原因"]
    assert len(rows) == 2
    rejected = rows[1]
    assert rejected[1:4] == ["13911110002", "wuming@bing-daoru.example.cn", "浙江省"]
    assert rejected[4] == "3"  # its row in the file, counting the header
    assert "客户名称" in rejected[5]  # the reason names the field

    page.goto("/customers/?q=端到端导入")
    names = page.locator("#customer-results td.name-cell").all_inner_texts()
    assert sorted(n.strip() for n in names) == ["端到端导入乙有限公司", "端到端导入甲有限公司"]


def test_manager_dashboard_draws_its_charts_and_figures_open_their_records(page):
    login(page, "admin@demo.kehu.local")
    dashboard = page.locator("[data-testid=team-dashboard]")
    dashboard.wait_for()
    # ECharts (served from /static/vendor) draws an SVG into each chart box
    page.locator("[data-chart=home-funnel-chart] svg").wait_for()
    page.locator("[data-chart=home-forecast-chart] svg").wait_for()
    assert re.search(r"\d\d:\d\d", dashboard.locator("[data-testid=as-of]").inner_text())

    page.goto("/analytics/?period=year")
    figures = page.locator("[data-testid=funnel-figures]")
    created = int(figures.locator("[data-testid=created] .value").inner_text())
    assert 0 < created <= 50  # the demo creates deals all year round; one page of the list
    figures.locator("[data-testid=created]").click()
    page.locator("[data-testid=drill-down-note]").wait_for()
    assert page.locator("[data-testid=opportunities] tbody .name-cell").count() == created
