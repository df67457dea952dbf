"""Memory of reading a large .xlsx: peak RSS of a fresh child process that reads it.

    uv run python bench/bench_xlsx.py            # ~100 MB workbook (generated once, cached)
    uv run python bench/bench_xlsx.py --mb 25    # smaller, quicker

The workbook (UCI-like order lines: numbers, shared strings, Excel serial dates) is written
directly as SpreadsheetML into a temp dir and reused on later runs. Each measurement runs in a
fresh child (``resource.getrusage`` peak RSS), so imports and the file's bytes are counted the
same way: ``bytes only`` is the floor (Python + imports + the file read into memory);
``ecomdash read_bytes`` is our reader (header, title rows, all cells as text columns);
``calamine sheet load only`` is what python-calamine holds for one sheet (it has no lazy
row reader: a sheet is loaded whole into Rust memory); ``openpyxl read_only`` is the reference streaming reader (rows counted, nothing kept).
Prints rows, seconds and peak MB, and ours / floor as a ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROWS_PER_MB = 34_000  # measured: ~34k rows of 8 cells per MB of compressed workbook

_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Orders" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
    "</Relationships>"
)
HEADER = [
    "Invoice",
    "StockCode",
    "Description",
    "Quantity",
    "InvoiceDate",
    "Price",
    "Customer ID",
    "Country",
]


def write_xlsx(path: Path, rows: int) -> None:
    products = [f"P{i:05d}" for i in range(4000)]
    names = [f"PRODUCT NAME {i} WITH SOME WORDS" for i in range(4000)]
    countries = ["United Kingdom", "France", "Germany", "EIRE", "Spain", "Netherlands"]
    strings = [*HEADER, *products, *names, *countries]
    idx = {s: i for i, s in enumerate(strings)}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("[Content_Types].xml", _CT)
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        sst = "".join(f"<si><t>{s}</t></si>" for s in strings)
        zf.writestr(
            "xl/sharedStrings.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="http://schemas.'
            f'openxmlformats.org/spreadsheetml/2006/main" count="{len(strings)}" '
            f'uniqueCount="{len(strings)}">{sst}</sst>',
        )
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http:'
                b'//schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
            )
            head = "".join(f'<c t="s"><v>{idx[h]}</v></c>' for h in HEADER)
            fh.write(f'<row r="1">{head}</row>'.encode())
            buf = []
            for r in range(rows):
                p = (r * 7919) % 4000
                buf.append(
                    f'<row r="{r + 2}"><c><v>{489434 + r // 4}</v></c>'
                    f'<c t="s"><v>{idx[products[p]]}</v></c><c t="s"><v>{idx[names[p]]}</v></c>'
                    f"<c><v>{1 + r % 24}</v></c><c><v>{40148.3 + r / 2000:.5f}</v></c>"
                    f"<c><v>{0.5 + (r % 97) / 10:.2f}</v></c><c><v>{12346 + r % 5000}</v></c>"
                    f'<c t="s"><v>{idx[countries[r % 6]]}</v></c></row>'
                )
                if len(buf) == 20_000:
                    fh.write("".join(buf).encode())
                    buf.clear()
            fh.write("".join(buf).encode())
            fh.write(b"</sheetData></worksheet>")


CHILD = r"""
import json, resource, sys, time
path, mode = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if mode == "bytes":
    data = open(path, "rb").read()
    rows = 0
elif mode == "ecomdash":
    from ecomdash.ingest.read import read_bytes
    data = open(path, "rb").read()
    raw = read_bytes(data, "big.xlsx")
    rows = len(raw.data)
elif mode == "calamine":
    from python_calamine import CalamineWorkbook
    wb = CalamineWorkbook.from_path(path)
    rows = wb.get_sheet_by_name("Orders").height - 1
    wb.close()
else:
    import openpyxl
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    rows = sum(1 for _ in wb["Orders"].iter_rows(values_only=True)) - 1
    wb.close()
print(json.dumps({"rows": rows, "seconds": time.perf_counter() - t0,
                  "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def measure(path: Path, mode: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), mode],
        capture_output=True,
        text=True,
        check=True,
        # the child imports ecomdash from this checkout (python -c puts the cwd first)
        cwd=Path(__file__).resolve().parents[1],
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=100.0, help="target workbook size in MB")
    ap.add_argument("--openpyxl", action="store_true", help="also measure openpyxl read_only")
    args = ap.parse_args()
    rows = int(args.mb * ROWS_PER_MB)
    path = Path(tempfile.gettempdir()) / f"ecomdash-bench-{rows}.xlsx"
    if not path.exists():
        write_xlsx(path, rows)
    print(f"{path} ({path.stat().st_size / 2**20:,.1f} MB, {rows:,} rows x 8 cells)")
    floor = measure(path, "bytes")
    ours = measure(path, "ecomdash")
    results = {
        "bytes only": floor,
        "calamine sheet load only": measure(path, "calamine"),
        "ecomdash read_bytes": ours,
    }
    if args.openpyxl:
        results["openpyxl read_only (count)"] = measure(path, "openpyxl")
    for name, r in results.items():
        print(
            f"{name:28s} rows {r['rows']:>10,}  {r['seconds']:7.1f} s  peak {r['peak_mb']:8,.0f} MB"
        )
    print(f"ours / floor peak RSS: {ours['peak_mb'] / floor['peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
