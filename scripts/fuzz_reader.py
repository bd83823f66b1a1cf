"""A structure-aware mutation fuzzer for xlperf's reader, import and merge.

    python scripts/fuzz_reader.py --cases 10000 --seed 1            # outcome counts
    python scripts/fuzz_reader.py --cases 500 --seed 7 --keep bad/  # keep the bad cases as files

Each case takes a real workbook (the bundled samples, the blank template, the template
filled with openpyxl) and applies one to three mutations that know the format: to an
XML part (elements duplicated, deleted or nested a hundred thousand deep, attributes
removed or set to hostile values -- far cell references, bad relationship targets,
huge counts, NaN --, namespace prefixes, DTDs, comments, entities, escapes, text
replaced, truncation) or to the zip (parts renamed in case or with ``\\``, duplicated,
dropped, stored instead of deflated; bytes of the directory flipped; a second end
record; the file cut short). The case is read by
:func:`xlperf.readers.xlsx.read_workbook_bytes` and, when readable, imported whole as
``xlperf import`` does (:func:`xlperf.importer.import_bytes`: forms, review, the
findings cap), serialised as the canonical JSON, and flattened into the Arrow record
batches a merge worker spools (:mod:`xlperf.consolidate.flatten`), in a
:class:`xlperf.isolation.ContainedRunner` worker (1 GiB address space, ``--time-limit``
seconds). Every ``--merge-every`` cases, the last ``--merge-size`` of them are merged
(:func:`xlperf.consolidate.merge.consolidate`, contained workers) and written as a
workbook, Parquet and CSV.

Outcomes: ``read`` (a workbook came back and went through import, JSON and
flattening), ``refused:<code>`` (an :class:`~xlperf.errors.UnreadableWorkbook` or a
``not-a-target-form`` refusal with a message naming the file). Anything else is a
defect and makes the exit code 1: ``exception`` (anything else raised),
``internal-error`` (a ``file-broken`` that is an unexpected exception turned into a
message), ``layout-exception`` (the form reader raised on a readable workbook:
``import-failed``), ``bad-unicode`` (a lone surrogate in a sheet name, a cell or a
finding), ``pipeline-exception`` (the JSON or the merge's flattening raised), ``crashed``
(the worker died: a native abort or the memory cap), ``hang`` (past the time limit),
``merge-exception`` (a merge or one of its outputs raised; counted per merge, next to
``merged``). The mutations are a function of ``--seed`` and the case number only.
"""

from __future__ import annotations

import argparse
import io
import random
import re
import sys
import tempfile
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HOSTILE_VALUES = [
    "XFD1048576", "xfd1048576", "A0", "A1048577", "XFE1", "$A$1", "A99999999999", "", "-1", "0", "1", "99999999999",
    "1e999", "NaN", "inf", "-0", "1.5", " 7 ", "4294967297", "18446744073709551617", "s", "str", "inlineStr", "e", "b",
    "d", "n", "x", "rId1", "rId999", "../../x.xml", "/evil/workbook.xml", "xl\\worksheets\\sheet1.xml",
    "worksheets/sheet&#49;.xml", "http://example.invalid/x.xml", "%2e%2e/x.xml", "_xD800_", "_x0000_", "_x001B_[31m",
    "true", "hidden", "veryHidden", "1904", "A1:XFD1048576", "B2:A1", "1:1048576", "&amp;", "\u202e", "项目名称",
]
TEXTS = ["1e308", "1e999", "-5", "NaN", "=HYPERLINK(\"http://x\",\"y\")", "_xD800_", "_xDFFF__x0041_", "１２３",
         "\u00a0\u200b", "2,8505", "45678", "60", "-1", "99999999999999999999", "", " ", "#DIV/0!", "长" * 5000]
ATTRS = ["r", "t", "s", "r:id", "Id", "Target", "Type", "name", "state", "hidden", "min", "max", "ref", "count",
         "uniqueCount", "numFmtId", "date1904", "TargetMode", "spans"]
