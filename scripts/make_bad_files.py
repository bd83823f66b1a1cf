"""Write the untrusted-submission suite as files: one bad file per case, into a folder.

    python scripts/make_bad_files.py OUT_DIR

Each file is built by the same generator the tests use (``tests/untrusted/badfiles.py``),
so what a consolidator sees here is exactly what the suite checks: billion laughs,
external entities, a real 1 GB zip bomb (1 MB on disk), a stray cell at XFD1048576,
encrypted .xlsx, real .xls, HTML / CSV renamed .xlsx, truncated zips, broken parts,
formula-injection strings, hidden rows, full-width digits ... ``OUT_DIR/cases.tsv``
lists file, case, the finding ``xlperf import`` must report and its exit code.
Mix the folder with the samples to try ``xlperf merge`` on the worst a county can send.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "untrusted"))

from badfiles import CASES  # noqa: E402 - the builders live with the tests that check them


def write_bad_files(out_dir: Path) -> list[Path]:
    """Build every case into *out_dir* (created if needed) and write ``cases.tsv``.
    Returns the files written, in case order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    lines = ["file\tcase\texpected_finding\texpected_exit_code"]
    for case in CASES:
        written.append(case.build(out_dir / case.filename))
        lines.append(f"{case.filename}\t{case.name}\t{case.code or '-'}\t{case.exit_code}")
    (out_dir / "cases.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> int:
    """Command line entry: ``make_bad_files.py OUT_DIR``."""
    parser = argparse.ArgumentParser(description="Write one bad file per case of the untrusted suite into OUT_DIR.")
    parser.add_argument("out_dir", type=Path, help="folder to write the files into (created if missing)")
    args = parser.parse_args(argv)
    files = write_bad_files(args.out_dir)
    print(f"wrote {len(files)} files and cases.tsv into {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
