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


# A Windows DaemonSet (the node selector, a HostProcess pod), a Pod with spec.os.name windows,
# and their Linux twin. Real-world: azurefile-csi-driver's csi-azurefile-node-win, sig-windows-
# tools' hostprocess DaemonSets.
WINDOWS = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: node-win, namespace: kube-system}
spec:
  selector: {matchLabels: {app: node-win}}
  template:
    metadata: {labels: {app: node-win}}
    spec:
      nodeSelector: {kubernetes.io/os: windows}
      containers:
        - name: registrar
          image: registrar:v2.13.0
        - name: plugin
          image: plugin:v1.2.3
          securityContext: {capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Pod
metadata: {name: hostprocess, namespace: kube-system}
spec:
  securityContext:
    windowsOptions: {hostProcess: true, runAsUserName: "NT AUTHORITY\\\\SYSTEM"}
  hostNetwork: true
  containers:
    - name: proxy
      image: proxy:v1.1.2
---
apiVersion: v1
kind: Pod
metadata: {name: win, namespace: kube-system}
spec:
  os: {name: windows}
  containers:
    - name: app
      image: app:v1
---
apiVersion: v1
kind: Pod
metadata: {name: linux, namespace: kube-system}
spec:
  os: {name: linux}
  nodeSelector: {kubernetes.io/os: linux}
  containers:
    - name: app
      image: app:v1
"""


def test_windows_pods_are_not_asked_for_linux_only_fields(tmp_path):
    # capabilities, allowPrivilegeEscalation, readOnlyRootFilesystem, runAsUser and runAsGroup
    # do nothing on Windows and the API server rejects them with spec.os.name windows: only
    # the Linux pod (its container at line 44) gets KL306, KL308, KL309 and KL310 (runAsUser,
    # runAsGroup); KL304 stays for all (Windows has runAsNonRoot too)
    result = lint_text(tmp_path, WINDOWS, select=["KL304", "KL306", "KL308", "KL309", "KL310"])
    assert sorted(positions(result)) == sorted([
        ("KL304", 11, 11), ("KL304", 13, 11), ("KL304", 25, 7), ("KL304", 34, 7),
        ("KL304", 44, 7), ("KL306", 44, 7), ("KL308", 44, 7), ("KL309", 44, 7),
        ("KL310", 44, 7), ("KL310", 44, 7)]), positions(result)


def test_windows_pods_still_get_pod_security_as_the_plugin_judges_them(tmp_path):
    # the plugin exempts only spec.os.name windows (from v1.25) from allowPrivilegeEscalation,
    # seccomp and capabilities: the node selector and HostProcess pods still get KL422
    result = lint_text(tmp_path, WINDOWS, select=["KL422"])
    assert positions(result) == [("KL422", 11, 11), ("KL422", 15, 11), ("KL422", 25, 7),
                                 ("KL422", 44, 7)], positions(result)


PRIVILEGED = """apiVersion: v1
kind: Pod
metadata: {name: csi-node}
spec:
  containers:
    - name: plugin
      image: plugin:v1.2.3
      securityContext:
        privileged: true
        capabilities: {add: [SYS_ADMIN]}
    - name: helper
      image: helper:v1.2.3
      securityContext:
        capabilities: {add: [SYS_ADMIN]}
"""


def test_capabilities_of_a_privileged_container_are_moot(tmp_path):
    # a privileged container has every capability whatever its list says (csi-driver-nfs'
    # node plugin): KL303 reports it; KL306 and KL307 only the unprivileged helper
    result = lint_text(tmp_path, PRIVILEGED, select=["KL303", "KL306", "KL307"])
    assert positions(result) == [("KL303", 9, 9), ("KL306", 14, 9), ("KL307", 14, 30)], positions(result)


def test_network_policy_missing_skips_host_network_pods(tmp_path):
    # NetworkPolicy does not apply to host-network pods (flannel, CSI node plugins): KL334
    # says nothing of them, as KL220 does not
    pods = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
            "  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n"
            "    spec: {hostNetwork: true, containers: [{name: agent, image: 'x:1'}]}\n---\n"
            "apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec: {containers: [{name: web, image: 'x:1'}]}\n")
    assert positions(lint_text(tmp_path, pods, select=["KL334"])) == [("KL334", 12, 18)]


def test_readiness_probe_says_what_holds_without_a_service(tmp_path):
    # a node agent no Service selects (CSI node plugins, flannel) gets no traffic: the finding
    # says what holds for every pod (ready at once: Services and rollouts rely on it)
    agent = ("apiVersion: apps/v1\nkind: DaemonSet\nmetadata: {name: agent}\nspec:\n"
             "  selector: {matchLabels: {app: agent}}\n  template:\n    metadata: {labels: {app: agent}}\n"
             "    spec:\n      containers:\n        - {name: agent, image: 'x:1'}\n")
    result = lint_text(tmp_path, agent, select=["KL305"])
    assert positions(result) == [("KL305", 10, 12)]
    assert result.findings[0].message == (
        "spec.template.spec.containers[0]: no readinessProbe: the pod is ready as soon as it "
        "starts, so Services send it traffic and rollouts move on before it can serve")
CONTRADICTIONS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: a, namespace: x}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: a}}
    spec:
      securityContext: {runAsNonRoot: true, runAsUser: 0}
      initContainers:
        - {name: i, image: "busybox:1.0"}
      containers:
        - {name: a, image: "nginx:1.2"}
        - {name: b, image: "nginx:1.2", securityContext: {runAsUser: 1000}}
        - {name: c, image: "nginx:1.2", securityContext: {runAsUser: 0, runAsNonRoot: null}}
        - {name: d, image: "nginx:1.2", securityContext: {runAsUser: 0}}
        - {name: e, image: "nginx:1.2", securityContext: []}
      ephemeralContainers:
        - {name: x, image: "nginx:1.2"}
"""


def test_run_as_root_contradiction_in_the_packs_walk_too(tmp_path):
    """KL342 (on by default) is found by its own pass without the pack, and by the pack's walk
    with it (one pass over the containers for both: its check's by_code): the same findings.
    The pod's runAsUser 0 for containers without their own (the init, regular and ephemeral
    containers a, e, x: at the pod's field), a container's own (d); not a container that sets
    runAsNonRoot null (c) or another user (b)."""
    from kubelint.checks import practices

    expected = [("KL342", 9, 56)] * 4 + [("KL342", 16, 70)]
    alone = positions(lint_text(tmp_path, CONTRADICTIONS), "KL342")
    assert alone == expected
    assert positions(lint_text(tmp_path, CONTRADICTIONS, select=["ALL", "security"]), "KL342") == expected
    assert positions(lint_text(tmp_path, CONTRADICTIONS, select=["ALL", "security", "reliability",
                                                                  "pod-security"]), "KL342") == expected
    # the walk's own findings: what run_as_root_contradiction finds, in its order
    from kubelint.engine import K8sObject

    import yaml

    data = yaml.safe_load(CONTRADICTIONS)
    obj = K8sObject("m.yaml", 0, None, data, "x", (), True)
    assert practices.pod_findings(obj)["KL342"] == practices.run_as_root_contradiction(obj, None)
