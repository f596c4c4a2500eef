#include "common/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace irisx::metrics {
namespace {

// The value of the first sample line that starts with `name ` (no labels), or -1.
double sample(const std::string& text, const std::string& name) {
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(name + " ", 0) == 0) return std::stod(line.substr(name.size() + 1));
  }
  return -1;
}

TEST(Metrics, CounterRendersHelpTypeAndValue) {
  Registry registry;
  registry.counter("jobs_total", "Jobs run.").inc();
  registry.counter("jobs_total", "Jobs run.").inc(2);
  EXPECT_EQ(registry.render(),
            "# HELP jobs_total Jobs run.\n"
            "# TYPE jobs_total counter\n"
            "jobs_total 3\n");
}

TEST(Metrics, CounterLabelSetsRenderUnderOneHeader) {
  Registry registry;
  registry.counter("req_total", "Requests.", {{"method", "POST"}, {"status", "201"}}).inc();
  registry.counter("req_total", "Requests.", {{"method", "GET"}, {"status", "200"}}).inc(5);
  EXPECT_EQ(registry.render(),
            "# HELP req_total Requests.\n"
            "# TYPE req_total counter\n"
            "req_total{method=\"GET\",status=\"200\"} 5\n"
            "req_total{method=\"POST\",status=\"201\"} 1\n");
}

TEST(Metrics, LabelValuesEscapeQuoteBackslashAndNewline) {
  EXPECT_EQ(render_labels({}), "");
  EXPECT_EQ(render_labels({{"path", "a\"b\\c\nd"}}), R"({path="a\"b\\c\nd"})");
  Registry registry;
  registry.counter("odd_total", "Odd.", {{"v", "say \"hi\"\n"}}).inc();
  EXPECT_NE(registry.render().find(R"(odd_total{v="say \"hi\"\n"} 1)"), std::string::npos);
}

TEST(Metrics, HistogramRendersCumulativeBucketsSumAndCount) {
  Registry registry;
  Histogram& h = registry.histogram("lat_seconds", "Latency.", {{"route", "/x"}}, {0.1, 1, 5});
  for (double v : {0.05, 0.1, 0.5, 3.0, 7.0}) h.observe(v);
  EXPECT_EQ(registry.render(),
            "# HELP lat_seconds Latency.\n"
            "# TYPE lat_seconds histogram\n"
            "lat_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
            "lat_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
            "lat_seconds_bucket{route=\"/x\",le=\"5\"} 4\n"
            "lat_seconds_bucket{route=\"/x\",le=\"+Inf\"} 5\n"
            "lat_seconds_sum{route=\"/x\"} 10.65\n"
            "lat_seconds_count{route=\"/x\"} 5\n");
}

TEST(Metrics, HistogramWithoutLabelsHasOnlyTheLeLabel) {
  Registry registry;
  registry.histogram("size_bytes", "Sizes.", {}, {10}).observe(11);
  EXPECT_EQ(registry.render(),
            "# HELP size_bytes Sizes.\n"
            "# TYPE size_bytes histogram\n"
            "size_bytes_bucket{le=\"10\"} 0\n"
            "size_bytes_bucket{le=\"+Inf\"} 1\n"
            "size_bytes_sum 11\n"
            "size_bytes_count 1\n");
}

TEST(Metrics, HistogramCountsAValueEqualToABoundInThatBucket) {
  Histogram h({1, 2});
  h.observe(1);
  h.observe(2);
  h.observe(2.0001);
  EXPECT_EQ(h.cumulative_counts(), (std::vector<std::uint64_t>{1, 2, 3}));
  EXPECT_EQ(h.count(), 3u);
  EXPECT_DOUBLE_EQ(h.sum(), 5.0001);
}

TEST(Metrics, HistogramSumSurvivesNegativeObservations) {
  Histogram h({1});
  h.observe(-0.5);
  EXPECT_DOUBLE_EQ(h.sum(), -0.5);
}

