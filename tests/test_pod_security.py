"""Pod Security Standards as the admission plugin evaluates them: every control of both
levels at exact positions, at two versions where the controls differ (v1.30: container_engine_t
SELinux type and net.ipv4.tcp_rmem forbidden, no probe-host control, user-namespace pods not
exempt; v1.35: all of that reversed, and procMount_restricted replaces procMount), and how
Namespace labels, config and selection choose the level."""

import pytest

from kubelint.admission.pod_security import controls_for, parse_version, safe_sysctls
from kubelint.model import Severity

from .conftest import FIXTURES, kubelint, lint_text
from .conftest import positions as _positions


def positions(result, code=None):
    """Pod Security findings only: the fixture also breaks API-server rules on purpose
    (procMount Unmasked without hostUsers: false is KL129 from 1.33)."""
    return [p for p in _positions(result, code) if p[0].startswith("KL4")]

with open(f"{FIXTURES}/pss/every-control.yaml") as f:
    EVERY = f.read()


def labelled(text, **labels):
    shown = ", ".join(f"pod-security.kubernetes.io/{k.replace('_', '-')}: {v}" for k, v in labels.items())
    return text.replace("  labels: {}", "  labels: {" + shown + "}", 1)


EXPECTED = {
    ("baseline", "v1.30"): [
        ("KL407", 20, 61), ("KL402", 22, 20), ("KL402", 23, 16), ("KL402", 24, 16),
        ("KL410", 27, 32), ("KL408", 28, 32), ("KL401", 29, 39), ("KL411", 31, 20),
        ("KL411", 32, 20), ("KL403", 37, 25), ("KL406", 43, 47), ("KL409", 48, 24),
        ("KL407", 49, 37), ("KL408", 50, 36), ("KL408", 50, 52), ("KL404", 51, 34),
        ("KL405", 54, 11), ("KL409", 72, 20),
    ],
    ("restricted", "v1.30"): [
        ("KL407", 20, 61), ("KL402", 22, 20), ("KL402", 23, 16), ("KL402", 24, 16),
        ("KL424", 26, 20), ("KL425", 27, 32), ("KL408", 28, 32), ("KL401", 29, 39),
        ("KL411", 31, 20), ("KL411", 32, 20), ("KL423", 36, 11), ("KL426", 36, 11),
        ("KL403", 37, 25), ("KL422", 38, 39), ("KL406", 43, 47), ("KL422", 46, 11),
        ("KL423", 47, 27), ("KL409", 48, 24), ("KL407", 49, 37), ("KL408", 50, 36),
        ("KL408", 50, 52), ("KL426", 51, 13), ("KL426", 51, 34), ("KL421", 54, 11),
        ("KL421", 56, 11), ("KL423", 70, 7), ("KL424", 71, 20), ("KL409", 72, 20),
    ],
    ("baseline", "v1.35"): [
        ("KL407", 20, 61), ("KL402", 22, 20), ("KL402", 23, 16), ("KL402", 24, 16),
        ("KL410", 27, 32), ("KL401", 29, 39), ("KL411", 32, 20), ("KL403", 37, 25),
        ("KL406", 43, 47), ("KL412", 45, 55), ("KL409", 48, 24), ("KL407", 49, 37),
        ("KL408", 50, 36), ("KL408", 50, 52), ("KL404", 51, 34), ("KL405", 54, 11),
    ],
    ("restricted", "v1.35"): [
        ("KL407", 20, 61), ("KL402", 22, 20), ("KL402", 23, 16), ("KL402", 24, 16),
        ("KL424", 26, 20), ("KL425", 27, 32), ("KL401", 29, 39), ("KL411", 32, 20),
        ("KL423", 36, 11), ("KL426", 36, 11), ("KL403", 37, 25), ("KL422", 38, 39),
        ("KL406", 43, 47), ("KL412", 45, 55), ("KL422", 46, 11), ("KL423", 47, 27),
        ("KL427", 48, 24), ("KL407", 49, 37), ("KL408", 50, 36), ("KL408", 50, 52),
        ("KL426", 51, 13), ("KL426", 51, 34), ("KL421", 54, 11), ("KL421", 56, 11),
        ("KL427", 72, 20),
    ],
}


@pytest.mark.parametrize("level,version", list(EXPECTED))
def test_every_control_at_its_field(tmp_path, level, version):
    result = lint_text(tmp_path, labelled(EVERY, enforce=level, enforce_version=version))
    assert positions(result) == EXPECTED[(level, version)]
    assert {f.severity for f in result.findings} == {Severity.ERROR}


