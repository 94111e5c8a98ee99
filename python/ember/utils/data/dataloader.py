"""DataLoader (torch.utils.data.DataLoader) with torch's arguments, seeding and ordering.
num_workers > 0 forks worker processes (_worker.py): a Python __getitem__ runs in parallel,
results come back in sampler order, a worker's exception is re-raised here with its
traceback, and the loader never hangs: not when the loop is left early (the iterator shuts
its workers down when dropped), not when a worker dies (checked every 5 s of waiting), not
at interpreter exit (workers are daemons that also watch their parent)."""
import itertools
import multiprocessing
import queue
import threading
import warnings

from ... import _C
from . import _worker
from .collate import default_collate, default_convert
from .dataset import IterableDataset, TensorDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


class _InfiniteConstantSampler:
    def __iter__(self):
        while True:
            yield None


class DataLoader:
    def __init__(self, dataset, batch_size=1, shuffle=None, sampler=None, batch_sampler=None, num_workers=0,
                 collate_fn=None, pin_memory=False, drop_last=False, timeout=0, worker_init_fn=None,
                 multiprocessing_context=None, generator=None, *, prefetch_factor=2, persistent_workers=False,
                 pin_memory_device=""):
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to disable "
                             "multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor != 2:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.persistent_workers = persistent_workers
        self.generator = generator
        self._is_iterable = isinstance(dataset, IterableDataset)
        if self._is_iterable:
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle option, but got "
                                 "shuffle={}".format(shuffle))
            if sampler is not None or batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler option")
        elif shuffle not in {False, None} and sampler is not None:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, shuffle, sampler, "
                                 "and drop_last")
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually exclusive with "
                             "drop_last")
        if sampler is None:
            if self._is_iterable:
                sampler = _InfiniteConstantSampler()
            elif shuffle:
                sampler = RandomSampler(dataset, generator=generator)
            else:
                sampler = SequentialSampler(dataset)
        if batch_size is not None and batch_sampler is None and not self._is_iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn
        self._iterator = None

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None or (self._is_iterable and self.batch_size is not None)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self._auto_collation and not self._is_iterable else self.sampler

    def __iter__(self):
        if self.num_workers == 0:
            return _SingleProcessIter(self)
        if self.persistent_workers:
            if self._iterator is None:
                self._iterator = _MultiProcessIter(self)
            else:
                self._iterator._reset(self)
            return self._iterator
        return _MultiProcessIter(self)

    def __len__(self):
        if self._is_iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                n = n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)


def _draw_base_seed(generator):
    # Even without workers, as torch does (reproducibility independent of num_workers).
    return int(_C.empty((), dtype=_C.int64).random_(generator=generator).item())


class _BaseIter:
    def __init__(self, loader):
        self._dataset = loader.dataset
        self._auto_collation = loader._auto_collation
        self._drop_last = loader.drop_last
        self._collate_fn = loader.collate_fn
        self._index_sampler = loader._index_sampler
        self._sampler_iter = iter(self._index_sampler)
        self._base_seed = _draw_base_seed(loader.generator)
        self._is_iterable = loader._is_iterable
        self._batch_size = loader.batch_size
        self._len = len(loader) if hasattr(self._dataset, "__len__") or not self._is_iterable else None

    def __iter__(self):
        return self

    def __len__(self):
        return self._len


class _SingleProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._dataset_iter = iter(self._dataset) if self._is_iterable else None

    def __next__(self):
        if self._is_iterable:
            if self._auto_collation:
                batch = list(itertools.islice(self._dataset_iter, self._batch_size))
                if not batch or (self._drop_last and len(batch) < self._batch_size):
                    raise StopIteration
                return self._collate_fn(batch)
            return self._collate_fn(next(self._dataset_iter))
        index = next(self._sampler_iter)
        if self._auto_collation:
            return _fetch_batch(self._dataset, index, self._collate_fn)
        return self._collate_fn(self._dataset[index])


def _fetch_batch(dataset, indices, collate_fn):
    """collate_fn([dataset[i] for i in indices]).

    Note [Batched fetch]
    With the default collate, a dataset whose items are slices of tensors it holds (a
    TensorDataset, a Subset of one, ember.vision's MNIST family with ember's own transforms)
    can build the whole collated batch at once: `_ember_fetch_batch(indices)` returns exactly
    what default_collate of the items would (same values, dtypes and shapes), or None when it
    cannot (a user subclass overriding __getitem__, a user transform), and then the items are
    fetched one by one as torch does."""
    if collate_fn is default_collate:
        fetch = getattr(dataset, "_ember_fetch_batch", None)
        if fetch is not None:
            batch = fetch(indices)
            if batch is not None:
                return batch
    return collate_fn([dataset[i] for i in indices])


