"""`${VAR}` placeholders (envsubst, clusterctl templates, Flux's post-build substitution):
a value that is one is unknown until filled in, so nothing is claimed about it; the text
around a placeholder, and the rest of the object, are still checked."""

from kubelint.engine import Settings, run

from .conftest import kubelint

# GKE samples' ai-ml/infw-gw inference-pool-variables.yaml, cut down
VARIABLES = """\
apiVersion: v1
kind: Service
metadata:
  name: ${EXTENSION_NAME:-epp}
  namespace: ${NAMESPACE:-default}
  labels: {app: "${EXTENSION_NAME:-epp}"}
spec:
  type: ${SERVICE_TYPE:-ClusterIP}
  selector:
    app: ${EXTENSION_NAME:-epp}
  ports:
    - protocol: ${SERVICE_PROTOCOL:-TCP}
      port: ${EXTENSION_GRPC_PORT:-9002}
      targetPort: ${EXTENSION_GRPC_PORT:-9002}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: My_${EXTENSION_NAME}
spec:
  replicas: ${REPLICAS:-1}
  selector:
    matchLabels: {app: "${EXTENSION_NAME:-epp}"}
  template:
    metadata:
      labels: {app: "${EXTENSION_NAME:-epp}"}
    spec:
      serviceAccountName: $K8S_SA_NAME
      containers:
        - name: epp
          image: ${EPP_IMAGE}
          imagePullPolicy: ${IMAGE_PULL_POLICY:-Always}
          ports:
            - containerPort: ${EXTENSION_GRPC_PORT:-9002}
            - containerPort: http
"""


