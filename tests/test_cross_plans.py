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
