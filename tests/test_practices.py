"""The best-practice pack beyond its rule examples: branches at exact positions, tags as
presets, the see-also column, and the one-walk-per-pod memo."""

from kubelint.checks.practices import sensitive_host_path
from kubelint.registry import Registry

from .conftest import kubelint, lint_text, positions

APP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: example/web:1.0
          env:
            - {name: SESSION_SECRET, value: s3cr3t}
            - {name: SECRET_NAME, value: web-session}
            - {name: PASSWORD_FILE, value: /run/secrets/pw}
            - {name: API_TOKEN, value: "$(TOKEN_FROM_SECRET)"}
            - {name: KEYCLOAK_URL, value: "https://id.example.com"}
          securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true,
                            capabilities: {drop: [ALL]}, runAsUser: 10001, runAsGroup: 10001}
      volumes:
        - {name: a, hostPath: {path: /var/log/web}}
        - {name: b, hostPath: {path: /run/containerd/containerd.sock}}
        - {name: c, hostPath: {path: /etc/kubernetes/pki}}
"""


def test_security_preset_on_a_hardened_app(tmp_path):
    result = lint_text(tmp_path, APP, select=["security"])
    got = sorted(positions(result))
    assert got == sorted([("KL317", 12, 5), ("KL316", 17, 45), ("KL311", 26, 38), ("KL311", 27, 38),
                          ("KL334", 4, 9)]), got


def test_sensitive_paths():
    assert sensitive_host_path("/var/run/docker.sock").startswith("the container runtime")
    assert sensitive_host_path("/") and sensitive_host_path("/proc/") and sensitive_host_path("/etc")
    assert sensitive_host_path("/var/log") is None and sensitive_host_path("/lib/modules") is None
    assert sensitive_host_path("/data/etc") is None


def test_reliability_preset_and_cross_rules(tmp_path):
    result = lint_text(tmp_path, APP, select=["reliability"])
    codes = sorted({f.code for f in result.findings})
    assert codes == ["KL302", "KL305", "KL325", "KL326", "KL327", "KL332", "KL333"], codes


def test_memo_does_not_leak_between_objects(tmp_path):
    two = APP + "---\n" + APP.replace("name: web\nspec", "name: api\nspec").replace(
        "            - {name: SESSION_SECRET, value: s3cr3t}\n", "")
    result = lint_text(tmp_path, two, select=["env-secret-literal", "sensitive-host-path"])
    assert positions(result) == [("KL316", 17, 45), ("KL311", 26, 38), ("KL311", 27, 38),
                                 ("KL311", 53, 38), ("KL311", 54, 38)]


def test_tags_select_and_ignore():
    reg = Registry.load()
    security = {r.code for r in reg.select(["security"])}
    assert {"KL303", "KL306", "KL320", "KL342"} <= security and "KL010" not in security
    assert not any(c.startswith("KL4") for c in security)  # Pod Security has its own tags
    restricted = {r.code for r in reg.select(["pss-restricted"])}
    assert {"KL402", "KL422", "KL427"} <= restricted
    assert {r.code for r in reg.select(["pss-baseline"])} == {c for c in restricted if c < "KL420"}
    assert "KL306" not in {r.code for r in reg.select(["ALL", "security"], ["capabilities"])}


def test_cli_select_by_tag_and_rules_show_see_also(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text(APP)
    out = kubelint("check", "--color", "never", "--select", "ALL,security", str(path))
    assert out.returncode == 1 and b"[KL316 env-secret-literal]" in out.stdout
    rules = kubelint("rules").stdout.decode()
    assert "see also: kube-linter:no-read-only-root-fs, kube-score:container-security-context-" \
           "readonlyrootfilesystem, polaris:notReadOnlyRootFilesystem" in rules


def test_ephemeral_storage_request_defaults_to_the_limit(tmp_path):
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n"
           "    - name: a\n      image: x:1\n      resources: {limits: {ephemeral-storage: 1Gi}}\n"
           "    - name: b\n      image: x:1\n      resources: {requests: {ephemeral-storage: 1Gi}}\n")
    # a: the request defaults to the limit, nothing missing; b: no limit (at its `name` key)
    assert positions(lint_text(tmp_path, pod, select=["KL326"])) == [("KL326", 9, 7)]


def test_cross_object_pack_rules_match_the_group_too(tmp_path):
    # Calico's NetworkPolicy (crd.projectcalico.org) is not the built-in one: KL334 still says
    # no NetworkPolicy selects the pods; the built-in one silences it.
    deploy = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
              "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
              "    spec: {containers: [{name: web, image: 'x:1'}]}\n")
    calico = ("---\napiVersion: crd.projectcalico.org/v1\nkind: NetworkPolicy\nmetadata: {name: np}\n"
              "spec: {podSelector: {}}\n")
    builtin = calico.replace("crd.projectcalico.org/v1", "networking.k8s.io/v1")
    assert positions(lint_text(tmp_path, deploy + calico, select=["KL334"])) == [("KL334", 3, 18)]
    assert positions(lint_text(tmp_path, deploy + builtin, select=["KL334"])) == []
