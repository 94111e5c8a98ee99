#pragma once
// DataLoader: batches of a map-style dataset, optionally produced by worker threads.
//
//   DataLoader loader(dataset, DataLoaderOptions().batch_size(64).shuffle(true).num_workers(2));
//   for (auto& batch : loader) { ... batch.data ... batch.target ... }
//   auto loader = make_data_loader(std::move(dataset), DataLoaderOptions(64));   // LibTorch style
//
// Note [DataLoader randomness]
// Each pass (begin()) first draws base_seed = random_() (int64) from options.generator or
// the default generator, then runs the batch sampler, exactly as PyTorch's
// _BaseDataLoaderIter does; with shuffle the RandomSampler then seeds a private Generator
// from one more draw of the default generator (or uses options.generator). So after
// ember::manual_seed(s) an epoch visits the indices in the order PyTorch's DataLoader does
// after torch.manual_seed(s), and the default generator advances by the same two draws.
//
// Note [DataLoader worker threads]
// With num_workers = W > 0, batch k is built by worker k % W (PyTorch's round-robin), at
// most prefetch_factor * W batches ahead of the consumer, and handed out in order. Workers
// are threads, not processes, so per-process state that PyTorch's workers get for free is
// made per-thread while a worker runs (core/thread_state.h):
//  - the default generator is a Generator seeded base_seed + worker_id (torch.manual_seed
//    in PyTorch's _worker_loop), so a transform calling ember::rand / randint or a random
//    transform without an explicit generator gets reproducible numbers per seed, the same
//    numbers PyTorch's worker process would draw;
//  - the intra-op thread count is 1 (torch.set_num_threads(1) in _worker_loop), so W
//    workers don't each claim the intra-op pool and oversubscribe the cores.
// dataset.get() runs concurrently on one dataset object (Note [Dataset protocol]).
// A worker's exception is rethrown in the consumer when its batch is due, as a
// WorkerException carrying the original message. Leaving the loop early (break, an
// exception) destroys the iterator, which stops the workers after their current batch and
// joins them. The loader must outlive its iterators' use of the dataset only in the sense
// that iterators keep the loader's state alive themselves: moving or destroying the
// DataLoader while iterating is safe.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ember/core/error.h"
#include "ember/core/generator.h"
#include "ember/data/collate.h"
#include "ember/data/dataset.h"
#include "ember/data/samplers/sampler.h"
#include "ember/core/arg.h"

namespace ember::data {

// A worker's exception, rethrown in the consumer (LibTorch's WorkerException and wording).
class WorkerException : public Error {
 public:
  explicit WorkerException(std::exception_ptr original);
  std::exception_ptr original_exception;
};

// torch.utils.data.get_worker_info(): set inside a DataLoader worker thread.
struct WorkerInfo {
  size_t id;
  size_t num_workers;
  uint64_t seed;  // base_seed + id: the seed of this worker's default generator
};
std::optional<WorkerInfo> get_worker_info();

struct DataLoaderOptions {
  DataLoaderOptions() = default;
  // Implicit, as LibTorch's: make_data_loader(dataset, 64).
  DataLoaderOptions(size_t batch_size) : batch_size_(batch_size) {}  // NOLINT(google-explicit-constructor)

  // LibTorch's spelling of num_workers.
  DataLoaderOptions& workers(size_t n) { return num_workers(n); }
  size_t workers() const { return num_workers(); }
  // Shorthand for generator(Generator(seed)).
  DataLoaderOptions& seed(uint64_t s) { return generator(Generator(s)); }

