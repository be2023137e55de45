"""`kehu bench`: the benchmark suite that checks every performance target (see
docs/benchmarks.md). `kehu.bench.runner.run` does one run; `kehu.bench.load` is the load
generator, run as its own process. Nothing here is imported by the application."""
