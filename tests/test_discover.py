"""Linting a repository as it is: ignore files, non-manifest YAML, config-relative excludes,
stdin and the other first-contact problems of issue 9."""

import os
import shutil
import subprocess
import sys

import pytest

from kubelint.discover import (CONTROLLER_OUTPUT, INVALID_FIXTURE, NAMED_PATCH, NOT_A_MANIFEST, SNAPSHOTS, TEMPLATE, TEST_DATA,
                               TEST_SOURCES, VENDORED, GO_FIXTURES, YTT_INPUT,
                               TOOL_CONFIG, discover)
from kubelint.engine import Settings, run

from .conftest import ROOT, kubelint

POD = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  labels: {{app: {name}}}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n"
BAD = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  type: Nodeport\n  ports: [{port: 80}]\n"


def write(root, rel, text):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env=dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@e",
                            GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@e"))


def walked(root, **kw):
    found = discover([str(root)], **kw)
    return sorted(os.path.relpath(s.path, root) for s in found.sources), found


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_gitignore_at_every_level_and_info_exclude(tmp_path):
    _git(tmp_path, "init", "-q")
    write(tmp_path, ".gitignore", "node_modules/\n*.generated.yaml\n")
    write(tmp_path, "app/.gitignore", "local/\n!keep.generated.yaml\n")
    write(tmp_path, ".git/info/exclude", "scratch.yaml\n")
    for rel in ("a.yaml", "node_modules/pkg/x.yaml", "app/b.yaml", "app/local/c.yaml",
                "app/d.generated.yaml", "app/keep.generated.yaml", "scratch.yaml", "app/scratch.yaml"):
        write(tmp_path, rel, POD.format(name="x"))
    files, _ = walked(tmp_path)
    assert files == ["a.yaml", "app/b.yaml", "app/keep.generated.yaml"]
    # walking a subfolder still honours the ignore files above it
    files, _ = walked(tmp_path / "app")
    assert files == ["b.yaml", "keep.generated.yaml"]
    # --no-ignore
    files, _ = walked(tmp_path, use_ignore_files=False)
    assert len(files) == 8


