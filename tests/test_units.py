"""Units of the cross-object rules (graph.py): in a walk, each folder is applied on its own,
so folders of alternatives side by side (install bundles, example variants) do not make
conflicts or missing references; files named together are one application. Situations
re-created from the real-world repositories where the whole walk as one application gave
false findings (kubernetes/examples guestbook, argo-cd install bundles, ingress-nginx
example tests)."""

import os

from kubelint.engine import Settings, run
from kubelint.discover import TEMPLATE as TEMPLATE_SKIP

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: frontend}
spec:
  selector: {matchLabels: {app: guestbook}}
  template:
    metadata: {labels: {app: guestbook}}
    spec:
      containers:
        - {name: web, image: "nginx:1.27"}
"""
# the legacy variant of the same application, in a folder of its own
CONTROLLER = """apiVersion: v1
kind: ReplicationController
metadata: {name: frontend-rc}
spec:
  selector: {app: guestbook}
  template:
    metadata: {labels: {app: guestbook}}
    spec:
      containers:
        - name: web
          image: "nginx:1.27"
          ports: [{name: http-server, containerPort: 3000}]
"""
SERVICE = """apiVersion: v1
kind: Service
metadata: {name: guestbook}
spec:
  selector: {app: guestbook}
  ports: [{port: 80, targetPort: http-server}]
"""


def tree(tmp_path, files):
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def codes(result, *wanted):
    return sorted((os.path.relpath(f.path), f.line, f.column, f.code) for f in result.findings
                  if f.code in wanted)


def test_alternatives_in_sibling_folders_do_not_fight(tmp_path, monkeypatch):
    root = tree(tmp_path, {"guestbook/frontend.yaml": DEPLOYMENT,
                           "guestbook/legacy/frontend-rc.yaml": CONTROLLER,
                           "guestbook/legacy/service.yaml": SERVICE})
    monkeypatch.chdir(root)
    walked = run(["guestbook"], Settings(select=["ALL"]))
    # the legacy Service's pods: its own folder's controller, which has the named port
    assert codes(walked, "KL203", "KL219") == []
    # named together, they are one application: the two controllers fight over the pods,
    # and the Deployment's pods lack the Service's named port
    named = run(["guestbook/frontend.yaml", "guestbook/legacy/frontend-rc.yaml",
                 "guestbook/legacy/service.yaml"], Settings(select=["ALL"]))
    assert codes(named, "KL203", "KL219") == [
        ("guestbook/legacy/frontend-rc.yaml", 5, 3, "KL219"),
        ("guestbook/legacy/service.yaml", 6, 34, "KL203"),
    ]
    # a team whose whole walk is one application says so
    one = run(["guestbook"], Settings(select=["ALL"], cross_object_scope="input"))
    assert codes(one, "KL203", "KL219") == codes(named, "KL203", "KL219")


STATEFULSET = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: controller}
spec:
  serviceName: controller
  selector: {matchLabels: {app: controller}}
  template:
    metadata: {labels: {app: controller}}
    spec:
      containers:
        - {name: c, image: "nginx:1.27"}
---
apiVersion: v1
kind: Service
metadata: {name: controller-metrics}
spec:
  selector: {app: controller}
  ports: [{port: 8082}]
"""
PLAIN_SERVICE = """apiVersion: v1
kind: Service
metadata: {name: controller}
spec:
  selector: {app: controller-deployment}
  ports: [{port: 8082}]
"""


def test_a_reference_met_only_in_another_folder_beside_own_objects_is_not_judged(tmp_path, monkeypatch):
    # argo-cd: install.yaml's StatefulSet names a Service that only the Deployment variant's
    # folder defines (not headless); install.yaml has Services of its own
    root = tree(tmp_path, {"manifests/install.yaml": STATEFULSET,
                           "manifests/base/deployment-variant/service.yaml": PLAIN_SERVICE})
    monkeypatch.chdir(root)
    assert codes(run(["manifests"], Settings()), "KL215") == []
    named = run(["manifests/install.yaml", "manifests/base/deployment-variant/service.yaml"], Settings())
    assert codes(named, "KL215") == [("manifests/install.yaml", 5, 16, "KL215")]


INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: test}
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: %s, port: {number: 80}}}
"""
OTHER_SERVICE = """apiVersion: v1
kind: Service
metadata: {name: demo-auth-service}
spec:
  selector: {app: demo}
  ports: [{port: 80}]
"""


def test_absence_needs_the_kind_in_the_same_folder_or_a_near_miss(tmp_path, monkeypatch):
    # ingress-nginx: an example's test input names Service svc1; another example folder has
    # Services of its own
    root = tree(tmp_path, {"examples/opa/tests/allow.yaml": INGRESS % "svc1",
                           "examples/auth/service.yaml": OTHER_SERVICE,
                           "examples/typo/ingress.yaml": INGRESS % "demo-auth-servce"})
    monkeypatch.chdir(root)
    walked = run(["examples"], Settings())
    # svc1: nothing of the kind in its folder, no near miss: deployed elsewhere, not reported;
    # demo-auth-servce: a near miss of a Service of the input is a typo wherever it is
    assert codes(walked, "KL202") == [("examples/typo/ingress.yaml", 10, 39, "KL202")]
    named = run(["examples/opa/tests/allow.yaml", "examples/auth/service.yaml"], Settings())
    assert codes(named, "KL202") == [("examples/opa/tests/allow.yaml", 10, 39, "KL202")]


def test_selector_that_matches_nothing_needs_pods_in_its_folder(tmp_path, monkeypatch):
    typo = SERVICE.replace("selector: {app: guestbook}", "selector: {app: guestbok}")
    root = tree(tmp_path, {"a/service.yaml": typo, "b/frontend.yaml": DEPLOYMENT,
                           "c/service.yaml": typo, "c/frontend.yaml": DEPLOYMENT})
    monkeypatch.chdir(root)
    walked = run(["."], Settings())
    assert codes(walked, "KL201") == [("c/service.yaml", 5, 3, "KL201")]


def test_duplicate_node_ports_only_within_a_folder(tmp_path, monkeypatch):
    svc = """apiVersion: v1
kind: Service
metadata: {name: %s}
spec:
  type: NodePort
  selector: {app: x}
  ports: [{port: 80, nodePort: 30080}]
"""
    root = tree(tmp_path, {"aws/svc.yaml": svc % "ingress", "gcp/svc.yaml": svc % "ingress-gcp",
                           "gcp/other.yaml": svc % "other"})
    monkeypatch.chdir(root)
    walked = run(["."], Settings())
    assert codes(walked, "KL218") == [("gcp/svc.yaml", 7, 32, "KL218")]


# kubernetes/examples' minio sample: a standalone Deployment and a distributed StatefulSet of
# one application, side by side in one folder (istio's tcp-echo variants likewise)
MINIO_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: minio-deployment}
spec:
  selector: {matchLabels: {app: minio}}
  template:
    metadata: {labels: {app: minio}}
    spec:
      containers:
        - {name: minio, image: "minio/minio:RELEASE.2024-01-01T00-00-00Z"}
"""
MINIO_STATEFULSET = """apiVersion: apps/v1
kind: StatefulSet
metadata: {name: minio}
spec:
  serviceName: minio
  selector: {matchLabels: {app: minio}}
  template:
    metadata: {labels: {app: minio}}
    spec:
      containers:
        - {name: minio, image: "minio/minio:RELEASE.2024-01-01T00-00-00Z"}
"""


def test_overlapping_workloads_in_two_files_of_a_walked_folder_may_be_alternatives(
        tmp_path, monkeypatch):
    root = tree(tmp_path, {"minio/minio-standalone-deployment.yaml": MINIO_DEPLOYMENT,
                           "minio/minio-distributed-statefulset.yaml": MINIO_STATEFULSET})
    monkeypatch.chdir(root)
    assert codes(run(["minio"], Settings()), "KL219") == []
    # named together they are applied together: the controllers fight
    expected = [("minio/minio-standalone-deployment.yaml", 5, 3, "KL219")]
    assert codes(run(["minio/minio-standalone-deployment.yaml",
                      "minio/minio-distributed-statefulset.yaml"], Settings()), "KL219") == expected
    # a team whose folders are applications turns the option on
    across = {"overlapping-selectors": {"options": {"across-files": True}}}
    assert codes(run(["minio"], Settings(rules=across)), "KL219") == expected
    # in one file they are certainly applied together, walked or not
    (root / "minio" / "all.yaml").write_text(MINIO_DEPLOYMENT + "---\n" + MINIO_STATEFULSET)
    os.remove(root / "minio" / "minio-standalone-deployment.yaml")
    assert codes(run(["minio"], Settings()), "KL219") == [("minio/all.yaml", 17, 3, "KL219")]


