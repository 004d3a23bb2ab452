"""kustomize roots and Helm charts, rendered and mapped back to their source lines.

kustomize tests run the real `kubectl kustomize` (or `kustomize build`) of the machine image and
are skipped, with the reason, where neither exists. helm cannot be installed here: the Helm
tests use a stand-in `helm` executable that prints what `helm template` documents (each
rendered document after a `---` line and a `# Source: CHART/templates/FILE` comment)."""

import os
import shutil
import stat
import sys

import pytest

from .conftest import kubelint
from .test_discover import _git, pre_commit, precommit_config, write

needs_kustomize = pytest.mark.skipif(not (shutil.which("kubectl") or shutil.which("kustomize")),
                                     reason="neither kubectl nor kustomize is on PATH")

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
        - name: web
          image: nginx:1.27
          ports:
            - containerPort: 80
              protocol: tcp
"""
SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
"""
PROD = """\
resources:
  - ../../base
namePrefix: prod-
images:
  - name: nginx
    newTag: latest
replicas:
  - name: web
    count: 3
patches:
  - path: patch.yaml
  - target: {kind: Service, name: web}
    patch: |-
      - op: replace
        path: /spec/type
        value: Nodeport
"""
PATCH = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          imagePullPolicy: always
"""
DEV = """\
resources:
  - ../../base
  - extra.yaml
namespace: dev
"""
BAD_SERVICE = "apiVersion: v1\nkind: Service\nmetadata: {name: dash}\nspec:\n  type: Nodeport\n  ports: [{port: 80}]\n"
EXTRA = "apiVersion: v1\nkind: Service\nmetadata:\n  name: extra\nspec:\n  selector: {app: nothing}\n  ports: [{port: 80}]\n"
CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: mychart\nversion: 0.1.0\n",
    "chart/values.yaml": "port: 80\n",
    "chart/templates/service.yaml": ("apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}-svc\n"
                                     "spec:\n  type: {{ .Values.type | default \"Nodeport\" }}\n"
                                     "  ports:\n    - port: {{ .Values.port }}\n"),
}
# what `helm template kubelint chart` prints for CHART (helm's documented output format)
HELM_OUTPUT = """\
---
# Source: mychart/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: kubelint-svc
spec:
  type: Nodeport
  ports:
    - port: 80
