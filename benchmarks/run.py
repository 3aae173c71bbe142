"""Benchmark: how the build grows with the playbook, against Material's floor (issues 6, 15).

For each size it generates a synthetic playbook (8 stages, one role per 20
contacts, 3 standards each) and, in a fresh process so peak memory is the
build's own, measures `playbook check` (the command, as a person runs it) and a
cold build (no diagram or page cache). Then, each in a new `playbook build`
process as a person would run it, a warm rebuild with nothing changed and one
after editing one touch point's standard (the median of WARM_RUNS of each). Beside them: Material's floor (as many
minimal pages, out of the navigation, search on: benchmarks/floor.py) and the
flat reference (the same pages in one flat navigation: benchmarks/reference.py),
and the live preview (benchmarks/serve.py). It writes a Markdown table to
benchmarks/results.md and puts the same text into README.md between its
`bench` markers.

    ./dev bench                        # sizes 100, 1,000, 10,000 (warm, floor, reference: up to 1,000)
    ./dev bench --sizes 100 1000       # fewer sizes
    ./dev bench --readme               # only copy results.md into README.md
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
README = HERE.parent / "README.md"
MARK_START = "<!-- bench:start (benchmarks/results.md, copied by ./dev bench) -->"
MARK_END = "<!-- bench:end -->"

EDITED = "tp-00000"
"""The touch point whose first standard the warm-after-edit rebuild changes."""
WARM_RUNS = 3
"""Warm rebuilds of each kind; the table shows their median. One of each swung from
0.26 to 0.41 of the cold build (nothing changed) and 0.35 to 0.60 (one edit) on this
shared machine, run after run of the same code."""
EDITS = ("Promptly answer request", "Quickly answer request", "Swiftly answer request")
"""The words the first standard of EDITED starts with after each edit (WARM_RUNS of them)."""

TARGETS = {
    "cold / floor": 2.0,
    "cold / reference": 0.5,
    "growth 100→1,000": 1.2,
    "growth 1,000→10,000": 1.2,
    "warm / cold": 0.3,
    "edited / cold": 0.4,
    "preview, the example": 0.5,
    "preview, 1,000 touch points": 1.5,
    "peak memory 10,000": 2048.0,
    "check 10,000": 2.5,
}
"""Issue 15's targets: ratios (measured in the same run), seconds, megabytes."""


def _playbook(*args: str) -> float:
    """Run the `playbook` command in a new process; the seconds it took."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "playbook", *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise RuntimeError(f"playbook {' '.join(args)} failed (its output is above)")
    return seconds


def edit_one_standard(root: Path, words: str) -> None:
    """Change the words of one standard of one touch point, as an owner would: its
    first words become `words` (an item of EDITS)."""
    path = root / "content" / "touchpoints" / f"{EDITED}.yml"
    text = path.read_text(encoding="utf-8")
    before = next((w for w in EDITS if f"    text: {w}" in text), "Answer request")
    edited = text.replace(f"    text: {before}", f"    text: {words}", 1)
    assert edited != text, "the synthetic touch point no longer has the expected standard"
    path.write_text(edited, encoding="utf-8")


def measure(size: int, warm: bool) -> dict[str, float]:
    """Run in a child process: check, cold build (and the warm rebuilds), as a JSON dict."""
    from benchmarks.synth import write_synthetic
    from playbook.project import Project
    from playbook.site import build

    logging.disable(logging.WARNING)
    root = OUT / f"playbook-{size}"
    if root.exists():
        shutil.rmtree(root)
    write_synthetic(root, touchpoints=size, stages=8)
    check_s = _playbook("check", str(root))

    site = root / "site"
    t0 = time.perf_counter()
    first = build(Project(root), site_dir=site)  # cold: no cache folder yet
    build_s = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_bytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    row = {
        "touchpoints": size,
        "pages": float(first.stats.get("pages", 0)),
        "check_s": check_s,
        "generate_s": float(first.stats.get("seconds", 0.0)),
        "build_s": build_s,
        "mkdocs_s": float(first.stats.get("mkdocs_seconds", 0.0)),
        "peak_mb": peak_mb,
        "site_mb": size_bytes / 2**20,
    }
    if warm:
        # New processes, as a person (or a pipeline keeping the cache) runs them.
        build = ("build", str(root), "--site-dir", str(site))
        row["warm_s"] = statistics.median(_playbook(*build) for _ in range(WARM_RUNS))
        edited = []
        for words in EDITS[:WARM_RUNS]:
            edit_one_standard(root, words)
            edited.append(_playbook(*build))
        row["edited_s"] = statistics.median(edited)
    return row


def floor(pages: int) -> float:
    """Build Material's floor of `pages` minimal pages; seconds."""
    from benchmarks.floor import build_floor, write_floor

    logging.disable(logging.WARNING)
    return build_floor(write_floor(OUT / f"floor-{pages}", pages))


