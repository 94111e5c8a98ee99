#include "ember/data/dataloader.h"

#include "ember/core/thread_state.h"

namespace ember::data {

namespace {
std::string describe(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& ex) {
    return ex.what();
  } catch (...) {
    return "unknown exception (not derived from std::exception)";
  }
}

thread_local std::optional<WorkerInfo> t_worker_info;
}  // namespace

WorkerException::WorkerException(std::exception_ptr original)
    : Error("Caught exception in DataLoader worker thread. Original message: " + describe(original)),
      original_exception(std::move(original)) {}

std::optional<WorkerInfo> get_worker_info() { return t_worker_info; }

namespace detail {

std::shared_ptr<samplers::BatchSampler> make_batch_sampler(const DataLoaderOptions& o, size_t dataset_size) {
  if (o.batch_sampler()) {
    EMBER_CHECK_VALUE(o.batch_size() == 1 && !o.shuffle() && !o.sampler() && !o.drop_last(),
                      "batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, and drop_last");
  }
  EMBER_CHECK_VALUE(!(o.sampler() && o.shuffle()), "sampler option is mutually exclusive with shuffle");
  EMBER_CHECK_VALUE(o.batch_size() > 0, "batch_size should be a positive integer value, but got batch_size=",
                    o.batch_size());
  EMBER_CHECK_VALUE(o.num_workers() > 0 || o.prefetch_factor() == 2,
                    "prefetch_factor option could only be specified in multiprocessing.let num_workers > 0 to "
                    "enable multiprocessing.");
  EMBER_CHECK_VALUE(o.prefetch_factor() > 0, "prefetch_factor should be a positive integer, got 0");
  if (o.batch_sampler()) return o.batch_sampler();
  std::shared_ptr<samplers::Sampler> sampler = o.sampler();
  if (!sampler) {
    if (o.shuffle())
      sampler = std::make_shared<samplers::RandomSampler>(dataset_size, false, std::nullopt, o.generator());
    else
      sampler = std::make_shared<samplers::SequentialSampler>(dataset_size);
  }
  return std::make_shared<samplers::BatchSampler>(std::move(sampler), o.batch_size(), o.drop_last());
}

WorkerPool::WorkerPool(size_t num_workers, size_t prefetch_factor, size_t num_batches, uint64_t base_seed,
                       std::function<void(size_t)> worker_init_fn, std::function<void(size_t)> fetch)
    : num_workers_(num_workers), window_(num_workers * prefetch_factor), num_batches_(num_batches),
      base_seed_(base_seed), init_(std::move(worker_init_fn)), fetch_(std::move(fetch)), done_(num_batches, 0),
      errors_(num_batches) {
  threads_.reserve(num_workers_);
  try {
    for (size_t w = 0; w < num_workers_; ++w) threads_.emplace_back([this, w] { run(w); });
  } catch (...) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      stop_ = true;
    }
    work_cv_.notify_all();
    for (std::thread& t : threads_) t.join();
    throw;
  }
}

WorkerPool::~WorkerPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  work_cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void WorkerPool::run(size_t w) {
  const uint64_t seed = base_seed_ + w;
  t_worker_info = WorkerInfo{w, num_workers_, seed};
  IntraOpThreadsGuard serial(1);
  DefaultGeneratorGuard rng{Generator(seed)};
  auto publish = [&](size_t k, std::exception_ptr err) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      errors_[k] = std::move(err);
      done_[k] = 1;
    }
    done_cv_.notify_all();
  };
  if (init_) {
    try {
      init_(w);
    } catch (...) {
      if (w < num_batches_) publish(w, std::current_exception());  // surfaces at this worker's first batch
      return;
    }
  }
  for (size_t k = w; k < num_batches_; k += num_workers_) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      work_cv_.wait(lock, [&] { return stop_ || k < consumed_ + window_; });
      if (stop_) return;
    }
    std::exception_ptr err;
    try {
      fetch_(k);
    } catch (...) {
      err = std::current_exception();
    }
    publish(k, std::move(err));
  }
}

void WorkerPool::wait(size_t k) {
  std::unique_lock<std::mutex> lock(mutex_);
  done_cv_.wait(lock, [&] { return done_[k] != 0; });
  if (errors_[k]) throw WorkerException(errors_[k]);
}

void WorkerPool::consumed(size_t k) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    consumed_ = k + 1;
  }
  work_cv_.notify_all();
}

}  // namespace detail
}  // namespace ember::data
