"""Custom resources validated against CustomResourceDefinitions from the input or --crd,
and against JSON schemas from --schema-dir; CRDs themselves checked (KL020)."""

import os

from kubelint.engine import Settings, run

from .conftest import FIXTURES, kubelint

CRD = os.path.join(FIXTURES, "crd", "widget-crd.yaml")
WIDGETS = os.path.join(FIXTURES, "crd", "widgets.yaml")

EXPECTED = [
    ("KL010", 18, 9, "spec.size: 11 is greater than the maximum of 10"),
    ("KL010", 19, 10, 'spec.color: unsupported value "Red": supported values: "red", "green", "blue"; did you mean "red"?'),
    ("KL010", 20, 9, "spec.port: expected integer or string, found list"),
    ("KL010", 21, 3, "spec: unknown field `shape`"),
    ("KL010", 22, 3, "spec.template: missing required field `apiVersion`"),
    ("KL010", 22, 3, "spec.template: missing required field `kind`"),
    ("KL010", 30, 12, "spec.dimensions.width: 0 is less than the minimum of 1"),  # the v2 schema
    ("KL015", 32, 13, "no schema for example.com/v1 Gadget: not validated"),
]


def findings(result):
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


def test_crd_given_with_flag():
    assert findings(run([WIDGETS], Settings(crds=[CRD]))) == EXPECTED


def test_crd_found_in_the_input_even_in_another_file_and_in_parallel():
    result = run([os.path.join(FIXTURES, "crd")], Settings(jobs=2))
    assert findings(result) == EXPECTED


def test_without_crd_custom_resources_are_info_only():
    result = run([WIDGETS], Settings())
    assert [(f.code, f.severity.label) for f in result.findings] == [("KL015", "info")] * 4


def test_pruning_is_strict_only():
    result = run([WIDGETS], Settings(crds=[CRD], strict=False))
    assert "spec: unknown field `shape`" not in [f.message for f in result.findings]


def test_schema_dir():
    result = run([WIDGETS], Settings(crds=[CRD], schema_dirs=[os.path.join(FIXTURES, "schema-dir")]))
    assert findings(result)[-1] == ("KL010", 36, 1, "spec: missing required field `mode`")


def test_cli_flags_and_errors(tmp_path):
    proc = kubelint("check", "--crd", CRD, WIDGETS)
    assert proc.returncode == 1 and b"spec.size: 11 is greater than the maximum of 10" in proc.stdout
    proc = kubelint("check", "--crd", "nope.yaml", WIDGETS)
    assert proc.returncode == 2 and b"--crd: no such file or directory: nope.yaml" in proc.stderr
    proc = kubelint("check", "--schema-dir", "nope", WIDGETS)
    assert proc.returncode == 2 and b"not a directory" in proc.stderr


def test_crd_config_keys(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "crds").mkdir()
    (tmp_path / "crds" / "w.yaml").write_text(open(CRD).read())
    (tmp_path / "w.yaml").write_text(open(WIDGETS).read())
    (tmp_path / ".kubelint.yaml").write_text("crds: [crds]\nexclude: ['crds/*']\n")
    proc = kubelint("check", "w.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and b"w.yaml:18:9: error: spec.size: 11" in proc.stdout


def test_crd_structure_findings(tmp_path):
    text = open(CRD).read().replace("name: widgets.example.com", "name: widget.example.com") \
        .replace("storage: false", "storage: true").replace("{type: integer, minimum: 1}", "{type: int, minimum: 1}")
    (tmp_path / "crd.yaml").write_text(text)
    result = run([str(tmp_path / "crd.yaml")], Settings())
    assert findings(result) == [
        ("KL020", 4, 9, 'metadata.name: Invalid value: "widget.example.com": must be spec.names.plural+"."+'
                        'spec.group ("widgets.example.com")'),
        ("KL020", 9, 3, "spec.versions: Invalid value: must have exactly one version marked as storage "
                        "version (found 2)"),
        ("KL020", 43, 35, 'spec.versions[1].schema.openAPIV3Schema.properties.spec.properties.dimensions.'
                          'properties.width.type: Unsupported value: "int": supported values: "object", '
                          '"array", "string", "integer", "number", "boolean"; did you mean "integer"?'),
    ]


def test_a_crd_restricts_only_the_name_of_metadata(tmp_path):
    """anthos-config-management's ConfigManagement CRD lists only `name` (with a pattern) under
    metadata: the API server checks the rest of metadata as ObjectMeta, so `namespace` or
    labels are no unknown fields; the name's restriction still holds."""
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata: {name: configs.example.io}\nspec:\n  group: example.io\n"
           "  names: {kind: Config, plural: configs}\n  scope: Namespaced\n  versions:\n"
           "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
           "        type: object\n        properties:\n          metadata:\n            type: object\n"
           "            properties:\n              name: {type: string, pattern: '^config-management$'}\n"
           "          spec: {type: object}\n")
    (tmp_path / "c.yaml").write_text(
        crd + "---\napiVersion: example.io/v1\nkind: Config\nmetadata:\n  name: config-management\n"
        "  namespace: config-management-system\n  labels: {app: cm}\nspec: {}\n---\n"
        "apiVersion: example.io/v1\nkind: Config\nmetadata:\n  name: other\nspec: {}\n")
    result = run([str(tmp_path / "c.yaml")], Settings())
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL010", 33, 9)], findings(result)
    assert 'does not match "^config-management$"' in result.findings[0].message