"""


def repository(root, helm_chart=True):
    """The issue's repository: ignored folders, a compose file, a workflow, a Helm chart, and
    a kustomize base with two overlays."""
    files = {
        ".gitignore": "node_modules/\nbuild/\n",
        "node_modules/pkg/package.json": '{"name": "pkg"}\n',
        "node_modules/pkg/bad.yaml": EXTRA.replace("Service", "Servce"),
        "build/out.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: x}\n",
        "docker-compose.yml": "services:\n  web: {image: nginx}\n",
        "ci/workflow.yml": "on: push\njobs:\n  test: {runs-on: ubuntu-latest}\n",
        "base/kustomization.yaml": "resources:\n  - deployment.yaml\n  - service.yaml\n",
        "base/deployment.yaml": DEPLOYMENT,
        "base/service.yaml": SERVICE,
        "overlays/prod/kustomization.yaml": PROD,
        "overlays/prod/patch.yaml": PATCH,
        "overlays/dev/kustomization.yaml": DEV,
        "overlays/dev/extra.yaml": EXTRA,
    }
    if helm_chart:
        files.update(CHART)
    for rel, text in files.items():
        write(root, rel, text)


def findings(stdout):
    return [line.split(": ", 2)[0] + " " + line.rsplit("[", 1)[1].split()[0]
            for line in stdout.decode().splitlines() if line[:1] not in (" ", "") and ": " in line
            and line.endswith("]")]


# every finding of the repository, at its source line
EXPECTED_ALL = [
    "base/deployment.yaml:18:25 KL112",  # protocol: tcp, in the base, seen through both overlays once
    "chart/Chart.yaml:1:1 KL033",  # no helm on PATH: one info finding
    "overlays/dev/extra.yaml:6:13 KL201",  # selector matches nothing
    "overlays/prod/kustomization.yaml:16:16 KL103",  # inline JSON 6902 patch value
    "overlays/prod/patch.yaml:10:28 KL112",  # strategic merge patch value
]


def _env_without_helm():
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep)
                           if not os.path.exists(os.path.join(p, "helm")))
    return {"PATH": os.pathsep.join([os.path.dirname(sys.executable), path])}


@needs_kustomize
def test_repository_walk_overlay_and_pre_commit_agree(tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    repository(repo)
    env = _env_without_helm()
    proc = kubelint("check", ".", cwd=repo, env=env)
    assert findings(proc.stdout) == EXPECTED_ALL, proc.stdout.decode()
    assert proc.stdout.decode().rstrip().endswith("; 2 files skipped: not Kubernetes manifests")
    # one overlay named: its own findings, at the same source lines
    proc = kubelint("check", "overlays/prod", cwd=repo, env=env)
    assert findings(proc.stdout) == ["base/deployment.yaml:18:25 KL112",
                                     "overlays/prod/kustomization.yaml:16:16 KL103",
                                     "overlays/prod/patch.yaml:10:28 KL112"], proc.stdout.decode()
    # pre-commit, every file: the same findings
    _git(repo, "init", "-q")
    write(repo, ".pre-commit-config.yaml", precommit_config(["kubelint"]))
    _git(repo, "add", ".")
    code, out = pre_commit(repo, tmp_path, "--all-files")
    assert code == 1
    got = sorted(set(line.split(": ", 2)[0] + " " + line.rsplit("[", 1)[1].split()[0]
                     for line in out.splitlines() if line.endswith("]") and ": " in line))
    assert got == EXPECTED_ALL, out
    # only the patch changed: its finding, found through the overlay that uses it
    _git(repo, "commit", "-qm", "x", "--no-verify")
    write(repo, "overlays/prod/patch.yaml", PATCH + "          workingDir: /srv\n")
    _git(repo, "add", ".")
    code, out = pre_commit(repo, tmp_path)
    assert code == 1 and "overlays/prod/patch.yaml:10:28: error:" in out and "base/" not in out, out


@needs_kustomize
def test_generated_values_point_at_the_kustomization_entry(tmp_path):
    repository(tmp_path, helm_chart=False)
    proc = kubelint("check", "--select", "KL301,KL104", "overlays/prod", cwd=tmp_path)
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("overlays/prod/kustomization.yaml:6:13: warning: spec.template.spec."
                               "containers[0].image: image \"nginx:latest\""), lines
    assert "(image set by `images:` in overlays/prod/kustomization.yaml)" in lines[0]
    write(tmp_path, "overlays/prod/kustomization.yaml", PROD.replace("prod-", "Prod_"))
    proc = kubelint("check", "--select", "KL104", "overlays/prod", cwd=tmp_path)
    assert proc.stdout.decode().startswith("overlays/prod/kustomization.yaml:3:13: error: metadata.name"), proc.stdout


@needs_kustomize
def test_a_namespace_the_kustomization_sets_is_reported_at_its_namespace_line(tmp_path):
    """kueue: kustomize's namespace transformer gives a FlowSchema (cluster-scoped, a kind it
    does not know) a namespace; KL106 goes to the `namespace:` line of the kustomization that
    set it, through an overlay that only adds a base."""
    write(tmp_path, "base/kustomization.yaml", "namespace: kueue-system\nresources:\n  - flowschema.yaml\n")
    write(tmp_path, "base/flowschema.yaml", "apiVersion: flowcontrol.apiserver.k8s.io/v1\n"
          "kind: FlowSchema\nmetadata:\n  name: visibility\nspec:\n"
          "  priorityLevelConfiguration: {name: workload-low}\n")
    write(tmp_path, "e2e/kustomization.yaml", "resources:\n  - ../base\n")
    proc = kubelint("check", "--select", "KL106", "e2e", cwd=tmp_path)
    out = proc.stdout.decode()
    assert out.startswith("base/kustomization.yaml:1:12: warning: FlowSchema is cluster-scoped: "
                          "metadata.namespace \"kueue-system\""), out
    assert "(namespace set by `namespace:` in base/kustomization.yaml)" in out, out
    # written in the resource already (a Helm chart's output, kubeflow's spark operator):
    # the resource's line
    write(tmp_path, "base/flowschema.yaml", "apiVersion: flowcontrol.apiserver.k8s.io/v1\n"
          "kind: FlowSchema\nmetadata:\n  name: visibility\n  namespace: kueue-system\nspec:\n"
          "  priorityLevelConfiguration: {name: workload-low}\n")
    out = kubelint("check", "--select", "KL106", "e2e", cwd=tmp_path).stdout.decode()
    assert out.startswith("base/flowschema.yaml:5:3: warning: FlowSchema is cluster-scoped"), out


@needs_kustomize
def test_a_selector_a_patch_changed_is_reported_at_the_patch(tmp_path):
    """eks-workshop's troubleshooting module: a patch breaks the base Service's selector. The
    finding is about the selector's values, which the patch wrote: it goes to the patch, not
    to the base's selector (right as it stands). A container a patch touches stays the base's."""
    write(tmp_path, "base/kustomization.yaml", "resources:\n  - deployment.yaml\n  - service.yaml\n")
    write(tmp_path, "base/deployment.yaml", DEPLOYMENT)
    write(tmp_path, "base/service.yaml", SERVICE)
    write(tmp_path, "broken/kustomization.yaml", "resources:\n  - ../base\npatches:\n  - path: service.yaml\n")
    write(tmp_path, "broken/service.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n"
          "spec:\n  selector:\n    app: web-app\n")
    proc = kubelint("check", "--select", "KL201", "broken", cwd=tmp_path)
    out = proc.stdout.decode()
    assert out.startswith("broken/service.yaml:6:3: warning: Service selector app=web-app matches no "
                          "Pod or pod template"), out


@needs_kustomize
def test_render_failure_is_a_finding_and_other_roots_still_run(tmp_path):
    repository(tmp_path, helm_chart=False)
    write(tmp_path, "overlays/dev/kustomization.yaml", DEV.replace("extra.yaml", "missing.yaml"))
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    line = [l for l in out.splitlines() if "KL030" in l][0]
    assert line.startswith(("overlays/dev/kustomization.yaml:1:1: error: `kubectl kustomize` failed: accumulating",
                            "overlays/dev/kustomization.yaml:1:1: error: `kustomize build` failed: accumulating")), out
    assert "missing.yaml" in line and line.endswith("[KL030 kustomize-build-failed]")
    assert "overlays/prod/patch.yaml:10:28: error:" in out  # the other overlay still ran


@needs_kustomize
def test_remote_bases_are_refused_unless_allowed(tmp_path):
    write(tmp_path, "kustomization.yaml", "resources:\n  - https://github.com/example/repo//base?ref=v1\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert out.startswith("kustomization.yaml:2:5: warning: remote base "
                          "`https://github.com/example/repo//base?ref=v1` not fetched"), out
    assert "allow-remote-bases" in out and "[KL036 kustomize-remote-base]" in out


@needs_kustomize
def test_a_generator_file_read_from_a_url_is_refused_like_a_remote_base(tmp_path):
    """xUnholy/k8s-gitops' Flux monitoring: `configMapGenerator` files are Grafana dashboards
    at raw.githubusercontent.com URLs. kustomize tried the network and failed (a KL030 error);
    it is a remote input: a KL036 warning at the entry."""
    write(tmp_path, "kustomization.yaml", "resources: [ns.yaml]\nconfigMapGenerator:\n"
          "  - name: dash\n    files:\n      - local.json\n"
          "      - cluster.json=https://raw.githubusercontent.com/x/y/main/cluster.json\n")
    write(tmp_path, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    write(tmp_path, "local.json", "{}\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert out.startswith("kustomization.yaml:6:9: warning: `https://raw.githubusercontent.com/x/y/"
                          "main/cluster.json` (a configMapGenerator's file) not fetched"), out
    assert "[KL036 kustomize-remote-base]" in out and "KL030" not in out, out


@needs_kustomize
def test_a_kustomization_field_the_kustomize_run_does_not_know_names_its_version(tmp_path):
    """container.training's `replacements: [{sourceValue: ...}]` is newer than kubectl's
    embedded kustomize: the failure says which kustomize version kubelint ran."""
    write(tmp_path, "kustomization.yaml", "resources: [ns.yaml]\nnoSuchField: 1\n")
    write(tmp_path, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    out = kubelint("check", ".", cwd=tmp_path).stdout.decode()
    assert 'unknown field "noSuchField" (a field that kustomize v' in out, out
    assert ", which kubelint ran, does not know; a newer kustomize may)" in out, out


@needs_kustomize
def test_kustomizations_that_run_plugins_are_not_rendered_and_say_which_entry(tmp_path):
    """kustomize's functions/examples: a transformer that is a containerised KRM function is
    not run (it would run code the repository names); the entry that needs it is a warning,
    not a failed build."""
    write(tmp_path, "kustomization.yaml", "resources:\n  - cm.yaml\ntransformers:\n"
          "  - labels.yaml\n  - sizes.yaml\n")
    write(tmp_path, "cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n")
    write(tmp_path, "labels.yaml", "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\n"
          "labels: {app: x}\nfieldSpecs: [{path: metadata/labels, create: true}]\n")
    write(tmp_path, "sizes.yaml", "apiVersion: examples.config.kubernetes.io/v1beta1\nkind: Tshirt\n"
          "metadata:\n  name: sizes\n  annotations:\n    config.kubernetes.io/function: |\n"
          "      container: {image: example/tshirt:v1}\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 1
    assert out.startswith("kustomization.yaml:5:5: warning: this kustomization runs a KRM function "
                          "or exec plugin (unable to load external plugin 'Tshirt'), which kubelint "
                          "does not run"), out
    assert "[KL037 kustomize-plugins]" in out and "KL030" not in out
    # with built-in transformers only, the root renders and nothing is said about plugins
    write(tmp_path, "kustomization.yaml", "resources:\n  - cm.yaml\ntransformers:\n  - labels.yaml\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    assert proc.returncode == 0 and "KL037" not in proc.stdout.decode(), proc.stdout.decode()


@needs_kustomize
def test_components_render_through_their_overlays_and_apps_do_not_collide(tmp_path):
    """A `kind: Component` cannot be built alone; two overlays of one base are two
    applications, not duplicate objects of one apply."""
    repository(tmp_path, helm_chart=False)
    write(tmp_path, "components/debug/kustomization.yaml",
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - path: debug.yaml\n")
    write(tmp_path, "components/debug/debug.yaml",
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n"
          "      containers:\n        - name: web\n          terminationMessagePolicy: Sometimes\n")
    write(tmp_path, "overlays/prod/kustomization.yaml", PROD + "components:\n  - ../../components/debug\n")
    write(tmp_path, "overlays/dev/kustomization.yaml", DEV.replace("namespace: dev\n", ""))
    # in a root's tree, but no kustomization uses it: linted alone, as if named
    write(tmp_path, "base/unused/old.yaml", EXTRA.replace("Service", "Servce"))
    proc = kubelint("check", ".", cwd=tmp_path)
    got = findings(proc.stdout)
    assert "components/debug/debug.yaml:9:37 KL112" in got, proc.stdout.decode()
    assert "base/unused/old.yaml:2:7 KL014" in got, proc.stdout.decode()
    assert not any("KL030" in g or "KL217" in g for g in got), proc.stdout.decode()


def test_without_kubectl_or_kustomize_each_root_says_so(tmp_path):
    repository(tmp_path, helm_chart=False)
    proc = kubelint("check", ".", cwd=tmp_path, env={"PATH": os.path.dirname(sys.executable)})
    lines = [l for l in proc.stdout.decode().splitlines() if "KL031" in l]
    assert [l.split(": ")[0] for l in lines] == ["overlays/dev/kustomization.yaml:1:1",
                                                  "overlays/prod/kustomization.yaml:1:1"]
    assert "neither `kustomize` nor `kubectl` is on PATH" in lines[0]


def _stand_in_helm(bin_dir):
    """Not helm: prints helm's documented `helm template` output for CHART."""
    bin_dir.mkdir()
    script = bin_dir / "helm"
    out = bin_dir / "output.yaml"
    out.write_text(HELM_OUTPUT)
    script.write_text(f"#!/bin/sh\n[ \"$1\" = template ] || exit 2\ncat '{out}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def test_helm_chart_findings_map_to_the_template_line(tmp_path):
    for rel, text in CHART.items():
        write(tmp_path / "repo", rel, text)
    _stand_in_helm(tmp_path / "bin")
    env = {"PATH": os.pathsep.join([str(tmp_path / "bin"), os.environ["PATH"]])}
    proc = kubelint("check", ".", cwd=tmp_path / "repo", env=env)
    lines = proc.stdout.decode().splitlines()
    assert lines[0].startswith("chart/templates/service.yaml:6:9: error: spec.type: unsupported value "
                               "\"Nodeport\""), lines
    assert "KL033" not in proc.stdout.decode()


@needs_kustomize
def test_comments_in_source_files_suppress_rendered_findings(tmp_path):
    repository(tmp_path, helm_chart=False)
    write(tmp_path, "overlays/prod/patch.yaml",
          PATCH.replace("imagePullPolicy: always", "imagePullPolicy: always  # kubelint: disable=KL112"))
    proc = kubelint("check", "--show-suppressed", "overlays/prod", cwd=tmp_path)
    out = proc.stdout.decode()
    assert "overlays/prod/patch.yaml:10:28: error:" in out and "(suppressed)" in out.split("patch.yaml:10:28")[1].splitlines()[0]
    assert "1 suppressed" in out


def test_helm_values_from_config_and_template_failures(tmp_path):
    """The stand-in (not helm) renders only when given the configured values file, and
    otherwise fails as `helm template` does, with its message on stderr."""
    repo = tmp_path / "repo"
    for rel, text in CHART.items():
        write(repo, rel, text)
    write(repo, "chart/values-prod.yaml", "type: Nodeport\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "output.yaml").write_text(HELM_OUTPUT)
    script = bin_dir / "helm"
    script.write_text("#!/bin/sh\ncase \"$*\" in *values-prod.yaml*) cat '%s';; "
                      "*) echo 'Error: execution error at (mychart/templates/service.yaml:6:9): type is required' >&2; exit 1;; esac\n"
                      % (bin_dir / "output.yaml"))
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    env = {"PATH": os.pathsep.join([str(bin_dir), os.environ["PATH"]])}
    proc = kubelint("check", ".", cwd=repo, env=env)
    assert proc.stdout.decode().startswith(
        "chart/Chart.yaml:1:1: error: `helm template` failed: Error: execution error at "
        "(mychart/templates/service.yaml:6:9): type is required [KL032 helm-template-failed]"), proc.stdout
    write(repo, ".kubelint.yaml", "helm:\n  values:\n    chart: [chart/values-prod.yaml]\n")
    proc = kubelint("check", ".", cwd=repo, env=env)
    assert proc.stdout.decode().startswith("chart/templates/service.yaml:6:9: error: spec.type:"), proc.stdout


@needs_kustomize
def test_a_named_patch_is_linted_through_the_root_that_uses_it(tmp_path):
    """A patch alone is not an object: named on the command line (an editor on save), it is
    linted through the kustomization that uses it, and only its own findings are shown."""
    repository(tmp_path, helm_chart=False)
    write(tmp_path, "overlays/prod/notes.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: notes}\ndata: {a: 1}\n")
    proc = kubelint("check", "overlays/prod/patch.yaml", "overlays/prod/notes.yaml", cwd=tmp_path)
    assert findings(proc.stdout) == ["overlays/prod/notes.yaml:4:11 KL010",  # not used by the root: alone
                                     "overlays/prod/patch.yaml:10:28 KL112"], proc.stdout.decode()
    proc = kubelint("check", "base/deployment.yaml", cwd=tmp_path)
    assert findings(proc.stdout) == ["base/deployment.yaml:18:25 KL112"], proc.stdout.decode()


@needs_kustomize
def test_files_beside_a_kustomization_that_it_does_not_use_are_linted_alone(tmp_path):
    """rook's deploy/examples: a kustomization renders three files of a folder whose other
    manifests are applied one by one. Every file the kustomization names in any way
    (resources, patches, generators, transformers) is linted only through the rendering."""
    write(tmp_path, "examples/kustomization.yaml",
          "resources: [common.yaml]\npatches: [{path: patches/replicas.yaml}]\n"
          "configMapGenerator: [{name: conf, files: [settings=conf/settings.yaml]}]\n"
          "transformers: [labels.yaml]\n#- webhookcainjection_patch.yaml\n")
    write(tmp_path, "examples/common.yaml", DEPLOYMENT)
    write(tmp_path, "examples/patches/replicas.yaml",  # a partial object: never alone
          "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 2}\n")
    write(tmp_path, "examples/conf/settings.yaml", "apiVersion: v9\nkind: Settings\n")
    write(tmp_path, "examples/labels.yaml", "apiVersion: builtin\nkind: LabelTransformer\n"
          "metadata: {name: l}\nlabels: {team: a}\nfieldSpecs: [{path: metadata/labels, create: true}]\n")
    write(tmp_path, "examples/cluster.yaml", EXTRA.replace("app: nothing", "app: web") + "  type: Nodeport\n")
    write(tmp_path, "examples/extra/dashboard.yaml", BAD_SERVICE)
    # cloudnative-pg's config/: patches no kustomization uses (kept for scripts, or listed
    # only in a comment) are partial objects, not linted alone but listed as skipped
    write(tmp_path, "examples/pull_secret.yaml", "apiVersion: apps/v1\nkind: Deployment\n"
          "metadata: {name: web}\nspec:\n  template:\n    spec:\n      imagePullSecrets: [{name: r}]\n"
          "      containers: [{name: web, env: [{name: A, value: b}]}]\n")
    write(tmp_path, "examples/patches/webhook_in_crd.yaml",
          "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
          "metadata: {name: things.example.com}\nspec:\n  conversion: {strategy: Webhook}\n")
    write(tmp_path, "examples/manager_config.yaml",  # controller-runtime's config file: no name
          "apiVersion: controller-runtime.sigs.k8s.io/v1alpha1\nkind: ControllerManagerConfig\n"
          "health: {healthProbeBindAddress: ':8081'}\n")
    # listed only in a comment of the kustomization: switched off, whatever it holds
    write(tmp_path, "examples/webhookcainjection_patch.yaml",
          "apiVersion: admissionregistration.k8s.io/v1beta1\nkind: MutatingWebhookConfiguration\n"
          "metadata: {name: m, annotations: {cert-manager.io/inject-ca-from: x/y}}\n")
    write(tmp_path, "examples/patches/cainjection_in_old.yaml",  # a removed version: v1's schema
          "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\n"
          "metadata:\n  annotations: {cert-manager.io/inject-ca-from: x/y}\n  name: olds.example.com\n")
    # messaging-topology-operator's: the group without its version (an old scaffold's)
    write(tmp_path, "examples/patches/cainjection_in_shovels.yaml",
          "apiVersion: apiextensions.k8s.io\nkind: CustomResourceDefinition\n"
          "metadata:\n  annotations: {cert-manager.io/inject-ca-from: x/y}\n  name: shovels.example.com\n")
    proc = kubelint("check", "--show-skipped", "examples", cwd=tmp_path)
    assert findings(proc.stdout) == ["examples/cluster.yaml:8:9 KL103",
                                     "examples/common.yaml:18:25 KL112",
                                     "examples/extra/dashboard.yaml:5:9 KL103"], proc.stdout.decode()
    lines = proc.stdout.decode().rstrip().splitlines()
    assert [l for l in lines if "skipped: not an object of its own" in l] == [
        f"examples/{p}: skipped: not an object of its own (a kustomize patch or a config file), "
        "and no kustomization of the walk uses it" for p in (
            "manager_config.yaml", "patches/cainjection_in_old.yaml",
            "patches/cainjection_in_shovels.yaml", "patches/webhook_in_crd.yaml", "pull_secret.yaml")]
    assert lines[-1].startswith("3 files, 4 objects: 3 errors")


@needs_kustomize
def test_load_restrictor_none_renders_roots_that_read_files_outside_their_tree(tmp_path):
    """contour's examples/optional-features: `resources: [../render/contour-gateway.yaml]`,
    built as its comment says with --load-restrictor=LoadRestrictionsNone (Flux's way;
    cluster-api-provider-azure's Makefile builds its flavors so): rendered without the
    restrictor by default, since it names only files of its repository."""
    repo = tmp_path / "repo"
    write(repo, "render/all.yaml", BAD_SERVICE)
    write(repo, "features/kustomization.yaml", "resources: [../render/all.yaml]\n")
    proc = kubelint("check", "features", cwd=repo)
    assert findings(proc.stdout) == ["render/all.yaml:5:9 KL103"], proc.stdout.decode()
    write(repo, ".kubelint.yaml", "kustomize: {load-restrictor: root-only}\n")
    proc = kubelint("check", "features", cwd=repo)
    out = proc.stdout.decode()
    assert findings(proc.stdout) == ["features/kustomization.yaml:1:1 KL030"], out
    assert "as `load-restrictor: root-only` in .kubelint.yaml asks" in out
    write(repo, ".kubelint.yaml", "kustomize: {load-restrictor: none}\n")
    proc = kubelint("check", "features", cwd=repo)
    assert findings(proc.stdout) == ["render/all.yaml:5:9 KL103"], proc.stdout.decode()


@needs_kustomize
def test_an_overlay_without_objects_of_its_own_is_an_info(tmp_path):
    """rancher/fleet-examples' helm-kustomize: `kustomize: {dir: overlays/dev}` beside a Helm
    chart; the overlay only patches the chart's Deployment. Not a failed build; its patch is
    no object of its own either. A root with objects whose patch misses stays a KL030 error."""
    write(tmp_path, "overlays/dev/kustomization.yaml", "patchesStrategicMerge:\n- web.yaml\n")
    write(tmp_path, "overlays/dev/web.yaml", "apiVersion: apps/v1\nkind: Deployment\n"
          "metadata: {name: web}\nspec:\n  replicas: 3\n")
    write(tmp_path, "broken/kustomization.yaml", "resources: [cm.yaml]\npatchesStrategicMerge:\n"
          "- ../overlays/dev/web.yaml\n")
    write(tmp_path, "broken/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "KL030" in l] == [
        ["broken/kustomization.yaml:1:1", "error"], ["overlays/dev/kustomization.yaml:1:1", "info"]], out
    assert "holds no objects of its own (no `resources`) and patches objects another tool makes" in out
    assert "web.yaml" not in out.replace("../overlays/dev/web.yaml", ""), out


@needs_kustomize
def test_a_kustomization_that_makes_a_template_is_an_info(tmp_path):
    """open-feature-operator's config/overlays/helm: `namespace: {{ include "chart.namespace"
    . }}`; a script turns the output into a Helm chart's templates."""
    write(tmp_path, "helm/kustomization.yaml", "resources: [cm.yaml]\nnamespace: |-\n"
          "  {{ include \"chart.namespace\" . }}\n")
    write(tmp_path, "helm/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: My_Web}\n")
    out = kubelint("check", ".", cwd=tmp_path).stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "KL" in l] == [
        ["helm/kustomization.yaml:1:1", "info"]], out
    assert "`namespace` writes Go template actions" in out


@needs_kustomize
def test_a_rendered_finding_on_a_key_lands_on_the_key_in_its_source(tmp_path):
    """haproxy's deploy/kustomization.yaml renders haproxy-ingress.yaml: its ClusterRoleBinding's
    metadata.namespace (KL106, at the key) was reported at the value's column, the same line
    linted alone at the key's; an unknown field too. A rendered run places each finding where
    linting the file alone does. (Not yet when the field's value is a mapping: kustomize
    writes it in block style, where a key and its value start at one place.)"""
    write(tmp_path, "deploy/all.yaml", "kind: ClusterRoleBinding\napiVersion: rbac.authorization.k8s.io/v1\n"
          "metadata:\n  name: ingress\n  namespace: haproxy-controller\nroleRef:\n"
          "  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: ingress\n---\n"
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conf\n  lables: web\n"
          "data: {a: b}\n")
    alone = findings(kubelint("check", "deploy/all.yaml", cwd=tmp_path).stdout)
    assert alone == ["deploy/all.yaml:5:3 KL106", "deploy/all.yaml:15:3 KL010"], alone
    write(tmp_path, "deploy/kustomization.yaml", "resources: [all.yaml]\n")
    rendered = findings(kubelint("check", "deploy", cwd=tmp_path).stdout)
    assert rendered == alone


@needs_kustomize
def test_a_kustomization_that_needs_a_build_output_is_an_info(tmp_path):
    """VictoriaMetrics operator's config/crd names bases/*.yaml that controller-gen writes
    (`config/crd/bases/*` in .gitignore); solr-operator's config/default names ../manager,
    whose kustomization.yaml its Makefile copies (git-ignored). A missing input nobody
    ignores is still a broken kustomization: an error."""
    write(tmp_path, ".gitignore", "config/crd/bases/*\nconfig/manager/kustomization.yaml\n")
    write(tmp_path, "config/crd/kustomization.yaml", "resources: [bases/app.example.com_apps.yaml]\n")
    write(tmp_path, "config/default/kustomization.yaml", "resources: [../manager]\n")
    write(tmp_path, "config/manager/kustomization_base.yaml", "resources: [manager.yaml]\n")
    write(tmp_path, "config/broken/kustomization.yaml", "resources: [missing.yaml]\n")
    # k8s-config-connector's operator/config/manager: a patch its Makefile copies
    write(tmp_path, "config/image/kustomization.yaml", "resources: [cm.yaml]\n"
          "patchesStrategicMerge: [manager_image_patch.yaml]\n")
    write(tmp_path, "config/image/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\n")
    with open(tmp_path / ".gitignore", "a") as f:
        f.write("config/image/manager_image_patch.yaml\n")
    out = kubelint("check", ".", cwd=tmp_path).stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "KL030" in l] == [
        ["config/broken/kustomization.yaml:1:1", "error"],
        ["config/crd/kustomization.yaml:1:1", "info"],
        ["config/default/kustomization.yaml:1:1", "info"],
        ["config/image/kustomization.yaml:1:1", "info"]], out
    assert ("needs `config/crd/bases/app.example.com_apps.yaml`, which is not in the checkout "
            "and the repository's ignore files list") in out
    assert "needs `config/manager/kustomization.yaml`" in out