def test_values_that_are_placeholders_get_no_findings(tmp_path):
    (tmp_path / "pool.yaml").write_text(VARIABLES)
    result = run([str(tmp_path / "pool.yaml")], Settings(select=["KL"]))
    got = sorted((f.line, f.column, f.code) for f in result.findings
                 if f.code < "KL3")  # (the pack's own findings: no resources, probes...)
    # the name's text around the placeholder is checked; a port that is no number is too
    assert got == [(19, 9, "KL104"), (35, 30, "KL010")], [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_the_cli_reports_the_same(tmp_path):
    (tmp_path / "pool.yaml").write_text(VARIABLES)
    proc = kubelint("check", "pool.yaml", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith('pool.yaml:19:9: error: metadata.name: Invalid value: "My_${EXTENSION_NAME}"'), lines
    assert lines[-1].startswith("1 file, 2 objects: 2 errors"), lines


def test_template_placeholders_too_but_not_hand_filled_ones(tmp_path):
    """kubernetes/examples' vitess pod template (filled in by a script's sed): `{{uid}}` in the
    name and `{{keyspace}}` as a label value are unknown. `<your-host>` is for people to fill
    in: left in a manifest, it is a mistake, and stays a finding."""
    (tmp_path / "vttablet-pod-template.yaml").write_text(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: vttablet-{{uid}}\n"
        "  labels: {keyspace: \"{{keyspace}}\", host: \"<your-host>\"}\n"
        "spec:\n  containers: [{name: vttablet, image: \"vitess/lite:v2.0.0\"}]\n")
    result = run([str(tmp_path / "vttablet-pod-template.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(5, 44, "KL105")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]
    assert '"<your-host>"' in result.findings[0].message


def test_chainsaw_bindings_are_placeholders(tmp_path):
    """kyverno's conformance tests (Kyverno Chainsaw): `name: ($test.metadata.name)` is bound
    when the test runs (15 false KL104 walking kyverno); so is an expression (a function call:
    grafana-operator's tests). A value merely in parentheses stays what it is."""
    (tmp_path / "policy.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ($test.metadata.name)\n"
        "  namespace: ($namespace)\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        "  name: (join('-', [$namespace, 'x']))\n---\napiVersion: v1\nkind: ConfigMap\n"
        "metadata:\n  name: ($namespace-x)\n")
    result = run([str(tmp_path / "policy.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(15, 9, "KL104")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_secret_data_that_is_a_placeholder_is_not_bad_base64(tmp_path):
    """karmada's artifacts: a TLS Secret whose data a script fills in (`tls.crt: |` then
    `${ca_crt}`); a value that is no placeholder and no base64 is still an error."""
    (tmp_path / "secret.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: ca}\ntype: kubernetes.io/tls\ndata:\n"
        "  tls.crt: |\n    ${ca_crt}\n  tls.key: ${ca_key}\n  extra: not base64!\n")
    result = run([str(tmp_path / "secret.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(9, 10, "KL127")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_placeholders_in_ingress_hosts_stand_for_a_valid_word(tmp_path):
    """cloud-on-k8s' recipes: `kibana.{{YOUR_DOMAIN}}`, `${DOMAIN}`-style hosts, as in names;
    the text around a placeholder is still checked."""
    (tmp_path / "ingress.yaml").write_text(
        "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: maps}\nspec:\n"
        "  tls: [{hosts: [\"maps.{{YOUR_DOMAIN}}\"]}]\n  rules:\n"
        "  - host: kibana.${DOMAIN}\n  - host: Maps_{{YOUR_DOMAIN}}\n")
    result = run([str(tmp_path / "ingress.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(8, 11, "KL124")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_placeholders_in_label_keys_and_values_stand_for_a_valid_word(tmp_path):
    """litmus' chaos charts: `subject: "{{workflow.parameters.appNamespace}}_pod-delete"`;
    Flux post-build substitution: `app: ${APP}-web`, a `${PREFIX}/tier` key. As in names, the
    text around a placeholder is still checked (`My ${X}` has a space)."""
    (tmp_path / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels:\n"
        "    subject: \"{{workflow.parameters.appNamespace}}_pod-delete\"\n"
        "    app: ${APP}-web\n    ${PREFIX}/tier: web\n    owner: My ${X}\n"
        "    edge: \"{{workflow.parameters.ns}}_\"\n")
    result = run([str(tmp_path / "cm.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(9, 12, "KL105"), (10, 11, "KL105")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_envsubst_string_operations_and_a_key_that_opens_a_placeholder(tmp_path):
    """cluster-api-provider-aws' templates: drone/envsubst's `${CLUSTER_NAME:0:54}` where a CRD
    pattern asks for a name, `cluster-api-provider-aws-${CLUSTER_NAME}a` (the text around fits),
    and `${AWS_CONTROLLER_IAM_ROLE/#arn/eks.amazonaws.com/role-arn: arn}`, a whole annotation
    made by prefix substitution. Text around a placeholder that cannot fit is still reported."""
    crd = ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
           "metadata: {name: buckets.example.io}\nspec:\n  group: example.io\n"
           "  names: {kind: Bucket, plural: buckets}\n  scope: Namespaced\n  versions:\n"
           "  - name: v1\n    served: true\n    storage: true\n    schema:\n      openAPIV3Schema:\n"
           "        type: object\n        properties:\n          spec:\n            type: object\n"
           "            properties:\n              name: {type: string, pattern: '^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$'}\n"
           "              short: {type: string, maxLength: 5}\n")
    (tmp_path / "b.yaml").write_text(
        crd + "---\napiVersion: example.io/v1\nkind: Bucket\nmetadata: {name: a}\n"
        "spec:\n  name: \"${CLUSTER_NAME:0:54}\"\n  short: x-${CLUSTER_NAME}\n---\n"
        "apiVersion: example.io/v1\nkind: Bucket\nmetadata:\n  name: b\n  annotations:\n"
        "    ${AWS_CONTROLLER_IAM_ROLE/#arn/eks.amazonaws.com/role-arn: arn}\n"
        "spec:\n  name: cluster-api-${CLUSTER_NAME}a\n---\n"
        "apiVersion: example.io/v1\nkind: Bucket\nmetadata: {name: c}\nspec:\n  name: My_${X}\n")
    result = run([str(tmp_path / "b.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(42, 9, "KL010")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_template_expressions_in_dollar_braces_are_placeholders(tmp_path):
    """Garden's shared manifests: `${var.appName}`, `${inputs.replicas || 3}`,
    `${jsonEncode(var.env)}` where a list belongs, `${var.containerPorts[0].containerPort}` as
    a probe's port (Terraform's templatefile writes the same): ~30 false findings. The text
    around one is still checked."""
    (tmp_path / "d.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${var.appName}\n"
        "  labels: {app: \"${var.appName}\"}\nspec:\n  replicas: ${inputs.replicas || 3}\n"
        "  selector: {matchLabels: {app: \"${var.appName}\"}}\n  template:\n"
        "    metadata: {labels: {app: \"${var.appName}\"}}\n    spec:\n      containers:\n"
        "        - name: ${var.appName}\n          image: ${var.image}\n"
        "          env: ${jsonEncode(var.env)}\n          livenessProbe:\n"
        "            httpGet: {path: /, port: \"${var.containerPorts[0].containerPort}\"}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: My_${var.appName}\n"
        "spec: {ports: [{port: 80}]}\n")
    result = run([str(tmp_path / "d.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(22, 9, "KL104")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_a_placeholder_default_and_spaces_inside_the_braces(tmp_path):
    """cluster-api's e2e templates: `${CLUSTER_CLASS_NAMESPACE:-${NAMESPACE}}` (a default that
    is a placeholder) and `${ CLUSTER_NAME }-control-plane-0` (spaces in the braces): 10 false
    KL010 against the CRDs' patterns. The text around one is still checked."""
    (tmp_path / "d.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: ${ CLUSTER_NAME }-cp-0\n"
        "  namespace: ${CLUSTER_CLASS_NAMESPACE:-${NAMESPACE}}\nspec: {ports: [{port: 80}]}\n"
        "---\napiVersion: v1\nkind: Service\nmetadata:\n  name: ${ CLUSTER_NAME }_cp\n"
        "  namespace: ${A:-${B}}_x\nspec: {ports: [{port: 80}]}\n")
    result = run([str(tmp_path / "d.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [
        (11, 9, "KL104"), (12, 14, "KL104")], [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_single_brace_placeholders_where_a_string_belongs(tmp_path):
    """emissary's Python-formatted test manifests: `name: {self.path.k8s}` reads as a flow
    mapping of one key and no value; where a string belongs it is a placeholder, not a type
    error. A mapping written as one (block style, or with a value) still is one."""
    (tmp_path / "svc.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {self.path.k8s}\n"
        "  namespace: {self.namespace}\nspec:\n  selector:\n    backend: {self.backend}\n"
        "    app:\n      web:\n  ports: [{port: 80, name: {http: 1}}]\n")
    result = run([str(tmp_path / "svc.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(9, 5, "KL010"), (11, 28, "KL010")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_quoted_single_brace_placeholders_are_placeholders(tmp_path):
    """envoy gateway's test/benchmark/config: `name: "{GATEWAY_NAME}"`, hostnames
    `"{HTTPROUTE_HOSTNAME}"`, filled in by the benchmark's Go code (KL104, KL010). A brace
    around more than one name (`{a b}`) or a number (`{0}`) is not one."""
    (tmp_path / "route.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: \"{GATEWAY_NAME}\"\n"
        "  namespace: '{self.namespace}'\nspec:\n  selector: {app: \"{images[web]}\"}\n"
        "  ports: [{port: 80, name: \"{0}\"}]\n  type: \"{a b}\"\n")
    result = run([str(tmp_path / "route.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(8, 28, "KL123"), (9, 9, "KL103")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_a_go_template_action_inside_a_value_makes_it_unknown(tmp_path):
    """minikube's embedded calico.yaml parses as YAML, but is a Go template:
    `apiVersion: policy/v1{{if .LegacyPodDisruptionBudget}}beta1{{end}}` is the program's
    choice, not a wrong apiVersion. A bare `{{name}}` beside text is still filled in."""
    (tmp_path / "pdb.yaml").write_text(
        "apiVersion: policy/v1{{if .LegacyPodDisruptionBudget}}beta1{{end}}\n"
        "kind: PodDisruptionBudget\nmetadata:\n  name: calico-kube-controllers\n"
        "spec:\n  maxUnavailable: 1\n  selector: {matchLabels: {k8s-app: calico}}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My_{{name}}\n---\n"
        # a function's action (open-feature-operator's chart overlay, filled by a script)
        "apiVersion: admissionregistration.k8s.io/v1\nkind: MutatingWebhookConfiguration\n"
        "metadata: {name: m}\nwebhooks:\n  - name: mutate.openfeature.dev\n"
        "    objectSelector: \"___{{ toYaml .Values.mutatingWebhook.objectSelector | nindent 4 }}___\"\n"
        "    clientConfig: {service: {name: s, namespace: ns}}\n    sideEffects: None\n"
        "    admissionReviewVersions: [v1]\n")
    result = run([str(tmp_path / "pdb.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(12, 9, "KL104")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_chainsaw_expressions_are_placeholders(tmp_path):
    """grafana-operator's chainsaw tests: `(semver_compare(env('GF_VERSION'), '>=11'))` where
    a boolean belongs, `(join('-', ['cross', $namespace]))` as a name. A value merely in
    parentheses is still a value."""
    (tmp_path / "g.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: (join('-', ['cross', $namespace]))\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n"
        "  paused: (semver_compare(env('GF_VERSION'), '>=11'))\n"
        "  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n"
        "    spec: {containers: [{name: web, image: \"nginx:1\"}]}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: (default)\n")
    result = run([str(tmp_path / "g.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(19, 9, "KL104")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_a_sops_encrypted_secret_is_checked_as_it_will_be_decrypted(tmp_path):
    """GitOps repositories keep Secrets encrypted with SOPS (`*.sops.yaml`: values
    `ENC[AES256_GCM,...]`, the top-level `sops:` metadata), which sops or Flux decrypt before
    applying: `unknown field sops` and `illegal base64 data` were false (kochhaus-home: 9). The
    rest of the object is still checked, and a stray top-level field still reported."""
    (tmp_path / "secret.sops.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: My_Secret\ntype: Opaque\ndata:\n"
        "  token: ENC[AES256_GCM,data:aHfzGVXv,iv:3V0=,tag:Qx==,type:str]\nsops:\n"
        "  age:\n    - recipient: age1ncxmpfzemcs4327v7hw5ea2dxvqypsygad2d3rjarqa5t6l9cqqse9ek5r\n"
        "      enc: |\n        -----BEGIN AGE ENCRYPTED FILE-----\n        YWdl\n"
        "        -----END AGE ENCRYPTED FILE-----\n  lastmodified: \"2025-08-09T17:52:29Z\"\n"
        "  mac: ENC[AES256_GCM,data:uOlLxQ==,type:str]\n  encrypted_regex: ^(data|stringData)$\n"
        "  version: 3.10.2\nsopz: {mac: x}\n")
    result = run([str(tmp_path / "secret.sops.yaml")], Settings())
    assert [(f.line, f.column, f.code, f.message[:40]) for f in result.findings] == [
        (4, 9, "KL104", 'metadata.name: Invalid value: "My_Secret'),
        (19, 1, "KL010", "unknown field `sopz`")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_every_name_check_reads_a_placeholder_as_a_valid_word(tmp_path):
    """Flux repositories' templates: a volume `${APP}-data` (KL114), a Service's externalName
    `printer.${INTERNAL_DOMAIN}` (KL123), a Kustomization `cluster-apps-$HELM_NAME` (envsubst's
    `$VAR` inside a name, KL104). The text around a placeholder is still checked."""
    (tmp_path / "t.yaml").write_text(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: cluster-apps-$HELM_NAME\nspec:\n"
        "  template:\n    spec:\n      restartPolicy: OnFailure\n      containers:\n"
        "        - name: restore\n          image: busybox:1.36\n"
        "          volumeMounts: [{name: \"${APP}-data\", mountPath: /data}]\n      volumes:\n"
        "        - name: \"${APP}-data\"\n          emptyDir: {}\n        - name: Bad_${APP}\n"
        "          emptyDir: {}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: printer}\n"
        "spec:\n  type: ExternalName\n  externalName: printer.${INTERNAL_DOMAIN}\n")
    result = run([str(tmp_path / "t.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [(16, 17, "KL114")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]


def test_argocd_vault_plugin_placeholders_are_filled_in_by_the_plugin(tmp_path):
    """argocd-vault-plugin fills `<key>` placeholders of an object annotated
    avp.kubernetes.io/path (and inline-path ones, `<path:...#key>`, anywhere) when Argo CD
    renders it: `illegal base64 data` and `Invalid value: "<name>"` were false (its examples/
    and fixtures/: ~50). Without the annotation `<name>` is hand-filled and stays a finding."""
    (tmp_path / "app.yaml").write_text(
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: <name>-secret\n  annotations:\n"
        "    avp.kubernetes.io/path: kv/data/app\ntype: Opaque\ndata:\n  password: <password>\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: <name>\n"
        "  annotations: {avp.kubernetes.io/path: kv/data/app}\nspec:\n  replicas: <replicas>\n"
        "  selector: {matchLabels: {app: <name>}}\n  template:\n"
        "    metadata: {labels: {app: <name>}}\n    spec:\n      containers:\n"
        "        - {name: app, image: \"nginx:1.27\"}\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: inline}\ntype: Opaque\n"
        "data: {token: '<path:kv/data/app#token>'}\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: <your-secret>}\ntype: Opaque\n"
        "data: {token: <token>}\n")
    result = run([str(tmp_path / "app.yaml")], Settings())
    assert [(f.line, f.column, f.code) for f in result.findings] == [
        (33, 18, "KL104"), (35, 15, "KL127")], \
        [(f.line, f.column, f.code, f.message) for f in result.findings]