  EMBER_ARG(size_t, batch_size) = 1;
  // Reshuffle every pass (a RandomSampler); exclusive with sampler.
  EMBER_ARG(bool, shuffle) = false;
  EMBER_ARG(std::shared_ptr<samplers::Sampler>, sampler);
  // Exclusive with batch_size, shuffle, sampler and drop_last.
  EMBER_ARG(std::shared_ptr<samplers::BatchSampler>, batch_sampler);
  EMBER_ARG(bool, drop_last) = false;
  // Worker threads; 0 builds batches on the iterating thread.
  EMBER_ARG(size_t, num_workers) = 0;
  // Batches each worker may have in flight.
  EMBER_ARG(size_t, prefetch_factor) = 2;
  // Draws base_seed and, with shuffle, the permutations (Note [DataLoader randomness]).
  EMBER_ARG(std::optional<Generator>, generator);
  // Called in each worker thread with its id before it builds a batch.
  EMBER_ARG(std::function<void(size_t)>, worker_init_fn);
};

namespace detail {

// The thread machinery behind DataLoader, independent of the batch type (Note [DataLoader
// worker threads]). fetch(k) builds batch k and stores it where the consumer will find it.
class WorkerPool {
 public:
  WorkerPool(size_t num_workers, size_t prefetch_factor, size_t num_batches, uint64_t base_seed,
             std::function<void(size_t)> worker_init_fn, std::function<void(size_t)> fetch);
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Blocks until batch k is built; rethrows the worker's exception as WorkerException.
  void wait(size_t k);
  // The consumer took batch k: workers may run up to prefetch_factor * W batches past it.
  void consumed(size_t k);

 private:
  void run(size_t worker);

  size_t num_workers_, window_, num_batches_;
  uint64_t base_seed_;
  std::function<void(size_t)> init_, fetch_;
  std::mutex mutex_;
  std::condition_variable work_cv_, done_cv_;
  size_t consumed_ = 0;
  bool stop_ = false;
  std::vector<char> done_;
  std::vector<std::exception_ptr> errors_;
  std::vector<std::thread> threads_;
};

// The DataLoader's option checks (PyTorch's messages) and its batch sampler.
std::shared_ptr<samplers::BatchSampler> make_batch_sampler(const DataLoaderOptions& options, size_t dataset_size);

template <class D, class = void>
struct has_collate_batch : std::false_type {};
template <class D>
struct has_collate_batch<D, std::void_t<decltype(std::declval<const D&>().collate_batch(
                                std::declval<std::vector<dataset_example_t<D>>>()))>> : std::true_type {};

}  // namespace detail

template <MapStyleDataset D, class CollateFn = DefaultCollate>
class DataLoader {
 public:
  using DatasetType = D;
  using ExampleType = dataset_example_t<D>;

 private:
  struct State {
    D dataset;
    DataLoaderOptions options;
    CollateFn collate;
    std::shared_ptr<samplers::BatchSampler> batch_sampler;

    auto make_batch(const std::vector<size_t>& indices) {
      std::vector<ExampleType> examples;
      examples.reserve(indices.size());
      for (size_t i : indices) examples.push_back(dataset.get(i));
      // dataset.map(Stack<>()) (a batch transform) replaces the default collation.
      if constexpr (std::is_same_v<CollateFn, DefaultCollate> && detail::has_collate_batch<D>::value)
        return dataset.collate_batch(std::move(examples));
      else
        return collate(std::move(examples));
    }
  };

 public:
  using BatchType = std::decay_t<decltype(std::declval<State&>().make_batch(std::declval<const std::vector<size_t>&>()))>;

  explicit DataLoader(D dataset, DataLoaderOptions options = {}, CollateFn collate = {})
      : state_(std::make_shared<State>(State{std::move(dataset), std::move(options), std::move(collate), nullptr})) {
    state_->batch_sampler = detail::make_batch_sampler(state_->options, dataset_size(state_->dataset));
  }

  class Iterator;
  // Starts a pass: draws the seeds, runs the sampler, starts the workers.
  Iterator begin() { return Iterator(std::make_shared<Epoch>(state_)); }
  Iterator end() { return Iterator(); }

  // Number of batches per pass.
  size_t size() const { return state_->batch_sampler->size(); }
  const DataLoaderOptions& options() const { return state_->options; }
  D& dataset() { return state_->dataset; }
  const D& dataset() const { return state_->dataset; }
  samplers::BatchSampler& batch_sampler() { return *state_->batch_sampler; }