# GoogleCloudPlatform/kubernetes-engine-samples' llm-multihost-gpus: a LeaderWorkerSet (an
# operator the pod-label table does not describe) and the Service for its leader pods, beside
# a Job in the same folder
LWS = """apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata: {name: vllm}
spec:
  replicas: 1
  leaderWorkerTemplate:
    size: 2
    leaderTemplate:
      metadata: {labels: {role: leader}}
      spec:
        containers:
          - {name: vllm-leader, image: "vllm/vllm-openai:v0.8.5"}
    workerTemplate:
      spec:
        containers:
          - {name: vllm-worker, image: "vllm/vllm-openai:v0.8.5"}
---
apiVersion: v1
kind: Service
metadata: {name: vllm-leader}
spec:
  selector: {leaderworkerset.sigs.k8s.io/name: vllm, role: leader}
  ports: [{port: 8080}]
"""
JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: bench}
spec:
  template:
    metadata: {labels: {app: bench}}
    spec:
      restartPolicy: Never
      containers:
        - {name: bench, image: "busybox:1.36"}
---
apiVersion: v1
kind: Service
metadata: {name: bench}
spec:
  selector: {app: bnech}
  ports: [{port: 80}]
"""


def test_a_service_beside_an_operators_pod_template_is_not_said_to_select_nothing(
        tmp_path, monkeypatch):
    root = tree(tmp_path, {"gpus/vllm.yaml": LWS, "gpus/job.yaml": JOB})
    monkeypatch.chdir(root)
    # the Job's Service has a typo: reported, in a walk (the custom resource travels to the
    # cross-object stage as an identity stub marked as holding pods) and named alike
    expected = [("gpus/job.yaml", 16, 3, "KL201")]
    for jobs in (1, 2):
        assert codes(run(["gpus"], Settings(jobs=jobs)), "KL201") == expected
    assert codes(run(["gpus/vllm.yaml", "gpus/job.yaml"], Settings()), "KL201") == expected
    assert codes(run(["gpus/vllm.yaml", "gpus/job.yaml"], Settings(ignore=["KL217"])),
                 "KL201") == expected


LWS_POLICIES = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: vllm-leader}
spec:
  maxUnavailable: 1
  selector:
    matchLabels: {leaderworkerset.sigs.k8s.io/name: vllm, role: leader}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: vllm-leader}
spec:
  podSelector:
    matchExpressions:
      - {key: role, operator: In, values: [leader]}
  ingress:
    - from:
        - podSelector:
            matchLabels: {app: bnech}
"""


def test_budgets_and_policies_beside_an_operators_pod_template_are_not_said_to_select_nothing(
        tmp_path, monkeypatch):
    # the same guard as the Service's (KL201): the budget and the policy may select the
    # LeaderWorkerSet's pods; the policy's peer is one typo away from the Job's template
    root = tree(tmp_path, {"gpus/vllm.yaml": LWS, "gpus/job.yaml": JOB,
                           "gpus/policies.yaml": LWS_POLICIES})
    monkeypatch.chdir(root)
    expected = [("gpus/policies.yaml", 18, 11, "KL214")]
    for jobs in (1, 2):
        assert codes(run(["gpus"], Settings(jobs=jobs)), "KL212", "KL214") == expected
    # without the operator's resource both are reported
    os.remove(root / "gpus" / "vllm.yaml")
    assert codes(run(["gpus"], Settings()), "KL212", "KL214") == [
        ("gpus/policies.yaml", 6, 3, "KL212"), ("gpus/policies.yaml", 13, 3, "KL214"),
        ("gpus/policies.yaml", 18, 11, "KL214")]