@needs_kustomize
def test_a_root_that_patches_what_flux_components_add_is_an_info(tmp_path):
    """mirceanton/home-ops: apps/media/bookorbit/app.ks.yaml, a Flux Kustomization with
    `path: ./apps/media/bookorbit/app` and `components: [../../../../components/cnpg/]`; the
    root's patch targets the component's CNPG Cluster, so it builds only as Flux builds it.
    A root whose patch misses and that no Flux Kustomization completes stays an error."""
    write(tmp_path, "components/cnpg/kustomization.yaml",
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [cluster.yaml]\n")
    write(tmp_path, "components/cnpg/cluster.yaml", "apiVersion: v1\nkind: ConfigMap\n"
          "metadata: {name: app-postgres}\ndata: {a: b}\n")
    write(tmp_path, "apps/media/bookorbit/app.ks.yaml",
          "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: bookorbit}\n"
          "spec:\n  interval: 10m\n  path: ./apps/media/bookorbit/app\n  prune: true\n"
          "  components: [../../../../components/cnpg/]\n"
          "  sourceRef: {kind: GitRepository, name: flux-system}\n")
    for app in ("bookorbit", "other"):
        write(tmp_path, f"apps/media/{app}/app/kustomization.yaml",
              "resources: [cm.yaml]\npatches:\n  - path: patch.yaml\n")
        write(tmp_path, f"apps/media/{app}/app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\n"
              "metadata: {name: web}\ndata: {a: b}\n")
        write(tmp_path, f"apps/media/{app}/app/patch.yaml", "apiVersion: v1\nkind: ConfigMap\n"
              "metadata: {name: app-postgres}\ndata: {c: d}\n")
    out = kubelint("check", "--select", "KL030", ".", cwd=tmp_path).stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "[KL" in l] == [
        ["apps/media/bookorbit/app/kustomization.yaml:1:1", "info"],
        ["apps/media/other/app/kustomization.yaml:1:1", "error"]], out
    assert "Flux's Kustomization bookorbit (apps/media/bookorbit/app.ks.yaml) adds components" in out