 private:
  // One pass over the data. Members are destroyed in reverse order: the pool (joining the
  // workers) goes first, before the slots the workers write into.
  class Epoch {
   public:
    explicit Epoch(std::shared_ptr<State> state) : state_(std::move(state)) {
      const DataLoaderOptions& o = state_->options;
      uint64_t base_seed = data::detail::draw_seed(o.generator());
      batches_ = state_->batch_sampler->batches();
      if (o.num_workers() > 0 && !batches_.empty()) {
        slots_.resize(batches_.size());
        pool_ = std::make_unique<detail::WorkerPool>(
            o.num_workers(), o.prefetch_factor(), batches_.size(), base_seed, o.worker_init_fn(),
            [this](size_t k) { slots_[k].emplace(state_->make_batch(batches_[k])); });
      }
      advance();
    }

    bool done() const { return done_; }
    BatchType& current() {
      EMBER_CHECK(!done_, "DataLoader: the iterator is past the end");
      return *current_;
    }

    void advance() {
      if (pos_ >= batches_.size()) {
        finish();
        return;
      }
      size_t k = pos_++;
      try {
        if (pool_) {
          pool_->wait(k);
          current_.emplace(std::move(*slots_[k]));
          slots_[k].reset();
          pool_->consumed(k);
        } else {
          current_.emplace(state_->make_batch(batches_[k]));
        }
      } catch (...) {
        finish();  // a failed pass is over; its workers are stopped now, not at destruction
        throw;
      }
    }

   private:
    void finish() {
      done_ = true;
      current_.reset();
      pool_.reset();
    }

    std::shared_ptr<State> state_;
    std::vector<std::vector<size_t>> batches_;
    size_t pos_ = 0;
    bool done_ = false;
    std::optional<BatchType> current_;
    std::vector<std::optional<BatchType>> slots_;
    std::unique_ptr<detail::WorkerPool> pool_;
  };

 public:
  class Iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = BatchType;
    using difference_type = std::ptrdiff_t;
    using pointer = BatchType*;
    using reference = BatchType&;

    Iterator() = default;
    reference operator*() const { return epoch_->current(); }
    pointer operator->() const { return &epoch_->current(); }
    Iterator& operator++() {
      EMBER_CHECK(epoch_ && !epoch_->done(), "DataLoader: cannot advance an iterator past the end");
      epoch_->advance();
      return *this;
    }
    // Equal when both are exhausted (end() is always exhausted) or are the same pass.
    bool operator==(const Iterator& o) const {
      bool a = !epoch_ || epoch_->done(), b = !o.epoch_ || o.epoch_->done();
      return (a && b) || (!a && !b && epoch_ == o.epoch_);
    }

   private:
    friend class DataLoader;
    explicit Iterator(std::shared_ptr<Epoch> e) : epoch_(std::move(e)) {}
    std::shared_ptr<Epoch> epoch_;
  };

 private:
  std::shared_ptr<State> state_;
};

template <class D>
DataLoader(D, DataLoaderOptions) -> DataLoader<D>;
template <class D>
DataLoader(D) -> DataLoader<D>;

// LibTorch's make_data_loader: without a sampler, batch sampler or shuffle in the options,
// the indices come from a Sampler constructed with the dataset size (RandomSampler by
// default, as in LibTorch; make_data_loader<samplers::SequentialSampler>(ds, 64) for order).
template <class Sampler = samplers::RandomSampler, MapStyleDataset D>
std::unique_ptr<DataLoader<D>> make_data_loader(D dataset, DataLoaderOptions options = {}) {
  if (!options.sampler() && !options.batch_sampler() && !options.shuffle())
    options.sampler(std::make_shared<Sampler>(dataset_size(dataset)));
  return std::make_unique<DataLoader<D>>(std::move(dataset), std::move(options));
}

// make_data_loader(dataset, sampler, options) with a sampler object.
template <MapStyleDataset D, class Sampler>
  requires std::derived_from<Sampler, samplers::Sampler>
std::unique_ptr<DataLoader<D>> make_data_loader(D dataset, Sampler sampler, DataLoaderOptions options = {}) {
  options.sampler(std::make_shared<Sampler>(std::move(sampler)));
  return std::make_unique<DataLoader<D>>(std::move(dataset), std::move(options));
}

}  // namespace ember::data