def test_every_control_is_exercised():
    codes = {c for found in EXPECTED.values() for c, _, _ in found}
    assert codes == {c.code for c in controls_for("restricted", (1, 35))} | {"KL404", "KL405", "KL409", "KL410"}


def test_messages_name_control_level_and_what_passes(tmp_path):
    result = lint_text(tmp_path, labelled(EVERY, enforce="restricted", enforce_version="v1.30"))
    f = next(f for f in result.findings if f.code == "KL422" and f.line == 46)
    assert f.message == (
        'spec.template.spec.containers[0].securityContext: container "app" does not set '
        'securityContext.allowPrivilegeEscalation: violates PodSecurity "restricted:v1.30" '
        "(allowPrivilegeEscalation) (this Deployment's pods); namespace \"apps\" label "
        "pod-security.kubernetes.io/enforce")
    assert f.hint == "allowed: allowPrivilegeEscalation: false"
    sysctl = next(f for f in result.findings if f.code == "KL411" and f.line == 31)
    assert sysctl.hint.startswith("allowed: kernel.shm_rmid_forced, net.ipv4.ip_local_port_range")


def test_warn_and_audit_are_warnings_and_do_not_repeat_enforce(tmp_path):
    result = lint_text(tmp_path, labelled(EVERY, enforce="baseline", warn="restricted",
                                          audit="restricted", enforce_version="v1.35"))
    by_sev = {}
    for f in result.findings:
        if f.code.startswith("KL4"):
            by_sev.setdefault(f.severity, []).append((f.code, f.line, f.column))
    assert by_sev[Severity.ERROR] == EXPECTED[("baseline", "v1.35")]
    # restricted-only fields as warnings, once each; a field the enforce level already reports
    # (hostPath, the SYS_ADMIN capability) is not repeated
    assert by_sev[Severity.WARNING] == [
        ("KL424", 26, 20), ("KL423", 36, 11), ("KL426", 36, 11), ("KL422", 38, 39),
        ("KL422", 46, 11), ("KL423", 47, 27), ("KL426", 51, 13), ("KL421", 56, 11),
        ("KL427", 72, 20)]


def test_levels_from_labels_config_and_selection(tmp_path):
    plain = EVERY  # no label, no config, default selection: nothing
    assert [f for f in lint_text(tmp_path, plain).findings if f.code.startswith("KL4")] == []
    # privileged enforces nothing; an invalid enforce level fails closed (restricted)
    assert positions(lint_text(tmp_path, labelled(EVERY, enforce="privileged"))) == []
    closed = lint_text(tmp_path, labelled(EVERY, enforce="strict", enforce_version="v1.30"))
    assert positions(closed) == EXPECTED[("restricted", "v1.30")]
    # an invalid warn level fails open
    assert positions(lint_text(tmp_path, labelled(EVERY, warn="strict"))) == []
    # config: the level of namespaces the input does not label
    conf = lint_text(tmp_path, EVERY, pod_security={"level": "restricted", "version": "v1.30"})
    assert positions(conf) == EXPECTED[("restricted", "v1.30")]
    assert {f.severity for f in conf.findings} == {Severity.ERROR}
    warned = lint_text(tmp_path, EVERY, pod_security={"level": "baseline", "mode": "warn"})
    assert {f.severity for f in warned.findings if f.code.startswith("KL4")} == {Severity.WARNING}
    # a label wins over the config for its mode
    labelled_ns = lint_text(tmp_path, labelled(EVERY, enforce="privileged"),
                            pod_security={"level": "restricted"})
    assert positions(labelled_ns) == []
    # selecting the rules checks every pod at that level, at the rules' own severity
    selected = lint_text(tmp_path, EVERY, select=["pss-restricted"], kubernetes_version="1.30")
    assert positions(selected) == EXPECTED[("restricted", "v1.30")]
    assert {f.severity for f in selected.findings} == {Severity.WARNING}
    baseline = lint_text(tmp_path, EVERY, select=["pss-baseline"], kubernetes_version="1.30")
    assert positions(baseline) == EXPECTED[("baseline", "v1.30")]


def test_user_severity_wins_and_rules_can_be_ignored(tmp_path):
    text = labelled(EVERY, enforce="baseline", enforce_version="v1.30")
    result = lint_text(tmp_path, text, rules={"pss-host-namespaces": {"severity": "info"}},
                       ignore=["KL407"])
    sev = {f.code: f.severity for f in result.findings}
    assert sev["KL402"] == Severity.INFO and sev["KL403"] == Severity.ERROR
    assert "KL407" not in sev


