#!/usr/bin/python3
"""Writes tests/data/data_golden.txt: PyTorch 1.13's answers for ember's data-pipeline tests
(tests/cpp/test_data_*.cpp). Run from the repository root: /usr/bin/python3 tests/data_golden.py

torchvision is not installed on Debian 12 with python3-torch, so the torchvision transforms
are re-stated here with torch ops, following torchvision 0.14's tensor code paths
(transforms/functional_tensor.py) step by step.

Format: one line per entry, `key: v1 v2 ...`; tensors also get `key.shape: d1 d2 ...`.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch.utils.data import (BatchSampler, DataLoader, Dataset, RandomSampler, SubsetRandomSampler,
                              WeightedRandomSampler, random_split)
from torch.utils.data.distributed import DistributedSampler

OUT = []


def put(key, values):
    if isinstance(values, torch.Tensor):
        OUT.append(f"{key}.shape: " + " ".join(str(d) for d in values.shape))
        values = values.flatten().tolist()
    OUT.append(f"{key}: " + " ".join(repr(v) if isinstance(v, float) else str(int(v)) for v in values))


def gen(seed):
    return torch.Generator().manual_seed(seed)


def flat(batches):
    out = []
    for b in batches:
        out += b.tolist() if isinstance(b, torch.Tensor) else list(b)
    return out


# --- samplers and the DataLoader's shuffle order -----------------------------------------
torch.manual_seed(0)
dl = DataLoader(range(10), batch_size=3, shuffle=True)
put("loader.shuffle.seed0.epoch1", flat(dl))
put("loader.shuffle.seed0.epoch2", flat(dl))
put("loader.shuffle.seed0.after", torch.rand(2))

g = gen(7)
dl = DataLoader(range(25), batch_size=4, shuffle=True, generator=g, drop_last=True)
put("loader.shuffle.gen7.epoch1", flat(dl))
put("loader.shuffle.gen7.epoch2", flat(dl))

for i, s in enumerate(random_split(range(10), [3, 7], generator=gen(42))):
    put(f"split.int.{i}", list(s.indices))
for i, s in enumerate(random_split(range(30), [0.3, 0.3, 0.4], generator=gen(42))):
    put(f"split.frac.{i}", list(s.indices))
for i, s in enumerate(random_split(range(11), [0.5, 0.5], generator=gen(1))):
    put(f"split.frac_remainder.{i}", list(s.indices))
torch.manual_seed(1)
for i, s in enumerate(random_split(range(8), [5, 3])):
    put(f"split.default.{i}", list(s.indices))

put("sampler.random.repl", list(RandomSampler(range(10), replacement=True, num_samples=40, generator=gen(3))))
put("sampler.random.num_samples", list(RandomSampler(range(7), num_samples=17, generator=gen(11))))
torch.manual_seed(5)
put("sampler.random.default", list(RandomSampler(range(12))))
put("sampler.subset", list(SubsetRandomSampler([5, 7, 9, 11, 13], generator=gen(4))))
W = [0.1, 0.9, 0.4, 0.7, 3, 0.6]
put("sampler.weighted.repl", list(WeightedRandomSampler(W, 40, True, generator=gen(5))))
put("sampler.weighted.norepl", list(WeightedRandomSampler(W, 4, False, generator=gen(5))))
put("sampler.weighted.one", list(WeightedRandomSampler(W, 1, True, generator=gen(6))))
put("sampler.batch", flat(BatchSampler(RandomSampler(range(10), generator=gen(8)), 4, False)))

for n, reps, drop in [(10, 3, False), (10, 3, True), (11, 4, True), (2, 3, False)]:
    for shuffle in (True, False):
        for epoch in (0, 1):
            for r in range(reps):
                s = DistributedSampler(range(n), num_replicas=reps, rank=r, shuffle=shuffle, seed=3, drop_last=drop)
                s.set_epoch(epoch)
                put(f"dist.n{n}.r{reps}.drop{int(drop)}.shuffle{int(shuffle)}.e{epoch}.rank{r}", list(s))


# Worker randomness: each worker's torch generator is seeded base_seed + worker_id.
class RandDataset(Dataset):
    def __len__(self):
        return 13

    def __getitem__(self, i):
        return torch.rand(2) + i, torch.randint(0, 1000, ()).item()


for workers in (0, 2, 3):
    torch.manual_seed(0)
    dl = DataLoader(RandDataset(), batch_size=2, shuffle=True, num_workers=workers)
    vals = []
    for x, y in dl:
        vals += x.flatten().tolist() + [float(v) for v in y.tolist()]
    put(f"loader.rand.workers{workers}", vals)

# --- transforms --------------------------------------------------------------------------
torch.manual_seed(0)
img_u8 = torch.randint(0, 256, (3, 10, 13), dtype=torch.uint8)
img_f = torch.rand(3, 10, 13)
put("img.u8", img_u8)
put("img.f", img_f)


def resize(img, size, mode):
    dtype = img.dtype
    x = img.float()[None]
    x = F.interpolate(x, size=size, mode=mode, align_corners=False if mode == "bilinear" else None)[0]
    if not dtype.is_floating_point:
        x = x.round().to(dtype)
    return x


put("resize.bilinear.f.7x9", resize(img_f, (7, 9), "bilinear"))
put("resize.bilinear.f.20x25", resize(img_f, (20, 25), "bilinear"))
put("resize.nearest.f.7x9", resize(img_f, (7, 9), "nearest"))
put("resize.nearest.f.20x26", resize(img_f, (20, 26), "nearest"))
put("resize.nearest.f.23x17", resize(img_f, (23, 17), "nearest"))
put("resize.bilinear.u8.20x25", resize(img_u8, (20, 25), "bilinear"))
put("resize.bilinear.u8.6x5", resize(img_u8, (6, 5), "bilinear"))
put("resize.bilinear.f.int8", resize(img_f, (8, int(8 * 13 / 10)), "bilinear"))


def tv_pad(img, ltrb, fill=0.0, mode="constant"):
    l, t, r, b = ltrb
    if mode == "constant":
        return F.pad(img, [l, r, t, b], mode="constant", value=fill)
    x = img[None].float() if not img.dtype.is_floating_point else img[None]
    x = F.pad(x, [l, r, t, b], mode={"edge": "replicate", "reflect": "reflect"}[mode])[0]
    return x.to(img.dtype)


def tv_crop(img, top, left, h, w):
    H, W = img.shape[-2:]
    right, bottom = left + w, top + h
    if left < 0 or top < 0 or right > W or bottom > H:
        p = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0), max(right - max(W, left), 0),
             max(bottom - max(H, top), 0)]
        return tv_pad(img[..., max(top, 0):bottom, max(left, 0):right], p)
    return img[..., top:bottom, left:right]


def tv_center_crop(img, ch, cw):
    H, W = img.shape[-2:]
    if ch > H or cw > W:
        p = [(cw - W) // 2 if cw > W else 0, (ch - H) // 2 if ch > H else 0, (cw - W + 1) // 2 if cw > W else 0,
             (ch - H + 1) // 2 if ch > H else 0]
        img = tv_pad(img, p)
        H, W = img.shape[-2:]
        if ch == H and cw == W:
            return img
    return tv_crop(img, int(round((H - ch) / 2.0)), int(round((W - cw) / 2.0)), ch, cw)


put("centercrop.f.5x6", tv_center_crop(img_f, 5, 6))
put("centercrop.f.4x4", tv_center_crop(img_f, 4, 4))
put("centercrop.u8.12x16", tv_center_crop(img_u8, 12, 16))
put("pad.edge", tv_pad(img_u8, [1, 2, 3, 1], mode="edge"))
put("pad.reflect", tv_pad(img_f, [2, 1, 2, 3], mode="reflect"))


def tv_random_crop(img, size, padding=None, pad_if_needed=False, fill=0.0):
    if padding is not None:
        p = padding * 4 if len(padding) == 1 else (padding * 2 if len(padding) == 2 else padding)
        img = tv_pad(img, p, fill)
    H, W = img.shape[-2:]
    if pad_if_needed and W < size[1]:
        img = tv_pad(img, [size[1] - W, 0, size[1] - W, 0], fill)
    H, W = img.shape[-2:]
    if pad_if_needed and H < size[0]:
        img = tv_pad(img, [0, size[0] - H, 0, size[0] - H], fill)
    H, W = img.shape[-2:]
    th, tw = size
    if H == th and W == tw:
        return img
    i = torch.randint(0, H - th + 1, size=(1,)).item()
    j = torch.randint(0, W - tw + 1, size=(1,)).item()
    return tv_crop(img, i, j, th, tw)


torch.manual_seed(3)
put("randomcrop.pad", torch.stack([tv_random_crop(img_f, (6, 7), padding=[1, 2]) for _ in range(3)]))
put("randomcrop.pad_if_needed", torch.stack([tv_random_crop(img_u8, (12, 15), pad_if_needed=True, fill=7.0)
                                             for _ in range(2)]))
put("randomcrop.after", torch.rand(1))

torch.manual_seed(5)
put("hflip.flags", [int(torch.rand(1) < 0.5) for _ in range(8)])


def inverse_rotation(center, angle):
    rot = math.radians(angle)
    sx, sy = math.radians(0.0), math.radians(0.0)
    cx, cy = center
    a = math.cos(rot - sy) / math.cos(sy)
    b = -math.cos(rot - sy) * math.tan(sx) / math.cos(sy) - math.sin(rot)
    c = math.sin(rot - sy) / math.cos(sy)
    d = -math.sin(rot - sy) * math.tan(sx) / math.cos(sy) + math.cos(rot)
    m = [d, -b, 0.0, -c, a, 0.0]
    m[2] += m[0] * (-cx) + m[1] * (-cy)
    m[5] += m[3] * (-cx) + m[4] * (-cy)
    m[2] += cx
    m[5] += cy
    return m


def affine_output_size(m, w, h):
    pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0], [0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, -0.5 * h, 1.0]])
    theta = torch.tensor(m, dtype=torch.float).view(2, 3)
    new_pts = torch.matmul(pts, theta.T)
    min_vals, _ = new_pts.min(dim=0)
    max_vals, _ = new_pts.max(dim=0)
    min_vals += torch.tensor((w * 0.5, h * 0.5))
    max_vals += torch.tensor((w * 0.5, h * 0.5))
    tol = 1e-4
    cmax = torch.ceil((max_vals / tol).trunc_() * tol)
    cmin = torch.floor((min_vals / tol).trunc_() * tol)
    size = cmax - cmin
    return int(size[0]), int(size[1])


def tv_rotate(img, angle, mode="nearest", expand=False, center=None, fill=(0.0,)):
    C, H, W = img.shape[-3:]
    center_f = [0.0, 0.0]
    if center is not None:
        center_f = [1.0 * (c - s * 0.5) for c, s in zip(center, [W, H])]
    m = inverse_rotation(center_f, -angle)
    ow, oh = affine_output_size(m, W, H) if expand else (W, H)
    dtype = img.dtype
    x = img.float() if not dtype.is_floating_point else img
    theta = torch.tensor(m, dtype=x.dtype).reshape(1, 2, 3)
    d = 0.5
    base = torch.empty(1, oh, ow, 3, dtype=theta.dtype)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + d, ow * 0.5 + d - 1, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + d, oh * 0.5 + d - 1, steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    rescaled = theta.transpose(1, 2) / torch.tensor([0.5 * W, 0.5 * H], dtype=theta.dtype)
    grid = base.view(1, oh * ow, 3).bmm(rescaled).view(1, oh, ow, 2)
    x = x[None]
    x = torch.cat((x, torch.ones((1, 1, H, W), dtype=x.dtype)), dim=1)
    x = F.grid_sample(x, grid, mode=mode, padding_mode="zeros", align_corners=False)
    mask = x[:, -1:]
    x = x[:, :-1]
    mask = mask.expand_as(x)
    fill_img = torch.tensor(fill, dtype=x.dtype).view(1, len(fill), 1, 1).expand_as(x)
    if mode == "nearest":
        mask = mask < 0.5
        x[mask] = fill_img[mask]
    else:
        x = x * mask + (1.0 - mask) * fill_img
    x = x[0]
    if not dtype.is_floating_point:
        x = torch.round(x).to(dtype)
    return x


torch.manual_seed(2)
angles = [float(torch.empty(1).uniform_(-30.0, 30.0).item()) for _ in range(3)]
put("rotate.angles", angles)
put("rotate.nearest.u8", torch.stack([tv_rotate(img_u8, a) for a in angles]))
put("rotate.nearest.f.fill", tv_rotate(img_f, angles[0], fill=(0.25, 0.5, 0.75)))
put("rotate.bilinear.f", tv_rotate(img_f, angles[1], mode="bilinear", fill=(0.5,) * 3))
put("rotate.nearest.f.expand", tv_rotate(img_f, 37.0, expand=True))
put("rotate.nearest.f.center", tv_rotate(img_f, -20.0, center=(3, 4)))
put("rotate.nearest.f.90", tv_rotate(img_f, 90.0))
big = torch.rand(1, 32, 32, generator=gen(9))
put("rotate.nearest.big.in", big)
put("rotate.nearest.big", tv_rotate(big, 17.3))


def gray(img):
    r, g, b = img.unbind(dim=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)


put("grayscale.u8", gray(img_u8))
put("grayscale.f", gray(img_f))
mean = torch.tensor([0.5, 0.4, 0.3]).view(-1, 1, 1)
std = torch.tensor([0.2, 0.25, 0.3]).view(-1, 1, 1)
put("normalize.f", img_f.clone().sub_(mean).div_(std))
put("convert.u8_to_f", img_u8.to(torch.float32).div_(255))
put("convert.f_to_u8", img_f.mul(255 + 1.0 - 1e-3).to(torch.uint8))
put("totensor", img_u8.permute(1, 2, 0).contiguous().permute(2, 0, 1).contiguous().to(torch.float32).div(255))

path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "data_golden.txt")
with open(path, "w") as f:
    f.write("# Written by tests/data_golden.py with PyTorch " + torch.__version__ + "; do not edit.\n")
    f.write("\n".join(OUT) + "\n")
print(f"wrote {len(OUT)} entries to {path}", file=sys.stderr)