TEST(Metrics, GaugeRendersCurrentValue) {
  Registry registry;
  Gauge& g = registry.gauge("queue_depth", "Depth.");
  g.set(2.5);
  g.add(1);
  g.add(-0.5);
  EXPECT_EQ(registry.render(),
            "# HELP queue_depth Depth.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 3\n");
}

TEST(Metrics, HelpTextEscapesBackslashAndNewline) {
  Registry registry;
  registry.counter("odd_total", "Path C:\\x\nsecond line.").inc();
  EXPECT_EQ(registry.render(),
            "# HELP odd_total Path C:\\\\x\\nsecond line.\n"
            "# TYPE odd_total counter\n"
            "odd_total 1\n");
}

TEST(Metrics, FamiliesRenderInNameOrder) {
  Registry registry;
  registry.counter("b_total", "B.").inc();
  registry.counter("a_total", "A.").inc();
  std::string text = registry.render();
  EXPECT_LT(text.find("a_total"), text.find("b_total"));
}

TEST(Metrics, SameNameAndLabelsReturnTheSameObject) {
  Registry registry;
  Counter& a = registry.counter("x_total", "X.", {{"k", "v"}});
  EXPECT_EQ(&a, &registry.counter("x_total", "X.", {{"k", "v"}}));
  EXPECT_NE(&a, &registry.counter("x_total", "X.", {{"k", "w"}}));
  EXPECT_NE(&a, &registry.counter("x_total", "X."));
  Histogram& h = registry.histogram("y_seconds", "Y.", {{"k", "v"}}, {1});
  EXPECT_EQ(&h, &registry.histogram("y_seconds", "Y.", {{"k", "v"}}, {1}));
  Gauge& g = registry.gauge("z", "Z.");
  EXPECT_EQ(&g, &registry.gauge("z", "Z."));
}

TEST(Metrics, OneNameWithTwoTypesThrowsLogicError) {
  Registry registry;
  registry.counter("dual", "D.");
  EXPECT_THROW(registry.histogram("dual", "D.", {}, {1}), std::logic_error);
  EXPECT_THROW(registry.gauge("dual", "D."), std::logic_error);
  registry.histogram("dual_h", "D.", {}, {1});
  EXPECT_THROW(registry.counter("dual_h", "D."), std::logic_error);
  EXPECT_THROW(registry.counter("dual_h", "D.", {{"k", "v"}}), std::logic_error);
}

TEST(Metrics, ConcurrentIncrementsAreAllCounted) {
  Registry registry;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&registry] {
      for (int i = 0; i < 10000; ++i) registry.counter("hits_total", "Hits.", {{"k", "v"}}).inc();
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(registry.counter("hits_total", "Hits.", {{"k", "v"}}).value(), 40000u);
}

TEST(Metrics, CollectorsAppendAfterFamilies) {
  Registry registry;
  registry.counter("a_total", "A.").inc();
  registry.add_collector([](std::string& out) { out += "custom_metric 42\n"; });
  std::string text = registry.render();
  EXPECT_EQ(text.substr(text.size() - 17), "custom_metric 42\n");
}

TEST(Metrics, ProcessCollectorReportsMemoryAndOpenFiles) {
  Registry registry;
  add_process_collector(registry);
  std::string text = registry.render();
  EXPECT_NE(text.find("# TYPE process_resident_memory_bytes gauge\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE process_open_fds gauge\n"), std::string::npos);
  EXPECT_GT(sample(text, "process_resident_memory_bytes"), 0);
  EXPECT_GT(sample(text, "process_virtual_memory_bytes"), 0);
  EXPECT_GT(sample(text, "process_open_fds"), 0);
  EXPECT_GT(sample(text, "process_start_time_seconds"), 1.7e9);
  EXPECT_GE(sample(text, "process_cpu_seconds_total"), 0);
}

TEST(Metrics, LatencyBucketsAreStrictlyIncreasing) {
  auto b = latency_buckets_seconds();
  ASSERT_FALSE(b.empty());
  for (std::size_t i = 1; i < b.size(); ++i) EXPECT_LT(b[i - 1], b[i]);
}

}  // namespace
}  // namespace irisx::metrics
