"""Removed and deprecated API versions (deprecations.py): KL013 from the bundled schemas'
history, KL016 for deprecated-but-served versions, and --target-version."""

import pytest

from .conftest import kubelint, lint_text


def one(tmp_path, text, **settings):
    result = lint_text(tmp_path, text, **settings)
    return [(f.code, f.line, f.column, f.message) for f in result.findings]


HPA = ("apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\n"
       "spec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5\n")


def test_deprecated_but_served_names_removal_and_replacement(tmp_path):
    assert one(tmp_path, HPA, kubernetes_version="1.25") == [
        ("KL016", 1, 13, "autoscaling/v2beta2 HorizontalPodAutoscaler is deprecated since 1.23 and "
                         "removed in 1.26; use autoscaling/v2")]


def test_removed_at_the_target(tmp_path):
    assert one(tmp_path, HPA, kubernetes_version="1.26") == [
        ("KL013", 1, 13, "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26 "
                         "(target 1.26); use autoscaling/v2")]


@pytest.mark.parametrize("api_version,kind,version,code,message", [
    # a replacement only when the target serves it; never an older version of the group
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.25", "KL016",
     "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated in 1.26 and removed in 1.29; "
     "Kubernetes 1.25 serves no replacement"),
    ("flowcontrol.apiserver.k8s.io/v1beta2", "FlowSchema", "1.27", "KL016",
     "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated since 1.26 and removed in 1.29; "
     "use flowcontrol.apiserver.k8s.io/v1beta3"),
    # derived from the bundled schemas (no hand-written row): alphas, storagemigration
    ("networking.k8s.io/v1alpha1", "ClusterCIDR", "1.30", "KL013",
     "networking.k8s.io/v1alpha1 ClusterCIDR was removed in Kubernetes 1.29 (target 1.30); no "
     "replacement is served"),
    ("resource.k8s.io/v1alpha2", "ResourceClaim", "1.34", "KL013",
     "resource.k8s.io/v1alpha2 ResourceClaim was removed in Kubernetes 1.31 (target 1.34); use resource.k8s.io/v1"),
    ("storagemigration.k8s.io/v1alpha1", "StorageVersionMigration", "1.37", "KL013",
     "storagemigration.k8s.io/v1alpha1 StorageVersionMigration was removed in Kubernetes 1.35 "
     "(target 1.37); use storagemigration.k8s.io/v1"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", "1.35", "KL013",
     "admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy was removed in Kubernetes 1.34 "
     "(target 1.35); use admissionregistration.k8s.io/v1"),
    ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "1.30", "KL013",
     "storage.k8s.io/v1beta1 CSIStorageCapacity was removed in Kubernetes 1.27 (target 1.30); use storage.k8s.io/v1"),
    # kinds added to a group/version after its old catch-all removal are not "removed in 1.22"
    ("networking.k8s.io/v1beta1", "ServiceCIDR", "1.31", "KL016",
     "networking.k8s.io/v1beta1 ServiceCIDR is removed in Kubernetes 1.37; Kubernetes 1.31 serves no "
     "replacement"),
    ("networking.k8s.io/v1beta1", "IPAddress", "1.30", "KL012",
     "apiVersion `networking.k8s.io/v1beta1` does not serve kind IPAddress; IPAddress is served by "
     "networking.k8s.io/v1alpha1"),
    ("storage.k8s.io/v1beta1", "VolumeAttributesClass", "1.32", "KL016",
     "storage.k8s.io/v1beta1 VolumeAttributesClass is removed in Kubernetes 1.37; Kubernetes 1.32 "
     "serves no replacement"),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingAdmissionPolicy", "1.30", "KL016",
     "admissionregistration.k8s.io/v1beta1 ValidatingAdmissionPolicy is removed in Kubernetes 1.34; "
     "use admissionregistration.k8s.io/v1"),
    ("networking.k8s.io/v1beta1", "Ingress", "1.30", "KL013",
     "networking.k8s.io/v1beta1 Ingress was removed in Kubernetes 1.22 (target 1.30); use networking.k8s.io/v1"),
    ("extensions/v1beta1", "Ingress", "1.30", "KL013",
     "extensions/v1beta1 Ingress was removed in Kubernetes 1.22 (target 1.30); use networking.k8s.io/v1"),
    # PodSecurityPolicy: a sentence, not "use nothing"
    ("policy/v1beta1", "PodSecurityPolicy", "1.30", "KL013",
     "policy/v1beta1 PodSecurityPolicy was removed in Kubernetes 1.25 (target 1.30); use Pod Security "
     "Admission (pod-security.kubernetes.io/* namespace labels) instead"),
    ("policy/v1", "PodSecurityPolicy", "1.30", "KL013",
     "PodSecurityPolicy was removed from Kubernetes in 1.25 (its last version was policy/v1beta1); "
     "policy/v1 never served it (target 1.30); use Pod Security Admission (pod-security.kubernetes.io/* "
     "namespace labels)"),
])
def test_removal_table(tmp_path, api_version, kind, version, code, message):
    text = f"apiVersion: {api_version}\nkind: {kind}\nmetadata: {{name: x}}\n"
    got = [(c, m) for c, _, _, m in one(tmp_path, text, kubernetes_version=version, ignore=["KL010"])]
    assert got == ([(code, message)] if code else []), got