_ELEMENT_RE = re.compile(rb"<([A-Za-z][\w:.-]{0,40})(?:\s[^<>]{0,400})?(?:/>|>[^<]{0,400}</\1>)")
_START_RE = re.compile(rb"<([A-Za-z][\w:.-]{0,40})[\s/>]")
_ATTR_RE = re.compile(rb'\s([A-Za-z][\w:.-]{0,30})="([^"<>]{0,200})"')
_TEXT_RE = re.compile(rb">([^<>]{1,200})</")

Parts = list[tuple[str, bytes]]


def seed_workbooks() -> list[bytes]:
    """The real workbooks mutations start from."""
    import openpyxl

    from xlperf.writers.template import write_template

    seeds = [p.read_bytes() for p in sorted((ROOT / "samples").glob("*.xlsx"))]
    with tempfile.TemporaryDirectory() as tmp:
        blank = Path(tmp) / "blank.xlsx"
        write_template(str(blank), year=2026, projects=2)
        seeds.append(blank.read_bytes())
        wb = openpyxl.load_workbook(blank)
        fills = {"项目名称": "法律援助项目", "项目年度金额": 31.9, "主管部门": "某县司法局"}
        for ws in wb.worksheets:
            for row in ws.iter_rows(max_row=40, max_col=6):
                for c in row:
                    target = ws.cell(c.row, c.column + 1)
                    if c.value in fills and not isinstance(target, openpyxl.cell.cell.MergedCell):
                        target.value = fills[c.value]
        filled = Path(tmp) / "filled.xlsx"
        wb.save(filled)
        seeds.append(filled.read_bytes())
    return seeds


def _parts(data: bytes) -> Parts:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i.filename, z.read(i)) for i in z.infolist()]


def _zip(parts: Parts, method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buf, "w", method) as z:
        warnings.simplefilter("ignore")  # duplicate names are one of the mutations
        for name, data in parts:
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), data, compress_type=method)
    return buf.getvalue()


def _pick_xml(parts: Parts, rng: random.Random) -> int:
    """An XML part, sheets and relationships more often (they steer the reader)."""
    xml = [i for i, (n, _d) in enumerate(parts) if n.endswith((".xml", ".rels"))]
    weighted = [i for i in xml for _ in range(3 if ("sheet" in parts[i][0] or parts[i][0].endswith(".rels")) else 1)]
    return rng.choice(weighted or [0])


# -- XML mutations: (data, rng) -> data ----------------------------------------------------------
def _element(data: bytes, rng: random.Random) -> re.Match[bytes] | None:
    matches = list(_ELEMENT_RE.finditer(data, rng.randrange(max(1, len(data)))))[:50] or list(_ELEMENT_RE.finditer(data))[:50]
    return rng.choice(matches) if matches else None


def dup_element(data: bytes, rng: random.Random) -> bytes:
    m = _element(data, rng)
    return data if m is None else data[:m.end()] + m.group(0) * rng.choice([1, 2, 1000]) + data[m.end():]


def drop_element(data: bytes, rng: random.Random) -> bytes:
    m = _element(data, rng)
    return data if m is None else data[:m.start()] + data[m.end():]


def set_attr(data: bytes, rng: random.Random) -> bytes:
    matches = list(_ATTR_RE.finditer(data))
    if not matches:
        return data
    m = rng.choice(matches)
    value = rng.choice(HOSTILE_VALUES).replace("&", "&amp;") if rng.random() < 0.7 else rng.choice(HOSTILE_VALUES)
    return data[:m.start(2)] + value.encode() + data[m.end(2):]


def drop_attr(data: bytes, rng: random.Random) -> bytes:
    matches = [m for m in _ATTR_RE.finditer(data) if rng.random() < 0.3 or m.group(1) in (b"r", b"t", b"r:id", b"Id")]
    if not matches:
        return data
    m = rng.choice(matches)
    return data[:m.start()] + data[m.end():]


def add_attr(data: bytes, rng: random.Random) -> bytes:
    matches = list(_START_RE.finditer(data))
    if not matches:
        return data
    m = rng.choice(matches)
    at = m.start(1) + len(m.group(1))
    attr = f' {rng.choice(ATTRS)}="{rng.choice(HOSTILE_VALUES).replace("&", "&amp;")}"'.encode()
    return data[:at] + attr + data[at:]


