#include "common/metrics.hpp"

#include <dirent.h>
#include <unistd.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace irisx::metrics {

void Gauge::add(double d) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(std::move(upper_bounds)),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0);
}

void Histogram::observe(double v) {
  std::size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<std::int64_t>(std::llround(v * 1e6)), std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    out[i] = running;
  }
  return out;
}

double Histogram::sum() const {
  return static_cast<double>(sum_micro_.load(std::memory_order_relaxed)) / 1e6;
}

std::uint64_t Histogram::count() const {
  return cumulative_counts().back();
}

std::vector<double> latency_buckets_seconds() {
  return {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string render_labels(const Labels& labels) {
  if (labels.empty()) return {};
  std::string out = "{";
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    for (char c : labels[i].second) {
      if (c == '\\' || c == '"') {
        out += '\\';
        out += c;
      } else if (c == '\n') {
        out += "\\n";
      } else {
        out += c;
      }
    }
    out += '"';
  }
  out += '}';
  return out;
}

Registry::Family& Registry::family(std::string_view name, std::string_view help, Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}}).first;
  } else if (it->second.type != type) {
    throw std::logic_error("metric " + std::string(name) + " registered with two types");
  }
  return it->second;
}

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    if (auto f = families_.find(name); f != families_.end()) {
      if (auto it = f->second.counters.find(key); it != f->second.counters.end())
        return *it->second;
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = family(name, help, Type::counter).counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::string key = render_labels(labels);
  std::unique_lock lock(mutex_);
  auto& slot = family(name, help, Type::gauge).gauges[key];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels,
                               const std::vector<double>& bounds) {
  std::string key = render_labels(labels);
  {
    std::shared_lock lock(mutex_);
    if (auto f = families_.find(name); f != families_.end()) {
      if (auto it = f->second.histograms.find(key); it != f->second.histograms.end()) {
        return *it->second;
      }
    }
  }
  std::unique_lock lock(mutex_);
  auto& slot = family(name, help, Type::histogram).histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(bounds);
  return *slot;
}

void Registry::add_collector(std::function<void(std::string&)> collector) {
  std::unique_lock lock(mutex_);
  collectors_.push_back(std::move(collector));
}

namespace {

std::string with_label(const std::string& labels, const std::string& extra) {
  if (labels.empty()) return "{" + extra + "}";
  return labels.substr(0, labels.size() - 1) + "," + extra + "}";
}

// HELP text escapes only backslash and newline (exposition format 0.0.4).
std::string escape_help(std::string_view help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string number(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  return fmt::format("{}", v);
}

}  // namespace

std::string Registry::render() const {
  std::string out;
  std::shared_lock lock(mutex_);
  for (const auto& [name, fam] : families_) {
    const char* type = fam.type == Type::counter ? "counter"
                       : fam.type == Type::gauge ? "gauge"
                                                 : "histogram";
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, escape_help(fam.help), name, type);
    for (const auto& [labels, c] : fam.counters)
      out += fmt::format("{}{} {}\n", name, labels, c->value());
    for (const auto& [labels, g] : fam.gauges)
      out += fmt::format("{}{} {}\n", name, labels, number(g->value()));
    for (const auto& [labels, h] : fam.histograms) {
      auto counts = h->cumulative_counts();
      for (std::size_t i = 0; i < h->bounds().size(); ++i) {
        out += fmt::format("{}_bucket{} {}\n", name,
                           with_label(labels, "le=\"" + number(h->bounds()[i]) + "\""), counts[i]);
      }
      out +=
          fmt::format("{}_bucket{} {}\n", name, with_label(labels, "le=\"+Inf\""), counts.back());
      out += fmt::format("{}_sum{} {}\n", name, labels, number(h->sum()));
      out += fmt::format("{}_count{} {}\n", name, labels, counts.back());
    }
  }
  for (const auto& collect : collectors_) collect(out);
  return out;
}

namespace {

void append_process_metrics(std::string& out, double start_time_seconds) {
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  const double page = static_cast<double>(sysconf(_SC_PAGESIZE));
  std::ifstream stat("/proc/self/stat");
  std::string content((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces) start after the last ')'.
  std::istringstream fields(content.substr(content.rfind(')') + 2));
  std::vector<std::string> f((std::istream_iterator<std::string>(fields)),
                             std::istream_iterator<std::string>());
  double cpu = 0, vsize = 0, rss = 0;
  if (f.size() > 22) {
    cpu = (std::stod(f[11]) + std::stod(f[12])) / ticks;  // utime + stime
    vsize = std::stod(f[20]);
    rss = std::stod(f[21]) * page;
  }
  std::size_t fds = 0;
  if (DIR* dir = opendir("/proc/self/fd")) {
    while (readdir(dir) != nullptr) ++fds;
    closedir(dir);
    fds = fds >= 3 ? fds - 3 : 0;  // ".", ".." and the directory's own fd
  }
  out += fmt::format(
      "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
      "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total {}\n"
      "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
      "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes {}\n"
      "# HELP process_virtual_memory_bytes Virtual memory size in bytes.\n"
      "# TYPE process_virtual_memory_bytes gauge\nprocess_virtual_memory_bytes {}\n"
      "# HELP process_open_fds Number of open file descriptors.\n"
      "# TYPE process_open_fds gauge\nprocess_open_fds {}\n"
      "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.\n"
      "# TYPE process_start_time_seconds gauge\nprocess_start_time_seconds {}\n",
      number(cpu), number(rss), number(vsize), fds, number(start_time_seconds));
}

}  // namespace

void add_process_collector(Registry& registry) {
  double start = static_cast<double>(time(nullptr));
  registry.add_collector([start](std::string& out) { append_process_metrics(out, start); });
}

}  // namespace irisx::metrics