def test_target_version_reports_what_an_upgrade_breaks(tmp_path):
    (tmp_path / "m.yaml").write_text(HPA + "---\napiVersion: flowcontrol.apiserver.k8s.io/v1beta2\n"
                                     "kind: FlowSchema\nmetadata: {name: f}\nspec:\n"
                                     "  priorityLevelConfiguration: {name: p}\n")
    proc = kubelint("check", "-k", "1.25", "--target-version", "1.29", "--target-version", "v1.27.3",
                    "m.yaml", cwd=tmp_path)
    text = proc.stdout.decode() + proc.stderr.decode()
    assert proc.returncode == 1
    assert ("m.yaml:1:13: warning: autoscaling/v2beta2 HorizontalPodAutoscaler is removed in Kubernetes "
            "1.26 (deprecated since 1.23): upgrading to 1.29 breaks it; use autoscaling/v2, served by "
            "1.25 and 1.29 [KL016 deprecated-api-version]") in text
    assert "upgrading to 1.27 breaks it" in text
    assert ("m.yaml:8:13: warning: flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is removed in Kubernetes "
            "1.29 (deprecated since 1.26): upgrading to 1.29 breaks it; use flowcontrol.apiserver.k8s.io/v1 "
            "(served by 1.29, not by 1.25) [KL016") in text
    assert text.count("[KL016") == 3  # the FlowSchema still works on 1.27


def test_target_versions_from_the_config_and_bad_values(tmp_path):
    (tmp_path / "m.yaml").write_text(HPA)
    (tmp_path / ".kubelint.yaml").write_text('kubernetes-version: "1.25"\ntarget-versions: ["1.30"]\n')
    proc = kubelint("check", "m.yaml", cwd=tmp_path)
    assert proc.returncode == 1 and b"upgrading to 1.30 breaks it" in proc.stdout + proc.stderr
    proc = kubelint("check", "--target-version", "1.99", "m.yaml", cwd=tmp_path)
    assert proc.returncode == 2 and b"'1.99' is not bundled" in proc.stderr


def test_the_served_versions_of_each_api_come_from_the_prepared_cache_as_from_the_indexes(
        tmp_path, monkeypatch):
    from kubelint import deprecations

    monkeypatch.setenv("KUBELINT_CACHE_DIR", str(tmp_path))
    for _ in range(2):  # built, then read back
        deprecations._history.cache_clear()
        history = deprecations._history()
        assert history == deprecations._history_of_indexes()
        assert list(history) == list(deprecations._history_of_indexes())
    assert any(p.name == "history.json" for p in tmp_path.rglob("*"))
    assert history[("autoscaling/v2beta2", "HorizontalPodAutoscaler")] == ["1.25"]
    deprecations._history.cache_clear()
