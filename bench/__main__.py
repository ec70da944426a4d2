"""`python -m bench [NAME ...]`: run the benchmark modules (all, or those named) and print one table."""

import argparse
import importlib
import pkgutil
import sys
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
    return modules


def table(measurements: list[Measurement]) -> str:
    """One row per measurement; the ratio compares each case with the first of its benchmark and size."""
    headers = ["benchmark", "case", "rows", "seconds", "× first", "peak MB", "Δ MB", "note"]
    lines = []
    first: dict[tuple[str, int], Measurement] = {}
    for measurement in measurements:
        reference = first.setdefault((measurement.benchmark, measurement.rows), measurement)
        ratio = measurement.seconds / reference.seconds if reference.seconds else 0
        lines.append(
            [
                measurement.benchmark,
                measurement.case,
                f"{measurement.rows:,}",
                f"{measurement.seconds:.2f}",
                f"{ratio:.2f}",
                f"{measurement.peak_mb:.0f}",
                f"{measurement.delta_mb:.0f}",
                measurement.note,
            ]
        )
    widths = [max(len(str(row[i])) for row in [headers, *lines]) for i in range(len(headers))]
    render = lambda row: "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True))  # noqa: E731
    return "\n".join([render(headers), render(["-" * width for width in widths]), *map(render, lines)])


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
    for name in options.names or list(modules):
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        measurements += modules[name].run(options)
    print(table(measurements))
    return 0


if __name__ == "__main__":
    sys.exit(main())
