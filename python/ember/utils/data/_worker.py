"""DataLoader worker processes: torch's model (python-package.md §4). Each worker is a
forked process with its own index queue, sharing one result queue; it seeds Python's
`random`, ember's generator and (if imported) NumPy from base_seed + worker_id as torch
does, runs worker_init_fn, then fetches and collates batches until told to stop or until
its parent disappears. Exceptions travel back as text and are re-raised in the parent."""
import os
import queue
import random
import sys
import traceback

from ... import _C

MP_STATUS_CHECK_INTERVAL = 5.0


class WorkerInfo:
    def __init__(self, **kwargs):
        for k, v in kwargs.items():
            setattr(self, k, v)
        self.__initialized = True

    def __setattr__(self, key, val):
        if self.__dict__.get("_WorkerInfo__initialized", False):
            raise RuntimeError("Cannot assign attributes to {} objects".format(self.__class__.__name__))
        return super().__setattr__(key, val)

    def __repr__(self):
        items = ["{}={}".format(k, getattr(self, k)) for k in ("id", "num_workers", "seed", "dataset")]
        return "{}({})".format(self.__class__.__name__, ", ".join(items))


_worker_info = None


def get_worker_info():
    return _worker_info


class ExceptionWrapper:
    """An exception caught in a worker: its type and formatted traceback, re-raised in the
    parent as torch does ("Caught ValueError in DataLoader worker process 0. ...")."""

    def __init__(self, exc_info, where):
        self.exc_type = exc_info[0]
        self.exc_msg = "".join(traceback.format_exception(*exc_info))
        self.where = where

    def reraise(self):
        msg = "Caught {} {}.\nOriginal {}".format(self.exc_type.__name__, self.where, self.exc_msg)
        if self.exc_type == KeyError:
            msg = KeyErrorMessage(msg)
        try:
            exception = self.exc_type(msg)
        except TypeError:
            raise RuntimeError(msg) from None
        raise exception


class KeyErrorMessage(str):
    def __repr__(self):
        return self


def _generate_state(base_seed, worker_id):
    """NumPy's seed for a worker: torch's SeedSequence-style hash of
    [worker_id, base_seed & 0xffffffff, base_seed >> 32, 0]."""
    INIT_A, MULT_A, INIT_B, MULT_B = 0x43b0d7e5, 0x931e8875, 0x8b51f9dd, 0x58f38ded
    MIX_MULT_L, MIX_MULT_R, XSHIFT, MASK32 = 0xca01f9dd, 0x4973f715, 4 * 8 // 2, 0xFFFFFFFF
    entropy = [worker_id, base_seed & MASK32, base_seed >> 32, 0]
    pool = [0] * 4
    hash_const_A = INIT_A

    def hash(value):
        nonlocal hash_const_A
        value = (value ^ hash_const_A) & MASK32
        hash_const_A = (hash_const_A * MULT_A) & MASK32
        value = (value * hash_const_A) & MASK32
        value = (value ^ (value >> XSHIFT)) & MASK32
        return value

    def mix(x, y):
        result_x = (MIX_MULT_L * x) & MASK32
        result_y = (MIX_MULT_R * y) & MASK32
        result = (result_x - result_y) & MASK32
        result = (result ^ (result >> XSHIFT)) & MASK32
        return result

    for i in range(len(pool)):
        pool[i] = hash(entropy[i])
    for i_src in range(len(pool)):
        for i_dst in range(len(pool)):
            if i_src != i_dst:
                pool[i_dst] = mix(pool[i_dst], hash(pool[i_src]))
    hash_const_B = INIT_B
    state = []
    for i_dst in range(4):
        data_val = pool[i_dst]
        data_val = (data_val ^ hash_const_B) & MASK32
        hash_const_B = (hash_const_B * MULT_B) & MASK32
        data_val = (data_val * hash_const_B) & MASK32
        data_val = (data_val ^ (data_val >> XSHIFT)) & MASK32
        state.append(data_val)
    return state


def worker_loop(dataset, index_queue, result_queue, done_event, auto_collation, collate_fn, drop_last, base_seed,
                init_fn, worker_id, num_workers, parent_pid):
    global _worker_info
    try:
        seed = base_seed + worker_id
        random.seed(seed)
        _C.manual_seed(seed)
        if "numpy" in sys.modules:
            import numpy
            numpy.random.seed(_generate_state(base_seed, worker_id))
        _C.set_num_threads(1)
        _worker_info = WorkerInfo(id=worker_id, num_workers=num_workers, seed=seed, dataset=dataset)
        init_exception = None
        try:
            if init_fn is not None:
                init_fn(worker_id)
        except Exception:
            init_exception = ExceptionWrapper(sys.exc_info(), "in DataLoader worker process {}".format(worker_id))
        iterable = None
        while True:
            if os.getppid() != parent_pid:
                return  # the parent is gone
            try:
                task = index_queue.get(timeout=MP_STATUS_CHECK_INTERVAL)
            except queue.Empty:
                continue
            if task is None:
                break
            if done_event.is_set():
                continue
            idx, index = task
            if init_exception is not None:
                data, init_exception = init_exception, None
            else:
                try:
                    if isinstance(index, _IterableTask):
                        if iterable is None:
                            iterable = iter(dataset)
                        batch = []
                        for _ in range(index.size):
                            try:
                                batch.append(next(iterable))
                            except StopIteration:
                                break
                        if not batch or (drop_last and len(batch) < index.size):
                            data = _IterableEnd()
                        else:
                            data = collate_fn(batch) if auto_collation else batch[0]
                    elif auto_collation:
                        from .dataloader import _fetch_batch
                        data = _fetch_batch(dataset, index, collate_fn)
                    else:
                        data = collate_fn(dataset[index])
                except Exception:
                    data = ExceptionWrapper(sys.exc_info(), "in DataLoader worker process {}".format(worker_id))
            result_queue.put((idx, data))
    except KeyboardInterrupt:
        pass


class _IterableTask:
    def __init__(self, size):
        self.size = size


class _IterableEnd:
    pass
