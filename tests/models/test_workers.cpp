#include <ATen/Parallel.h>
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include "models/cpu/workers.hpp"

using gbmsweep::models::run_workers;

BOOST_AUTO_TEST_CASE(workers_run_side_by_side_on_distinct_threads) {
  std::mutex m;
  std::set<int> ids;
  std::set<std::thread::id> threads;
  std::atomic<int> arrived{0};
  run_workers(2, [&](int id) {
    {
      std::lock_guard<std::mutex> lock(m);
      ids.insert(id);
      threads.insert(std::this_thread::get_id());
    }
    // Both workers must be running at once: each waits here for the other (a serial loop
    // over the ids would never get past this with a single thread).
    ++arrived;
    for (int spin = 0; arrived.load() < 2 && spin < 200000000; ++spin) std::this_thread::yield();
  });
  BOOST_TEST(arrived.load() == 2);
  BOOST_TEST((ids == std::set<int>{0, 1}));
  BOOST_TEST(threads.size() == 2u);
}

BOOST_AUTO_TEST_CASE(one_worker_runs_on_the_caller) {
  std::thread::id ran;
  int calls = 0;
  run_workers(1, [&](int id) {
    BOOST_TEST(id == 0);
    ran = std::this_thread::get_id();
    ++calls;
  });
  BOOST_TEST(calls == 1);
  BOOST_TEST((ran == std::this_thread::get_id()));
}

BOOST_AUTO_TEST_CASE(a_worker_exception_reaches_the_caller) {
  BOOST_CHECK_THROW(run_workers(2,
                                [](int id) {
                                  if (id == 1) throw std::runtime_error("worker 1 failed");
                                }),
                    std::runtime_error);
}

BOOST_AUTO_TEST_CASE(parallel_range_covers_every_index_once) {
  const int before = at::get_num_threads();
  at::set_num_threads(2);
  for (int64_t n : {0, 1, 2, 7, 1000}) {
    std::vector<std::atomic<int>> hits(static_cast<size_t>(n));
    std::mutex m;
    std::set<std::thread::id> threads;
    gbmsweep::models::parallel_range(n, [&](int64_t begin, int64_t end) {
      {
        std::lock_guard<std::mutex> lock(m);
        threads.insert(std::this_thread::get_id());
      }
      for (int64_t i = begin; i < end; ++i) ++hits[static_cast<size_t>(i)];
    });
    for (int64_t i = 0; i < n; ++i) BOOST_TEST(hits[static_cast<size_t>(i)].load() == 1);
    // Two threads share the range from n = 2 on; below that the caller runs f(0, n) alone.
    BOOST_TEST(threads.size() == (n >= 2 ? 2u : 1u));
  }
  // Inside a worker the range runs on that worker's thread.
  run_workers(2, [](int) {
    const auto me = std::this_thread::get_id();
    gbmsweep::models::parallel_range(100, [&](int64_t, int64_t) {
      BOOST_TEST((std::this_thread::get_id() == me));
    });
  });
  at::set_num_threads(before);
}