# rook's deploy/examples: the CephCluster `rook-ceph` makes the mgr pods, their dashboard
# Service and the ConfigMap rook-ceph-mon-endpoints; the files of a subfolder use them by
# name and by label
CEPH = """apiVersion: ceph.rook.io/v1
kind: CephCluster
metadata: {name: rook-ceph, namespace: rook-ceph}
spec:
  cephVersion: {image: "quay.io/ceph/ceph:v19.2.3"}
  dataDirHostPath: /var/lib/rook
"""
TOOLS = """apiVersion: apps/v1
kind: Deployment
metadata: {name: rook-ceph-tools, namespace: rook-ceph}
spec:
  selector: {matchLabels: {app: rook-ceph-tools}}
  template:
    metadata: {labels: {app: rook-ceph-tools}}
    spec:
      containers:
        - name: tools
          image: "quay.io/ceph/ceph:v19.2.3"
      volumes:
        - {name: mons, configMap: {name: rook-ceph-mon-endpoints}}
        - {name: conf, configMap: {name: tools-conf}}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: rook-config-override, namespace: rook-ceph}
data: {config: ""}
---
apiVersion: v1
kind: Service
metadata: {name: rook-ceph-mgr-dashboard-external, namespace: rook-ceph}
spec:
  type: NodePort
  selector: {app: rook-ceph-mgr, rook_cluster: rook-ceph}
  ports: [{port: 8443}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: dashboard, namespace: rook-ceph}
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend: {service: {name: rook-ceph-mgr-dashboard, port: {number: 8443}}}
---
apiVersion: v1
kind: Service
metadata: {name: tools, namespace: rook-ceph}
spec:
  selector: {app: rook-ceph-tool}
  ports: [{port: 80}]
"""


def test_what_an_operator_makes_for_a_custom_resource_is_not_said_to_be_missing(
        tmp_path, monkeypatch):
    root = tree(tmp_path, {"examples/cluster.yaml": CEPH, "examples/tools/tools.yaml": TOOLS})
    monkeypatch.chdir(root)
    # the ConfigMap tools-conf owes nothing to the CephCluster's name, and the tools
    # Service's selector is a likely typo of the tools template's labels: still reported
    expected = [("examples/tools/tools.yaml", 14, 42, "KL205"),
                ("examples/tools/tools.yaml", 44, 3, "KL201")]
    wanted = ("KL201", "KL202", "KL205")
    for jobs in (1, 2):
        assert codes(run(["examples"], Settings(jobs=jobs)), *wanted) == expected
    # without the custom resource, what its operator makes is missing
    os.remove(root / "examples" / "cluster.yaml")
    assert codes(run(["examples"], Settings()), *wanted) == [
        ("examples/tools/tools.yaml", 13, 42, "KL205"), ("examples/tools/tools.yaml", 14, 42, "KL205"),
        ("examples/tools/tools.yaml", 26, 3, "KL201"),
        ("examples/tools/tools.yaml", 38, 39, "KL202"),
        ("examples/tools/tools.yaml", 44, 3, "KL201")]


# kubernetes/examples' vitess folder: the pods of vtgate-service.yaml are in a template for
# sed (`replicas: {{replicas}}`), which is no YAML
TEMPLATE = """kind: ReplicationController
apiVersion: v1
metadata: {name: vtgate}
spec:
  replicas: {{replicas}}
  template:
    metadata: {labels: {app: vtgate}}
"""
CLAIMING = """apiVersion: v1
kind: Service
metadata: {name: vtgate}
spec:
  selector: {app: vtgate}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  containers: [{name: c, image: "busybox:1.36"}]
  volumes: [{name: d, persistentVolumeClaim: {claimName: vtdata}}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: other}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
"""


def test_no_claim_of_absence_beside_a_document_that_could_not_be_read(tmp_path, monkeypatch):
    """An unread document whose text holds what seems absent (the selected label values, the
    name looked for) may define it: its KL001 is the finding, not a cascade of "selects
    nothing" beside it. What its text does not mention is still claimed, and other units
    keep their findings."""
    root = tree(tmp_path, {"vitess/vtgate-template.yaml": TEMPLATE,
                           "vitess/vtgate-service.yaml": CLAIMING,
                           "copy/vtgate-service.yaml": CLAIMING})
    monkeypatch.chdir(root)
    walked = run(["."], Settings())
    assert codes(walked, "KL001", "KL201", "KL207") == [
        ("copy/vtgate-service.yaml", 5, 3, "KL201"),
        ("copy/vtgate-service.yaml", 13, 58, "KL207"),
        ("vitess/vtgate-service.yaml", 13, 58, "KL207"),  # `vtdata` is in no unread text
    ]
    # walked, a file named a template whose `{{ }}` do not parse is skipped, not reported,
    # and still counts as unread text of its folder
    assert ("vitess/vtgate-template.yaml", TEMPLATE_SKIP) in walked.skipped
    # named together, the files are one unit
    named = run(["copy/vtgate-service.yaml", "vitess/vtgate-template.yaml"], Settings())
    assert codes(named, "KL001", "KL201", "KL207") == [
        ("copy/vtgate-service.yaml", 13, 58, "KL207"), ("vitess/vtgate-template.yaml", 5, 14, "KL001")]


