#!/usr/bin/env python3
"""Export torchvision ResNets with their pretrained ImageNet weights into the model repository.

Needs internet (the weights download from PyTorch's hub) and torch + torchvision + onnx:
    pip install torch torchvision onnx
    python3 scripts/export_torchvision.py --models resnet18 resnet50 --out models

Writes <out>/<name>/model.onnx with a dynamic batch dimension (input "input", output "logits").
The labels.txt and config.json already in models/<name>/ are torchvision's, so nothing else is needed:
restart the service and GET /v1/models shows "weights": "provided".
"""
import argparse
import os

import torch
import torchvision

WEIGHTS = {
    "resnet18": "ResNet18_Weights.IMAGENET1K_V1",
    "resnet34": "ResNet34_Weights.IMAGENET1K_V1",
    "resnet50": "ResNet50_Weights.IMAGENET1K_V2",
    "resnet101": "ResNet101_Weights.IMAGENET1K_V2",
    "resnet152": "ResNet152_Weights.IMAGENET1K_V2",
}


def export(name: str, out: str, opset: int) -> None:
    model = getattr(torchvision.models, name)(weights=WEIGHTS[name]).eval()
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(
        model,
        torch.randn(1, 3, 224, 224),
        path,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=opset,
    )
    print(f"{name}: wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=["resnet18"], choices=sorted(WEIGHTS))
    parser.add_argument("--out", default="models")
    parser.add_argument("--opset", type=int, default=17)
    args = parser.parse_args()
    for name in args.models:
        export(name, args.out, args.opset)


if __name__ == "__main__":
    main()
