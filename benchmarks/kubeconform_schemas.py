"""Write the Kubernetes schemas kubelint uses as self-contained files in kubeconform's layout,
so both tools validate against the same schemas in the benchmark.

    python benchmarks/kubeconform_schemas.py OUT_DIR [--kubernetes-version 1.37]

then `kubeconform -strict -schema-location 'OUT_DIR/{{.ResourceKind}}{{.KindSuffix}}.json'`.
Each file is the strict schema of one kind with the definitions it uses inlined (the same
bundle kubelint compiles), because kubeconform cannot follow kubernetes-validate's references
to a shared `_definitions.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from kubelint import k8s_schema  # noqa: E402


def write(out: str, version: str) -> int:
    os.makedirs(out, exist_ok=True)
    n = 0
    for kinds in k8s_schema.index(version).values():
        for fname in kinds.values():
            target = os.path.join(out, fname)
            if os.path.exists(target):
                continue
            schema = k8s_schema._bundle(version, True, fname)
            with open(target + ".tmp", "w", encoding="utf-8") as f:
                json.dump(schema, f, separators=(",", ":"))
            os.replace(target + ".tmp", target)
            n += 1
    return n


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--kubernetes-version", default=None)
    a = ap.parse_args()
    version = k8s_schema.check_version(a.kubernetes_version) if a.kubernetes_version \
        else k8s_schema.latest_version()
    print(f"{write(a.out, version)} schemas written to {a.out}")
