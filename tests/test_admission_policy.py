"""ValidatingAdmissionPolicy + binding evaluated offline on the objects of the input: each
match, params and action path."""

import os

from kubelint.engine import Settings, run

from .conftest import FIXTURES, kubelint, lint_text

VAP = os.path.join(FIXTURES, "vap")


def found(result):
    return [(f.code, f.severity.label, f.line, f.column, f.message) for f in result.findings]


def admission(result):
    return [x for x in found(result) if x[0].startswith("KL5")]


def test_policies_of_the_input_on_the_objects_of_the_input():
    result = run([VAP], Settings())
    assert admission(result) == [
        # shop is env=prod: the params ConfigMap of the namespace says 3 replicas
        ("KL501", "error", 22, 7, "ValidatingAdmissionPolicy 'replica-floor' with binding 'replica-floor-prod' "
                                  "denied request: replicas must be at least 3, found 1"),
        # Warn + Audit: a warning; variables and messageExpression name the container
        ("KL502", "warning", 22, 7, "Validation failed for ValidatingAdmissionPolicy 'trusted-registry' with "
                                    "binding 'trusted-registry': images must come from registry.example.com: proxy"),
        # not matched: cart in sandbox (env=dev), legacy (matchCondition: exempt), the debug
        # Pod (excludeResourceRules by name); worker is
        ("KL502", "warning", 74, 7, "Validation failed for ValidatingAdmissionPolicy 'trusted-registry' with "
                                    "binding 'trusted-registry': images must come from registry.example.com: worker"),
    ]
    related = result.findings[0].related[0]
    assert (os.path.basename(related.path), related.span.line, related.span.column) == ("policies.yaml", 25, 7)