# longhorn's deploy/longhorn.yaml: longhorn-manager may create pods in its namespace (a Role
# bound to its ServiceAccount), and NetworkPolicies select the pods it makes
OPERATOR = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: manager, namespace: storage}
spec:
  selector: {matchLabels: {app: manager}}
  template:
    metadata: {labels: {app: manager}}
    spec:
      serviceAccountName: manager
      containers: [{name: m, image: "longhornio/manager:v1"}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: manager, namespace: storage}
rules:
- apiGroups: [""]
  resources: ["pods", "services"]
  verbs: ["*"]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: manager, namespace: storage}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: manager}
subjects: [{kind: ServiceAccount, name: manager, namespace: storage}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: instance-manager, namespace: storage}
spec:
  podSelector: {matchLabels: {component: instance-manager}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: manager, namespace: storage}
spec:
  podSelector: {matchLabels: {app: manger}}
"""


def test_pods_an_operator_may_make_are_not_said_to_be_missing(tmp_path, monkeypatch):
    """A pod running under a ServiceAccount that RBAC of the input lets create pods (or
    workloads) in its namespace is an operator's: selectors there may match pods the input
    cannot show. A likely typo of a known template's labels is still reported."""
    root = tree(tmp_path, {"operator.yaml": OPERATOR,
                           "unbound.yaml": OPERATOR.replace("kind: RoleBinding", "kind: RoleBinding\n"
                                                            "# bound to another account").replace(
                               "subjects: [{kind: ServiceAccount, name: manager", "subjects: [{kind: ServiceAccount, name: other")})
    monkeypatch.chdir(root)
    assert codes(run(["operator.yaml"], Settings()), "KL214") == [("operator.yaml", 36, 3, "KL214")]
    assert codes(run(["unbound.yaml"], Settings()), "KL214") == [
        ("unbound.yaml", 31, 3, "KL214"), ("unbound.yaml", 37, 3, "KL214")]


def test_the_resources_of_a_kyverno_cli_test_are_each_a_unit(tmp_path, monkeypatch):
    """kyverno/policies: a Kyverno CLI test evaluates its resources one by one (good and bad
    variants side by side, never applied together); two Deployments of one file there do
    not fight (2,160 false KL219), nor are they duplicates. Elsewhere they are."""
    twins = DEPLOYMENT + "---\n" + DEPLOYMENT.replace("name: frontend", "name: frontend-bad") + \
        "---\n" + DEPLOYMENT.replace("nginx:1.27", "nginx:latest")
    root = tree(tmp_path, {"policy/kyverno-test.yaml": "apiVersion: cli.kyverno.io/v1alpha1\n"
                           "kind: Test\nmetadata: {name: t}\npolicies: [../p.yaml]\nresources: [resource.yaml]\n",
                           "policy/resource.yaml": twins, "app/resource.yaml": twins})
    monkeypatch.chdir(root)
    assert codes(run(["."], Settings()), "KL217", "KL219") == [
        ("app/resource.yaml", 16, 3, "KL219"), ("app/resource.yaml", 25, 18, "KL217"),
        ("app/resource.yaml", 27, 3, "KL219")]


PDB = """apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: pdb}
spec:
  minAvailable: 1
  selector: {matchLabels: {foo: bar}}
"""
GATOR_SUITE = """kind: Suite
apiVersion: test.gatekeeper.sh/v1alpha1
tests:
- name: pdb
  template: template.yaml
  constraint: samples/constraint.yaml
  cases:
  - {name: allowed-pdb, object: samples/allowed_pdb.yaml}
  - name: allowed-deployment
    object: samples/allowed_deployment.yaml
    inventory: [samples/inventory.yaml]
"""


