"""Page checksums: one flipped bit in a final file or a block part is refused, never read as data."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from faults import FAIL_ENV as TEST_FAIL_ENV

from analysis.results import load_results
from analysis.summary import summarise_file
from hedgesim.cli import main
from sim.contract.errors import ResultsError

SCENARIO = """\
name: tiny
steps: 12
replications: 12
seed: 4
levels:
  us_pressure: 0.4
  china_coercion: 0.4
  nk_provocation: 0.4
classification:
  final_window: 6
"""
FAST = ["--backend", "inprocess", "--quiet"]
COLUMN = "security_index"


def flip_bit_in_values(path: Path, column: str = COLUMN) -> None:
    """Flip one bit among the float values of ``column`` (first row group) of a Parquet file.

    The values of a dictionary-encoded column live in its dictionary page, which runs from
    ``dictionary_page_offset`` to ``data_page_offset``: its middle is past the page header. Without
    a dictionary the values are in the data page, a few bytes past its header.
    """
    file = pq.ParquetFile(path)
    chunk = file.metadata.row_group(0).column(file.schema_arrow.names.index(column))
    if chunk.has_dictionary_page:
        offset = (chunk.dictionary_page_offset + chunk.data_page_offset) // 2
    else:
        offset = chunk.data_page_offset + 40
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x10
    path.write_bytes(bytes(data))


def assert_silently_wrong_without_checksums(original: pd.DataFrame, path: Path) -> None:
    """The flip is the dangerous kind: read without verification, the file gives other numbers."""
    unverified = pq.read_table(path, page_checksum_verification=False).to_pandas()
    changed = (unverified[COLUMN] != original[COLUMN]).sum()
    assert changed == 1
    assert unverified.drop(columns=COLUMN).equals(original.drop(columns=COLUMN))


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    path.write_text(SCENARIO)
    return path


def test_flipped_bit_in_runs_parquet_is_refused(
    tmp_path: Path, scenario: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), *FAST]) == 0
    runs = out / "runs.parquet"
    original = pd.read_parquet(runs)
    flip_bit_in_values(runs)
    assert_silently_wrong_without_checksums(original, runs)
    capsys.readouterr()

    assert main(["plot", str(out)]) == 2
    line = one_line_error(capsys)
    assert line.startswith(f"{runs}: cannot read Parquet:") and "checksum" in line.lower()
    with pytest.raises(ResultsError, match="checksum") as caught:
        load_results(out)
    assert len(str(caught.value).splitlines()) == 1
    with pytest.raises(ResultsError, match="checksum"):  # the batched reader behind summary.csv
        summarise_file(runs, [COLUMN])  # carrying the column over makes it read its pages


def test_flipped_bit_in_a_block_part_is_redone_on_resume(
    tmp_path: Path,
    scenario: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out, clean = tmp_path / "out", tmp_path / "clean"
    args = ["run", str(scenario), "--out", str(out), "--block-size", "4", *FAST]
    monkeypatch.setenv(TEST_FAIL_ENV, "1")
    assert main(args) == 1  # blocks 0 and 2 finished: their parts wait under parts/
    monkeypatch.delenv(TEST_FAIL_ENV)
    part = out / "parts" / "block-000000.zip"
    size = part.stat().st_size
    with zipfile.ZipFile(part) as archive:  # the block's runs table, as a member of its part file
        members = {name: archive.read(name) for name in archive.namelist()}
    runs, saved = tmp_path / "runs.parquet", tmp_path / "saved.parquet"
    runs.write_bytes(members["runs.parquet"])
    shutil.copy(runs, saved)
    flip_bit_in_values(runs)
    assert_silently_wrong_without_checksums(pd.read_parquet(saved), runs)
    members["runs.parquet"] = runs.read_bytes()
    with zipfile.ZipFile(part, "w") as archive:  # a fresh CRC-32: only the page checksum can tell
        for name, data in members.items():
            archive.writestr(name, data)
    assert part.stat().st_size == size
    capsys.readouterr()

    assert main([*args, "--resume"]) == 2  # block 1 runs; compaction finds block 0 corrupt
    line = one_line_error(capsys)
    assert line.startswith(f"{part}: corrupt block part") and "--resume" in line
    assert not (out / "runs.parquet").exists()

    assert main([*args, "--resume"]) == 0  # block 0 is recomputed
    assert main(["run", str(scenario), "--out", str(clean), *FAST]) == 0
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "runs.parquet"),
        pd.read_parquet(clean / "runs.parquet"),
        check_exact=True,
    )
