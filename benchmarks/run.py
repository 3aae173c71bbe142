"""Benchmark: how the build grows with the playbook (issue 6).

For each size it generates a synthetic playbook (8 stages, one role per 20
contacts, 3 standards each), then measures, in a fresh process so peak memory is
the build's own: check time, page and diagram generation (cold cache), the MkDocs
build, peak memory, site size, and a second build with nothing changed (a new
`playbook build` process, as a person would run it). It builds
the reference, the same pages assembled by hand in one flat navigation (see
benchmarks/reference.py), and writes a Markdown table to benchmarks/results.md.

    ./dev bench                       # sizes 100, 1000, 5000; reference at 100 and 1000
    ./dev bench --sizes 100 1000      # fewer sizes
    ./dev bench --reference-sizes 100 1000 5000   # the flat 5,000 build takes over 15 minutes
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"


def measure(size: int) -> dict[str, float]:
    """Run in a child process: every phase for one size, as a JSON dict."""
    from benchmarks.synth import write_synthetic
    from playbook.check import check_folder
    from playbook.generate import Options, generate
    from playbook.project import Project
    from playbook.site import build

    logging.disable(logging.WARNING)
    root = OUT / f"playbook-{size}"
    if root.exists():
        shutil.rmtree(root)
    write_synthetic(root, touchpoints=size, stages=8)
    project = Project(root)
    cache = root / ".playbook-cache"

    t0 = time.perf_counter()
    loaded = check_folder(project.content)
    t_check = time.perf_counter() - t0
    assert loaded.playbook is not None, [str(f) for f in loaded.findings[:5]]

    t0 = time.perf_counter()
    generated = generate(loaded.playbook, loaded.findings, Options(cache_dir=cache))
    t_generate = time.perf_counter() - t0
    shutil.rmtree(cache)  # the full build below starts cold too

    site = root / "site"
    t0 = time.perf_counter()
    first = build(project, site_dir=site)
    t_build = time.perf_counter() - t0
    # The second build in a fresh process, as a person runs it: nothing this process
    # remembers (the plugin keeps converted pages for `serve`) may help it.
    t0 = time.perf_counter()
    again = subprocess.run(
        [sys.executable, "-m", "playbook", "build", str(root), "--site-dir", str(site)],
        capture_output=True,
        text=True,
        check=True,
    )
    t_rebuild = time.perf_counter() - t0
    drawn = re.search(r"(\d+) diagrams? \((\d+) from cache\)", again.stderr + again.stdout)
    assert drawn is not None, again.stderr

    size_bytes = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return {
        "touchpoints": size,
        "pages": len([f for f in generated.files if f.endswith(".md")]),
        "check_s": t_check,
        "generate_s": t_generate,
        "build_s": t_build,
        "mkdocs_s": float(first.stats.get("mkdocs_seconds", 0.0)),
        "rebuild_s": t_rebuild,
        "diagrams_first": float(_stat(first, "diagrams_rendered")),
        "diagrams_second": float(int(drawn.group(1)) - int(drawn.group(2))),
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "site_mb": size_bytes / 2**20,
    }


def _stat(result: object, key: str) -> int:
    stats = getattr(result, "stats", {}) or {}
    return int(stats.get(key, -1))


def reference(size: int) -> float:
    """Build the flat reference site of `size` pages; seconds."""
    from benchmarks.reference import build_reference, write_reference
    from benchmarks.synth import write_synthetic

    logging.disable(logging.WARNING)
    project = OUT / f"playbook-{size}"
    if not (project / "content").is_dir():
        write_synthetic(project, touchpoints=size, stages=8)
    root = write_reference(OUT / f"reference-{size}", project)
    return build_reference(root)


def child(kind: str, size: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter (clean peak memory, cold caches)."""
    code = (
        "import json, sys; from benchmarks.run import measure, reference; "
        f"r = measure({size}) if {kind!r} == 'playbook' else {{'reference_s': reference({size})}}; "
        "print(json.dumps(r))"
    )
    env = {**os.environ, "PYTHONPATH": str(HERE.parent)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"bench: the {kind} run of {size:,} failed (its output is above)")
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def table(rows: list[dict[str, float]], refs: dict[int, float]) -> str:
    """The results as the Markdown table the README quotes."""
    head = (
        "| touch points | pages | check | pages + diagrams | MkDocs | full build | per touch point "
        "| flat reference | build / reference | before MkDocs / build | 2nd build (new process) | diagrams rendered "
        "(1st / 2nd) | peak memory | site size |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: |"
    )
    lines = [head]
    for r in rows:
        n = int(r["touchpoints"])
        ref = refs.get(n)
        before = (r["check_s"] + r["generate_s"]) / r["build_s"]
        ref_text = f"{ref:.1f} s" if ref else "n/a"
        ratio = f"{r['build_s'] / ref:.2f}" if ref else "n/a"
        lines.append(
            f"| {n:,} | {int(r['pages']):,} | {r['check_s']:.2f} s | {r['generate_s']:.2f} s "
            f"| {r['mkdocs_s']:.1f} s | {r['build_s']:.1f} s | {1000 * r['build_s'] / n:.1f} ms "
            f"| {ref_text} | {ratio} "
            f"| {before:.2f} | {r['rebuild_s']:.1f} s "
            f"| {int(r['diagrams_first'])} / {int(r['diagrams_second'])} "
            f"| {r['peak_mb']:.0f} MB | {r['site_mb']:.1f} MB |"
        )
    if len(rows) >= 2:
        small, large = rows[0], rows[1]
        growth = (large["build_s"] / large["touchpoints"]) / (
            small["build_s"] / small["touchpoints"]
        )
        lines.append("")
        lines.append(
            f"Time per touch point at {int(large['touchpoints']):,} is {growth:.2f}× that at "
            f"{int(small['touchpoints']):,} (linear growth: at most 1.3)."
        )
    return "\n".join(lines) + "\n"


def preview_line(latencies: list[float] | None) -> str:
    """The live-preview sentence under the table."""
    if not latencies:
        return "\nThe live preview latency was not measured in this run.\n"
    return (
        f"\nUnder `playbook serve`, a saved edit to one touch point of the example showed in "
        f"{statistics.median(latencies):.2f} s (median of {len(latencies)}, slowest "
        f"{max(latencies):.2f} s; target: within 2 s).\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--reference-sizes", type=int, nargs="+", default=[100, 1000])
    args = parser.parse_args()
    OUT.mkdir(exist_ok=True)
    rows = []
    for size in args.sizes:
        print(f"bench: playbook of {size:,} touch points …", file=sys.stderr, flush=True)
        rows.append(child("playbook", size))
        print(f"bench:   {json.dumps(rows[-1])}", file=sys.stderr, flush=True)
    refs = {}
    for size in args.reference_sizes:
        print(f"bench: flat reference of {size:,} pages …", file=sys.stderr, flush=True)
        refs[size] = child("reference", size)["reference_s"]
        print(f"bench:   {refs[size]:.1f} s", file=sys.stderr, flush=True)
    print("bench: live preview latency on the example playbook …", file=sys.stderr, flush=True)
    from benchmarks.serve import serve_latency

    try:
        latencies: list[float] | None = serve_latency()
    except RuntimeError as exc:
        print(f"bench: live preview not measured: {exc}", file=sys.stderr)
        latencies = None
    result = table(rows, refs) + preview_line(latencies)
    machine = f"{os.cpu_count()} cores, Python {sys.version.split()[0]}"
    (HERE / "results.md").write_text(f"Measured on {machine}.\n\n{result}")
    print(result)


if __name__ == "__main__":
    main()