@needs_kustomize
def test_a_kustomization_that_inflates_a_helm_chart_is_not_rendered(tmp_path):
    """truxnell/home-cluster's talos/cni: `helmCharts: [{name: cilium, repo: https://...}]`
    needs helm and `--enable-helm`: kubectl kustomize failed ("must specify --enable-helm"),
    a KL030 error. Now a KL036 warning at the entry, like a remote base."""
    write(tmp_path, "cni/kustomization.yaml", "resources: [ns.yaml]\nhelmCharts:\n"
          "  - name: cilium\n    repo: https://helm.cilium.io\n    version: 1.15.1\n")
    write(tmp_path, "cni/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: cilium}\n")
    out = kubelint("check", ".", cwd=tmp_path).stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "[KL" in l] == [
        ["cni/kustomization.yaml:3:5", "warning"]], out
    assert "inflates the Helm chart `cilium` from https://helm.cilium.io (`helmCharts`)" in out


@needs_kustomize
def test_a_kustomization_whose_patch_a_build_fills_in_is_an_info(tmp_path):
    """gcs-fuse-csi-driver's overlays keep project_patch_csi_driver.json as `[]`; its Makefile
    writes the patch before building and restores it after. kustomize refuses the empty
    patch ("illegally qualifies as both an SM and JSON patch"): an info, not an error."""
    write(tmp_path, "dev/kustomization.yaml", "resources: [driver.yaml]\npatches:\n"
          "- path: project_patch.json\n  target: {group: storage.k8s.io, version: v1, kind: CSIDriver}\n")
    write(tmp_path, "dev/driver.yaml", "apiVersion: storage.k8s.io/v1\nkind: CSIDriver\n"
          "metadata: {name: gcsfuse.csi.storage.gke.io}\nspec: {attachRequired: false}\n")
    write(tmp_path, "dev/project_patch.json", "[]")
    out = kubelint("check", ".", cwd=tmp_path).stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "KL" in l] == [
        ["dev/kustomization.yaml:1:1", "info"]], out
    assert "patch `dev/project_patch.json` is empty: a build step fills it in" in out