def test_kubelintignore_outside_a_work_tree_and_explicit_files(tmp_path):
    write(tmp_path, ".kubelintignore", "vendor\n")
    write(tmp_path, "vendor/x.yaml", BAD)
    write(tmp_path, "ok.yaml", POD.format(name="ok"))
    files, _ = walked(tmp_path)
    assert files == ["ok.yaml"]
    # a file named on the command line is always linted
    proc = kubelint("check", "vendor/x.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and b"vendor/x.yaml:5:9: error:" in proc.stdout


def test_ignored_folders_are_not_even_listed(tmp_path, monkeypatch):
    """The walk never enters an ignored folder: cheap with a large node_modules."""
    write(tmp_path, ".gitignore", "node_modules/\n")
    write(tmp_path, "node_modules/a/b.yaml", BAD)
    entered = []
    real_walk = os.walk

    def spy(top, *a, **k):
        for folder, dirs, files in real_walk(top, *a, **k):
            entered.append(folder)
            yield folder, dirs, files

    monkeypatch.setattr(os, "walk", spy)
    discover([str(tmp_path)])
    assert not any("node_modules" in f for f in entered)


def test_non_manifests_are_skipped_counted_and_listed(tmp_path):
    write(tmp_path, "deploy/pod.yaml", POD.format(name="web"))
    write(tmp_path, "docker-compose.yml", "services:\n  web: {image: nginx}\n")
    write(tmp_path, "ci/workflow.yaml", "on: push\njobs: {}\n")
    write(tmp_path, "web/package.json", '{"name": "web"}\n')
    write(tmp_path, "half.yaml", "kind: Pod\nmetadata: {name: x}\n")  # one of the two keys: a finding
    # kueue's examples: a kind cluster's config (no API server serves it) and an audit policy
    write(tmp_path, "dev/kind-cluster.yaml", "kind: Cluster\napiVersion: kind.x-k8s.io/v1alpha4\n"
          "nodes: [{role: control-plane}]\n")
    write(tmp_path, "dev/audit.yaml", "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n")
    # podinfo's otel/: a Grafana provisioning file (a number for apiVersion, no kind)
    write(tmp_path, "otel/grafana-datasources.yaml", "apiVersion: 1\ndatasources:\n- {name: Loki, type: loki}\n")
    # descheduler's examples: its policy file (a ConfigMap's content or --policy-config-file)
    write(tmp_path, "descheduler/policy.yaml", "apiVersion: descheduler/v1alpha2\n"
          "kind: DeschedulerPolicy\nprofiles: [{name: default}]\n")
    # eks-workshop's hybrid nodes: nodeadm's config, a node's user data
    write(tmp_path, "dev/nodeconfig.yaml", "apiVersion: node.eks.aws/v1alpha1\nkind: NodeConfig\n"
          "spec: {cluster: {name: demo}}\n")
    # loki's tools: a Tanka environment (spec.json; its name is a path)
    write(tmp_path, "dev/env/spec.json", '{"apiVersion": "tanka.dev/v1alpha1", "kind": "Environment", '
          '"metadata": {"name": "environments/dev"}, "spec": {"namespace": "dev"}}\n')
    # antrea's overlays: a kustomize transformer config no kustomization names (`builtin`)
    write(tmp_path, "overlays/prefix_transformer.yaml", "apiVersion: builtin\n"
          "kind: PrefixSuffixTransformer\nmetadata: {name: customPrefixer}\nprefix: mc-\n")
    # operator-sdk's scorecard config (in every operator bundle)
    write(tmp_path, "bundle/tests/scorecard/config.yaml", "apiVersion: scorecard.operatorframework.io/v1alpha3\n"
          "kind: Configuration\nmetadata: {name: config}\nstages: []\n")
    # ... with `apiversion:` (gpu-operator's; the tool's Go decoder ignores case)
    write(tmp_path, "gpu/bundle/tests/scorecard/config.yaml", "kind: Configuration\n"
          "apiversion: scorecard.operatorframework.io/v1alpha3\nmetadata: {name: config}\nstages: []\n")
    # kops' conversion tests: its legacy API group `kops` (now kops.k8s.io)
    write(tmp_path, "dev/kops-cluster.yaml", "apiVersion: kops/v1alpha2\nkind: Cluster\n"
          "metadata: {name: minimal.example.com}\nspec: {kubernetesVersion: v1.4.12}\n")
    # calico's calicoctl test data: a kubeconfig (kubectl's client config)
    write(tmp_path, "dev/kubeconfig.yaml", "apiVersion: v1\nkind: Config\nclusters:\n"
          "- {name: main, cluster: {server: 'https://127.0.0.1:6443'}}\ncurrent-context: main\n")
    # cluster-api-provider-aws' hack/: clusterawsadm's configuration (no name: a false KL104)
    write(tmp_path, "hack/iam.yaml", "apiVersion: bootstrap.aws.infrastructure.cluster.x-k8s.io/v1alpha1\n"
          "kind: AWSIAMConfiguration\nspec: {bootstrapUser: {enable: false}}\n")
    # cloud-provider-openstack's barbican-kms: the API server's encryption config before its group
    write(tmp_path, "dev/encryption.yaml", "kind: EncryptionConfig\napiVersion: v1\nresources:\n"
          "  - resources: [secrets]\n    providers: [{identity: {}}]\n")
    # a CloudFormation template beside the manifests: its `!Ref` tags are no manifest's (KL007)
    write(tmp_path, "aws/bucket.yaml", "AWSTemplateFormatVersion: '2010-09-09'\nResources:\n"
          "  B:\n    Type: AWS::S3::Bucket\n    Properties: {BucketName: !Ref Name}\n")
    # kyverno/policies: a Kyverno CLI test (its name with `_` was a false KL104)
    write(tmp_path, "policy/kyverno-test.yaml", "apiVersion: cli.kyverno.io/v1alpha1\nkind: Test\n"
          "metadata: {name: limit_dnsnames}\npolicies: [../policy.yaml]\n")
    # minio/operator: a Helm repository's index (apiVersion, no kind, no metadata)
    write(tmp_path, "charts/index.yaml", "apiVersion: v1\nentries:\n  web:\n  - {apiVersion: v2, "
          "name: web, version: 1.0.0}\ngenerated: '2025-05-05T19:21:40Z'\n")
    # sealed-secrets' site: Hugo's config with a duplicate key (no manifest: not KL003)
    write(tmp_path, "site/config.yaml", "baseURL: https://example.org\nmenu:\n  main:\n"
          "    name: Docs\n    name: Blog\n")
    # ... while a manifest's duplicate key and an object without kind are findings
    write(tmp_path, "deploy/dup.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
          "data: {x: '1'}\ndata: {y: '2'}\n")
    write(tmp_path, "deploy/nokind.yaml", "apiVersion: v1\nmetadata: {name: a}\n")
    # percona-xtradb-cluster-operator's e2e-tests/*/compare/*.log.json: JSON objects one after
    # another (a trailing comma: YAML reads the first, then fails), a `"span.kind"` key in them
    write(tmp_path, "compare/version.log.json", '{\n  "system": "grpc",\n  "span.kind": "server",\n'
          '  "msg": {"apply": "5.7-recommended",}\n}\n{\n  "system": "grpc"\n}\n')
    # joryirving/home-ops' talos/: Talos machine config documents (a groupless v1alpha1)
    write(tmp_path, "talos/ayaka.yaml", "machine:\n  install: {diskSelector: {serial: S665}}\n---\n"
          "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: ayaka\n---\napiVersion: v1alpha1\n"
          "kind: EthernetConfig\nname: enp2s0f0np0\nrings: {rx: 8160}\n")
    # k8s-config-connector's proto-list-final.yaml: kinds of its own, no apiVersion, no
    # metadata; one is `ApiService` (a built-in APIService in another case)
    write(tmp_path, "proto-list.yaml", "service: ai\nproto: File\nkind: AiFile\n---\n"
          "service: apigateway\nproto: Service\nkind: ApiService\n")
    # ... while a manifest that does not parse is a finding
    write(tmp_path, "deploy/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert "\ndeploy/dup.yaml:5:1: error: duplicate key `data`" in out, out
    assert "\ndeploy/nokind.yaml:1:1: error: not a Kubernetes object: missing `kind`" in out, out
    assert "\nhalf.yaml:1:1: error: not a Kubernetes object: missing `apiVersion`" in out, out
    assert out.startswith("deploy/broken.yaml:4:1: error: YAML syntax error"), out
    assert out.rstrip().endswith("; 23 files skipped: not Kubernetes manifests")
    assert "skipped:" not in out.split("\n", 1)[1].rsplit("\n", 2)[0]
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert "ci/workflow.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "dev/kind-cluster.yaml: skipped: " + TOOL_CONFIG in lines
    assert "dev/audit.yaml: skipped: " + TOOL_CONFIG in lines
    assert "dev/nodeconfig.yaml: skipped: " + TOOL_CONFIG in lines
    assert "dev/kubeconfig.yaml: skipped: " + TOOL_CONFIG in lines
    assert "dev/encryption.yaml: skipped: " + TOOL_CONFIG in lines
    assert "hack/iam.yaml: skipped: " + TOOL_CONFIG in lines
    assert "dev/kops-cluster.yaml: skipped: " + TOOL_CONFIG in lines
    assert "bundle/tests/scorecard/config.yaml: skipped: " + TOOL_CONFIG in lines
    assert "gpu/bundle/tests/scorecard/config.yaml: skipped: " + TOOL_CONFIG in lines
    assert "overlays/prefix_transformer.yaml: skipped: " + TOOL_CONFIG in lines
    assert "dev/env/spec.json: skipped: " + TOOL_CONFIG in lines
    assert "policy/kyverno-test.yaml: skipped: " + TOOL_CONFIG in lines
    assert "descheduler/policy.yaml: skipped: " + TOOL_CONFIG in lines
    assert "otel/grafana-datasources.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "charts/index.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "aws/bucket.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "site/config.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "compare/version.log.json: skipped: " + NOT_A_MANIFEST in lines
    assert "talos/ayaka.yaml: skipped: " + TOOL_CONFIG in lines
    assert "proto-list.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "docker-compose.yml: skipped: Docker Compose file" in lines
    assert "web/package.json: skipped: npm package manifest" in lines
    doc = __import__("json").loads(kubelint("check", "-f", "json", ".", cwd=tmp_path).stdout)
    assert doc["summary"]["skipped"] == 23 and {"path": "docker-compose.yml", "reason": "Docker Compose file"} in doc["skipped"]
    import jsonschema

    with open(os.path.join(ROOT, "schemas", "report.schema.json")) as f:
        jsonschema.validate(doc, __import__("json").load(f))
    # named explicitly, a non-manifest stays a finding
    proc = kubelint("check", "docker-compose.yml", cwd=tmp_path)
    assert proc.returncode == 1 and b"KL005" in proc.stdout
    proc = kubelint("check", "dev/kind-cluster.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and b"KL104" in proc.stdout


def test_test_data_templates_function_configs_and_other_apis_are_skipped_in_walks(tmp_path):
    """kustomize's, velero's and cluster-autoscaler's repositories: Go `testdata` folders of
    fixtures (invalid on purpose), Go templates named `*.template.yaml`, a KRM function's
    configuration, a Google API response with `kind: compute#...`, kube-state-metrics'
    config (a kind of its own without apiVersion or metadata)."""
    write(tmp_path, "deploy/pod.yaml", POD.format(name="web"))
    write(tmp_path, "pkg/testdata/bad.yaml", BAD)
    # flink-kubernetes-operator: a stale CRD among a Java build's test resources
    write(tmp_path, "api/src/test/resources/old-crd.yaml", BAD)
    # csi-driver-nfs: a Go module's vendored copy of kubernetes' e2e manifests
    write(tmp_path, "go.mod", "module example.com/x\n")
    write(tmp_path, "vendor/k8s.io/e2e/bad.yaml", BAD)
    # ... but a folder named vendor outside a Go module is a project's own
    write(tmp_path, "charts/vendor/bad.yaml", BAD)
    write(tmp_path, "templates/web.template.yaml",
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Name }}\n")
    # rook's pkg/daemon/multus: a manifest a Go program embeds and fills in
    write(tmp_path, "pkg/multus/host-daemonset.yaml", "apiVersion: apps/v1\nkind: DaemonSet\n"
          "metadata: {name: host}\nspec:\n  template:\n    spec:\n      nodeSelector:\n"
          "      {{- range $k, $v := .NodeSelector }}\n        {{ $k }}: {{ $v }}\n      {{- end }}\n")
    # karmada's artifacts: unquoted placeholders a script fills in with sed
    write(tmp_path, "deploy/apiservice.yaml", "apiVersion: apiregistration.k8s.io/v1\n"
          "kind: APIService\nmetadata: {name: v1alpha1.cluster.karmada.io}\nspec:\n"
          "  caBundle: {{caBundle}}\n  group: cluster.karmada.io\n")
    # external-secrets' tests/__snapshot__: a snapshot test's output, every field `string`
    write(tmp_path, "api/__snapshot__/store.yaml", "apiVersion: v1\nkind: Service\nmetadata: {}\n")
    # longhorn's dev/scale-test: `@STS_NAME@` tokens a script replaces with sed
    write(tmp_path, "deploy/sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\n"
          "metadata:\n  name: @STS_NAME@\nspec:\n  serviceName: @STS_NAME@\n")
    # ytt's examples: a plain file beside an overlay is ytt's input (`ytt -f DIR` adds the
    # selector); named on the command line it is linted as it is
    write(tmp_path, "ytt/add-selector.yml", "#@ load(\"@ytt:overlay\", \"overlay\")\n"
          "#@overlay/match by=overlay.subset({\"kind\": \"Deployment\"})\n---\nspec:\n"
          "  #@overlay/match missing_ok=True\n  selector: {matchLabels: {app: a}}\n")
    write(tmp_path, "ytt/config.yml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
          "spec:\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: a, image: a}]}\n")
    # camel-k's e2e tests: `%%%`, replaced by the test's namespace
    write(tmp_path, "deploy/binding.yaml", "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\n"
          "metadata: {name: b}\nsubjects:\n- kind: ServiceAccount\n  name: sa\n  namespace: %%%\n"
          "roleRef: {kind: Role, name: r, apiGroup: rbac.authorization.k8s.io}\n")
    # secrets-store-csi-driver's tests: envsubst fills in a certificate at column 1
    write(tmp_path, "deploy/spc.yaml", "apiVersion: secrets-store.csi.x-k8s.io/v1\n"
          "kind: SecretProviderClass\nmetadata: {name: conjur}\nspec:\n  provider: conjur\n"
          "  parameters:\n    sslCertificate: |\n$CONJUR_SSL_CERT\n")
    # rabbitmq's cluster-operator: a Carvel ytt template (its annotations are YAML comments,
    # so it parses; `name: #@ ...` leaves the name null)
    write(tmp_path, "olm/csv.yml", '#@ load("@ytt:data", "data")\n\n---\napiVersion: v1\n'
          "kind: ConfigMap\nmetadata:\n  name: #@ data.values.name + '.v' + data.values.version\n")
    # NVIDIA's gpu-operator: assets the operator reads and fills in
    write(tmp_path, "assets/state-driver/0100_service_account.yaml", "apiVersion: v1\n"
          "kind: ServiceAccount\nmetadata:\n  name: nvidia-driver\n  namespace: \"FILLED BY THE OPERATOR\"\n")
    write(tmp_path, "validator/manifests/plugin.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n"
          "  name: plugin-validation\n  namespace: FILLED_BY_VALIDATOR\nspec:\n"
          "  containers: [{name: a, image: \"busybox:1\"}]\n")
    # khuedoan/homelab's Ansible role: a Jinja template (`{% for %}` breaks the YAML)
    write(tmp_path, "roles/cilium/templates/pool.yaml", "apiVersion: cilium.io/v2alpha1\n"
          "kind: CiliumLoadBalancerIPPool\nmetadata: {name: default}\nspec:\n  blocks:\n"
          "    {% for cidr in pools %}\n    - cidr: {{ cidr }}\n    {% endfor %}\n")
    # emissary's Python-formatted test manifests: `{extra}` alone on a line, then a document
    write(tmp_path, "kat/rbac.yaml", "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n"
          "  name: {self.path.k8s}-sa\n---\n{serviceAccountExtra}\napiVersion: v1\n"
          "kind: ServiceAccount\nmetadata:\n  name: {images[kat-server]}\n")
    # ... but not Argo's runtime placeholders, which must be quoted (argo-rollouts' example)
    write(tmp_path, "deploy/analysis.yaml", "apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\n"
          "metadata: {name: a}\nspec:\n  metrics:\n  - name: m\n    provider:\n      job:\n"
          "        metadata:\n          annotations:\n            linkerd.io/inject: {{args.inject}}\n")
    # ... and a syntax error elsewhere in a file with a placeholder is one
    write(tmp_path, "deploy/broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
          "  name: x\n  labels: {a: b\ndata:\n  host: \"{{host}}\"\n")
    write(tmp_path, "fn/fn-config.yaml", "apiVersion: examples.config.kubernetes.io/v1beta1\n"
          "kind: Kubeval\nmetadata:\n  annotations:\n    config.kubernetes.io/function: |\n"
          "      container: {image: example/kubeval:v0.1.0}\nspec: {strict: true}\n")
    write(tmp_path, "gce/disk_types.json", '{"kind": "compute#diskTypeList", "items": '
          '[{"kind": "compute#diskType", "name": "pd-ssd"}]}\n')
    # kube-state-metrics' config: a kind of its own, no apiVersion, no metadata
    write(tmp_path, "ksm/example_config.yaml", "kind: CustomResourceStateMetrics\n"
          "spec: {resources: []}\n")
    # Gateway API's conformance reports: a group's apiVersion, a kind nobody serves, no metadata
    write(tmp_path, "conformance/report.yaml", "apiVersion: gateway.networking.k8s.io/v1\n"
          "kind: ConformanceReport\nimplementation: {project: demo}\n")
    # ... and a tool's config of a group without a dot, which no custom resource can have
    # (kube-scheduler-simulator's simulator/config.yaml)
    write(tmp_path, "simulator/config.yaml", "apiVersion: kube-scheduler-simulator-config/v1alpha1\n"
          "kind: SimulatorConfiguration\nport: 1212\n")
    # a program's template with `#{NAME}` tokens, which YAML reads as comments (litmus'
    # chaoscenter manifests); a fluentd config's Ruby "#{ENV['X']}" is no such token
    write(tmp_path, "manifests/argo.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
          "  name: workflow-controller\n  namespace: #{AGENT_NAMESPACE}\nspec:\n"
          "  selector: {matchLabels: {app: w}}\n  template:\n    metadata: {labels: {app: w}}\n"
          "    spec:\n      #{TOLERATIONS}\n      containers:\n        - name: w\n"
          "          image: #{ARGO_WORKFLOW_CONTROLLER}\n")
    write(tmp_path, "manifests/fluentd.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Fluentd}\n"
          "data:\n  out.conf: |\n    host \"#{ENV['FLUENT_HOST']}\"\n")
    # ... and an Ansible inventory's variables, SOPS-encrypted, with a `kind: Secret` variable
    write(tmp_path, "ansible/inventory/group_vars/all/all.sops.yml", "kind: Secret\n"
          "pushover_user_key: ENC[AES256_GCM,data:p/3i,type:str]\nsops: {version: 3.7.1}\n")
    # ... and ksonnet's app.yaml: a version number as apiVersion
    write(tmp_path, "ks_app/app.yaml", "apiVersion: 0.2.0\nkind: ksonnet.io/app\nname: ks_app\n"
          "environments: {default: {destination: {namespace: kubeflow}}}\n")
    # ... but not a near miss of a built-in group's apiVersion (KL014)
    write(tmp_path, "cr/app.yaml", "apiVersion: app/v1\nkind: Deploymnet\n")
    # a test's fixture whose name says it is invalid on purpose (nginx's tests/data/); not
    # outside a test folder, nor a name that only contains the word
    write(tmp_path, "tests/data/vs/virtual-server-invalid-openapi.yaml", "apiVersion: v1\n"
          "kind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 0}]}\n")
    write(tmp_path, "test/checks/bad_ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n")
    write(tmp_path, "demo/bad-ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n")
    write(tmp_path, "tests/badger.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Badger}\n")
    # ... or a folder of them (krane's test/fixtures/invalid-resources/)
    write(tmp_path, "test/fixtures/invalid-resources/missing_kind.yml", "apiVersion: v1\nmetadata: {name: x}\n")
    # ... or a folder named invalid anywhere (gateway-api's hack/invalid-examples/); not a
    # folder that only has the word inside its name, nor bad/broken ones outside a test folder
    write(tmp_path, "hack/invalid-examples/gateway/bad-port.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n")
    write(tmp_path, "hack/not-invalid/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n")
    write(tmp_path, "demo/broken/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n")
    # ... but a custom resource that lost its metadata is still one (it has a spec: KL104),
    # and so is a built-in group's object of an unknown kind (KL014)
    write(tmp_path, "cr/route.yaml", "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\n"
          "spec: {}\n")
    write(tmp_path, "cr/apps.yaml", "apiVersion: apps/v1\nkind: Deploymnet\n")
    # a Go package's unit test fixtures (traefik's pkg/provider/kubernetes/crd/fixtures), but
    # not an e2e suite's, which a cluster reads
    write(tmp_path, "pkg/provider/provider_test.go", "package provider\n")
    write(tmp_path, "pkg/provider/fixtures/route.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: A}\n")
    write(tmp_path, "tests/e2e/suite_test.go", "package e2e\n")
    write(tmp_path, "tests/e2e/fixtures/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n")
    # jsonnet-bundler's vendored libraries (sealed-secrets' vendor_jsonnet/: another
    # project's golden test outputs)
    write(tmp_path, "mixin/jsonnetfile.json", "{}\n")
    write(tmp_path, "mixin/vendor_jsonnet/lib/tests/golden/out.yaml", "apiVersion: batch/v1beta1\nkind: CronJob\n")
    # an object that lost its apiVersion is still one (KL005)
    write(tmp_path, "ksm/cert.yaml", "kind: Certificate\nmetadata: {name: web}\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 1 and "\nksm/cert.yaml:1:1: error: not a Kubernetes object: " \
        "missing `apiVersion`" in out, out
    assert out.rstrip().splitlines()[-1].split(")", 1)[1] == \
        "; 22 files skipped: not Kubernetes manifests; 1 testdata folder skipped; 1 Go test fixtures folder skipped; 1 test sources folder skipped; 2 vendored folders skipped; 1 snapshot folder skipped; 4 invalid test fixtures skipped", out
    assert out.startswith("charts/vendor/bad.yaml:5:9: error:") and "vendor/k8s.io" not in out, out
    assert "\ndeploy/broken.yaml:6:5: error: YAML syntax error" in out, out
    assert "\ntests/e2e/fixtures/ns.yaml:3:18: error: metadata.name" in out, out
    assert "\ndeploy/analysis.yaml:11:33: error: a mapping key must be a scalar" in out, out
    lines = kubelint("check", "--show-skipped", ".", cwd=tmp_path).stdout.decode().splitlines()
    assert "pkg/testdata: skipped: " + TEST_DATA in lines
    assert "api/__snapshot__: skipped: " + SNAPSHOTS in lines
    assert "vendor: skipped: " + VENDORED in lines
    assert "mixin/vendor_jsonnet: skipped: " + VENDORED in lines
    assert "pkg/provider/fixtures: skipped: " + GO_FIXTURES in lines
    assert "api/src/test: skipped: " + TEST_SOURCES in lines
    assert "templates/web.template.yaml: skipped: " + TEMPLATE in lines
    assert "pkg/multus/host-daemonset.yaml: skipped: " + TEMPLATE in lines
    assert "deploy/apiservice.yaml: skipped: " + TEMPLATE in lines
    assert "deploy/spc.yaml: skipped: " + TEMPLATE in lines
    assert "deploy/sts.yaml: skipped: " + TEMPLATE in lines
    assert "deploy/binding.yaml: skipped: " + TEMPLATE in lines
    assert "ytt/add-selector.yml: skipped: " + TEMPLATE in lines and "ytt/config.yml: skipped: " + YTT_INPUT in lines
    proc = kubelint("check", "ytt/config.yml", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout.decode().startswith("ytt/config.yml:4:1: error: spec: missing required field `selector`"), proc.stdout
    assert "olm/csv.yml: skipped: " + TEMPLATE in lines
    assert "assets/state-driver/0100_service_account.yaml: skipped: " + TEMPLATE in lines
    assert "validator/manifests/plugin.yaml: skipped: " + TEMPLATE in lines
    assert "kat/rbac.yaml: skipped: " + TEMPLATE in lines
    assert "roles/cilium/templates/pool.yaml: skipped: " + TEMPLATE in lines
    assert "fn/fn-config.yaml: skipped: " + TOOL_CONFIG in lines
    assert "gce/disk_types.json: skipped: " + NOT_A_MANIFEST in lines
    assert "ksm/example_config.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "conformance/report.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "simulator/config.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "ks_app/app.yaml: skipped: " + NOT_A_MANIFEST in lines
    assert "ansible/inventory/group_vars/all/all.sops.yml: skipped: " + NOT_A_MANIFEST in lines
    assert "manifests/argo.yaml: skipped: " + TEMPLATE in lines
    assert "\nmanifests/fluentd.yaml:3:18: error:" in out, out
    assert "tests/data/vs/virtual-server-invalid-openapi.yaml: skipped: " + INVALID_FIXTURE in lines
    assert "test/checks/bad_ns.yaml: skipped: " + INVALID_FIXTURE in lines
    assert "test/fixtures/invalid-resources/missing_kind.yml: skipped: " + INVALID_FIXTURE in lines
    assert "hack/invalid-examples/gateway/bad-port.yaml: skipped: " + INVALID_FIXTURE in lines
    assert "\nhack/not-invalid/ns.yaml:3:18: error:" in out and "\ndemo/broken/ns.yaml:3:18: error:" in out, out
    assert "\ndemo/bad-ns.yaml:3:18: error:" in out and "\ntests/badger.yaml:3:18: error:" in out, out
    assert "cr/app.yaml:1:13: error: unknown apiVersion `app/v1`" in out, out
    assert "cr/route.yaml:1:1: error: metadata.name: Required value" in out, out
    assert "cr/apps.yaml:2:7: error: unknown kind `Deploymnet`" in out, out
    # named explicitly, each is linted
    proc = kubelint("check", "pkg/testdata", "templates/web.template.yaml", "olm/csv.yml", cwd=tmp_path)
    out = proc.stdout.decode()
    assert "olm/csv.yml:6:1: error: metadata.name: Required value" in out, out
    assert "pkg/testdata/bad.yaml:5:9: error:" in out and "templates/web.template.yaml:4:10: error: a mapping key must be a scalar" in out, out



def test_walked_paths_are_the_folder_and_name_joined_and_normalised(tmp_path, monkeypatch):
    """A walk's file paths are normpath(join(folder, name)) however the folder was written."""
    from kubelint.discover import discover

    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/x.yaml", "a/b/y.yml", "a/b/z.json", "top.yaml"):
        (tmp_path / name).write_text("kind: ConfigMap\n")
    monkeypatch.chdir(tmp_path / "a")
    for top in (".", "./", "b", "b/", "./b/.", "../a", "../a/b/..", "..", "../", str(tmp_path),
                str(tmp_path) + "/", str(tmp_path / "a") + "//b", "/" + str(tmp_path)):
        want = sorted(os.path.normpath(os.path.join(folder, n)) for folder, _, names in os.walk(top)
                      for n in names)
        got = [s.path for s in discover([top], use_ignore_files=False).sources]
        assert sorted(got) == want, top
        assert all(s.real == s.path for s in discover([top], use_ignore_files=False).sources)

def test_chart_without_helm_is_one_info_finding(tmp_path):
    write(tmp_path, "chart/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n")
    write(tmp_path, "chart/values.yaml", "replicas: 1\n")
    write(tmp_path, "chart/templates/d.yaml", "apiVersion: v1\nkind: ConfigMap\n{{- if .Values.x }}\n")
    proc = kubelint("check", ".", cwd=tmp_path, env={"PATH": os.path.dirname(sys.executable)})
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0, lines
    assert lines[0] == ("chart/Chart.yaml:1:1: info: Helm chart chart not rendered: `helm` is not on "
                        "PATH, so its templates were not linted [KL033 helm-not-rendered]")
    # the README's VS Code problem matcher keeps info lines (the task runs without colour)
    import re

    from .test_integrations import VSCODE_MATCHER

    assert re.match(VSCODE_MATCHER, lines[0]).groups()[:4] == ("chart/Chart.yaml", "1", "1", "info")
    readme = open(os.path.join(ROOT, "README.md")).read()
    assert '"command": "kubelint check --color never ${file}"' in readme
    proc = kubelint("check", "--color", "always", ".", cwd=tmp_path, env={"PATH": os.path.dirname(sys.executable)})
    assert re.match(VSCODE_MATCHER, proc.stdout.decode().splitlines()[0]) is None  # why --color never


def test_exclude_is_relative_to_the_config_folder(tmp_path):
    write(tmp_path, ".kubelint.yaml", "exclude:\n  - charts\n  - deploy/legacy/*\n  - nowhere/\n")
    write(tmp_path, "charts/x.yaml", BAD)
    write(tmp_path, "deploy/legacy/old.yaml", BAD)
    write(tmp_path, "deploy/new.yaml", POD.format(name="n"))
    proc = kubelint("check", ".", cwd=tmp_path)
    assert proc.stdout.decode().splitlines()[0] == (
        ".kubelint.yaml:4:5: warning: exclude pattern 'nowhere/' matches nothing in this run "
        "(patterns are relative to the config file's folder, gitignore syntax) [KL035 exclude-matches-nothing]")
    assert b"deploy/legacy" not in proc.stdout and b"charts/" not in proc.stdout
    # from a subfolder, with an absolute path, with ../: the same patterns apply
    for cwd, arg in ((tmp_path / "deploy", "legacy/old.yaml"), (tmp_path / "deploy", "../charts/x.yaml"),
                     (ROOT, str(tmp_path / "deploy" / "legacy" / "old.yaml"))):
        proc = kubelint("check", arg, cwd=cwd)
        assert proc.returncode == 0, (arg, proc.stdout)
    proc = kubelint("check", "--stdin-filename", str(tmp_path / "charts" / "y.yaml"), "-",
                    input=BAD.encode(), cwd=ROOT)
    assert proc.returncode == 0 and b"0 files" in proc.stdout
    # a walk of a subfolder does not call the other patterns unmatched
    proc = kubelint("check", "deploy", cwd=tmp_path)
    assert b"KL035" not in proc.stdout


def test_stdin_filename_without_dash_reads_stdin(tmp_path):
    proc = kubelint("check", "--stdin-filename", "x.yaml", input=BAD.encode(), cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout.startswith(b"x.yaml:5:9: error:")
    proc = kubelint("check", "--stdin-filename", "x.yaml", "other.yaml", input=BAD.encode(), cwd=tmp_path)
    assert proc.returncode == 2 and b"add `-`" in proc.stderr


def test_piped_input_without_a_path_is_a_usage_error(tmp_path):
    write(tmp_path, "ok.yaml", POD.format(name="ok"))
    proc = kubelint("check", input=BAD.encode(), cwd=tmp_path)
    assert proc.returncode == 2 and b"kubelint check -" in proc.stderr
    proc = kubelint("check", input=b"", cwd=tmp_path)  # an empty pipe (CI): lint .
    assert proc.returncode == 0 and proc.stdout.startswith(b"1 file, 1 object")


def test_report_files_only_still_print_the_text_report_to_stderr(tmp_path):
    write(tmp_path, "bad.yaml", BAD)
    proc = kubelint("check", "-f", "sarif", "-o", "out.sarif", "bad.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout == b""
    err = proc.stderr.decode().splitlines()
    assert err[0].startswith("bad.yaml:5:9: error:") and err[-1].startswith("1 file, 1 object: 1 error")


def test_misspelt_type_meta_keys_say_what_was_meant(tmp_path):
    write(tmp_path, "m.yaml", "Kind: Pod\napiversion: v1\nmetadata: {name: x}\n")
    result = run([str(tmp_path / "m.yaml")], Settings())
    assert [(f.line, f.column, f.message) for f in result.findings] == [
        (1, 1, "not a Kubernetes object: missing `kind`, found `Kind`; did you mean `kind`?"),
        (2, 1, "not a Kubernetes object: missing `apiVersion`, found `apiversion`; did you mean `apiVersion`?")]


def test_misspelt_code_in_a_suppression_comment(tmp_path):
    write(tmp_path, "m.yaml", BAD.replace("type: Nodeport", "type: Nodeport  # kubelint: disable=KL1O3,service-type"))
    result = run([str(tmp_path / "m.yaml")], Settings())
    assert [(f.code, f.line, f.column) for f in result.findings] == [("KL034", 5, 39)]
    assert "did you mean `KL103`?" in result.findings[0].message


def precommit_config(hooks):
    """A local pre-commit config running this checkout's hooks as .pre-commit-hooks.yaml
    defines them (entry, types, pass_filenames, require_serial...), with `language: system`
    and the entry pointed at this interpreter: real pre-commit, no network."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe")
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml")) as f:
        defined = {h["id"]: h for h in yaml.load(f)}
    out = []
    for hook_id in hooks:
        h = dict(defined[hook_id], language="system")
        h["entry"] = h["entry"].replace("kubelint ", f"{sys.executable} -m kubelint.cli ", 1)
        out.append(h)
    import json

    return json.dumps({"repos": [{"repo": "local", "hooks": out}]})


def pre_commit(repo, tmp_path, *args):
    exe = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
    env = dict(os.environ, PRE_COMMIT_HOME=str(tmp_path / "pc-cache"), PYTHONPATH=ROOT)
    env.pop("PRE_COMMIT", None)
    proc = subprocess.run([exe, "run", *args], cwd=repo, capture_output=True, env=env, timeout=300)
    return proc.returncode, proc.stdout.decode() + proc.stderr.decode()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_pre_commit_per_file_hook_sees_the_whole_tree_and_both_hooks_do_not_double(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    write(repo, "pod.yaml", POD.format(name="web"))
    write(repo, "service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n")
    write(repo, "docker-compose.yml", "services:\n  web: {image: nginx}\n")
    write(repo, ".pre-commit-config.yaml", precommit_config(["kubelint"]))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "init", "--no-verify")
    # only the Service changes: its selector now matches no Pod of the (unchanged) tree
    write(repo, "service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n")
    _git(repo, "add", "service.yaml")
    code, out = pre_commit(repo, tmp_path)
    assert code == 1, out
    finding = "service.yaml:5:3: warning: Service selector app=api matches no Pod"
    assert out.count(finding) == 1, out
    # back to a matching selector: the Pod in another file is seen, the compose file skipped
    write(repo, "service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: web}\n  ports: [{port: 80}]\n")
    _git(repo, "add", "service.yaml")
    code, out = pre_commit(repo, tmp_path, "--all-files")
    assert code == 0, out
    # both hooks enabled: every finding once
    write(repo, "service.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: api}\n  ports: [{port: 80}]\n")
    write(repo, ".pre-commit-config.yaml", precommit_config(["kubelint", "kubelint-project"]))
    _git(repo, "add", ".")
    code, out = pre_commit(repo, tmp_path)
    assert code == 1 and out.count(finding) == 1, out


def test_a_walked_file_named_patch_with_a_partial_object_is_skipped_and_listed(tmp_path):
    """prometheus-operator's example/alertmanager-crd-conversion/patch.json: a CRD with only
    `spec.conversion`, for `kubectl patch --patch-file`. Its four "missing required field"
    errors were false. A whole object in a file named patch is still linted, and so is a
    partial one named on the command line."""
    write(tmp_path, "conversion/patch.json", '{"apiVersion": "apiextensions.k8s.io/v1",\n'
          ' "kind": "CustomResourceDefinition", "metadata": {"name": "things.example.com"},\n'
          ' "spec": {"conversion": {"strategy": "Webhook"}}}\n')
    write(tmp_path, "svc-patch.yaml", BAD)
    # scylla-operator's bundle/patches/manifests: ClusterServiceVersion fragments without a name
    write(tmp_path, "bundle/patches/manifests/logo.clusterserviceversion.yaml",
          "apiVersion: operators.coreos.com/v1alpha1\nkind: ClusterServiceVersion\n"
          "spec:\n  icon: [{base64data: PHN2Zz4=, mediatype: image/svg+xml}]\n")
    write(tmp_path, "bundle/patches/whole.yaml", BAD)
    # che-operator's minikube-checluster-patch.yaml: apiVersion and metadata, no kind (KL005)
    write(tmp_path, "scripts/checluster-patch.yaml", "apiVersion: org.eclipse.che/v2\n"
          "metadata: {annotations: {a: b}}\nspec: {devEnvironments: {}}\n")
    # HariSekhon's service.nodeport.patch.yaml: a Service with `type: NodePort` only
    # (KL123 "spec.ports: Required value"); a headless one needs no ports and is whole
    write(tmp_path, "service.nodeport.patch.yaml", "apiVersion: v1\nkind: Service\n"
          "metadata: {name: web}\nspec: {type: NodePort}\n")
    write(tmp_path, "headless.patch.yaml", "apiVersion: v1\nkind: Service\n"
          "metadata: {name: Web}\nspec: {clusterIP: None}\n")
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [l.split(" [")[0].split(": error")[0] for l in lines if "KL" in l] == [
        "bundle/patches/whole.yaml:5:9", "headless.patch.yaml:3:18", "svc-patch.yaml:5:9"], lines
    assert "service.nodeport.patch.yaml: skipped: " + NAMED_PATCH in lines
    assert "conversion/patch.json: skipped: " + NAMED_PATCH in lines
    assert "bundle/patches/manifests/logo.clusterserviceversion.yaml: skipped: " + NAMED_PATCH in lines
    assert "scripts/checluster-patch.yaml: skipped: " + NAMED_PATCH in lines
    proc = kubelint("check", "conversion/patch.json", cwd=tmp_path)
    assert proc.returncode == 1 and proc.stdout.count(b"KL010") == 4


def test_chainsaw_and_kuttl_test_folders_skip_expected_states(tmp_path):
    """opentelemetry-operator's tests/e2e: assert and error files state part of an object (a
    Deployment with only its status); ~150 false KL010. They are skipped and listed, and so
    are partial objects a step applies onto live ones; what a test applies is linted."""
    write(tmp_path, "e2e/smoke/chainsaw-test.yaml",
          "apiVersion: chainsaw.kyverno.io/v1alpha1\nkind: Test\nmetadata: {name: smoke}\n"
          "spec:\n  steps:\n  - try:\n    - apply: {file: install.yaml}\n"
          "    - assert: {file: check-*.yaml}\n    - apply: {file: relabel.yaml}\n"
          "    - apply:\n        file: rejected.yaml\n        expect:\n        - check:\n"
          "            ($error != null): true\n"
          "    - apply: {file: accepted.yaml, expect: [{check: {($error == null): true}}]}\n"
          "    catch:\n    - error: {file: gone.yaml}\n")
    # opentelemetry-operator's tests/e2e-crd-validations: applied expecting an error
    write(tmp_path, "e2e/smoke/rejected.yaml", BAD)
    write(tmp_path, "e2e/smoke/accepted.yaml", BAD)
    write(tmp_path, "e2e/smoke/install.yaml", BAD)
    write(tmp_path, "e2e/smoke/check-deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\n"
          "metadata: {name: web}\nstatus: {readyReplicas: 1}\n")
    write(tmp_path, "e2e/smoke/gone.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: s}\n"
          "spec:\n  ports: [{name: http}]\n")
    write(tmp_path, "e2e/smoke/relabel.yaml", "apiVersion: apps/v1\nkind: Deployment\n"
          "metadata: {name: web, labels: {a: b}}\nspec:\n  template:\n    metadata: {labels: {a: b}}\n")
    write(tmp_path, "e2e/smoke/cron.yaml", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\n"
          "spec:\n  schedule: '* * * * *'\n  jobTemplate:\n    spec:\n      template:\n"
          "        spec: {restartPolicy: Never}\n")  # a pod template without containers
    # kyverno's tests: an assert file read by a step template, not named by the Test
    write(tmp_path, "e2e/smoke/policy-assert.yaml", "apiVersion: v1\nkind: ConfigMap\n"
          "metadata: {name: p}\nstatus: {ready: true}\n")
    # redis-operator's pvc-shrink-guard: a custom resource's patch, partial by its name (no
    # schema of its kind is known while walking)
    write(tmp_path, "e2e/smoke/expand-patch.yaml", "apiVersion: redis.example.io/v1beta2\nkind: Redis\n"
          "metadata: {name: r}\nspec:\n  storage: {size: 2Gi}\n")
    write(tmp_path, "e2e/kuttl/00-install.yaml", BAD)
    write(tmp_path, "e2e/kuttl/00-assert.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
          "status: {phase: Running}\n")
    write(tmp_path, "e2e/kuttl/01-errors.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: q}\n")
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == [
        "e2e/kuttl/00-install.yaml:5:9", "e2e/smoke/accepted.yaml:5:9", "e2e/smoke/install.yaml:5:9"], lines
    from kubelint import e2e

    assert sorted(l for l in lines if ": skipped: " in l) == [
        "e2e/kuttl/00-assert.yaml: skipped: " + e2e.EXPECTED,
        "e2e/kuttl/01-errors.yaml: skipped: " + e2e.EXPECTED,
        "e2e/smoke/chainsaw-test.yaml: skipped: " + TOOL_CONFIG,
        "e2e/smoke/check-deployment.yaml: skipped: " + e2e.EXPECTED,
        "e2e/smoke/cron.yaml: skipped: " + e2e.PARTIAL,
        "e2e/smoke/expand-patch.yaml: skipped: " + e2e.PARTIAL,
        "e2e/smoke/gone.yaml: skipped: " + e2e.EXPECTED,
        "e2e/smoke/policy-assert.yaml: skipped: " + e2e.EXPECTED,
        "e2e/smoke/rejected.yaml: skipped: " + e2e.EXPECTED,
        "e2e/smoke/relabel.yaml: skipped: " + e2e.PARTIAL,
    ]
    # named on the command line, an assert file is linted as it is
    proc = kubelint("check", "e2e/smoke/gone.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and b"KL010" in proc.stdout


def test_a_controllers_partial_output_is_an_expected_state(tmp_path):
    """percona's operator tests compare `kubectl get -o yaml` with files of the controller's
    output, stripped of images and defaults (1,420 false findings in a walk). A file whose
    objects all have a controller ownerReference and that holds a partial object is skipped
    and listed; a complete controller-owned object, or a partial one of nobody's, is linted."""
    owned = ("apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db-rs0\n  ownerReferences:\n"
             "    - {apiVersion: psmdb.percona.com/v1, kind: PerconaServerMongoDB, name: db, uid: x,"
             " controller: true}\nspec:\n  serviceName: db-rs0\n  selector: {matchLabels: {app: db}}\n"
             "  template:\n    metadata: {labels: {app: db}}\n    spec:\n      containers:\n"
             "        - name: mongod%s\n")
    write(tmp_path, "e2e/compare/statefulset_db-rs0.yml", owned % "")
    write(tmp_path, "e2e/dump/statefulset_db-rs0.yml", owned % "\n          image: percona/mongod:8.0")
    write(tmp_path, "e2e/mine/statefulset.yml", (owned % "").replace(
        "  ownerReferences:\n    - {apiVersion: psmdb.percona.com/v1, kind: PerconaServerMongoDB, name: db, uid: x,"
        " controller: true}\n", ""))
    proc = kubelint("check", "--show-skipped", "--select", "KL111", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert "e2e/compare/statefulset_db-rs0.yml: skipped: " + CONTROLLER_OUTPUT in lines, lines
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == ["e2e/mine/statefulset.yml:12:11"], lines


def test_a_controllers_output_stripped_of_its_owners_uid_is_an_expected_state(tmp_path):
    """percona-xtradb-cluster-operator's e2e-tests/*/compare: a Service as its controller made
    it, whole but for the owner reference's `uid` and `apiVersion` (cluster-specific, stripped
    for the comparison): 104 KL010 in a walk. One whose owner reference is whole is linted."""
    svc = ("apiVersion: v1\nkind: Service\nmetadata:\n  name: cluster1-haproxy\n  ownerReferences:\n"
           "    - controller: true\n      kind: PerconaXtraDBCluster\n      name: cluster1%s\nspec:\n"
           "  selector: {app: haproxy}\n  ports: [{name: mysql, port: 3306, targetPort: 3306}]\n")
    write(tmp_path, "e2e-tests/default-cr/compare/service_cluster1-haproxy.yml", svc % "")
    write(tmp_path, "e2e-tests/dump/service_cluster1-haproxy.yml",
          svc % "\n      apiVersion: pxc.percona.com/v1\n      uid: 0a6f\n      blockOwnerDeletion: yes")
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert "e2e-tests/default-cr/compare/service_cluster1-haproxy.yml: skipped: " + CONTROLLER_OUTPUT \
        in lines, lines
    assert [l.split(": ", 2)[0] for l in lines if "[KL" in l] == [], lines
    assert "1 file, 1 object" in lines[-1], lines


def test_an_ansible_roles_files_with_jinja_are_templates(tmp_path):
    """kiali-operator's roles/<version>/<role>/tasks/resources-to-remove.yml: the objects an
    Ansible task deletes, named with `{{ namespace }}` for Jinja (a Deployment without spec:
    7 false KL010). A manifest in a role's folder without Jinja is still linted."""
    write(tmp_path, "roles/v2.4/console-remove/tasks/resources-to-remove.yml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
          "  namespace: \"{{ console_vars.deployment.namespace }}\"\n  name: console\n")
    write(tmp_path, "roles/console/files/service.yaml", BAD)
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert "roles/v2.4/console-remove/tasks/resources-to-remove.yml: skipped: " + TEMPLATE in lines, lines
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == ["roles/console/files/service.yaml:5:9"], lines


def test_invalid_test_fixtures_are_judged_below_the_walks_root(tmp_path):
    """A test folder, a folder named invalid/bad/broken/malformed, or a `patches` folder above
    the walk's root (the folder the user named, or a checkout inside such a folder) says
    nothing: only the folders below the root count (and, for invalid fixtures, those below
    the test folder: krane's test/fixtures/invalid/)."""
    bad = "apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad}\n"
    write(tmp_path, "tests/app/bad-ns.yaml", bad)
    write(tmp_path, "broken-app/test/ns.yaml", bad)
    write(tmp_path, "broken-app/test/invalid/ns.yaml", bad)
    # ... and so does a `patches` folder (a partial object below one is a patch)
    write(tmp_path, "patches/app/web.yaml", "apiVersion: apps/v1\nkind: Deployment\n"
          "metadata: {name: web}\nspec:\n  template: {}\n")
    out = kubelint("check", "tests/app", "broken-app", "patches/app", cwd=tmp_path).stdout.decode()
    assert [l.split(": error")[0] for l in out.splitlines() if ": error" in l] == [
        "broken-app/test/ns.yaml:3:18", "patches/app/web.yaml:4:1", "tests/app/bad-ns.yaml:3:18"], out
    assert out.rstrip().endswith("; 1 invalid test fixture skipped"), out
    out = kubelint("check", "--show-skipped", ".", cwd=tmp_path).stdout.decode()
    assert "patches/app/web.yaml: skipped: " + NAMED_PATCH in out.splitlines(), out


def test_a_tools_file_of_a_dotless_group_with_its_kind_left_empty_is_skipped(tmp_path):
    """istio's releasenotes/template.yaml: `apiVersion: release-notes/v2` and `kind:` left for
    the author to fill in, no metadata: the release-notes tool's file, as its filled-in notes
    are (a false KL005). A built-in group's document without a kind is still one."""
    write(tmp_path, "releasenotes/template.yaml", "apiVersion: release-notes/v2\n\n"
          "# kind: bug-fix, feature...\nkind:\n\narea:\nreleaseNotes:\n- |\n")
    write(tmp_path, "releasenotes/notes/1.yaml", "apiVersion: release-notes/v2\nkind: bug-fix\n"
          "area: security\n")
    write(tmp_path, "deploy/svc.yaml", "apiVersion: v1\nkind:\n")
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == ["deploy/svc.yaml:1:1"], lines
    assert "releasenotes/template.yaml: skipped: " + NOT_A_MANIFEST in lines, lines
    # named, it is linted
    out = kubelint("check", "releasenotes/template.yaml", cwd=tmp_path).stdout.decode()
    assert out.startswith("releasenotes/template.yaml:1:1: error: not a Kubernetes object: "
                          "missing `kind`"), out


def test_hash_hash_tokens_a_script_replaces_make_a_template(tmp_path):
    """argo-cd's test/remote/argocd-remote-permissions.yaml: `name: ##CRNAME##`, replaced
    with sed before apply; YAML reads the token as a comment, so the name is null (5 false
    KL104/KL010). A comment after a value is no token."""
    write(tmp_path, "remote/perms.yaml", "apiVersion: rbac.authorization.k8s.io/v1\n"
          "kind: ClusterRoleBinding\nmetadata:\n  name: ##CRBNAME##\nroleRef:\n"
          "  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ##CRNAME##\n"
          "subjects:\n- kind: ServiceAccount\n  name: ##SANAME##\n  namespace: ##NAMESPACE##\n")
    write(tmp_path, "deploy/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n"
          "  name: Web ## the ## web namespace\n")
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == ["deploy/ns.yaml:4:9"], lines
    assert "remote/perms.yaml: skipped: " + TEMPLATE in lines, lines
    out = kubelint("check", "remote/perms.yaml", cwd=tmp_path).stdout.decode()
    assert out.startswith("remote/perms.yaml:3:1: error: metadata.name: Required value"), out


def test_kube_schedulers_legacy_policy_file_is_a_tools_configuration(tmp_path):
    """kubernetes/examples' scheduler-policy-config.json: `kind: Policy`, `apiVersion: v1`,
    kube-scheduler's `--policy-config-file` before 1.23, no object of any API (2 false
    KL014). Without its fields, an unknown kind of v1 is still one."""
    write(tmp_path, "scheduler/policy.json", '{\n  "kind": "Policy",\n  "apiVersion": "v1",\n'
          '  "predicates": [{"name": "PodFitsPorts"}],\n  "priorities": [{"name": "LeastRequestedPriority", '
          '"weight": 1}]\n}\n')
    write(tmp_path, "scheduler/other.json", '{"kind": "Policy", "apiVersion": "v1", "metadata": {"name": "p"}}\n')
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == ["scheduler/other.json:1:10"], lines
    assert "scheduler/policy.json: skipped: " + TOOL_CONFIG in lines, lines


def test_a_file_named_invalid_is_invalid_on_purpose_anywhere(tmp_path):
    """kustomize's examples/validationTransformer/invalid.yaml: the ConfigMap its validator
    is shown rejecting (a false KL010), as a folder named invalid... is anywhere. Not a
    name that only holds the word, nor one outside a test folder that says bad."""
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\ndata:\n- foo: bar\n"
    write(tmp_path, "examples/validation/invalid.yaml", cm)
    write(tmp_path, "examples/validation/Invalid-2.yml", cm)
    write(tmp_path, "examples/validation/not-invalid.yaml", cm)
    write(tmp_path, "examples/validation/invalidation.yaml", cm)
    write(tmp_path, "examples/validation/bad.yaml", cm)
    proc = kubelint("check", "--show-skipped", ".", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert [l.split(": error")[0] for l in lines if "[KL" in l] == [
        "examples/validation/bad.yaml:5:1", "examples/validation/invalidation.yaml:5:1",
        "examples/validation/not-invalid.yaml:5:1"], lines
    assert "examples/validation/invalid.yaml: skipped: " + INVALID_FIXTURE in lines, lines
    assert "examples/validation/Invalid-2.yml: skipped: " + INVALID_FIXTURE in lines, lines
