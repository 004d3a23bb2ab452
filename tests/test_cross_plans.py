"""The cross-object stage picks each object's rules by its apiVersion, kind and builtin as
written (engine._late's plans): objects whose apiVersion or kind is a list, a map or a
number sit beside ordinary ones without an internal error, and the ordinary ones get their
findings; KL203 and KL204 read a selected pod's container ports once (_ports_of) and find
what they found each on its own."""

from kubelint.engine import Settings, run

ODD = """apiVersion: [v1]
kind: Service
metadata: {name: a}
spec: {selector: {app: x}, ports: [{port: 80}]}
---
apiVersion: v1
kind: {a: Service}
metadata: {name: b}
spec: {selector: {app: x}, ports: [{port: 80}]}
---
apiVersion: 1
kind: Service
metadata: {name: c}
---
apiVersion: v1
kind: Service
metadata: {name: d}
spec: {selector: {app: nothing}, ports: [{port: 80, targetPort: web}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: e}
spec:
  selector: {matchLabels: {app: e}}
  template:
    metadata: {labels: {app: e}}
    spec: {containers: [{name: e, image: "nginx:1", ports: [{containerPort: 80, name: http}]}]}
---
apiVersion: v1
kind: Service
metadata: {name: e}
spec: {selector: {app: e}, ports: [{port: 80, targetPort: web}, {port: 81, targetPort: 8080}]}
"""


def test_odd_api_versions_and_kinds_beside_ordinary_objects(tmp_path):
    (tmp_path / "a.yaml").write_text(ODD)
    result = run([str(tmp_path)], Settings(select=["KL"], result_cache=False))
    assert not [f for f in result.findings if "internal error" in f.message]
    cross = [(f.code, f.span.line, f.span.column) for f in result.findings
             if f.code in ("KL201", "KL203", "KL204")]
    assert cross == [("KL201", 18, 8), ("KL203", 32, 59), ("KL204", 32, 88)]
    [kl203] = [f for f in result.findings if f.code == "KL203"]
    assert "named ports: http" in kl203.message
    [kl204] = [f for f in result.findings if f.code == "KL204"]
    assert "they declare 80" in kl204.message


def test_node_ports_are_indexed_as_services_are_added():
    """KL218's index (the first Service with each nodePort, per unit, and the Services after
    it) is the graph's, built object by object: a graph fed one object at a time (a parallel
    run's, built ahead) has the same as one built at once, in input order."""
    from kubelint.engine import K8sObject
    from kubelint.graph import Graph

    def svc(path, name, *ports, kind="Service", api="v1"):
        data = {"apiVersion": api, "kind": kind, "metadata": {"name": name},
                "spec": {"ports": [{"port": 80, "nodePort": p} for p in ports]}}
        return K8sObject(path, 0, None, data, "default")

    objects = [svc("a/1.yaml", "s1", 30001, 30002), svc("a/2.yaml", "s2", 30002),
               svc("b/1.yaml", "s3", 30002), svc("a/3.yaml", "s4", True, 0, "30001"),
               svc("a/4.yaml", "x", 30001, kind="Service", api="example.com/v1"),
               svc("a/5.yaml", "s5", 30003, 30001)]
    units = {o.path: o.path.split("/")[0] for o in objects}
    whole = Graph(objects, None, units)
    fed = Graph((), None, units)
    for o in objects:
        fed.add(o)
    for g in (whole, fed):
        assert {k: (v[0].name, v[1]) for k, v in g.node_ports.items()} == {
            ("a", 30001): ("s1", 0), ("a", 30002): ("s1", 1), ("b", 30002): ("s3", 0),
            ("a", 30003): ("s5", 0)}
        assert g.node_port_sharers == {id(objects[1]), id(objects[5])}


def test_the_stage_is_shared_out_by_runs_of_one_file(monkeypatch):
    """engine._late_parts: one part per run of objects of one path; none (one process) when
    a path comes back after another's objects, or for a single file."""
    from types import SimpleNamespace

    from kubelint import engine
    from kubelint.engine import K8sObject

    monkeypatch.setattr(engine, "LATE_PARALLEL_MIN_OBJECTS", 1)
    linter = SimpleNamespace(settings=Settings(jobs=2))

    def parts(paths):
        return engine._late_parts(linter, [K8sObject(p, 0, None, {}, "ns") for p in paths], [])

    assert parts("aabccc") == [(0, 2), (2, 3), (3, 6)]
    assert parts("abca") is None
    assert parts("aaa") is None
    assert parts("") is None
    linter.settings.jobs = 1
    assert parts("aabccc") is None