STATUS_CRD = """apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: evaluations.example.com}
spec:
  group: example.com
  names: {kind: Evaluation, plural: evaluations}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
%s      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties: {replicas: {type: integer}}
            status:
              type: object
              required: [evaluationStatus]
              properties: {evaluationStatus: {type: string}}
"""
SAMPLE = """apiVersion: example.com/v1
kind: Evaluation
metadata: {name: sample}
spec: {replicas: two}
status: {phase: done}
"""


def test_the_status_of_a_custom_resource_with_the_status_subresource_is_not_validated(tmp_path):
    """keptn's and baremetal-operator's config/samples hold a status: with the status
    subresource, the API server drops it before validating (apiextensions-apiserver's
    PrepareForCreate), so "status: missing required field" was a false error. Without the
    subresource, status is the object's and is validated."""
    (tmp_path / "crd.yaml").write_text(STATUS_CRD % "      subresources: {status: {}}\n")
    (tmp_path / "sample.yaml").write_text(SAMPLE)
    got = findings(run([str(tmp_path)], Settings()))
    assert got == [("KL010", 4, 18, "spec.replicas: expected integer, found string \"two\"")], got
    (tmp_path / "crd.yaml").write_text(STATUS_CRD % "")
    got = findings(run([str(tmp_path)], Settings()))
    assert [f[:3] for f in got] == [("KL010", 4, 18), ("KL010", 5, 1), ("KL010", 5, 10)], got
    assert "status: missing required field `evaluationStatus`" in got[1][3], got


def test_size_bounds_say_what_they_found_without_the_value(tmp_path):
    """external-secrets' SecretStore takes one provider (`provider`: maxProperties 1): its docs'
    "full" example lists five, and the message was jsonschema-rs's, which starts with the value
    as JSON: cut at 200 characters, it never reached "has more than 1 property"."""
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata: {name: stores.example.io}\nspec:\n  group: example.io\n"
           "  names: {kind: Store, plural: stores}\n  scope: Namespaced\n  versions:\n"
           "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
           "        type: object\n        properties:\n          spec:\n            type: object\n"
           "            properties:\n"
           "              provider: {type: object, maxProperties: 1, x-kubernetes-preserve-unknown-fields: true}\n"
           "              tags: {type: array, minItems: 2, uniqueItems: true, items: {type: string}}\n")
    long = "x" * 300
    (tmp_path / "s.yaml").write_text(
        crd + "---\napiVersion: example.io/v1\nkind: Store\nmetadata: {name: s}\nspec:\n"
        f"  provider:\n    aws: {{region: {long}}}\n    vault: {{server: {long}}}\n"
        "  tags: [a]\n---\napiVersion: example.io/v1\nkind: Store\nmetadata: {name: t}\n"
        "spec:\n  tags: [a, a]\n")
    result = run([str(tmp_path / "s.yaml")], Settings())
    assert findings(result) == [
        ("KL010", 26, 3, "spec.provider: has 2 fields (`aws`, `vault`): at most 1 field allowed"),
        ("KL010", 29, 9, "spec.tags: has 1 item: at least 2 items required"),
        ("KL010", 35, 9, "spec.tags: has 2 items, not all different: each item must be unique"),
    ]