def test_version_label_is_capped_at_the_cluster_version(tmp_path):
    text = labelled(EVERY, enforce="baseline", enforce_version="v1.35")
    assert positions(lint_text(tmp_path, text, kubernetes_version="1.30")) == EXPECTED[("baseline", "v1.30")]
    assert parse_version("v1.99", (1, 30)) == ((1, 30), "v1.99")
    assert parse_version("1.30", (1, 33)) == ((1, 33), "latest")  # not "v1.x": latest


def test_windows_pods_are_exempt_from_linux_only_controls(tmp_path):
    text = labelled("""apiVersion: v1
kind: Namespace
metadata:
  name: apps
  labels: {}
---
apiVersion: v1
kind: Pod
metadata:
  name: win
  namespace: apps
spec:
  os: {name: windows}
  securityContext: {runAsNonRoot: true}
  containers:
    - name: app
      image: mcr.microsoft.com/windows/nanoserver:ltsc2022
""", enforce="restricted")
    assert positions(lint_text(tmp_path, text)) == []
    assert positions(lint_text(tmp_path, text.replace("windows}", "linux}"))) == [
        ("KL422", 16, 7), ("KL425", 16, 7), ("KL426", 16, 7)]


def test_safe_sysctls_grow_with_the_version():
    assert "net.ipv4.ip_local_reserved_ports" not in safe_sysctls((1, 26))
    assert "net.ipv4.ip_local_reserved_ports" in safe_sysctls((1, 27))
    assert "net.ipv4.tcp_notsent_lowat" in safe_sysctls((1, 37))
    assert "net.ipv4.tcp_notsent_lowat" not in safe_sysctls((1, 36))


def test_cli_namespace_enforce_exits_1_with_errors(tmp_path):
    path = tmp_path / "app.yaml"
    path.write_text(labelled(EVERY, enforce="baseline", enforce_version="v1.35"))
    out = kubelint("check", "--color", "never", str(path))
    assert out.returncode == 1
    assert b"error: spec.template.spec.hostNetwork: hostNetwork=true: violates PodSecurity " \
           b"\"baseline:v1.35\" (hostNamespaces)" in out.stdout


def test_readme_example_is_real_output():
    import os
    import re

    from .conftest import ROOT

    readme = open(os.path.join(ROOT, "README.md")).read()
    section = readme[readme.index("### Pod Security Standards"):]
    example = re.search(r"```yaml\n(.*?)```", section, re.S).group(1)
    assert example == EVERY_SHOP
    shown = re.search(r"```\n\$ kubelint check shop.yaml\n(.*?)```", section, re.S).group(1)
    out = kubelint("check", "--color", "never", "tests/fixtures/pss/shop.yaml", env={"NO_COLOR": "1"})
    got = out.stdout.decode().replace("tests/fixtures/pss/", "")
    assert re.sub(r"\([0-9.]+s\)", "", shown) == re.sub(r"\([0-9.]+s\)", "", got)


with open(f"{FIXTURES}/pss/shop.yaml") as f:
    EVERY_SHOP = f.read()


def test_a_volume_without_a_source_is_an_empty_dir(tmp_path):
    # SetDefaults_Volume makes a volume with no source an emptyDir before admission sees it
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x}]\n"
           "  volumes:\n    - name: scratch\n    - name: host\n      hostPath: {path: /tmp}\n")
    found = [(c, line, col) for c, line, col in _positions(lint_text(tmp_path, pod, select=["KL421"]))]
    assert found == [("KL421", 9, 7)]