KUBEBUILDER = """apiVersion: apps/v1
kind: Deployment
metadata: {name: controller-manager, namespace: system}
spec:
  selector: {matchLabels: {control-plane: controller-manager}}
  template:
    metadata: {labels: {control-plane: controller-manager}}
    spec:
      containers:
      - name: manager
        image: controller:latest
        args: [--metrics-bind-address=:8443, --health-probe-bind-address=:8081]
        env: [{name: GRPC_PORT, value: "9095"}]
        ports: [{containerPort: 9443, name: webhook-server}]
---
apiVersion: v1
kind: Service
metadata: {name: controller-manager-metrics-service, namespace: system}
spec:
  selector: {control-plane: controller-manager}
  ports:
  - {name: https, port: 8443, targetPort: 8443}
  - {name: grpc, port: 9095, targetPort: 9095}
  - {name: typo, port: 8080, targetPort: 8844}
"""


def test_a_port_the_container_names_on_its_command_line_is_not_undeclared(tmp_path):
    """Every kubebuilder scaffold serves metrics on `--metrics-bind-address=:8443` without
    declaring the port: KL204 (info) is about a number nothing in the pod mentions."""
    from .conftest import kubelint

    (tmp_path / "manager.yaml").write_text(KUBEBUILDER)
    result = run([str(tmp_path)], Settings(select=["KL204"], result_cache=False))
    assert [(f.code, f.span.line, f.span.column) for f in result.findings] == [("KL204", 24, 42)], \
        [f.message for f in result.findings]
    (tmp_path / "more.yaml").write_text(ODD)  # a second file: the parallel run's projections
    out = kubelint("check", "--select", "KL204", "--jobs", "2", "--no-cache", str(tmp_path)).stdout.decode()
    assert [line.split(": ")[0].rsplit("/", 1)[1] for line in out.splitlines() if "[KL204" in line] == \
        ["manager.yaml:24:42", "more.yaml:32:88"], out


TEMPLATED_RBAC = """apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kat}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: {self.path.k8s}}
subjects:
- {kind: ServiceAccount, name: {self.path.k8s}, namespace: {self.namespace}}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: kat, namespace: emojivoto}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
subjects:
- {kind: ServiceAccount, name: [voting]}
---
apiVersion: v1
kind: Pod
metadata: {name: voting, namespace: emojivoto, labels: {app: voting-svc}}
spec:
  serviceAccountName: {name: voting}
  containers: [{name: voting, image: "voting:1"}]
---
apiVersion: v1
kind: Service
metadata: {name: voting-svc-v10, namespace: emojivoto}
spec:
  selector: {app: voting-svc, version: v10}
  ports: [{port: 8080}]
"""


def test_rbac_fields_of_another_type_beside_a_service_that_selects_nothing(tmp_path):
    """emissary's Python-formatted test manifests (`name: {self.path.k8s}` is a map) walked
    with its docs: KL201 asks whether a pod-making ServiceAccount runs in the namespace and
    hashed the binding's map-typed names (an internal error of KL201)."""
    (tmp_path / "a.yaml").write_text(TEMPLATED_RBAC)
    result = run([str(tmp_path)], Settings(result_cache=False))  # (the RBAC rules keep the bindings)
    assert [(f.code, f.span.line, f.span.column) for f in result.findings if f.code == "KL201"] == \
        [("KL201", 26, 3)], [f.message for f in result.findings]


def test_a_role_rule_with_items_of_another_type(tmp_path):
    """The cross-rule fuzz: a Role whose apiGroups or resources hold a map or a list (the
    schema's finding) was hashed when KL201, KL212 and KL214 asked whether the namespace runs
    an operator (an internal error of each)."""
    text = TEMPLATED_RBAC.replace(
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}",
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: maker}") + \
        "---\napiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: maker, namespace: emojivoto}\n" \
        "rules: [{apiGroups: [[x], {a: 1}, ''], resources: [{a: 1}, pods], verbs: [create]}]\n"
    (tmp_path / "a.yaml").write_text(text)
    result = run([str(tmp_path)], Settings(result_cache=False))
    assert not [f.message for f in result.findings if "internal error" in f.message]
