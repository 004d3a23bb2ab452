"""Placeholders: envsubst, clusterctl's templates and Flux's post-build substitution fill in
`${VAR}` before an object is applied (`replicas: ${REPLICAS:-1}`, `name: ${CLUSTER_NAME}-pool0`),
a script or a workflow engine fills in `{{name}}`, Kyverno Chainsaw's tests bind `($namespace)`
or `($test.metadata.name)`. kubelint reads the manifest as written, so a
value that is a placeholder is unknown: a finding about it would only say that it has not been
filled in. (`<your-project>` and `__HOST__` stay findings: people fill those in by hand, and one
left in a manifest is a mistake; but not in an object argocd-vault-plugin fills in, which says
so with its `avp.kubernetes.io/path` annotation.)"""

from __future__ import annotations

import re

from typing import Any

from .lazyre import LazyRegex

# ${VAR}, ${VAR:-default}, ${VAR:=default}, ${VAR-default} (envsubst, Flux), drone/envsubst's
# string operations that clusterctl templates use (${VAR:0:54}, ${VAR/#arn/x}, ${VAR,,},
# ${VAR%%.*}), a template language's expression (Garden's `${var.appName}`,
# `${inputs.replicas || 3}`, `${jsonEncode(var.env)}`; Terraform's templatefile), and $VAR alone;
# a default that is itself a placeholder, and spaces inside the braces (cluster-api's e2e
# templates: `${CLUSTER_CLASS_NAMESPACE:-${NAMESPACE}}`, `${ CLUSTER_NAME }-control-plane-0`)
_ONE = r"\$\{ *[A-Za-z_](?:[^{}\n]|\$\{[^{}\n]*\})*\}"
# (and envsubst's `$VAR` inside a value, in capitals: `cluster-apps-$HELM_NAME`)
_PLACEHOLDER = LazyRegex(_ONE + r"|\{\{[^{}\n]*\}\}|\$[A-Z_][A-Z0-9_]*")
_WHOLE = LazyRegex(r"(?:" + _ONE + r"|\$[A-Za-z_][A-Za-z0-9_]*)\Z")
# a line of a template a script fills in: `{{name}}` anywhere, or an envsubst `${VAR}` /
# `$VAR` as the line's value (`key: $VAR`, `- $VAR`, `$VAR` alone; not `$HOME` in a command)
# (and a single-brace `{self.path.k8s}`, `{images[kat-server]}`: Python's str.format; a
# sed script's `@NAME@` or `%%%`/`%NAME%`, which YAML cannot read unquoted: longhorn's
# dev/scale-test, camel-k's e2e tests' `namespace: %%%`)
PLACEHOLDER_LINE = LazyRegex(r"\{\{|^\s*(?:- +)?(?:[\w.\-/\"']+: +)?\$\{?[A-Za-z_]"
                             r"|\{[A-Za-z_][\w.]*(?:\[[\w.\-]*\])*\}|@[A-Za-z_][A-Za-z0-9_]*@"
                             r"|%[%A-Za-z_][%\w]*%")
_BINDING = LazyRegex(r"\(\$[A-Za-z_][A-Za-z0-9_.]*\)\Z")  # a Chainsaw binding, whole
# a Chainsaw (JMESPath) expression, whole: a function call in parentheses (grafana-operator's
# e2e tests: `(semver_compare(env('GF_VERSION'), '>=11'))`)
_EXPRESSION = LazyRegex(r"\([A-Za-z_][A-Za-z0-9_]*\(.*\)\)\Z", re.S)
# a program's single-brace placeholder, whole (Python's str.format, a Go test's
# strings.Replace: envoy gateway's test/benchmark/config `name: "{GATEWAY_NAME}"`)
_FORMAT = LazyRegex(r"\{[A-Za-z_][\w.]*(?:\[[\w.\-]*\])*\}\Z")


def filled(value: str) -> str:
    """`value` with each `${VAR}`, `$VAR` or `{{name}}` placeholder as one valid word (`a`),
    so that only the text around it is checked: `${CLUSTER_NAME}-pool0` is a valid name,
    `My_${X}` is not."""
    if "$" not in value and "{{" not in value:
        return value
    return _PLACEHOLDER.sub("a", value)


def is_placeholder(value: Any) -> bool:
    """The whole value is one placeholder: `${REPLICAS:-1}`, `$K8S_SA_NAME`, a template
    engine's `{{keyspace}}` (a script's sed template; an Argo Workflows parameter), a
    program's `{GATEWAY_NAME}`, or a
    Chainsaw binding `($test.metadata.name)` or expression `(join('-', ['a', $namespace]))`,
    or a value SOPS encrypted."""
    if not isinstance(value, str):
        return False
    if value[:4] == "ENC[" and value[-1:] == "]":
        return True  # a value SOPS encrypted (`ENC[AES256_GCM,data:...,type:str]`)
    if value[:1] == "$":
        return _WHOLE.match(value) is not None
    if value[:2] == "($":
        return _BINDING.match(value) is not None
    if value[:1] == "(" and value[-1:] == ")":
        return _EXPRESSION.match(value) is not None
    if value[:1] == "{" and value[-1:] == "}":
        return value[1:2] != "{" and _FORMAT.match(value) is not None or \
            value[:2] == "{{" and value[-2:] == "}}" and "\n" not in value
    return False


# argocd-vault-plugin fills `<key>` placeholders from a secret store when Argo CD renders an
# object annotated with the path to read (`avp.kubernetes.io/path`), and inline-path ones
# (`<path:kv/data/app#password>`) anywhere: its users' Secrets hold `password: <password>`
AVP_PATH = "avp.kubernetes.io/path"
_ANGLE = LazyRegex(r"<[^<>\n]+>")


def _filled_by_avp(data: Any, value: Any) -> bool:
    if value.__class__ is not str or "<" not in value:
        return False
    if "<path:" in value:
        return True
    meta = data.get("metadata") if isinstance(data, dict) else None
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    return isinstance(annotations, dict) and AVP_PATH in annotations and \
        _ANGLE.search(value) is not None


def about_placeholder(data: Any, pointer: Any, message: str) -> bool:
    """Whether a finding at `pointer` of `data` is about a value that is a placeholder: the
    value itself, or (a map or list the finding points at: a selector, labels) one of its
    values that the message quotes. Asked only of messages with `$`, `{` or `<` in them."""
    from .checks.k8s import get

    value = get(data, pointer)
    if is_placeholder(value) or _filled_by_avp(data, value):
        return True
    if isinstance(value, str) and "{{" in value:
        from .discover import GO_TEMPLATE

        if GO_TEMPLATE.search(value):
            # a Go template's action inside the value (minikube's embedded calico.yaml:
            # `apiVersion: policy/v1{{if .LegacyPodDisruptionBudget}}beta1{{end}}`): its value
            # is the program's choice
            return True
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    return any((is_placeholder(v) or _filled_by_avp(data, v)) and v in message for v in items)