class _MultiProcessIter(_BaseIter):
    def __init__(self, loader):
        super().__init__(loader)
        self._num_workers = loader.num_workers
        self._prefetch = loader.prefetch_factor * loader.num_workers
        self._timeout = loader.timeout
        self._persistent = loader.persistent_workers
        ctx = loader.multiprocessing_context or multiprocessing.get_context("fork")
        if isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        import os
        self._done_event = ctx.Event()
        self._result_queue = ctx.Queue()
        self._index_queues, self._workers = [], []
        for i in range(self._num_workers):
            iq = ctx.Queue()
            w = ctx.Process(target=_worker.worker_loop,
                            args=(self._dataset, iq, self._result_queue, self._done_event, self._auto_collation,
                                  self._collate_fn, self._drop_last, self._base_seed, loader.worker_init_fn, i,
                                  self._num_workers, os.getpid()))
            w.daemon = True
            w.start()
            self._index_queues.append(iq)
            self._workers.append(w)
        self._shutdown = False
        self._reset(loader, first_iter=True)

    def _reset(self, loader, first_iter=False):
        if not first_iter:
            self._sampler_iter = iter(self._index_sampler)
        self._send_idx = 0
        self._rcvd_idx = 0
        self._task_info = {}
        self._workers_status = [True] * self._num_workers
        self._worker_cycle = itertools.cycle(range(self._num_workers))
        self._iterable_ended = False
        for _ in range(self._prefetch):
            self._try_put_index()

    def _next_index(self):
        if self._is_iterable:
            return _worker._IterableTask(self._batch_size if self._auto_collation else 1)
        return next(self._sampler_iter)

    def _try_put_index(self):
        if self._is_iterable and self._iterable_ended:
            return
        try:
            index = self._next_index()
        except StopIteration:
            return
        worker = next(self._worker_cycle)
        self._index_queues[worker].put((self._send_idx, index))
        self._task_info[self._send_idx] = (worker,)
        self._send_idx += 1

    def _get_result(self):
        timeout = self._timeout if self._timeout > 0 else _worker.MP_STATUS_CHECK_INTERVAL
        while True:
            try:
                return self._result_queue.get(timeout=timeout)
            except queue.Empty:
                if self._timeout > 0:
                    self._shutdown_workers()
                    raise RuntimeError("DataLoader timed out after {} seconds".format(self._timeout)) from None
                dead = [w.pid for w in self._workers if not w.is_alive()]
                if dead:
                    self._shutdown_workers()
                    pids = ", ".join(str(p) for p in dead)
                    raise RuntimeError("DataLoader worker (pid(s) {}) exited unexpectedly".format(pids)) from None

    def __next__(self):
        while True:
            if self._rcvd_idx >= self._send_idx:
                if not self._persistent:
                    self._shutdown_workers()
                raise StopIteration
            info = self._task_info.get(self._rcvd_idx)
            if info is not None and len(info) == 2:
                data = info[1]
                del self._task_info[self._rcvd_idx]
                self._rcvd_idx += 1
                return self._process(data)
            idx, data = self._get_result()
            if idx == self._rcvd_idx:
                del self._task_info[idx]
                self._rcvd_idx += 1
                return self._process(data)
            self._task_info[idx] += (data,)

    def _process(self, data):
        if isinstance(data, _worker._IterableEnd):
            self._iterable_ended = True
            return self.__next__()
        self._try_put_index()
        if isinstance(data, _worker.ExceptionWrapper):
            self._shutdown_workers()
            data.reraise()
        return data

    def _shutdown_workers(self):
        if self._shutdown:
            return
        self._shutdown = True
        try:
            self._done_event.set()
            for q in self._index_queues:
                try:
                    q.put(None)
                except Exception:
                    pass
            for w in self._workers:
                w.join(timeout=_worker.MP_STATUS_CHECK_INTERVAL)
                if w.is_alive():
                    w.terminate()
            for q in self._index_queues:
                q.cancel_join_thread()
                q.close()
            self._result_queue.cancel_join_thread()
            self._result_queue.close()
        except Exception:
            pass

    def __del__(self):
        self._shutdown_workers()