def reference(size: int) -> float:
    """Build the flat reference site of `size` touch points; seconds."""
    from benchmarks.reference import build_reference, write_reference
    from benchmarks.synth import write_synthetic

    logging.disable(logging.WARNING)
    project = OUT / f"playbook-{size}"
    if not (project / "content").is_dir():
        write_synthetic(project, touchpoints=size, stages=8)
    root = write_reference(OUT / f"reference-{size}", project)
    return build_reference(root)


def child(call: str) -> object:
    """Evaluate `call` (a function of this module) in a fresh interpreter; its JSON result."""
    code = f"import json; from benchmarks.run import *; print(json.dumps({call}))"
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"bench: {call} failed (its output is above)")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _s(seconds: float | None) -> str:
    return "n/a" if seconds is None else f"{seconds:.1f} s" if seconds >= 10 else f"{seconds:.2f} s"


def _x(ratio: float | None) -> str:
    return "n/a" if ratio is None else f"{ratio:.2f}"


def table(
    rows: list[dict[str, float]], floors: dict[int, float], refs: dict[int, float]
) -> tuple[str, dict[str, float]]:
    """The results as the Markdown table the README quotes, and the measured targets."""
    lines = [
        "| touch points | pages | `check` | cold build | of it MkDocs | per touch point "
        "| floor | cold / floor | flat reference | cold / reference | warm, nothing changed "
        "| warm / cold | warm, one standard edited | edited / cold | peak memory | site size |",
        "| ---: " * 16 + "|",
    ]
    got: dict[str, float] = {}
    for r in rows:
        n = int(r["touchpoints"])
        cold = r["build_s"]
        fl, ref = floors.get(n), refs.get(n)
        warm, edited = r.get("warm_s"), r.get("edited_s")
        ratios = {
            "cold / floor": cold / fl if fl else None,
            "cold / reference": cold / ref if ref else None,
            "warm / cold": warm / cold if warm else None,
            "edited / cold": edited / cold if edited else None,
        }
        if n == 1000:
            got.update({k: v for k, v in ratios.items() if v is not None})
        if n == 10_000:
            got["peak memory 10,000"] = r["peak_mb"]
            got["check 10,000"] = r["check_s"]
        lines.append(
            f"| {n:,} | {int(r['pages']):,} | {_s(r['check_s'])} | {_s(cold)} "
            f"| {_s(r['mkdocs_s'])} | {1000 * cold / n:.1f} ms | {_s(fl)} "
            f"| {_x(ratios['cold / floor'])} | {_s(ref)} | {_x(ratios['cold / reference'])} "
            f"| {_s(warm)} | {_x(ratios['warm / cold'])} | {_s(edited)} "
            f"| {_x(ratios['edited / cold'])} | {r['peak_mb']:.0f} MB | {r['site_mb']:.1f} MB |"
        )
    lines.append("")
    if any("warm_s" in r for r in rows):
        lines.append(
            f"Each warm column is the median of {WARM_RUNS} rebuilds in new processes (the "
            "edited one: each after a new edit to the same standard); the rest are one run."
        )
        lines.append("")
    by_size = {int(r["touchpoints"]): r for r in rows}
    for small, large in ((100, 1000), (1000, 10_000)):
        if small in by_size and large in by_size:
            growth = (by_size[large]["build_s"] / large) / (by_size[small]["build_s"] / small)
            got[f"growth {small:,}→{large:,}"] = growth
            lines.append(
                f"Time per touch point of the cold build at {large:,} is {growth:.2f}× that "
                f"at {small:,}."
            )
    return "\n".join(lines) + "\n", got


