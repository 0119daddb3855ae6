"""`make bench`: every benchmark, each printing its figures as ratios to a baseline of the same run."""

from . import bench_crypto, bench_scale, bench_search, bench_stats, bench_throughput

if __name__ == "__main__":
    bench_crypto.run()
    bench_search.run()
    bench_stats.run()
    bench_scale.run()
    bench_throughput.run()
