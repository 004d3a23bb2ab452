"""The situations of kubectl-validate's test cases (its testcases/manifests), each written anew
here: the verdict (rejected or accepted, and by which rule) must be the API server's. The CEL
and list-map situations use the CRD in fixtures/kv."""

import os

import pytest

from kubelint.engine import Settings, run

from .conftest import FIXTURES

KV_CRD = os.path.join(FIXTURES, "kv", "crd.yaml")

POD = """apiVersion: v1
kind: Pod
metadata:
  name: web
spec:
  containers:
    - name: web
      image: nginx:1.27
"""
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  mode: fast\n"
THROTTLE = "apiVersion: demo.example.org/v1\nkind: Throttle\nmetadata:\n  name: t\n"
JOBLIKE_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: batches.demo.example.org
spec:
  group: demo.example.org
  scope: Namespaced
  names: {plural: batches, singular: batch, kind: Batch}
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                mode: {type: string, enum: [Parallel, Serial]}
                template:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
"""

# (situation, manifest, error codes expected; [] = accepted)
SITUATIONS = [
    ("apiservice", "apiVersion: apiregistration.k8s.io/v1\nkind: APIService\nmetadata:\n  name: v1beta1.metrics.k8s.io\n"
                   "spec:\n  group: metrics.k8s.io\n  version: v1beta1\n  groupPriorityMinimum: 100\n  versionPriority: 100\n"
                   "  service: {name: metrics-server, namespace: kube-system}\n", []),
    ("configmap", CM, []),
    ("configmap_multi", CM + "---\n" + CM.replace("settings", "other"), []),
    ("deployment_with_strategy", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n"
                                 "  strategy:\n    type: RollingUpdate\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n"
                                 "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
                                 "    spec:\n      containers: [{name: web, image: 'nginx:1.27'}]\n", []),
    ("empty_secret", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: empty\n", []),
    ("empty_with_document", "---\n---\n" + CM + "---\n", []),
    ("error_array_instead_of_map", CM.replace("data:\n  mode: fast\n", "data:\n  - mode: fast\n"), ["KL010"]),
    ("error_cel_basic", THROTTLE + "rate: -1\n", ["KL021"]),
    ("error_cel_basic_multiple", THROTTLE + "rate: 3\nburst: 8\n", ["KL021"]),
    ("error_crd_typo", JOBLIKE_CRD.replace("mode: {type: string", "mode: {type: strign"), ["KL020"]),
    ("error_enum_invalid", JOBLIKE_CRD + "---\napiVersion: demo.example.org/v1\nkind: Batch\nmetadata:\n  name: b\n"
                           "spec:\n  mode: Sideways\n", ["KL010"]),
    ("error_indentation", POD.replace("    - name: web\n      image", "    - name: web\n    image"), ["KL001"]),
    ("error_invalid_field", POD.replace("spec:\n", "spec:\n  colour: blue\n"), ["KL010"]),
    ("error_map_instead_of_array", POD.replace("    - name: web\n      image: nginx:1.27\n",
                                               "    name: web\n    image: nginx:1.27\n"), ["KL010"]),
    ("error_missing_name", POD.replace("metadata:\n  name: web\n", "metadata:\n  labels: {app: web}\n"), ["KL104"]),
    ("error_misspelled_key", POD.replace("      image:", "      imagee:"), ["KL010", "KL111"]),
    ("error_multiple_fields", POD.replace("spec:\n", "spec:\n  colour: blue\n  restartPolicy: 3\n"),
     ["KL010", "KL010", "KL112"]),
    ("error_multiple_resources_all_invalid", CM.replace("\ndata:", "\ndataa:") + "---\n" + CM.replace("\ndata:", "\ndatum:").replace("settings", "two"),
     ["KL010", "KL010"]),
    ("error_multiple_resources_one_invalid", CM + "---\n" + CM.replace("\ndata:", "\ndataa:").replace("settings", "two"), ["KL010"]),
    ("error_name_exceeds_max_length", CM.replace("name: settings", "name: " + "s" * 254), ["KL104"]),
    ("error_quantity", POD.replace("      image: nginx:1.27\n",
                                   "      image: nginx:1.27\n      resources:\n        requests:\n          cpu: true\n"),
     ["KL010", "KL116"]),
    ("error_rbac_clusterrole_invalid_name", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\n"
                                            "metadata:\n  name: Reader/All\nrules: []\n", ["KL104"]),
    ("error_x_list_map_default", THROTTLE + "rate: 1\nlisteners:\n  - {port: 8443, protocol: TCP}\n  - {port: 8443}\n",
     ["KL022"]),
    ("error_x_list_map_duplicate_key", THROTTLE + "rate: 1\nlisteners:\n  - {port: 53, protocol: UDP}\n"
                                                  "  - {port: 53, protocol: UDP}\n", ["KL022"]),
    ("ignoredgvk", "apiVersion: some.example.org/v9\nkind: Unheard\nmetadata:\n  name: x\nspec: {a: 1}\n", []),
    ("jobset", JOBLIKE_CRD + "---\napiVersion: demo.example.org/v1\nkind: Batch\nmetadata:\n  name: b\n"
               "spec:\n  mode: Serial\n  template: {anything: [goes]}\n", []),
    ("list_configmaps_invalid", "apiVersion: v1\nkind: List\nitems:\n  - " + CM.replace("\n", "\n    ").rstrip()
                                .replace(" data:", " dataa:") + "\n", ["KL010"]),
    ("list_configmaps_valid", "apiVersion: v1\nkind: List\nitems:\n  - " + CM.replace("\n", "\n    ").rstrip() + "\n", []),
    ("list_nested_invalid", "apiVersion: v1\nkind: List\nitems:\n  - apiVersion: v1\n    kind: List\n    items: []\n",
     ["KL014"]),
    ("multiple_resources", CM + "---\n" + POD, []),
    ("multiple_resources_only_comments", "# a comment\n---\n# another\n---\n" + CM, []),
    ("rbac_roles", "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:reader\n"
                   "rules:\n  - apiGroups: ['']\n    resources: [pods]\n    verbs: [get]\n", []),
]


@pytest.mark.parametrize("name,text,expected", SITUATIONS, ids=[s[0] for s in SITUATIONS])
def test_kubectl_validate_situation(tmp_path, name, text, expected):
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    result = run([KV_CRD, str(path)], Settings())
    errors = sorted(f.code for f in result.findings if f.severity.label == "error")
    assert errors == sorted(expected), [(f.code, f.line, f.column, f.message) for f in result.findings]
