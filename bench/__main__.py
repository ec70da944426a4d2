"""`python -m bench [NAME ...]`: run the benchmark modules (all, or those named) and print one table."""

import argparse
import importlib
import pkgutil
import sys
from collections import Counter
from pathlib import Path

from bench._common import Measurement, setup_django


def discover() -> dict[str, object]:
    """Every benchmark module of the package: bench/<name>.py with a `run` function, `_private` ones aside."""
    modules = {}
    for info in pkgutil.iter_modules([str(Path(__file__).parent)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "run", None)):
            modules[info.name] = module
    # Those that read the ledger as it is first; export and reminders then add rows of their own.
    return dict(sorted(modules.items(), key=lambda item: (getattr(item[1], "ORDER", 50), item[0])))


def table(measurements: list[Measurement]) -> str:
    """One row per measurement; the ratio compares each case with the first of its group.

    Timed operations show seconds and memory; requests show p50/p95 and queries (their ratio is
    on p95); throughput shows requests per second and errors. Columns no row uses are left out.
    """
    columns = [
        ("benchmark", lambda m, ratio: m.benchmark),
        ("case", lambda m, ratio: m.case),
        ("rows", lambda m, ratio: f"{m.rows:,}"),
        ("seconds", lambda m, ratio: "" if m.p50_ms is not None else f"{m.seconds:.2f}"),
        ("p50 ms", lambda m, ratio: "" if m.p50_ms is None else f"{m.p50_ms:.1f}"),
        ("p95 ms", lambda m, ratio: "" if m.p95_ms is None else f"{m.p95_ms:.1f}"),
        ("p99 ms", lambda m, ratio: "" if m.p99_ms is None else f"{m.p99_ms:.1f}"),
        ("queries", lambda m, ratio: "" if m.queries is None else str(m.queries)),
        ("req/s", lambda m, ratio: "" if m.requests_per_second is None else f"{m.requests_per_second:.0f}"),
        ("errors", lambda m, ratio: "" if m.errors is None else str(m.errors)),
        ("× first", lambda m, ratio: f"{ratio:.2f}"),
        ("peak MB", lambda m, ratio: f"{m.peak_mb:.0f}" if m.peak_mb else ""),
        ("Δ MB", lambda m, ratio: f"{m.delta_mb:.0f}" if m.peak_mb else ""),
        ("note", lambda m, ratio: m.note),
    ]
    key = lambda m: (m.benchmark, m.group or str(m.rows))  # noqa: E731
    sizes = Counter(key(m) for m in measurements)
    first: dict[tuple[str, str], Measurement] = {}
    cells = []
    for measurement in measurements:
        reference = first.setdefault(key(measurement), measurement)
        ratio = measurement.seconds / reference.seconds if reference.seconds else 0
        row = [render(measurement, ratio) for _header, render in columns]
        if sizes[key(measurement)] == 1:
            row[[header for header, _render in columns].index("× first")] = ""  # nothing to compare with
        cells.append(row)
    used = [i for i, (header, _render) in enumerate(columns) if any(row[i] for row in cells)]
    rows = [[columns[i][0] for i in used], *[[row[i] for i in used] for row in cells]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(used))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    modules = discover()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "names", nargs="*", metavar="NAME", help=f"benchmarks to run: {', '.join(modules)} (default: all)"
    )
    for name, module in modules.items():
        add_arguments = getattr(module, "add_arguments", None)
        if add_arguments is not None:
            add_arguments(parser.add_argument_group(name))
    options = parser.parse_args(argv)
    unknown = set(options.names) - set(modules)
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}; there are {', '.join(modules)}")
    setup_django()
    measurements: list[Measurement] = []
    summaries: list[str] = []
    for name in options.names or list(modules):
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        measured = modules[name].run(options)
        measurements += measured
        summarise = getattr(modules[name], "summary", None)
        summaries += summarise(measured) if summarise else []
    print(table(measurements))
    if summaries:
        print()
        print("\n".join(summaries))
    return 0


if __name__ == "__main__":
    sys.exit(main())