@needs_kustomize
def test_a_kustomization_whose_secret_generator_reads_credentials_the_checkout_lacks(tmp_path):
    """cluster-api-provider-metal3's e2e ironic overlays use a basic-auth component whose
    secretGenerator reads ironic-username and ironic-password, which ci-e2e.sh writes before
    the build: kustomize fails on the missing file. An info, not an error; a missing
    resource (blob-csi-driver's deploy/v1.14.0 lists a blobfuse-proxy.yaml it lacks) stays
    an error."""
    write(tmp_path, "overlays/main/kustomization.yaml", "resources: [ns.yaml]\ncomponents: [../../auth]\n")
    write(tmp_path, "overlays/main/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: ironic}\n")
    write(tmp_path, "auth/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
          "kind: Component\nsecretGenerator:\n- name: ironic-auth\n  files:\n"
          "  - username=ironic-username\n  - password=ironic-password\n")
    write(tmp_path, "broken/kustomization.yaml", "resources: [ns.yaml, proxy.yaml]\n")
    write(tmp_path, "broken/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: b}\n")
    out = kubelint("check", ".", cwd=tmp_path).stdout.decode()
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "[KL" in l] == [
        ["broken/kustomization.yaml:1:1", "error"], ["overlays/main/kustomization.yaml:1:1", "info"]], out
    assert "secretGenerator reads `auth/ironic-username`, which is not in the checkout" in out