def prefix_tags(data: bytes, rng: random.Random) -> bytes:
    prefix = rng.choice([b"x", b"y" * 70, b"ns0"])
    tag = rng.choice([b"c", b"row", b"v", b"sheet", b"Relationship", b"si", b"t", b"mergeCell"])
    out = re.sub(rb"<(/?)" + tag + rb"([\s/>])", b"<\\1" + prefix + b":" + tag + b"\\2", data)
    if rng.random() < 0.6:  # declare the prefix (as the main namespace or another)
        ns = rng.choice([b"http://schemas.openxmlformats.org/spreadsheetml/2006/main", b"urn:other"])
        out = _START_RE.sub(lambda m: m.group(0)[:-1] + b" xmlns:" + prefix + b'="' + ns + b'"' + m.group(0)[-1:], out, count=1)
    return out


def replace_text(data: bytes, rng: random.Random) -> bytes:
    matches = list(_TEXT_RE.finditer(data))
    if not matches:
        return data
    m = rng.choice(matches)
    text = rng.choice(TEXTS).replace("&", "&amp;").replace("<", "&lt;").encode()
    return data[:m.start(1)] + text + data[m.end(1):]


def insert_markup(data: bytes, rng: random.Random) -> bytes:
    junk = rng.choice([b"<!-- x -->", b"<?pi x?>", b"<![CDATA[<c r=\"A1\"/>]]>", b"&#xD800;", b"&bogus;", b"&#0;",
                       b"<!DOCTYPE x [<!ENTITY a \"aaaa\">]>", b"<x:c/>", b"<c/>" * 5000, b"<row/>" * 2000, b"\x00",
                       b"\xff\xfe", "中".encode("gbk")])
    at = rng.randrange(len(data) + 1)
    return data[:at] + junk + data[at:]


def nest_deep(data: bytes, rng: random.Random) -> bytes:
    m = _element(data, rng)
    if m is None:
        return data
    depth = rng.choice([100, 100_000])
    tag = rng.choice([b"r", b"c", b"row", b"x:y"])
    return data[:m.start()] + b"<" + tag + b">" * 1 + (b"<" + tag + b">") * (depth - 1) + m.group(0) \
        + (b"</" + tag + b">") * depth + data[m.end():]


def truncate_part(data: bytes, rng: random.Random) -> bytes:
    return data[:rng.randrange(len(data) + 1)]


def flip_bytes(data: bytes, rng: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rng.choice([1, 3, 20])):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def re_encode(data: bytes, rng: random.Random) -> bytes:
    if rng.random() < 0.5:
        return b"\xef\xbb\xbf" + data
    try:
        return data.decode("utf-8").encode("utf-16")
    except UnicodeDecodeError:
        return data


XML_MUTATIONS: list[Callable[[bytes, random.Random], bytes]] = [
    dup_element, drop_element, set_attr, set_attr, drop_attr, add_attr, prefix_tags, replace_text, replace_text,
    insert_markup, nest_deep, truncate_part, flip_bytes, re_encode,
]


# -- zip mutations: (parts, rng) -> parts | bytes ---------------------------------------------------
def rename_part(parts: Parts, rng: random.Random) -> Parts:
    i = rng.randrange(len(parts))
    name, data = parts[i]
    new = rng.choice([name.upper(), name.replace("/", "\\"), "/" + name, name + "x", name.replace("sheet", "Sheet")])
    return parts[:i] + [(new, data)] + parts[i + 1:]