def test_the_cases_of_a_gator_suite_are_each_a_unit(tmp_path, monkeypatch):
    """gatekeeper-library: a gator Suite evaluates each case's object with its inventory alone,
    from files below it; a lone PodDisruptionBudget case "matched no pod" of another case's
    Deployment (16 false KL212), and a kustomization beside the suite (resources: the
    template) held the samples. Elsewhere the PDB is reported."""
    files = {"samples/allowed_pdb.yaml": PDB, "samples/allowed_deployment.yaml": DEPLOYMENT,
             "samples/inventory.yaml": PDB.replace("name: pdb", "name: other")}
    root = tree(tmp_path, {**{"policy/" + k: v for k, v in files.items()},
                           **{"app/" + k: v for k, v in files.items()},
                           "policy/suite.yaml": GATOR_SUITE, "policy/kustomization.yaml": "resources: [template.yaml]\n",
                           "policy/template.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: t}\n"})
    monkeypatch.chdir(root)
    assert codes(run(["."], Settings()), "KL212") == [
        ("app/samples/allowed_pdb.yaml", 6, 3, "KL212"), ("app/samples/inventory.yaml", 6, 3, "KL212")]


HELM_INGRESS = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service: {name: prom-server, port: {number: 80}}
"""


def test_a_folder_with_a_helm_values_file_holds_the_charts_objects(tmp_path, monkeypatch):
    """jaeger's examples/oci: an Ingress to the Services of the Helm releases that the
    folder's jaeger-values.yaml and monitoring-values.yaml configure, beside a Service of its
    own (4 false KL202); `values-*.yaml` is skipped by name, `*-values.yaml` once read. Without
    a values file the missing Service is reported."""
    for folder, values in (("oci", "monitoring-values.yaml"), ("ext", "values-ext.yml"), ("plain", None)):
        files = {f"{folder}/ingress.yaml": HELM_INGRESS, f"{folder}/svc.yaml": SERVICE}
        if values:
            files[f"{folder}/{values}"] = "server:\n  enabled: true\n"
        tree(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    assert codes(run(["."], Settings()), "KL202") == [("plain/ingress.yaml", 11, 31, "KL202")]


# calico's manifests/: calico.yaml and calico-etcd.yaml each define ConfigMap calico-config
# (other keys) and the pods that read them, side by side in one folder
CALICO = """apiVersion: v1
kind: ConfigMap
metadata: {name: calico-config, namespace: kube-system}
data: {%s: x}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: calico-node, namespace: kube-system}
spec:
  selector: {matchLabels: {k8s-app: calico-node}}
  template:
    metadata: {labels: {k8s-app: calico-node}}
    spec:
      containers:
        - name: calico-node
          image: "calico/node:v3.29.0"
          env:
            - name: KEY
              valueFrom: {configMapKeyRef: {name: calico-config, key: %s}}
