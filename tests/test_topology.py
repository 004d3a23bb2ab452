"""KL132 topology-spread (on by default) and KL343 topology-spread-constraint (kube-score's
pod-topology-spread-constraints): each value the API server rejects at its field, the
missing labelSelector at the constraint, and nothing for what the schema reports already or
for valid constraints."""

from kubelint.model import Severity

from .conftest import lint_text, positions

POD = """apiVersion: v1
kind: Pod
metadata:
  name: p
  labels: {app: p}
spec:
  topologySpreadConstraints:
    - {maxSkew: -1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {}}
    - {maxSkew: 1, topologyKey: "", whenUnsatisfiable: DoNotSchedule, labelSelector: {}}
    - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, minDomains: 0, labelSelector: {}}
    - {maxSkew: 1, topologyKey: host, whenUnsatisfiable: ScheduleAnyway, nodeAffinityPolicy: Always,
       nodeTaintsPolicy: Ignore, labelSelector: {matchLabels: {app: p}}}
    - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
    - 7
  containers:
    - {name: c, image: "nginx:1.27"}
"""


def test_each_problem_at_its_field(tmp_path):
    result = lint_text(tmp_path, POD, select=["KL132", "KL343"])
    got = sorted((f.line, f.column, f.severity, f.message.split(": ", 1)[1][:40]) for f in result.findings)
    assert {f.code for f in result.findings if f.severity == Severity.ERROR} == {"KL132"}
    assert {f.code for f in result.findings if f.severity == Severity.WARNING} == {"KL343"}
    assert got == sorted([
        (8, 17, Severity.ERROR, "-1 is not greater than zero: the API ser"),
        (9, 33, Severity.ERROR, "empty: nodes cannot be put into domains:"),
        (10, 85, Severity.ERROR, "0 is not greater than zero: the API serv"),
        (10, 20, Severity.ERROR, "a second constraint on {zone, DoNotSched"),  # at its key
        (11, 94, Severity.ERROR, "unsupported value \"Always\" (expected Hon"),
        (13, 20, Severity.ERROR, "a second constraint on {zone, DoNotSched"),
        (13, 7, Severity.WARNING, "no labelSelector: the constraint counts "),  # the item
    ])


def test_what_the_schema_reports_is_left_to_it(tmp_path):
    text = POD.split("  topologySpreadConstraints:")[0] + """  topologySpreadConstraints:
    - {maxSkew: "1", whenUnsatisfiable: DoNotSchedule, labelSelector: {}}
  containers:
    - {name: c, image: "nginx:1.27"}
"""
    result = lint_text(tmp_path, text, select=["KL132", "KL343", "KL010"])
    assert {f.code for f in result.findings} == {"KL010"}


def test_templates_and_a_cron_job(tmp_path):
    text = """apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: Never
          topologySpreadConstraints:
            - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, minDomains: 2,
               labelSelector: {matchLabels: {a: b}}}
          containers:
            - {name: c, image: "busybox:1.36"}
"""
    result = lint_text(tmp_path, text, select=["KL132"])
    assert positions(result) == [("KL132", 12, 94)]
    assert "can only be used with whenUnsatisfiable DoNotSchedule, not ScheduleAnyway" in \
        result.findings[0].message
    # on by default: the API server rejects it; the missing-labelSelector rule is off
    assert positions(lint_text(tmp_path, text), "KL132") == [("KL132", 12, 94)]
    no_selector = text.replace("labelSelector: {matchLabels: {a: b}}", "nodeTaintsPolicy: Honor")
    assert positions(lint_text(tmp_path, no_selector), "KL343") == []
    assert positions(lint_text(tmp_path, no_selector, select=["KL343"]), "KL343") == [("KL343", 12, 15)]