def dup_part(parts: Parts, rng: random.Random) -> Parts:
    i = rng.randrange(len(parts))
    name, data = parts[i]
    twin = rng.choice([name, name.upper(), name.replace("/", "\\")])
    return parts + [(twin, rng.choice([data, data[: len(data) // 2], b"<worksheet/>"]))]


def drop_part(parts: Parts, rng: random.Random) -> Parts:
    i = rng.randrange(len(parts))
    return parts[:i] + parts[i + 1:]


def raw_damage(data: bytes, rng: random.Random) -> bytes:
    """Damage the zip itself: flip bytes (in the directory more often), cut it short,
    add a second end record or junk."""
    out = bytearray(data)
    choice = rng.randrange(5)
    if choice == 0:
        cd = data.rfind(b"PK\x01\x02")
        for _ in range(rng.choice([1, 4])):
            lo = cd if cd > 0 and rng.random() < 0.7 else 0
            out[rng.randrange(lo, len(out))] = rng.randrange(256)
    elif choice == 1:
        del out[rng.randrange(len(out)):]
    elif choice == 2:
        eocd = data.rfind(b"PK\x05\x06")
        out += data[eocd:] if eocd >= 0 else b""
    elif choice == 3:
        out[:0] = b"MZ" + bytes(rng.randrange(256) for _ in range(30))
    else:
        out += bytes(rng.randrange(256) for _ in range(rng.choice([10, 5000])))
    return bytes(out)


def mutate(seed: bytes, rng: random.Random) -> bytes:
    """One fuzz case from *seed*: one to three mutations (see module docstring)."""
    parts = _parts(seed)
    method = zipfile.ZIP_DEFLATED
    raw = False
    for _ in range(rng.choice([1, 1, 2, 3])):
        kind = rng.random()
        if kind < 0.7:
            i = _pick_xml(parts, rng)
            name, data = parts[i]
            parts[i] = (name, rng.choice(XML_MUTATIONS)(data, rng))
        elif kind < 0.9:
            parts = rng.choice([rename_part, dup_part, drop_part])(parts, rng) or parts
        elif kind < 0.95:
            method = zipfile.ZIP_STORED
        else:
            raw = True
    if not parts:
        return b""
    try:
        data = _zip(parts, method)
    except (ValueError, UnicodeError):
        data = _zip(parts[:1], method)
    return raw_damage(data, rng) if raw else data


# -- running a case -------------------------------------------------------------------------------
def _bad_text(text: object) -> bool:
    return isinstance(text, str) and any(0xD800 <= ord(ch) <= 0xDFFF for ch in text)


def check_case(data: bytes) -> str:
    """The outcome of one case (run in a contained worker; see module docstring)."""
    from xlperf.consolidate.flatten import batches_of, flatten
    from xlperf.errors import UnreadableWorkbook
    from xlperf.importer import import_bytes
    from xlperf.readers.xlsx import read_workbook_bytes

    try:
        wb = read_workbook_bytes(data, "fuzz.xlsx")
    except UnreadableWorkbook as exc:
        if "读取时出错" in exc.message:
            return f"internal-error:{exc.message_en[:160]}"
        if not exc.message or exc.path != "fuzz.xlsx":
            return "exception:refusal without message or path"
        return f"refused:{exc.code}"
    except Exception as exc:  # noqa: BLE001 - exactly what the fuzzer looks for
        return f"exception:{type(exc).__name__}: {str(exc)[:160]}"
    for sheet in wb.sheets:
        if _bad_text(sheet.name) or any(_bad_text(v) for v in sheet.cells.values()):
            return "bad-unicode"
    if any(_bad_text(f.message) or _bad_text(f.text) for f in wb.findings):
        return "bad-unicode"
    result = import_bytes(data, "fuzz.xlsx")
    if result.error is not None:
        if result.error.code == "import-failed":
            return f"layout-exception:{result.error.message_en[:160]}"
        return f"refused:{result.error.code}"
    if any(_bad_text(f.message) or _bad_text(f.text) for f in result.report.findings):
        return "bad-unicode"
    try:
        result.submission.model_dump_json()  # type: ignore[union-attr]
        batches_of(flatten(result), "fuzz.xlsx")
    except Exception as exc:  # noqa: BLE001
        return f"pipeline-exception:{type(exc).__name__}: {str(exc)[:160]}"
    return "read"


def merge_cases(datas: list[bytes]) -> str:
    """Merge *datas* (written as files) and write every output: ``merged`` or
    ``merge-exception:...``."""
    from xlperf.consolidate.merge import consolidate
    from xlperf.consolidate.tables import SOURCES
    from xlperf.writers.outputs import FORMATS

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for i, data in enumerate(datas):
            (src / f"case{i:04d}.xlsx").write_bytes(data)
        try:
            with consolidate([str(src)], workers=2, memory_limit=1 << 30, time_limit=20) as result:
                for fmt in FORMATS:  # the review copies (--annotate) have their own isolation and report
                    if fmt.name != "annotate":
                        fmt.write(result, str(Path(tmp) / ("out.xlsx" if fmt.target == "file" else fmt.name)))
                if result.count(SOURCES) != len(datas):
                    return "merge-exception:a case is missing from 来源"
        except Exception as exc:  # noqa: BLE001
            return f"merge-exception:{type(exc).__name__}: {str(exc)[:160]}"
    return "merged"


BAD = ("exception", "internal-error", "layout-exception", "bad-unicode", "pipeline-exception", "crashed", "hang",
       "merge-exception")


def run(cases: int, seed: int, *, workers: int = 2, time_limit: float = 10.0, keep: Path | None = None,
        progress: bool = False, merge_every: int = 1000, merge_size: int = 20) -> Counter[str]:
    """Run *cases* cases from *seed*; outcome counts (``refused:*`` and the defects keep
    their detail; see :data:`BAD`). Every *merge_every* cases the last *merge_size* are
    merged (``merged`` / ``merge-exception`` counts; 0: no merge). Bad cases are written
    to *keep* when given."""
    from xlperf.importer import prepare_batch
    from xlperf.isolation import ContainedRunner

    seeds = seed_workbooks()
    datas = []
    for n in range(cases):
        rng = random.Random(f"{seed}:{n}")
        datas.append(mutate(rng.choice(seeds), rng))
    counts: Counter[str] = Counter()
    with ContainedRunner(workers=workers, memory_limit=1 << 30, time_limit=time_limit, prepare=prepare_batch) as runner:
        for done, outcome in enumerate(runner.map(check_case, datas), 1):
            if outcome.timed_out:
                result = "hang"
            elif outcome.crashed:
                result = "crashed"
            elif outcome.failure is not None:
                result = f"exception:{outcome.failure[:160]}"
            else:
                result = str(outcome.value)
            counts[result] += 1
            if keep is not None and result.startswith(BAD):
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"case-{seed}-{outcome.index}.xlsx").write_bytes(datas[outcome.index])
            if progress and done % 1000 == 0:
                print(f"  {done} cases ...", file=sys.stderr)
    for end in range(merge_every, cases + 1, merge_every) if merge_every else ():
        batch = datas[max(0, end - merge_size):end]
        result = merge_cases(batch)
        counts[result] += 1
        if keep is not None and result.startswith(BAD):
            for i, data in enumerate(batch):
                keep.mkdir(parents=True, exist_ok=True)
                (keep / f"merge-{seed}-{end}-{i}.xlsx").write_bytes(data)
    return counts


def summary(counts: Counter[str]) -> dict[str, int]:
    """Counts by class: ``read``, ``refused`` (all codes) and each defect class."""
    out: Counter[str] = Counter()
    for key, n in counts.items():
        out[key.split(":", 1)[0]] += n
    return dict(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="xlperf reader fuzzer (see module docstring)")
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--time-limit", type=float, default=10.0, help="seconds per case before it counts as a hang")
    ap.add_argument("--keep", type=Path, help="write the defect cases here")
    ap.add_argument("--merge-every", type=int, default=1000, help="merge a batch of cases every N cases (0: never)")
    ap.add_argument("--merge-size", type=int, default=20, help="cases per merge")
    args = ap.parse_args(argv)
    counts = run(args.cases, args.seed, workers=args.workers, time_limit=args.time_limit, keep=args.keep, progress=True,
                 merge_every=args.merge_every, merge_size=args.merge_size)
    print(f"{args.cases} cases, seed {args.seed}")
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        print(f"{n:>7}  {key}")
    classes = summary(counts)
    print("by class:", ", ".join(f"{k} {v}" for k, v in sorted(classes.items())))
    return 1 if any(k in BAD for k in classes) else 0


if __name__ == "__main__":
    sys.exit(main())