def test_the_labelled_namespaces_come_from_the_graph_when_it_is_ready():
    """_run_state reads the run's Namespaces from the graph's index when the cross stage has
    built it (with --jobs, while files were linted) instead of every object's kind: the same
    objects in the same order, a Namespace of another group included or not alike."""
    from types import SimpleNamespace

    from kubelint import graph
    from kubelint.admission.pod_security import _namespaces
    from kubelint.engine import K8sObject

    def obj(api, kind, name, i):
        return K8sObject(f"f{i}.yaml", 0, None, {"apiVersion": api, "kind": kind,
                                                  "metadata": {"name": name}}, "default")

    core = [obj("v1", "Namespace", f"ns{i}", i) if i % 3 == 0 else
            obj("v1", "ConfigMap", f"cm{i}", i) for i in range(30)]
    foreign = core[:10] + [obj("example.com/v1", "Namespace", "ns5", 99)] + core[10:]
    none = [o for o in core if o.kind != "Namespace"]
    for objects in (core, foreign, none, [obj("example.com/v1", "Namespace", "x", 1)]):
        scanned = [o for o in objects if o.kind == "Namespace"]
        bare = SimpleNamespace(objects=objects, shared=None)
        assert _namespaces(bare) == scanned
        ctx = SimpleNamespace(objects=objects, shared={}, settings=None)
        assert _namespaces(ctx) == scanned  # no graph yet: nothing built for this
        assert "graph" not in ctx.shared
        graph.of(ctx)
        found = _namespaces(ctx)
        assert found == scanned and all(a is b for a, b in zip(found, scanned))


QUIET_POD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web{i}
  namespace: shop
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web{i}}}
  template:
    metadata:
      labels: {{app: web{i}}}
    spec:
      containers:
        - name: web
          image: example/web:1.0
          securityContext:
            capabilities: {{add: [NET_ADMIN]}}
        - name: side
          image: example/side:1.0
"""


def test_positions_of_pods_without_findings_of_their_own_placed_per_file(tmp_path, monkeypatch):
    """`--select ALL,pod-security` (restricted for every pod): the per-file stage finds
    nothing in these pods, so it keeps no node trees for them; their Pod Security positions
    are placed there anyway (pod_security._foresee), so the cross-object stage composes none
    of their documents again, and the findings are those placed without that."""
    from kubelint import engine, loader
    from kubelint.engine import Settings, run

    for i in range(3):
        (tmp_path / f"web{i}.yaml").write_text(QUIET_POD.format(i=i))
    composed, late = [], []
    real_late, real_fast = engine._late, loader._fast_node
    monkeypatch.setattr(engine, "_late", lambda *a, **k: late.append(1) or real_late(*a, **k))
    monkeypatch.setattr(loader, "_fast_node", lambda *a: (composed.append(1) if late else None)
                        or real_fast(*a))
    settings = Settings(select=["ALL", "pod-security"], jobs=1)
    foreseen = run([str(tmp_path)], settings)
    assert late and composed == []
    got = sorted((f.path.rsplit("/", 1)[-1], f.code, f.span.line, f.span.column)
                 for f in foreseen.findings)
    # the first container's capability (its value), its securityContext (the fields it
    # lacks); the second container's name (it has no securityContext)
    assert got == sorted(
        (f"web{i}.yaml", code, line, column) for i in range(3) for code, line, column in (
            ("KL422", 17, 11), ("KL423", 17, 11), ("KL425", 17, 11), ("KL426", 18, 13),
            ("KL426", 18, 34), ("KL422", 19, 11), ("KL423", 19, 11), ("KL425", 19, 11),
            ("KL426", 19, 11)))
    late.clear()
    monkeypatch.setattr(engine.Linter, "_foreseen", lambda self, obj: ())
    again = run([str(tmp_path)], settings)
    assert composed  # (what it cost: each pod's document composed again)
    assert again.findings == foreseen.findings


def test_scans_of_the_per_file_stage_carried_to_the_cross_object_stage(tmp_path, monkeypatch):
    """`--select ALL,pod-security`: the scan made per file for positions (_foresee) is the one
    the cross-object stage reports from (evaluate), not made a second time per pod."""
    from kubelint.admission import pod_security
    from kubelint.engine import Settings, run

    for i in range(3):
        (tmp_path / f"web{i}.yaml").write_text(QUIET_POD.format(i=i))
    scans = []
    real = pod_security.scan
    monkeypatch.setattr(pod_security, "scan", lambda *a: scans.append(1) or real(*a))
    settings = Settings(select=["ALL", "pod-security"], jobs=1)
    carried = run([str(tmp_path)], settings)
    assert len(scans) == 3  # one per pod
    assert len(carried.findings) == 27
    # without the carried scans (as with --jobs 2, whose workers lint the files): a second
    # scan per pod, the same findings
    from kubelint import engine

    real_lint_files = engine._lint_files

    def uncarried(linters, *a, **k):
        out = real_lint_files(linters, *a, **k)
        for each in linters:
            each._carried.clear()
        return out

    monkeypatch.setattr(engine, "_lint_files", uncarried)
    scans.clear()
    plain = run([str(tmp_path)], settings)
    assert len(scans) == 6
    assert plain.findings == carried.findings