"""


def test_a_key_is_looked_up_in_the_referrers_own_file_among_alternatives(tmp_path, monkeypatch):
    """KL205 read the keys of the first calico-config of the folder: 11 false findings on
    calico's manifests/. The referrer's own file's ConfigMap is the one it reads; without one
    there, a key is missing only when no ConfigMap of that name has it."""
    root = tree(tmp_path, {"manifests/calico.yaml": CALICO % ("typha_service_name", "typha_service_name"),
                           "manifests/calico-etcd.yaml": CALICO % ("etcd_endpoints", "etcd_endpoints"),
                           "manifests/typo.yaml": CALICO % ("etcd_ca", "etcd_cert")})
    monkeypatch.chdir(root)
    walked = run(["manifests"], Settings())
    assert codes(walked, "KL205") == [("manifests/typo.yaml", 19, 71, "KL205")], codes(walked, "KL205")
    assert "has no key `etcd_cert`" in [f for f in walked.findings if f.code == "KL205"][0].message


def test_pods_of_one_name_in_several_files_are_named_once(tmp_path, monkeypatch):
    """Kong's examples/: each file has its Deployment `echo`; a Service selecting them in the
    folder listed "Deployment echo, Deployment echo, Deployment echo"."""
    app = DEPLOYMENT.replace("frontend", "echo").replace(
        '        - {name: web, image: "nginx:1.27"}',
        '        - {name: web, image: "nginx:1.27", ports: [{containerPort: 80}]}')
    root = tree(tmp_path, {f"examples/{n}.yaml": app for n in ("a", "b", "c")})
    (root / "examples/d.yaml").write_text(SERVICE.replace("targetPort: http-server", "targetPort: 1027"))
    monkeypatch.chdir(root)
    found = [f for f in run(["examples"], Settings()).findings if f.code == "KL204"]
    assert len(found) == 1 and "(Deployment echo; they declare 80)" in found[0].message, \
        [f.message for f in found]


def test_a_service_reads_the_pods_and_ports_of_its_own_file_among_alternatives(tmp_path, monkeypatch):
    """kapp-controller's alpha-releases/ and Kong's examples/: each file defines a Service
    with its Deployment (and Ingress); another file of the folder defines a Deployment and a
    Service of the same names without the named port, or with other ports. KL203 and KL202
    read the referrer's own file's objects (they are applied with it); without any there, a
    claim needs every candidate of the folder to miss."""
    new = DEPLOYMENT.replace('        - {name: web, image: "nginx:1.27"}',
                             '        - {name: web, image: "nginx:1.27", ports: [{name: http-server, containerPort: 80}]}')
    service = SERVICE.replace("port: 80,", "port: 443,")
    ingress = """apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web}
spec:
  rules:
    - http:
        paths:
          - {path: /, pathType: Prefix, backend: {service: {name: guestbook, port: {number: %d}}}}
"""
    root = tree(tmp_path, {"releases/v2.yaml": f"{new}---\n{service}---\n" + ingress % 443,
                           "releases/v1.yaml": f"{DEPLOYMENT}---\n{SERVICE}",
                           "releases/typo.yaml": ingress % 8443})
    monkeypatch.chdir(root)
    walked = run(["releases"], Settings())
    # v2's Service and Ingress: their own file's pods and Service; v1's Service: its own pods,
    # which lack the named port; typo.yaml's Ingress: no Service of the folder has 8443
    assert codes(walked, "KL202", "KL203") == [
        ("releases/typo.yaml", 8, 93, "KL202"), ("releases/v1.yaml", 17, 34, "KL203")], \
        codes(walked, "KL202", "KL203")


def test_an_hpa_scales_its_own_files_workload_among_alternatives(tmp_path, monkeypatch):
    """envoy gateway's test/helm/gateway-helm/: each chart test output renders the Deployment
    envoy-gateway with `replicas`, one of them with an HPA too. KL211 flagged the Deployment
    of all 31 files; the HPA scales its own file's Deployment (a file is applied whole)."""
    app = DEPLOYMENT.replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector", 1)
    hpa = """apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: frontend}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: frontend}
  minReplicas: 2
  maxReplicas: 5
"""
    root = tree(tmp_path, {"out/with-hpa.yaml": f"{app}---\n{hpa}",
                           "out/default.yaml": app, "out/other.yaml": app,
                           "alone/hpa.yaml": hpa, "alone/app.yaml": app})
    monkeypatch.chdir(root)
    # alone/: the HPA's own file has no Deployment, so it means the folder's one
    assert codes(run(["out", "alone"], Settings()), "KL211") == [
        ("alone/app.yaml", 5, 3, "KL211"), ("out/with-hpa.yaml", 5, 3, "KL211")]


def test_an_olm_bundles_service_selects_the_cluster_service_versions_pods(tmp_path, monkeypatch):
    """jaeger-operator's bundle/manifests: its metrics Service targets the port `https` of the
    operator's pods, which the ClusterServiceVersion beside it deploys; KL203 read the only
    Deployment of that name in the walk, an example's without the port. A folder holding a
    custom resource with a pod template keeps its Services' pods unknown; a Service in the
    examples' folder still reads the example's."""
    csv = """apiVersion: operators.coreos.com/v1alpha1
kind: ClusterServiceVersion
metadata: {name: op.v1.0.0}
spec:
  install:
    strategy: deployment
    spec:
      deployments:
        - name: op
          spec:
            selector: {matchLabels: {name: op}}
            template:
              metadata: {labels: {name: op}}
              spec:
                containers:
                  - {name: proxy, image: "proxy:1", ports: [{name: https, containerPort: 8443}]}
"""
    service = """apiVersion: v1
kind: Service
metadata: {name: op-metrics}
spec:
  selector: {name: op}
  ports: [{name: https, port: 8443, targetPort: https}]
"""
    example = DEPLOYMENT.replace("frontend", "op").replace("app: guestbook", "name: op")
    root = tree(tmp_path, {"bundle/manifests/op.clusterserviceversion.yaml": csv,
                           "bundle/manifests/op-metrics_v1_service.yaml": service,
                           "examples/op.yaml": example, "examples/metrics.yaml": service})
    monkeypatch.chdir(root)
    assert codes(run(["."], Settings()), "KL203") == [("examples/metrics.yaml", 6, 49, "KL203")]