POLICY = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: floor}
spec:
  FAILURE
  PARAMKIND
  matchConstraints:
    resourceRules:
      - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE], resources: [deployments]}
  validations:
    - expression: EXPRESSION
      message: too few replicas
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: floor-binding}
spec:
  policyName: floor
  validationActions: ACTIONS
  PARAMREF
  MATCHRESOURCES
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: team, labels: {tier: web}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
"""


def policy(expression="object.spec.replicas >= 2", actions="[Deny]", failure="", paramkind="",
           paramref="", matchresources="", extra=""):
    return POLICY.replace("EXPRESSION", expression).replace("ACTIONS", actions) \
        .replace("FAILURE", failure).replace("PARAMKIND", paramkind).replace("PARAMREF", paramref) \
        .replace("MATCHRESOURCES", matchresources) + extra


def codes(tmp_path, text, **settings):
    return [(f.code, f.line) for f in lint_text(tmp_path, text, **settings).findings if f.code.startswith("KL5")]


def test_validation_actions(tmp_path):
    assert codes(tmp_path, policy(actions="[Deny]")) == [("KL501", 24)]
    assert codes(tmp_path, policy(actions="[Warn]")) == [("KL502", 24)]
    assert codes(tmp_path, policy(actions="[Audit]")) == [("KL502", 24)]
    assert codes(tmp_path, policy(actions="[Deny, Warn]")) == [("KL501", 24)]
    assert codes(tmp_path, policy(expression="object.spec.replicas >= 1")) == []


def test_binding_match_resources_restrict_the_policy(tmp_path):
    namespace = "---\napiVersion: v1\nkind: Namespace\nmetadata: {name: team, labels: {env: prod}}\n"
    by_ns = "matchResources: {namespaceSelector: {matchLabels: {env: prod}}}"
    assert codes(tmp_path, policy(matchresources=by_ns, extra=namespace)) == [("KL501", 24)]
    assert codes(tmp_path, policy(matchresources=by_ns, extra=namespace.replace("prod", "dev"))) == []
    # a namespace not in the input carries only its name label
    assert codes(tmp_path, policy(matchresources=by_ns)) == []
    by_name_label = "matchResources: {namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: team}}}"
    assert codes(tmp_path, policy(matchresources=by_name_label)) == [("KL501", 24)]
    by_object = "matchResources: {objectSelector: {matchLabels: {tier: db}}}"
    assert codes(tmp_path, policy(matchresources=by_object)) == []


PARAMS = "paramKind: {apiVersion: v1, kind: ConfigMap}"
LIMITS = "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: limits, namespace: team, labels: {floor: 'yes'}}\ndata: {min: '3'}\n"


def test_params_by_name_selector_and_not_found(tmp_path):
    expr = "object.spec.replicas >= int(params.data.min)"
    by_name = "paramRef: {name: limits, parameterNotFoundAction: Deny}"
    assert codes(tmp_path, policy(expr, paramkind=PARAMS, paramref=by_name, extra=LIMITS)) == [("KL501", 24)]
    ok = LIMITS.replace("'3'", "'1'")
    assert codes(tmp_path, policy(expr, paramkind=PARAMS, paramref=by_name, extra=ok)) == []
    by_selector = "paramRef: {selector: {matchLabels: {floor: 'yes'}}, parameterNotFoundAction: Deny}"
    assert codes(tmp_path, policy(expr, paramkind=PARAMS, paramref=by_selector, extra=LIMITS)) == [("KL501", 24)]
    # the params object named is not there: Deny denies, Allow admits
    other = by_name.replace("limits", "other")
    result = lint_text(tmp_path, policy(expr, paramkind=PARAMS, paramref=other, extra=LIMITS))
    assert [f.message for f in result.findings if f.code == "KL501"] == [
        "ValidatingAdmissionPolicy 'floor' with binding 'floor-binding' denied request: "
        "no params found for policy binding with `Deny` parameterNotFoundAction"]
    allow = other.replace("Deny", "Allow")
    assert codes(tmp_path, policy(expr, paramkind=PARAMS, paramref=allow, extra=LIMITS)) == []
    # no ConfigMap at all in the input: the params live in the cluster, nothing is decided
    assert codes(tmp_path, policy(expr, paramkind=PARAMS, paramref=by_name)) == [("KL504", 20)]


def test_failure_policy_and_broken_policies(tmp_path):
    missing = "object.spec.paused == false"  # paused is not set: no such key
    result = lint_text(tmp_path, policy(missing, failure="failurePolicy: Fail"))
    assert [f.message for f in result.findings if f.code == "KL501"] == [
        "ValidatingAdmissionPolicy 'floor' with binding 'floor-binding' denied request: expression "
        "'object.spec.paused == false' resulted in error: no such key: paused"]
    assert codes(tmp_path, policy(missing, failure="failurePolicy: Ignore")) == []
    assert codes(tmp_path, policy("object.spec.replicas >=")) == [("KL503", 11)]
    without_policy = policy().split("---\n", 1)[1]
    assert codes(tmp_path, without_policy) == [("KL504", 5)]


def test_policy_flag(tmp_path):
    text = policy()
    (tmp_path / "policy.yaml").write_text("---\n".join(text.split("---\n")[:2]))
    (tmp_path / "app.yaml").write_text(text.split("---\n")[2])
    proc = kubelint("check", "--policy", str(tmp_path / "policy.yaml"), str(tmp_path / "app.yaml"))
    assert proc.returncode == 1
    assert b"app.yaml:2:7: error: ValidatingAdmissionPolicy 'floor' with binding 'floor-binding' denied " \
           b"request: too few replicas [KL501 admission-policy-deny]" in proc.stdout
    # the policy file is not linted: its only mention is the related location
    assert b"policy.yaml:11:7: the failed validation" in proc.stdout
    assert not any(line.startswith(str(tmp_path / "policy.yaml").encode()) for line in proc.stdout.splitlines())
    proc = kubelint("check", "--policy", str(tmp_path / "nope.yaml"), str(tmp_path / "app.yaml"))
    assert proc.returncode == 2 and b"--policy: no such file or directory" in proc.stderr


def test_readme_admission_example():
    """The README's policy + binding + Deployment example shows the real output."""
    import re

    from .conftest import ROOT

    readme = open(os.path.join(ROOT, "README.md")).read()
    block = re.search(r"```console\n\$ kubelint check docs/admission-policy.yaml\n(.*?)```", readme, re.S).group(1)
    proc = kubelint("check", "docs/admission-policy.yaml", env={"NO_COLOR": "1"})
    assert proc.returncode == 1
    strip = lambda text: re.sub(r" \([0-9.]+s\)", "", text)  # noqa: E731 - the timing varies
    assert strip(proc.stdout.decode() + proc.stderr.decode()) == strip(block)


