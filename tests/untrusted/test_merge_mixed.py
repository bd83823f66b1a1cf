"""xlperf merge over a folder mixing the five samples with every bad file of the suite:
every good submission is consolidated, every bad file is listed in 来源 and 问题 with its
reason, and the batch never stops."""

from __future__ import annotations

import shutil
from pathlib import Path

from badfiles import CASES
from helpers import SAMPLES

from xlperf.consolidate.merge import consolidate

# the same bytes as legacy.xls (real-xls, built by the same builder): found duplicate, not failed
DUPLICATES = {"xls-renamed-xlsx", "wps-et"}


def test_merge_mixed_folder(tmp_path: Path) -> None:
    folder = tmp_path / "submissions"
    folder.mkdir()
    for sample in SAMPLES.glob("*.xlsx"):
        shutil.copy(sample, folder / sample.name)
    shutil.copy(SAMPLES / "manifest.csv", folder / "manifest.csv")
    for case in CASES:
        case.build(folder / case.filename)
    result = consolidate([str(folder)], workers=2)
    src = result.sources.set_index(result.sources["文件"].map(lambda p: Path(p).name))
    # every sample consolidated, with the manifest's region and year
    for sample in SAMPLES.glob("*.xlsx"):
        assert src.loc[sample.name, "状态"] == "imported", sample.name
    assert {"乐亭县", "增城区", "彭阳县", "红寺堡区"} <= set(result.projects["县(区)"].dropna())
    assert len(result.projects[result.projects["县(区)"] == "红寺堡区"]) == 24
    # every bad file listed with its reason: unreadable ones failed, with their code in 问题
    findings = result.findings.assign(name=result.findings["文件"].map(lambda p: Path(p).name if p else ""))
    for case in CASES:
        row = src.loc[case.filename]
        codes = set(findings.loc[findings["name"] == case.filename, "代码"])
        if case.name in DUPLICATES:
            assert row["状态"] == "duplicate", case.name
            assert "sha256" in row["原因"] or "相同" in row["原因"], case.name
            assert "submission-duplicate" in codes
        elif case.exit_code == 2:
            assert row["状态"] == "failed", case.name
            assert row["原因"], case.name
            assert case.code in codes, (case.name, codes)
        else:
            assert row["状态"] in ("imported", "replaced"), case.name
            if case.code:
                assert case.code in codes, (case.name, codes)
    assert len(src) == len(CASES) + 5
    assert result.exit_code == 2