PREVIEWS = (
    ("the example", None, "name"),
    ("1,000 touch points", 1000, "name"),
    ("the example, a standard's words", None, "standard"),
)
"""The previews measured: label, touch points (None: the example), the line edited
(benchmarks.serve.EDITS). The targets are for a rename, which shows on most pages."""


def preview_lines(latencies: dict[str, list[float] | None], got: dict[str, float]) -> str:
    """The live-preview sentences under the table."""
    lines = []
    for label, seconds in latencies.items():
        if not seconds:
            lines.append(f"The live preview of {label} was not measured in this run.")
            continue
        median = statistics.median(seconds)
        got[f"preview, {label}"] = median
        where, _, what = label.partition(", ")
        edit = f"an edit to {what}" if what else "a rename of one touch point"
        where = where if where.startswith("the ") else f"the playbook of {where}"
        lines.append(
            f"Under `playbook serve`, {edit} saved in {where} showed in "
            f"{median:.2f} s (median of {len(seconds)}, slowest {max(seconds):.2f} s)."
        )
    return "\n" + "\n\n".join(lines) + "\n"


def verdict(got: dict[str, float]) -> str:
    """Each target of issue 15, met or not, with what was measured."""
    lines = ["", "| target | at most | measured | holds |", "| --- | ---: | ---: | :---: |"]
    units = {"peak memory 10,000": " MB", "check 10,000": " s", "preview": " s"}
    for name, limit in TARGETS.items():
        unit = next((u for k, u in units.items() if name.startswith(k)), "")
        value = got.get(name)
        measured = "not measured" if value is None else f"{value:.2f}{unit}"
        holds = "n/a" if value is None else "yes" if value <= limit else "**no**"
        lines.append(f"| {name} | {limit:g}{unit} | {measured} | {holds} |")
    return "\n".join(lines) + "\n"


def to_readme(results: str) -> None:
    """Put the results between README.md's bench markers."""
    text = README.read_text(encoding="utf-8")
    start, end = text.find(MARK_START), text.find(MARK_END)
    if start < 0 or end < start:
        raise SystemExit(f"bench: README.md has no '{MARK_START}' … '{MARK_END}' block")
    block = f"{MARK_START}\n\n{results.strip()}\n\n"
    README.write_text(text[:start] + block + text[end:], encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10_000])
    parser.add_argument(
        "--compare-up-to",
        type=int,
        default=1000,
        help="warm rebuilds, floor and flat reference only up to this size (they cost most)",
    )
    parser.add_argument("--readme", action="store_true", help="only copy results.md to README.md")
    args = parser.parse_args()
    results_md = HERE / "results.md"
    if args.readme:
        to_readme(results_md.read_text(encoding="utf-8"))
        return
    OUT.mkdir(exist_ok=True)

    def say(text: str) -> None:
        print(f"bench: {text}", file=sys.stderr, flush=True)

    rows: list[dict[str, float]] = []
    floors: dict[int, float] = {}
    refs: dict[int, float] = {}
    for size in args.sizes:
        compare = size <= args.compare_up_to
        say(f"playbook of {size:,} touch points …")
        rows.append(child(f"measure({size}, warm={compare})"))  # type: ignore[arg-type]
        say(f"  {json.dumps(rows[-1])}")
        if compare:
            pages = int(rows[-1]["pages"])
            say(f"Material's floor of {pages:,} pages …")
            floors[size] = float(child(f"floor({pages})"))  # type: ignore[arg-type]
            say(f"  {floors[size]:.1f} s")
            say(f"flat reference of {size:,} touch points …")
            refs[size] = float(child(f"reference({size})"))  # type: ignore[arg-type]
            say(f"  {refs[size]:.1f} s")
    from benchmarks.serve import serve_latency

    latencies: dict[str, list[float] | None] = {}
    for label, size, field in PREVIEWS:
        say(f"live preview latency on {label} …")
        try:
            latencies[label] = serve_latency(touchpoints=size, field=field)
        except RuntimeError as exc:
            say(f"live preview not measured: {exc}")
            latencies[label] = None
    text, got = table(rows, floors, refs)
    text += preview_lines(latencies, got) + verdict(got)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    results = f"Measured on {machine}.\n\n{text}"
    results_md.write_text(results, encoding="utf-8")
    to_readme(results)
    print(results)


if __name__ == "__main__":
    main()