def test_a_pod_is_judged_by_its_own_units_namespace_among_alternatives(tmp_path, monkeypatch):
    """eks-workshop's security/pss-psa: each overlay labels the Namespace `pss` its own way
    (baseline in one, restricted in another) over one base Deployment. Every pod was judged
    by the last labelled `pss` of the run (restricted): 16 false restricted-level errors in
    the baseline overlay. A pod reads its own unit's Namespace; where that cannot be told,
    no Namespace label decides."""
    namespace = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: pss\n  labels: {pod-security.kubernetes.io/enforce: %s}\n"
    pod = """apiVersion: v1
kind: Pod
metadata: {name: web, namespace: pss}
spec:
  containers:
    - name: web
      image: "nginx:1.27"
      securityContext: {runAsUser: 0}
"""
    root = tree(tmp_path, {
        "baseline/kustomization.yaml": "resources: [namespace.yaml, pod.yaml]\n",
        "baseline/namespace.yaml": namespace % "baseline", "baseline/pod.yaml": pod,
        "restricted/kustomization.yaml": "resources: [namespace.yaml, pod.yaml]\n",
        "restricted/namespace.yaml": namespace % "restricted", "restricted/pod.yaml": pod,
        # a second overlay labelled like the first: its own Namespace too (privileged: baseline's)
        "baseline2/kustomization.yaml": "resources: [namespace.yaml, pod.yaml]\n",
        "baseline2/namespace.yaml": namespace % "baseline",
        "baseline2/pod.yaml": pod.replace("runAsUser: 0", "privileged: true"),
        "alone/pod.yaml": pod})
    monkeypatch.chdir(root)
    found = run(["."], Settings()).findings
    # runAsUser 0 is allowed by baseline, not by restricted; the restricted overlay's pod
    # misses restricted's other controls too; alone/'s pod cannot tell which Namespace
    assert sorted({(os.path.relpath(f.path), f.code) for f in found if f.code.startswith("KL4")}) == [
        ("baseline2/pod.yaml", "KL403"), ("restricted/pod.yaml", "KL422"), ("restricted/pod.yaml", "KL423"), ("restricted/pod.yaml", "KL424"),
        ("restricted/pod.yaml", "KL425"), ("restricted/pod.yaml", "KL426")], \
        sorted((os.path.relpath(f.path), f.code, f.message) for f in found)


def test_pods_are_judged_by_the_network_policies_of_their_own_unit(tmp_path, monkeypatch):
    # argocd-image-updater: config/network-policy's policies (no namespace: kustomize sets it)
    # and test/e2e's registry Deployment (no namespace either) meet in the implicit default
    # namespace of a walk; they are never applied together, so KL220 does not claim the
    # registry's pods are left out of them. Beside a policy of its own folder, it does.
    policy = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-metrics-traffic}
spec:
  podSelector: {matchLabels: {control-plane: controller}}
  policyTypes: [Ingress]
"""
    root = tree(tmp_path, {"config/network-policy/allow-metrics-traffic.yaml": policy,
                           "test/e2e/registry/registry.yaml": DEPLOYMENT})
    monkeypatch.chdir(root)
    assert codes(run(["config", "test"], Settings(select=["ALL", "KL220"])), "KL220") == []
    tree(root, {"test/e2e/registry/policy.yaml": policy})
    assert codes(run(["config", "test"], Settings(select=["ALL", "KL220"])), "KL220") == [
        ("test/e2e/registry/registry.yaml", 7, 5, "KL220")]
