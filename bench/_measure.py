"""Child process of `bench._common.measure`: set up Django, call one function, print what it cost as JSON."""

import importlib
import json
import resource
import sys
import time

from bench._common import setup_django


def _rss_mb() -> float:
    """The peak resident memory of this process image, in MB.

    Linux keeps getrusage's ru_maxrss across fork and exec, so a child would report its parent's peak
    if that was higher; /proc's VmHWM belongs to this image alone. Elsewhere, ru_maxrss it is.
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def main() -> None:
    target, *args = sys.argv[1:]
    setup_django()
    module_name, function_name = target.split(":")
    function = getattr(importlib.import_module(module_name), function_name)
    before = _rss_mb()
    started = time.perf_counter()
    result = function(*args)
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "peak_mb": _rss_mb(), "before_mb": before, "result": result}))


if __name__ == "__main__":
    main()