def test_pods_have_the_default_tolerations_when_validated(tmp_path):
    """The DefaultTolerationSeconds admission plugin gives every Pod the not-ready and
    unreachable tolerations before validating admission runs: a policy that reads
    `object.spec.tolerations` of a Pod that sets none sees them (GoogleCloudPlatform's
    kubernetes-engine-samples restrict-toleration policy; offline it was "no such key" and a
    false denial)."""
    text = """\
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata: {name: tolerations}
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - {apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [pods]}
  matchConditions:
    - name: compute-class
      expression: "object.spec.tolerations.exists(t, has(t.key) && t.key == 'compute-class')"
  validations:
    - expression: "false"
      message: compute class not allowed here
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata: {name: tolerations}
spec:
  policyName: tolerations
  validationActions: [Deny]
---
apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  containers: [{name: c, image: "redis:7"}]
---
apiVersion: v1
kind: Pod
metadata: {name: tolerating}
spec:
  tolerations: [{key: compute-class, operator: Exists}]
  containers: [{name: c, image: "redis:7"}]
"""
    assert [(x[0], x[2]) for x in admission(lint_text(tmp_path, text))] == [("KL501", 30)]
    # which tolerations: the two defaults after the Pod's own, as the plugin appends them
    count = text.replace("object.spec.tolerations.exists(t, has(t.key) && t.key == 'compute-class')",
                         "object.spec.tolerations.size() == 3 && object.spec.tolerations[2].key == "
                         "'node.kubernetes.io/unreachable'")
    assert [(x[0], x[2]) for x in admission(lint_text(tmp_path, count))] == [("KL501", 30)]


def test_test_cases_side_by_side_keep_their_policies_and_a_policies_folder_applies_to_all(tmp_path):
    """kyverno's repository walked from its root: folders of test cases, each a policy and
    binding (names reused from folder to folder) with the objects it is tried on. A binding
    binds the policy of its folder and applies to its folder's objects (140 KL501 there were
    other folders' policies, now 4, each a `fail` of the test case's expected results). A
    binding alone in a `policies/` folder is the cluster's: it applies to every object."""
    def write(path, text):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(text)

    strict, loose = policy("object.spec.replicas >= 2"), policy("object.spec.replicas >= 1")
    write("case-a/all.yaml", strict)  # web has 1 replica: denied
    write("case-b/all.yaml", loose)  # the same names, another rule: web passes
    # a cluster's policy kept apart (its folder holds nothing it matches), and an app
    cluster = policy("object.metadata.namespace != 'default'").split("---\napiVersion: apps/v1")[0]
    write("policies/namespaces.yaml", cluster.replace("floor", "no-default"))
    write("apps/web.yaml", "apiVersion: apps/v1" + strict.split("---\napiVersion: apps/v1")[1]
          .replace("namespace: team", "namespace: default"))
    result = run([str(tmp_path)], Settings())
    got = [(os.path.relpath(f.path, str(tmp_path)), f.code, f.line, f.message.split(":")[0])
           for f in result.findings if f.code.startswith("KL5")]
    assert got == [
        ("apps/web.yaml", "KL501", 2, "ValidatingAdmissionPolicy 'no-default' with binding 'no-default-binding' "
                                      "denied request"),
        ("case-a/all.yaml", "KL501", 24, "ValidatingAdmissionPolicy 'floor' with binding 'floor-binding' "
                                        "denied request"),
    ], got
    # named together, the files are one unit: the last policy of a name is the one bound
    result = run([str(tmp_path / "case-a/all.yaml"), str(tmp_path / "case-b/all.yaml")], Settings())
    assert [f.code for f in result.findings if f.code.startswith("KL5")] == []


def test_fields_of_another_type_are_the_schemas_finding_not_a_crash(tmp_path):
    """A type fuzz of the policy fixtures (each field replaced by a list, a map, a number...)
    stopped the run with a traceback: a list as policyName or matchResources, a list as an
    object's labels. Each is the schema's finding (KL010) and other objects are still
    evaluated."""
    def every(text):
        return [(f.code, f.line) for f in lint_text(tmp_path, text).findings]

    got = every(policy(matchresources="matchResources: [{namespaceSelector: {}}]"))
    assert [c for c, _ in got] == ["KL010"], got
    got = every(policy().replace("policyName: floor", "policyName: [floor]"))
    assert [c for c, _ in got] == ["KL010"], got
    # a target whose labels are a list, with an object selector: the other one is evaluated
    by_object = "matchResources: {objectSelector: {matchLabels: {tier: web}}}"
    other = policy().split("---\napiVersion: apps/v1")[1].replace("name: web", "name: api")
    got = every(policy(matchresources=by_object).replace("labels: {tier: web}", "labels: [tier]")
                + "---\napiVersion: apps/v1" + other)
    assert ("KL010", 25) in got and ("KL501", 35) in got and ("KL501", 24) not in got, got
