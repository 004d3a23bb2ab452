"""The seed's rules beyond their examples: every branch at an exact position."""

from kubelint.checks.labels import expression_matches, selector_mismatches

from .conftest import FIXTURES, kubelint, lint_text, positions

SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: {type}
  selector: {{app: web}}
  ports:
    - {{name: a, port: 80, nodePort: {a}}}
    - {{name: b, port: 81, nodePort: {b}}}
"""


def test_schema_errors_all_reported_at_their_nodes(tmp_path):
    result = lint_text(tmp_path, open(f"{FIXTURES}/deployment-errors.yaml").read())
    assert positions(result) == [("KL010", 6, 13), ("KL010", 18, 11), ("KL010", 22, 22), ("KL010", 23, 11)]
    assert [f.message for f in result.findings] == [
        'spec.replicas: expected integer, found string "3"',
        "spec.template.spec.containers[0]: unknown field `port`; did you mean `ports`?",
        "spec.template.spec.containers[0].env[0].value: expected string, found boolean true "
        "(unquoted `yes` is the boolean true in YAML 1.1, which kubectl uses)",
        "spec.template.spec.containers[1]: missing required field `name`",
    ]


def test_node_port_branches(tmp_path):
    dup = lint_text(tmp_path, SERVICE.format(type="NodePort", a=30001, b=30001))
    assert positions(dup) == [("KL101", 10, 37)]
    assert "duplicates spec.ports[0]" in dup.findings[0].message
    both = lint_text(tmp_path, SERVICE.format(type="LoadBalancer", a=29999, b=32768))
    assert positions(both) == [("KL101", 9, 37), ("KL101", 10, 37)]
    assert "outside the node port range 30000-32767" in both.findings[0].message
    clusterip = lint_text(tmp_path, SERVICE.format(type="ClusterIP", a=30001, b=30002))
    assert positions(clusterip) == [("KL101", 9, 27), ("KL101", 10, 27)]


def test_selector_expressions():
    labels = {"app": "web", "tier": "fe"}
    assert expression_matches({"key": "tier", "operator": "In", "values": ["fe", "be"]}, labels)
    assert not expression_matches({"key": "tier", "operator": "NotIn", "values": ["fe"]}, labels)
    assert expression_matches({"key": "zone", "operator": "NotIn", "values": ["a"]}, labels)
    assert expression_matches({"key": "app", "operator": "Exists"}, labels)
    assert not expression_matches({"key": "app", "operator": "DoesNotExist"}, labels)
    assert not expression_matches({"key": "app", "operator": "Bogus"}, labels)
    assert list(selector_mismatches({"matchLabels": {"app": "api", "x": "1"}}, labels)) == [
        (("matchLabels", "app"), '`app` is "web", not "api"'), (("matchLabels", "x"), "label `x` is missing")]


def test_selector_template_mismatch_with_expressions(tmp_path):
    text = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  serviceName: db
  selector:
    matchExpressions:
      - {key: app, operator: NotIn, values: [db]}
  template:
    metadata:
      labels: {app: db}
    spec:
      containers: [{name: db, image: "postgres:16"}]
"""
    result = lint_text(tmp_path, text)
    assert positions(result) == [("KL102", 6, 3)]
    assert "expression `app NotIn (db)` does not hold" in result.findings[0].message
    assert [(r.span.line, r.span.column) for r in result.findings[0].related] == [(11, 7)]


def test_job_selector_only_checked_with_manual_selector(tmp_path):
    job = """apiVersion: batch/v1
kind: Job
metadata: {{name: j}}
spec:
  {manual}selector: {{matchLabels: {{a: b}}}}
  template:
    metadata: {{labels: {{a: c}}}}
    spec:
      restartPolicy: Never
      containers: [{{name: c, image: i}}]
"""
    assert positions(lint_text(tmp_path, job.format(manual=""))) == []
    assert positions(lint_text(tmp_path, job.format(manual="manualSelector: true\n  "))) == [("KL102", 6, 3)]


def test_service_without_selector_or_external_name_is_exempt(tmp_path):
    pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n---\n"
    ext = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: ExternalName\n  externalName: db.example.com\n  selector: {app: x}\n"
    manual = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: [{port: 80}]\n"
    assert positions(lint_text(tmp_path, pod + ext)) == []
    assert positions(lint_text(tmp_path, pod + manual)) == []


def test_explain():
    proc = kubelint("explain", "node-port")
    text = proc.stdout.decode()
    assert proc.returncode == 0
    assert text.startswith("KL101 node-port (error)\n")
    for part in ("Why:", "Fix:", "Options:", "min (default 30000)", "Fails:", "Passes:"):
        assert part in text
    assert kubelint("explain", "KL999").returncode == 2