@needs_kustomize
def test_a_kustomization_whose_patches_are_no_list_is_a_finding_not_a_crash(tmp_path):
    """`patches: 5`: kustomize refuses it; looking for an empty patch file iterated the number
    (internal error, exit 2)."""
    write(tmp_path, "dev/kustomization.yaml", "resources: [a.yaml]\npatches: 5\n")
    write(tmp_path, "dev/a.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    result = kubelint("check", ".", cwd=tmp_path)
    out = result.stdout.decode()
    assert result.returncode == 1, (out, result.stderr)
    assert [l.split(": ", 2)[:2] for l in out.splitlines() if "[KL" in l] == [
        ["dev/kustomization.yaml:1:1", "error"]], out


@needs_kustomize
def test_a_kustomization_of_transformer_configs_is_no_root_of_its_own(tmp_path):
    """gcp-compute-persistent-disk-csi-driver: overlays use `transformers: [../../images/stable-master]`,
    a kustomization whose resources are `apiVersion: builtin` ImageTagTransformers. Rendered
    alone, its output was transformer configs: a KL014 for each."""
    write(tmp_path, "images/kustomization.yaml", "resources: [image.yaml]\n")
    write(tmp_path, "images/image.yaml", "apiVersion: builtin\nkind: ImageTagTransformer\n"
          "metadata: {name: tag}\nimageTag: {name: nginx, newTag: '1.27'}\n")
    write(tmp_path, "app/kustomization.yaml", "resources: [web.yaml]\ntransformers: [../images]\n")
    write(tmp_path, "app/web.yaml", DEPLOYMENT.replace("protocol: tcp", "protocol: TCP"))
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert "KL014" not in out and proc.returncode == 0, out


@needs_kustomize
def test_the_load_restrictor_stays_for_files_outside_the_repository(tmp_path):
    """A pull request's kustomization naming a file of the CI machine (`../../secret.yaml`,
    or a symbolic link out of the repository) is not read: kustomize's message could print
    what is in it."""
    write(tmp_path, "secret.yaml", BAD_SERVICE)
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    write(repo, "a/kustomization.yaml", "resources: [../../secret.yaml]\n")
    write(repo, "b/kustomization.yaml", "resources: [../link.yaml]\n")
    os.symlink(tmp_path / "secret.yaml", repo / "link.yaml")
    proc = kubelint("check", "a", "b", cwd=repo)
    out = proc.stdout.decode()
    assert findings(proc.stdout) == ["a/kustomization.yaml:1:1 KL030",
                                     "b/kustomization.yaml:1:1 KL030"], out
    assert "names files outside the repository, which kubelint does not let kustomize read" in out


@needs_kustomize
def test_unchanged_roots_are_not_rendered_again_and_clean_ones_build_no_source_map(tmp_path, monkeypatch):
    """Argo Workflows' manifests: kustomize takes seconds per root on large CRDs. A root whose
    inputs (every file under its and its bases' folders) are unchanged comes from the result
    cache; a change to a base renders it again. A rendering without findings never reads its
    sources for positions. Same findings either way."""
    from kubelint.engine import Settings, run
    from kubelint.render import kustomize

    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    good = DEPLOYMENT.replace("protocol: tcp", "protocol: TCP")
    write(repo, "base/kustomization.yaml", "resources:\n  - deployment.yaml\n  - service.yaml\n")
    write(repo, "base/deployment.yaml", good)
    write(repo, "base/service.yaml", SERVICE)
    write(repo, "clean/kustomization.yaml", "resources:\n  - ../base\nnamespace: clean\n")
    write(repo, "broken/kustomization.yaml", "resources:\n  - ../base\npatches:\n  - path: patch.yaml\n")
    write(repo, "broken/patch.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n"
          "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
          "          imagePullPolicy: always\n")
    monkeypatch.chdir(repo)
    renders, maps = [], []
    real_render, real_map = kustomize.render, kustomize.SourceMap
    monkeypatch.setattr(kustomize, "render", lambda root, *a: renders.append(root) or real_render(root, *a))
    monkeypatch.setattr(kustomize, "SourceMap", lambda root: maps.append(root) or real_map(root))

    def lint():
        result = run(["."], Settings(result_cache=True))
        return [(f.path, f.line, f.column, f.code) for f in result.findings]

    first = lint()
    assert first == [("broken/patch.yaml", 9, 28, "KL112")]
    assert sorted(renders) == ["broken", "clean"] and maps == ["broken"]
    renders.clear()
    assert lint() == first and renders == []
    write(repo, "base/service.yaml", SERVICE.replace("name: web", "name: web\n  labels: {tier: front}"))
    renders.clear()
    assert lint() == first and sorted(renders) == ["broken", "clean"]


@needs_kustomize
def test_one_name_at_two_api_versions_maps_each_to_its_own_file(tmp_path):
    """kubebuilder's multiversion samples: a CronJob `cronjob-sample` at v1 in one file and at
    v2 in another, both listed by the kustomization. Each rendered object maps back to the file
    of its own apiVersion (the v2 object was mapped to the v1 file, so naming the v2 file alone
    lost its findings), and the duplicate's message does not call the other file "this file"."""
    cr = ("apiVersion: batch.example.io/{v}\nkind: CronJob\nmetadata:\n  labels:\n    app: x\n"
          "  name: cronjob-sample\nspec:\n  schedule: \"*/1 * * * *\"\n")
    write(tmp_path, "batch_v1_cronjob.yaml", cr.format(v="v1"))
    write(tmp_path, "batch_v2_cronjob.yaml", cr.format(v="v2"))
    write(tmp_path, "kustomization.yaml", "resources:\n- batch_v1_cronjob.yaml\n- batch_v2_cronjob.yaml\n")
    out = kubelint("check", "--select", "KL015,KL217", ".", cwd=tmp_path).stdout.decode()
    assert findings(out.encode()) == ["batch_v1_cronjob.yaml:1:13 KL015", "batch_v2_cronjob.yaml:1:13 KL015",
                                      "batch_v2_cronjob.yaml:6:9 KL217"], out
    assert "is already defined (in the same kustomize build): kubectl apply keeps only the last one" in out
    assert "related: batch_v1_cronjob.yaml:" in out
    out = kubelint("check", "--select", "KL015,KL217", "batch_v2_cronjob.yaml", cwd=tmp_path).stdout.decode()
    assert findings(out.encode()) == ["batch_v2_cronjob.yaml:1:13 KL015", "batch_v2_cronjob.yaml:6:9 KL217"], out


@needs_kustomize
def test_a_null_required_field_is_reported_at_its_key_through_a_kustomization(tmp_path):
    """kubebuilder's samples (`spec:` and a TODO comment): the API server drops the null and
    finds the required `spec` missing; the finding is on the `spec:` key, in the file and
    through the kustomization alike."""
    write(tmp_path, "crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
          "metadata: {name: captains.crew.example.io}\nspec:\n  group: crew.example.io\n"
          "  names: {kind: Captain, plural: captains, singular: captain, listKind: CaptainList}\n"
          "  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n"
          "    schema:\n      openAPIV3Schema:\n        type: object\n        required: [spec]\n"
          "        properties:\n          spec: {type: object}\n")
    write(tmp_path, "samples/captain.yaml", "apiVersion: crew.example.io/v1\nkind: Captain\nmetadata:\n"
          "  name: captain-sample\nspec:\n  # TODO(user): Add fields here\n")
    expected = ("samples/captain.yaml:5:1: error: spec: required, but written as null (the API server "
                "drops a null field that is not nullable, then finds `spec` missing) [KL010 schema]")
    out = kubelint("check", "--crd", "crd.yaml", "samples", cwd=tmp_path).stdout.decode()
    assert out.splitlines()[0] == expected, out
    write(tmp_path, "samples/kustomization.yaml", "resources:\n- captain.yaml\n")
    out = kubelint("check", "--crd", "crd.yaml", "samples", cwd=tmp_path).stdout.decode()
    assert out.splitlines()[0] == expected, out


@needs_kustomize
def test_each_finding_of_one_rendered_object_at_one_place_is_kept(tmp_path):
    """camel-k's CamelCatalog sample, `spec: {}` where three fields are required: three
    findings at one place, all kept through the kustomization (the dedupe of two overlays'
    findings on one base kept only the first)."""
    write(tmp_path, "crd.yaml", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
          "metadata: {name: catalogs.camel.example.io}\nspec:\n  group: camel.example.io\n"
          "  names: {kind: Catalog, plural: catalogs, singular: catalog, listKind: CatalogList}\n"
          "  scope: Namespaced\n  versions:\n  - name: v1\n    served: true\n    storage: true\n"
          "    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n"
          "          spec:\n            type: object\n            required: [artifacts, loaders, runtime]\n"
          "            properties:\n              artifacts: {type: string}\n"
          "              loaders: {type: string}\n              runtime: {type: string}\n")
    write(tmp_path, "samples/catalog.yaml", "apiVersion: camel.example.io/v1\nkind: Catalog\nmetadata:\n"
          "  name: example\nspec: {}\n")
    write(tmp_path, "samples/kustomization.yaml", "resources:\n- catalog.yaml\n")
    out = kubelint("check", "--crd", "crd.yaml", "samples", cwd=tmp_path).stdout.decode()
    assert [line for line in out.splitlines() if "KL010" in line] == [
        f"samples/catalog.yaml:5:1: error: spec: missing required field `{field}` [KL010 schema]"
        for field in ("artifacts", "loaders", "runtime")], out


@needs_kustomize
def test_a_patch_outside_the_root_that_names_it_is_not_linted_alone(tmp_path):
    """cluster-api-provider-vsphere's e2e data: `node-drain/kustomization.yaml` patches with
    `../commons/vcpu.yaml`, a partial object in a sibling folder (no kustomization's tree):
    skipped as a patch, not two KL010s for the fields it leaves out. A whole object named
    from outside is still linted on its own (its root renders only with the load restrictor
    off)."""
    write(tmp_path, "node-drain/kustomization.yaml", "resources:\n  - ../base\n  - ../commons/web.yaml\n"
          "patchesStrategicMerge:\n  - ../commons/vcpu.yaml\npatches:\n  - path: ../commons/cr.yaml\n")
    # a custom resource named as a patch: whole-looking, still a patch
    write(tmp_path, "commons/cr.yaml", "apiVersion: infrastructure.example.io/v1beta2\n"
          "kind: VSphereMachineTemplate\nmetadata:\n  name: ${CLUSTER_NAME}\nspec:\n  template:\n"
          "    spec:\n      numCPUs: 4\n")
    write(tmp_path, "base/kustomization.yaml", "resources:\n  - cm.yaml\n")
    write(tmp_path, "base/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: web}\n")
    write(tmp_path, "commons/vcpu.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
          "spec:\n  replicas: 4\n")
    write(tmp_path, "commons/web.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: web}\n"
          "spec:\n  type: Nodeport\n  ports: [{port: 80}]\n")
    out = kubelint("check", "--show-skipped", ".", cwd=tmp_path).stdout.decode()
    assert "commons/vcpu.yaml: skipped: not an object of its own: a kustomize patch, applied by the " \
           "kustomization that names it" in out, out
    assert "commons/vcpu.yaml:" not in out.replace("commons/vcpu.yaml: skipped", ""), out
    assert "commons/cr.yaml: skipped: not an object of its own: a kustomize patch" in out, out
    assert "commons/web.yaml:5:9: error: spec.type: unsupported value \"Nodeport\"" in out, out


@needs_kustomize
def test_a_kustomize_timeout_is_a_warning_that_says_how_to_give_it_longer(tmp_path):
    """argo-workflows' manifests/cluster-install (large CRDs) took over 60 s on a loaded
    machine: an error about the machine, not the manifests. It is a KL030 warning with the
    config that gives kustomize longer."""
    write(tmp_path, "app/kustomization.yaml", "resources: [deployment.yaml]\n")
    write(tmp_path, "app/deployment.yaml", DEPLOYMENT.replace("protocol: tcp", "protocol: TCP"))
    write(tmp_path, ".kubelint.yaml", "kustomize: {timeout: 0.001}\n")
    proc = kubelint("check", "--no-cache", "app", cwd=tmp_path)
    out = proc.stdout.decode()
    assert proc.returncode == 1 and out.startswith(
        "app/kustomization.yaml:1:1: warning: `kubectl kustomize` did not finish within 0.001 s, "
        "so this kustomization was not rendered [KL030 kustomize-build-failed]\n"
        "    hint: give it longer with `kustomize: {timeout: 120}` in .kubelint.yaml\n"), out
    assert kubelint("check", "--no-cache", "--fail-level", "error", "app", cwd=tmp_path).returncode == 0


@needs_kustomize
def test_an_openapi_schema_read_from_a_url_is_refused_like_a_remote_base(tmp_path):
    """argo-rollouts' test/kustomize/rollout: `openapi: {path: https://raw...}`, the schema
    kustomize merges custom resources' lists by. kustomize tried the network and failed (a
    KL030 error about the machine); it is a remote input: a KL036 warning at the entry."""
    write(tmp_path, "kustomization.yaml", "resources: [ns.yaml]\nopenapi:\n"
          "  path: https://raw.githubusercontent.com/x/y/main/schema.json\n")
    write(tmp_path, "ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: a}\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert out.startswith("kustomization.yaml:3:9: warning: `https://raw.githubusercontent.com/x/y/"
                          "main/schema.json` (the openapi schema) not fetched"), out
    assert "[KL036 kustomize-remote-base]" in out and "KL030" not in out, out


@needs_kustomize
def test_a_workload_without_images_in_a_rendering_is_merged_into_the_live_one(tmp_path):
    """argo-cd's manifests/ha/base/controller-deployment, applied over an install, scales its
    StatefulSet to 0: among its resources a StatefulSet with only `replicas: 0` and a
    container without image, which `kubectl apply` merges into the live one (a false KL010
    `selector` and KL111). Not an object of its own; a workload with an image that lacks its
    selector still is one."""
    write(tmp_path, "kustomization.yaml", "resources: [sts.yaml, deploy.yaml]\n")
    write(tmp_path, "sts.yaml", "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n"
          "  name: controller\nspec:\n  replicas: 0\n  template:\n    spec:\n      containers:\n"
          "      - name: controller\n        env: [{name: REPLICAS, value: \"0\"}]\n")
    write(tmp_path, "deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
          "  name: controller\nspec:\n  template:\n    metadata: {labels: {app: c}}\n    spec:\n"
          "      containers:\n      - name: controller\n        image: example/c:1\n")
    proc = kubelint("check", ".", cwd=tmp_path)
    out = proc.stdout.decode()
    assert [l.split(" [")[0] for l in out.splitlines() if "[KL" in l] == [
        "deploy.yaml:5:1: error: spec: missing required field `selector`"], out
